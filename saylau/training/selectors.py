"""Scoped reads for training: event lists, the cascade tree, coverage against targets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from saylau.commissions.models import Commission, Membership

from .models import Attendance, Audience, CoverageTarget, Enrolment, EnrolmentStatus, Event, EventStatus, EventTrainer
from .scoping import events_visible_to


def event_list(user, *, year: int | None = None, region: str | None = None, level: str | None = None,
               audience: str | None = None, format: str | None = None, status: str | None = None,
               month: tuple[int, int] | None = None) -> QuerySet[Event]:
    qs = events_visible_to(user).select_related("organiser", "region")
    if year:
        qs = qs.filter(starts_on__year=year)
    if month:
        qs = qs.filter(starts_on__year=month[0], starts_on__month=month[1])
    if region:
        qs = qs.filter(region__iso_code=region.upper())
    if level:
        qs = qs.filter(level=level)
    if audience:
        qs = qs.filter(audiences__code=audience)
    if format:
        qs = qs.filter(format=format)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("starts_on", "pk").distinct()


def roadmap_item_status(item) -> str:
    """Derived from the item's events: planned, scheduled, held, partly_held or cancelled."""
    statuses = [event.status for event in item.events.all()]
    live = [s for s in statuses if s != EventStatus.CANCELLED]
    if not statuses:
        return "planned"
    if not live:
        return "cancelled"
    held = sum(1 for s in live if s == EventStatus.HELD)
    if held == len(live):
        return "held"
    return "partly_held" if held else "scheduled"


# --- The cascade ------------------------------------------------------------------------------


@dataclass
class CascadeNode:
    event: Event
    trainers: list[str]
    enrolled: int
    attended: int
    children: list[CascadeNode] = field(default_factory=list)
    reached_ids: set[int] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "id": self.event.pk, "title_kk": self.event.title_kk, "title_ru": self.event.title_ru,
            "level": self.event.level, "starts_on": self.event.starts_on, "ends_on": self.event.ends_on,
            "status": self.event.status, "trainers": self.trainers, "enrolled": self.enrolled,
            "attended": self.attended, "reached_in_subtree": len(self.reached_ids),
            "children": [child.as_dict() for child in self.children],
        }


def cascade(user, root: Event) -> CascadeNode:
    """The tree of events below ``root`` (as far as the user may see), with people reached per subtree.

    One query per level for the events, then one each for trainers, enrolment counts and attendees.
    """
    visible = events_visible_to(user)
    levels = [[root]]
    while levels[-1]:
        ids = [event.pk for event in levels[-1]]
        levels.append(list(visible.filter(parent_id__in=ids).order_by("starts_on", "pk")))
    events = [event for level in levels for event in level]
    ids = [event.pk for event in events]
    trainers = defaultdict(list)
    for event_id, surname, first_name in (
        EventTrainer.objects.filter(event_id__in=ids)
        .values_list("event_id", "person__surname", "person__first_name").order_by("person__surname")
    ):
        trainers[event_id].append(f"{surname} {first_name}")
    enrolled = dict(
        Enrolment.objects.filter(event_id__in=ids, status=EnrolmentStatus.ENROLLED)
        .values("event_id").annotate(n=Count("pk")).values_list("event_id", "n")
    )
    attendees = defaultdict(set)
    for event_id, person_id in (
        Attendance.objects.filter(session__event_id__in=ids).values_list("session__event_id", "person_id").distinct()
    ):
        attendees[event_id].add(person_id)
    nodes = {
        event.pk: CascadeNode(event=event, trainers=trainers[event.pk], enrolled=enrolled.get(event.pk, 0),
                              attended=len(attendees[event.pk]), reached_ids=set(attendees[event.pk]))
        for event in events
    }
    for event in reversed(events):  # children before parents: subtree totals roll up
        if event.pk != root.pk and event.parent_id in nodes:
            parent = nodes[event.parent_id]
            parent.children.insert(0, nodes[event.pk])
            parent.reached_ids |= nodes[event.pk].reached_ids
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.event.starts_on, child.event.pk))
    return nodes[root.pk]


# --- Coverage -----------------------------------------------------------------------------------


def _audience_memberships(audience: Audience, region_id: int | None) -> QuerySet[Membership]:
    qs = Membership.objects.current().filter(commission__level__in=audience.commission_levels)
    if audience.positions:
        qs = qs.filter(position__in=audience.positions)
    if region_id:
        qs = qs.filter(commission__region_id=region_id)
    return qs


def trained_people(*, year: int, audience: Audience) -> QuerySet:
    """People who attended at least one session of a non-cancelled event of the year for this audience."""
    return (
        Attendance.objects.filter(session__event__starts_on__year=year, session__event__audiences=audience)
        .exclude(session__event__status=EventStatus.CANCELLED)
        .values("person_id")
    )


@dataclass
class CoverageRow:
    region_iso: str
    region_name: str
    audience_code: str
    audience_name: str
    target: int | None
    reached: int
    untrained_commissions: list[tuple[int, str]]
    untrained_count: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.reached / self.target, 1) if self.target else None


def coverage(user, *, year: int, region: str | None = None, audience: str | None = None,
             list_limit: int = 50) -> list[CoverageRow]:
    """Per region and audience: the target, the distinct people reached, and commissions with nobody trained.

    Reached people are counted by where they sit now: someone who moved counts for their current commission.
    Rows come from the targets set for the year (and, for commission audiences, the user's regions).
    """
    from saylau.commissions.scoping import commissions_visible_to

    targets = CoverageTarget.objects.filter(year=year).select_related("region", "audience")
    visible_regions = commissions_visible_to(user).exclude(region=None).values("region_id")
    targets = targets.filter(region_id__in=visible_regions)
    if region:
        targets = targets.filter(region__iso_code=region.upper())
    if audience:
        targets = targets.filter(audience__code=audience)
    rows = []
    for target in targets.order_by("region__iso_code", "audience__sort_order"):
        trained = trained_people(year=year, audience=target.audience)
        if target.audience.is_commission_audience:
            members = _audience_memberships(target.audience, target.region_id)
            reached = members.filter(person_id__in=trained).values("person_id").distinct().count()
            commission_ids = members.values("commission_id")
            trained_here = members.filter(commission_id=OuterRef("pk"), person_id__in=trained)
            untrained = (
                Commission.objects.filter(pk__in=commission_ids).filter(~Exists(trained_here))
                .order_by("code").values_list("pk", "code")
            )
            untrained_list = list(untrained[:list_limit])
            untrained_count = untrained.count() if len(untrained_list) == list_limit else len(untrained_list)
        else:
            untrained_count = 0
            reached = trained.filter(session__event__region_id=target.region_id).values("person_id").distinct().count()
            untrained_list = []
        rows.append(CoverageRow(
            region_iso=target.region.iso_code, region_name=target.region.name, audience_code=target.audience.code,
            audience_name=target.audience.name, target=target.target, reached=reached,
            untrained_commissions=untrained_list, untrained_count=untrained_count,
        ))
    return rows


def upcoming_for_person(person) -> QuerySet[Event]:
    today = timezone.localdate()
    return Event.objects.filter(enrolments__person=person, ends_on__gte=today).filter(
        ~Q(status=EventStatus.CANCELLED)
    ).order_by("starts_on")


def accredited_trainers(event: Event) -> list:
    """People with a trainer accreditation valid on the event's first day, from its region (or any, if national)."""
    from .models import Accreditation

    qs = Accreditation.objects.filter(valid_until__gte=event.starts_on, issued_on__lte=event.starts_on)
    if event.region_id:
        qs = qs.filter(region_id=event.region_id)
    taken = event.trainers.values("person_id")
    people = {}  # one entry per person, however many accreditations they hold
    for accreditation in qs.exclude(person_id__in=taken).select_related("person").order_by("person__surname", "person_id"):
        people.setdefault(accreditation.person_id, accreditation.person)
    return list(people.values())
