"""Scoped reads for training: event lists, the cascade tree, coverage against targets."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from saylau.commissions.models import Commission, Membership
from saylau.core.i18n import localized

from . import reach
from .models import (
    Attendance,
    Audience,
    CoverageTarget,
    Event,
    EventStatus,
    EventTrainer,
    TrainingLevel,
)
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
    return status_from_events([event.status for event in item.events.all()])


def status_from_events(statuses: list[str]) -> str:
    """A roadmap item's status from its events' statuses (the reports count from the same rule)."""
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


@dataclass(slots=True)
class CascadeEvent:
    """What the cascade shows of an event (a national tree holds thousands: no model instances)."""

    pk: int
    parent_id: int | None
    title_kk: str
    title_ru: str
    level: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    revision: int = 0  # training.reach: what has been counted of it is still right while this stays

    FIELDS = ("pk", "parent_id", "title_kk", "title_ru", "level", "starts_on", "ends_on", "status")

    @property
    def id(self) -> int:
        return self.pk

    @property
    def title(self) -> str:
        return localized(self, "title")

    def get_level_display(self) -> str:
        return str(TrainingLevel(self.level).label) if self.level in TrainingLevel.values else self.level

    def get_status_display(self) -> str:
        return str(EventStatus(self.status).label) if self.status in EventStatus.values else self.status


@dataclass
class CascadeNode:
    event: CascadeEvent
    trainers: list[str]
    enrolled: int
    attended: int  # distinct people who attended a session of this event
    reached: int = 0  # distinct people who attended this event or one below it
    children: list[CascadeNode] = field(default_factory=list)

    def as_dict(self, *, iso_dates: bool = False) -> dict:
        """The subtree as nested dicts; ``iso_dates``: the dates as "2025-03-20", as JSON has them (the encoder's
        fallback for dates is a Python call per date: thousands for a national tree)."""
        event = self.event
        return {
            "id": event.pk, "title_kk": event.title_kk, "title_ru": event.title_ru, "level": event.level,
            "starts_on": event.starts_on.isoformat() if iso_dates else event.starts_on,
            "ends_on": event.ends_on.isoformat() if iso_dates else event.ends_on,
            "status": event.status, "trainers": self.trainers, "enrolled": self.enrolled,
            "attended": self.attended, "reached_in_subtree": self.reached,
            "children": [child.as_dict(iso_dates=iso_dates) for child in self.children],
        }


def _cascade_events(user, root: Event) -> list[CascadeEvent]:
    """``root`` and the events below it that the user may see, depth first, children by date: the events of
    any subtree are consecutive. One query per level of the tree, each event with its revision."""
    def level(qs: QuerySet[Event]) -> list[CascadeEvent]:
        rows = qs.annotate(revision=reach.revision_of_event()).order_by("starts_on", "pk")
        return [CascadeEvent(*row) for row in rows.values_list(*CascadeEvent.FIELDS, "revision")]

    visible = events_visible_to(user)
    (top,) = level(Event.objects.filter(pk=root.pk))
    children = defaultdict(list)
    parents = [top]
    while parents:
        parents = level(visible.filter(reach.among("parent_id", [event.pk for event in parents])))
        for event in parents:
            children[event.parent_id].append(event)
    events, stack = [], [top]
    while stack:
        event = stack.pop()
        events.append(event)
        stack.extend(reversed(children[event.pk]))
    return events


def cascade(user, root: Event) -> CascadeNode:
    """The tree of events below ``root`` (as far as the user may see), with the distinct people reached per
    subtree. Built for national scale (2,000 events, 280,000 check-ins): one query per level, one for the
    trainers; enrolments and check-ins only of events that changed since this process last counted them
    (``training.reach``: one query each), the counting in numpy."""
    events = _cascade_events(user, root)
    trainers = defaultdict(list)
    for event_id, surname, first_name in (
        EventTrainer.objects.filter(reach.among("event_id", [event.pk for event in events]))
        .values_list("event_id", "person__surname", "person__first_name").order_by("person__surname")
    ):
        trainers[event_id].append(f"{surname} {first_name}")
    position = {event.pk: i for i, event in enumerate(events)}
    parents = np.array([position.get(event.parent_id, -1) if i else -1 for i, event in enumerate(events)],
                       dtype=np.int64)
    of_event, attended, reached = reach.tree_counts({event.pk: event.revision for event in events}, parents)
    nodes = {}
    for i, event in enumerate(events):
        nodes[event.pk] = node = CascadeNode(event=event, trainers=trainers[event.pk],
                                             enrolled=of_event[event.pk].enrolled,
                                             attended=int(attended[i]), reached=int(reached[i]))
        if i:  # depth first: the parent is there already, and children come in date order
            nodes[event.parent_id].children.append(node)
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


def _qualifying_events(*, year: int, audience: Audience) -> list[int]:
    return list(Event.objects.filter(starts_on__year=year, audiences=audience)
                .exclude(status=EventStatus.CANCELLED).order_by().values_list("pk", flat=True))


_REGION_SHIFT = 40  # (region, person) as one number: region << 40 | person (person ids stay below 2**40)


def _commission_coverage(*, year: int, audience: Audience, region_ids: list[int]) -> tuple[dict, dict]:
    """For a commission audience in these regions: the distinct current members who attended a qualifying event
    (per region) and the commissions none of whose members did (per region, ordered by code).

    One query for the members (as one text, "commission,person,region,…"), the people trained from
    ``training.reach`` (read again only for events whose check-ins changed), one for the codes of the commissions
    with nobody trained; the counting in numpy."""
    members = (_audience_memberships(audience, None).filter(commission__region_id__in=region_ids)
               .aggregate(rows=reach.JoinedIds(Concat("commission_id", Value(","), "person_id", Value(","),
                                                      "commission__region_id", output_field=TextField())))["rows"])
    if not members:
        return {}, {}
    commission, person, region = np.fromstring(members, dtype=np.int64, sep=",").reshape(-1, 3).T
    trained = np.isin(person, reach.trained_among(_qualifying_events(year=year, audience=audience)))
    distinct = np.unique((region[trained] << _REGION_SHIFT) | person[trained])
    regions, counts = np.unique(distinct >> _REGION_SHIFT, return_counts=True)
    reached = dict(zip(regions.tolist(), counts.tolist(), strict=True))
    untrained_ids = np.setdiff1d(commission, commission[trained]).tolist()
    untrained = defaultdict(list)
    if untrained_ids:
        for commission_id, region_id, code in (Commission.objects.filter(reach.among("pk", untrained_ids))
                                               .order_by("code").values_list("pk", "region_id", "code")):
            untrained[region_id].append((commission_id, code))
    return reached, untrained


def coverage(user, *, year: int, region: str | None = None, audience: str | None = None,
             list_limit: int = 50) -> list[CoverageRow]:
    """Per region and audience: the target, the distinct people reached, and commissions with nobody trained.

    Reached people are counted by where they sit now: someone who moved counts for their current commission.
    Rows come from the targets set for the year (and, for commission audiences, the user's regions).
    One query for the targets, then one per audience for all its regions at once (and, for a commission
    audience, one for the sessions that count).
    """
    from saylau.commissions.scoping import commissions_visible_to

    targets = CoverageTarget.objects.filter(year=year).select_related("region", "audience")
    visible_regions = commissions_visible_to(user).exclude(region=None).values("region_id")
    targets = targets.filter(region_id__in=visible_regions)
    if region:
        targets = targets.filter(region__iso_code=region.upper())
    if audience:
        targets = targets.filter(audience__code=audience)
    targets = list(targets.order_by("region__iso_code", "audience__sort_order"))
    regions_of = defaultdict(list)
    audiences = {}
    for target in targets:
        regions_of[target.audience_id].append(target.region_id)
        audiences[target.audience_id] = target.audience
    reached: dict[tuple[int, int], int] = {}
    untrained: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for audience_id, region_ids in regions_of.items():
        target_audience = audiences[audience_id]
        if target_audience.is_commission_audience:
            by_region, lists = _commission_coverage(year=year, audience=target_audience, region_ids=region_ids)
            for region_id in region_ids:
                reached[audience_id, region_id] = by_region.get(region_id, 0)
                untrained[audience_id, region_id] = lists.get(region_id, [])
        else:
            counts = dict(
                trained_people(year=year, audience=target_audience)
                .filter(session__event__region_id__in=region_ids).order_by()
                .values("session__event__region_id").annotate(n=Count("person_id", distinct=True))
                .values_list("session__event__region_id", "n")
            )
            for region_id in region_ids:
                reached[audience_id, region_id] = counts.get(region_id, 0)
    rows = []
    for target in targets:
        key = (target.audience_id, target.region_id)
        commissions = untrained.get(key, [])
        rows.append(CoverageRow(
            region_iso=target.region.iso_code, region_name=target.region.name, audience_code=target.audience.code,
            audience_name=target.audience.name, target=target.target, reached=reached[key],
            untrained_commissions=commissions[:list_limit], untrained_count=len(commissions),
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
