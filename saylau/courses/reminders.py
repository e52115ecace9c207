"""Reminders, sent by the worker on a schedule (``core.schedule``): a learner behind the pace of their deadline gets
a mail at most once a week; each coordinator gets a weekly digest of their region's learners. Mails are rendered in
the recipient's language and carry a link that turns them off without logging in."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saylau.accounts.models import Role, User

from .models import Course, CourseEnrolment, CourseStatus, DigestSent, LearnerStatus, ReminderKind, ReminderOptOut
from .selectors import progress_counts, total_of

REMIND_EVERY = datetime.timedelta(days=7)
_SALT = "saylau.courses.reminders"


def opt_out_token(*, kind: str, target_id: int) -> str:
    return signing.dumps({"k": kind, "id": target_id}, salt=_SALT, compress=True)


def read_opt_out_token(token: str) -> tuple[str, int] | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return (data["k"], int(data["id"])) if data.get("k") in ReminderKind.values else None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def due_learners(now: datetime.datetime | None = None):
    """Enrolments whose learner is behind today, has an address, has not opted out and was not reminded this
    week, in published courses."""
    now = now or timezone.now()
    opted_out = ReminderOptOut.objects.filter(kind=ReminderKind.LEARNER, person_id=OuterRef("person_id"))
    return (CourseEnrolment.objects
            .filter(course__status=CourseStatus.PUBLISHED, behind_from__lte=timezone.localdate(now))
            .exclude(status=LearnerStatus.COMPLETED)
            .exclude(person__email="")
            .exclude(Exists(opted_out))
            .exclude(reminded_at__gt=now - REMIND_EVERY)
            .select_related("course", "person"))


def send_learner_reminders(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    with get_connection() as connection:
        for enrolment in due_learners(now).iterator(chunk_size=500):
            person = enrolment.person
            with translation.override(person.language):
                context = {
                    "person": person, "enrolment": enrolment, "course": enrolment.course,
                    "link": _absolute(reverse("courses:course", args=[enrolment.course_id])),
                    "opt_out": _absolute(reverse("courses:opt_out", args=[
                        opt_out_token(kind=ReminderKind.LEARNER, target_id=person.pk)])),
                }
                EmailMessage(subject=_("Your course is waiting: %(course)s") % {"course": enrolment.course.title},
                             body=render_to_string("courses/email/reminder.txt", context),
                             from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email],
                             connection=connection).send()
            CourseEnrolment.objects.filter(pk=enrolment.pk).update(reminded_at=now)
            sent += 1
    return sent


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digest_for(user, today: datetime.date) -> list[tuple]:
    """(course, counts) for every published course with learners in the coordinator's region."""
    qs = CourseEnrolment.objects.filter(region_id=user.region_id, course__status=CourseStatus.PUBLISHED)
    counts = progress_counts(qs, "course_id", today)
    courses = Course.objects.in_bulk(list(counts))
    return sorted(((courses[pk], row) for pk, row in counts.items()), key=lambda pair: pair[0].pk)


def send_coordinator_digests(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = monday(today)
    opted_out = ReminderOptOut.objects.filter(kind=ReminderKind.DIGEST, user_id=OuterRef("pk"))
    already = DigestSent.objects.filter(user_id=OuterRef("pk"), week=week)
    coordinators = (User.objects.filter(role=Role.COORDINATOR, is_active=True, region__isnull=False)
                    .exclude(email="").exclude(Exists(opted_out)).exclude(Exists(already)).select_related("region"))
    sent = 0
    with get_connection() as connection:
        for user in coordinators:
            rows = digest_for(user, today)
            if not rows:
                continue
            language = user.person.language if user.person_id else settings.LANGUAGE_CODE
            with translation.override(language):
                total = total_of(row for _course, row in rows)
                context = {
                    "user": user, "region": user.region, "week": week, "total": total,
                    "rows": [(course, row, _absolute(reverse("courses:progress", args=[course.pk])))
                             for course, row in rows],
                    "opt_out": _absolute(reverse("courses:opt_out", args=[
                        opt_out_token(kind=ReminderKind.DIGEST, target_id=user.pk)])),
                }
                EmailMessage(subject=_("Distance learning in %(region)s: the week of %(week)s") % {
                    "region": user.region.name, "week": week.strftime("%d.%m.%Y")},
                    body=render_to_string("courses/email/digest.txt", context),
                    from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email], connection=connection).send()
            DigestSent.objects.create(user=user, week=week)
            sent += 1
    return sent
