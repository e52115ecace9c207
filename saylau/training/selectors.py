"""Scoped reads for training: event lists, the cascade tree, coverage against targets."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Aggregate, Count, F, Lookup, OuterRef, Q, QuerySet, Subquery, TextField
from django.utils import timezone

from saylau.commissions.models import Commission, Membership
from saylau.core.i18n import localized

from .models import (
    Attendance,
    Audience,
    CoverageTarget,
    Enrolment,
    EnrolmentStatus,
    Event,
    EventStatus,
    EventTrainer,
    Session,
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


class _AnyOf(Lookup):
    """``field = ANY(%s)`` with the ids as one array parameter (PostgreSQL). A national cascade holds 2,000
    events: the same query with ``IN (…)`` and 2,000 literals took 10 ms longer (measured, docs/benchmarks.md)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, "{" + ",".join(str(int(pk)) for pk in self.rhs) + "}"]


def _among(field: str, ids: list[int]):
    """A filter: ``field`` is one of ``ids``."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), ids)
    return Q(**{f"{field}__in": ids})


class _JoinedIds(Aggregate):
    """The ids of a group as one text value, "3,17,42": one row per event rather than one per check-in (a
    national cascade has 280,000; as rows they take over 100 ms more to fetch)."""

    template = "STRING_AGG(CAST(%(expressions)s AS text), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="GROUP_CONCAT(%(expressions)s, ',')", **extra_context)


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
    enrolled: int | None = None  # enrolments with the status "enrolled"

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
    any subtree are consecutive. One query per level of the tree, each event with its enrolment count."""
    enrolled = (Enrolment.objects.filter(event_id=OuterRef("pk"), status=EnrolmentStatus.ENROLLED).order_by()
                .values("event_id").annotate(n=Count("*")).values("n"))

    def level(qs: QuerySet[Event]) -> list[CascadeEvent]:
        rows = qs.annotate(enrolled_n=Subquery(enrolled)).order_by("starts_on", "pk")
        return [CascadeEvent(*row) for row in rows.values_list(*CascadeEvent.FIELDS, "enrolled_n")]

    visible = events_visible_to(user)
    (top,) = level(Event.objects.filter(pk=root.pk))
    children = defaultdict(list)
    parents = [top]
    while parents:
        parents = level(visible.filter(_among("parent_id", [event.pk for event in parents])))
        for event in parents:
            children[event.parent_id].append(event)
    events, stack = [], [top]
    while stack:
        event = stack.pop()
        events.append(event)
        stack.extend(reversed(children[event.pk]))
    return events


def _people_reached(events: list[CascadeEvent]) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``events`` (depth first, as ``_cascade_events`` gives them): the distinct people who
    attended it, and those who attended it or an event below it.

    A person who attended several events of a subtree counts once in it. Sets of ids merged up the tree took
    70 ms for the national cascade (each id copied once per level); here the check-ins are sorted once by
    (person, position of the event) and, since a subtree is a run of consecutive positions, the check-ins of
    one person in one subtree are consecutive: for each depth, count the runs per ancestor at that depth.
    """
    n = len(events)
    position = {event.pk: i for i, event in enumerate(events)}
    # ancestors[d, i]: the position of the ancestor at depth d of event i (i itself at its own depth), or -1.
    paths = [[0]]
    for i, event in enumerate(events[1:], 1):
        paths.append([*paths[position[event.parent_id]], i])
    ancestors = np.full((max(map(len, paths)), n), -1, dtype=np.int64)
    for i, path in enumerate(paths):
        ancestors[: len(path), i] = path

    rows = (Attendance.objects.filter(_among("session__event_id", list(position))).order_by()
            .values("session__event_id").annotate(people=_JoinedIds("person_id"))
            .values_list("session__event_id", "people"))
    where, people = [], []
    for event_id, ids in rows:
        where.append(position[event_id])
        people.append(ids)
    people_ids = np.fromstring(",".join(people), dtype=np.int64, sep=",")  # one C call for 280,000 ids
    event_of = np.repeat(np.array(where, dtype=np.int64), [ids.count(",") + 1 for ids in people])

    key = np.sort(people_ids * n + event_of)  # by person, then by position
    person, event_of = np.divmod(key, n)
    new_person = np.diff(person, prepend=-1) != 0
    attended = np.bincount(event_of[np.diff(key, prepend=-1) != 0], minlength=n)
    reached = np.zeros(n, dtype=np.int64)
    for ancestor_at_depth in ancestors:
        ancestor = ancestor_at_depth[event_of]
        first = (new_person | (np.diff(ancestor, prepend=-1) != 0)) & (ancestor >= 0)
        reached += np.bincount(ancestor[first], minlength=n)
    return attended, reached


def cascade(user, root: Event) -> CascadeNode:
    """The tree of events below ``root`` (as far as the user may see), with the distinct people reached per
    subtree. Built for national scale (2,000 events, 280,000 check-ins): one query per level, one for the
    trainers, one for the attendees (one row per event); the counting in numpy."""
    events = _cascade_events(user, root)
    trainers = defaultdict(list)
    for event_id, surname, first_name in (
        EventTrainer.objects.filter(_among("event_id", [event.pk for event in events]))
        .values_list("event_id", "person__surname", "person__first_name").order_by("person__surname")
    ):
        trainers[event_id].append(f"{surname} {first_name}")
    attended, reached = _people_reached(events)
    nodes = {}
    for i, event in enumerate(events):
        nodes[event.pk] = node = CascadeNode(event=event, trainers=trainers[event.pk], enrolled=event.enrolled or 0,
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


def _qualifying_sessions(*, year: int, audience: Audience) -> list[int]:
    return list(
        Session.objects.filter(event__starts_on__year=year, event__audiences=audience)
        .exclude(event__status=EventStatus.CANCELLED).order_by().values_list("pk", flat=True)
    )


# Up to this many regions, coverage looks each member's check-ins up (index probes; a region has ~4,000 members);
# beyond it, it reads the year's check-ins once, in person order, and joins (cheaper for tens of thousands).
_PROBE_REGIONS = 3


def _commission_coverage(*, year: int, audience: Audience, region_ids: list[int]) -> tuple[dict, dict]:
    """For a commission audience in these regions, in one query: the distinct current members who attended
    (per region) and the commissions none of whose members did (per region, ordered by code)."""
    members = (_audience_memberships(audience, None).filter(commission__region_id__in=region_ids).order_by()
               .values_list("person_id", "commission_id", "commission__region_id"))
    members_sql, params = members.query.sql_with_params()
    params = list(params)
    sessions = _qualifying_sessions(year=year, audience=audience)
    attended = Attendance.objects.filter(_among("session_id", sessions)).values_list("person_id")
    if not sessions:
        trained, joined = "0", ""  # no session counts: nobody is trained
    elif connection.vendor != "postgresql":
        attended_sql, attended_params = attended.order_by().query.sql_with_params()
        trained, joined = f"CASE WHEN m.person_id IN ({attended_sql}) THEN 1 ELSE 0 END", ""
        params.extend(attended_params)
    elif len(region_ids) <= _PROBE_REGIONS:
        # A correlated sub-select with LIMIT 1: one probe of the (person, session) index per member (from EXISTS or
        # IN the planner would hash the whole year's check-ins first).
        trained, joined = (f"(SELECT COUNT(*) FROM (SELECT 1 FROM {Attendance._meta.db_table} a"  # noqa: S608
                           " WHERE a.person_id = m.person_id AND a.session_id = ANY(%s::bigint[]) LIMIT 1) hit)"), ""
        params.append("{" + ",".join(map(str, sessions)) + "}")
    else:
        # The distinct people who attended, walking the (person, session) index: no hashing of every check-in.
        attended_sql, attended_params = attended.order_by("person_id").distinct("person_id").query.sql_with_params()
        trained = "CASE WHEN t.person_id IS NULL THEN 0 ELSE 1 END"
        joined = f"LEFT JOIN ({attended_sql}) t ON t.person_id = m.person_id"
        params.extend(attended_params)
    # The parts are SQL compiled by the ORM and table names, the values parameters: nothing of the request is text.
    sql = f"""
        WITH m (person_id, commission_id, region_id) AS ({members_sql}),
             f AS (SELECT m.person_id, m.commission_id, m.region_id, {trained} AS trained FROM m {joined})
        SELECT region_id, COUNT(DISTINCT person_id), NULL, NULL FROM f WHERE trained = 1 GROUP BY region_id
        UNION ALL
        SELECT g.region_id, NULL, g.commission_id, c.code
        FROM (SELECT region_id, commission_id FROM f GROUP BY region_id, commission_id HAVING MAX(trained) = 0) g
        JOIN {Commission._meta.db_table} c ON c.id = g.commission_id
    """  # noqa: S608
    reached, untrained = {}, defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for region_id, count, commission_id, code in cursor.fetchall():
            if commission_id is None:
                reached[region_id] = count
            else:
                untrained[region_id].append((commission_id, code))
    for commissions in untrained.values():
        commissions.sort(key=lambda row: row[1])
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
