"""Mails about events, rendered in the recipient's language, with the programme and an iCal file."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from saylau.commissions.models import Person

from .models import Event, EventStatus


def event_calendar(events: list[Event], *, language: str = "kk") -> bytes:
    """An iCalendar file with one entry per session (or per event day when it has no programme)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Saylau electoral training//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Saylau")
    tz = timezone.get_current_timezone()
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    with translation.override(language):
        for event in events:
            url = settings.SITE_URL.rstrip("/") + reverse("training:event", args=[event.pk])
            sessions = list(event.sessions.all())
            entries = [
                (f"session-{s.pk}", f"{event.title}: {s.title}",
                 datetime.datetime.combine(s.day, s.starts_at, tzinfo=tz), datetime.datetime.combine(s.day, s.ends_at, tzinfo=tz))
                for s in sessions
            ] or [(f"event-{event.pk}", event.title, event.starts_on, event.ends_on + datetime.timedelta(days=1))]
            for uid, summary, start, end in entries:
                entry = CalendarEvent()
                entry.add("uid", f"{uid}@{host}")
                entry.add("summary", summary)
                entry.add("dtstart", start)
                entry.add("dtend", end)
                entry.add("dtstamp", timezone.now())
                entry.add("location", ", ".join(p for p in (event.venue_address, event.venue_room, event.online_link) if p))
                entry.add("url", url)
                if event.status == EventStatus.CANCELLED:
                    entry.add("status", "CANCELLED")
                calendar.add_component(entry)
    return calendar.to_ical()


def enrolment_notice(*, event_id: int, person_id: int) -> bool:
    person = Person.objects.filter(pk=person_id).first()
    event = Event.objects.filter(pk=event_id).prefetch_related("sessions__speakers").first()
    if person is None or event is None or not person.email:
        return False
    with translation.override(person.language):
        context = {"person": person, "event": event, "sessions": event.sessions.all(),
                   "link": settings.SITE_URL.rstrip("/") + reverse("training:event", args=[event.pk])}
        message = EmailMessage(
            subject=_("You are enrolled: %(title)s") % {"title": event.title},
            body=render_to_string("training/email/enrolled.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
        message.attach("event.ics", event_calendar([event], language=person.language), "text/calendar")
        message.send()
    return True
