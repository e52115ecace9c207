"""Who sees and manages which events: the registry's regional scoping, applied to events.

| role        | sees                                                      | manages                       |
|-------------|-----------------------------------------------------------|-------------------------------|
| admin       | all                                                       | all                           |
| auditor     | all                                                       | nothing                       |
| coordinator | their region's events and national events                 | their region's events         |
| trainer     | events they train at, their region's and national events  | attendance of their sessions  |
| participant | events they are enrolled in, and open national/regional events for self-registration | nothing |
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import NotFound

from .models import Event, EventStatus, Session


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def events_visible_to(user) -> QuerySet[Event]:
    qs = Event.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return qs
    if user.role == Role.COORDINATOR:
        return qs.filter(Q(region_id=user.region_id) | Q(region__isnull=True))
    if user.role == Role.TRAINER:
        own = Q(trainers__person_id=user.person_id) if user.person_id else Q(pk__in=[])
        area = Q(region_id=user.region_id) | Q(region__isnull=True) if user.region_id else Q()
        return qs.filter(own | area).distinct()
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(enrolments__person_id=user.person_id).distinct()
    return qs.none()


def events_open_for_registration(user) -> QuerySet[Event]:
    """Events a participant may ask to join: scheduled, national or in a region where they sit on a commission now."""
    if not _active(user) or not user.person_id:
        return Event.objects.none()
    regions = user.person.memberships.current().values("commission__region_id")
    return Event.objects.filter(status=EventStatus.SCHEDULED).filter(Q(region__isnull=True) | Q(region_id__in=regions))


def events_manageable_by(user) -> QuerySet[Event]:
    if not _active(user):
        return Event.objects.none()
    if user.role == Role.ADMIN:
        return Event.objects.all()
    if user.role == Role.COORDINATOR:
        return Event.objects.filter(region_id=user.region_id)
    return Event.objects.none()


def can_manage_event(user, event: Event) -> bool:
    return events_manageable_by(user).filter(pk=event.pk).exists()


def can_mark_attendance(user, session: Session) -> bool:
    if can_manage_event(user, session.event):
        return True
    return bool(
        _active(user) and user.role == Role.TRAINER and user.person_id
        and session.event.trainers.filter(person_id=user.person_id).exists()
    )


def access_event_by_id(user, event_id: int) -> Event:
    try:
        return events_visible_to(user).select_related("organiser", "region", "parent", "roadmap_item").get(pk=event_id)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Event not found.")) from None


def access_session_by_id(user, session_id: int) -> Session:
    try:
        return Session.objects.select_related("event").get(pk=session_id, event__in=events_visible_to(user))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Session not found.")) from None
