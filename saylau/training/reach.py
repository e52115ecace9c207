"""Who was enrolled in and who attended each event, kept per process and read again only where it changed.

The cascade of a national training counts the distinct people reached below each of its 2,000 events, from some
280,000 check-ins; coverage counts the distinct members trained in a year. Reading those check-ins costs more
than everything else on those pages together, yet between two requests they rarely change. So each process keeps,
per event, its enrolment count and the ids of the people who attended, under the event's revision: a number that
database triggers change whenever a check-in or enrolment of the event is written, however it is written
(``EventRevision``, migration 0005). A request reads the revisions of its events (2,000 small rows) and reads
again only the events whose revision moved. The figures are never older than the database: a revision is read
before the rows it stands for, so what is kept is at least as new as its revision says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Aggregate, Count, F, Lookup, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Coalesce

from .models import Attendance, Enrolment, EnrolmentStatus, EventRevision


class _AnyOf(Lookup):
    """``field = ANY(%s)`` with the ids as one array parameter (PostgreSQL). A national cascade holds 2,000
    events: the same query with ``IN (…)`` and 2,000 literals took 10 ms longer (measured, docs/benchmarks.md)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, "{" + ",".join(str(int(pk)) for pk in self.rhs) + "}"]


def among(field: str, ids: Iterable[int]):
    """A filter: ``field`` is one of ``ids``."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), ids)
    return Q(**{f"{field}__in": ids})


class JoinedIds(Aggregate):
    """The ids of a group as one text value, "3,17,42": one row per event rather than one per check-in (a
    national cascade has 280,000; as rows they take over 100 ms more to fetch)."""

    template = "STRING_AGG(CAST(%(expressions)s AS text), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="GROUP_CONCAT(%(expressions)s, ',')", **extra_context)


def parse_ids(joined: Iterable[str | None]) -> list[np.ndarray]:
    """``["3,17", None, "42"]`` → three arrays of ids, parsed in one C call for all."""
    texts = [text or "" for text in joined]
    lengths = [text.count(",") + 1 if text else 0 for text in texts]
    ids = np.fromstring(",".join(text for text in texts if text), dtype=np.int64, sep=",")
    return np.split(ids, np.cumsum(lengths)[:-1]) if texts else []


@dataclass(frozen=True, slots=True)
class EventReach:
    revision: int
    enrolled: int  # enrolments with the status "enrolled"
    attended: np.ndarray  # the distinct people who attended a session of the event, ascending


_KEPT: dict[int, EventReach] = {}
_KEPT_MAX = 100_000  # events; a national year has a few thousand


# What is counted from many events at once (a tree's subtree counts, a year's people trained), by the events and
# their revisions: asked again with nothing changed, it is not counted again. A few dozen at most.
_DERIVED: dict[bytes, object] = {}
_DERIVED_MAX = 64


def forget() -> None:
    """Empty this process's memory (tests: ids come back after a rollback)."""
    _KEPT.clear()
    _DERIVED.clear()


def revision_of_event():
    """An annotation for an Event queryset: the event's revision (0: none yet)."""
    revision = EventRevision.objects.filter(event_id=OuterRef("pk")).values("revision")
    return Coalesce(Subquery(revision), 0)


def revisions(event_ids: Iterable[int]) -> dict[int, int]:
    """The current revision of each event (0: none yet, for events made before revisions existed)."""
    event_ids = list(event_ids)
    found = dict(EventRevision.objects.filter(among("event_id", event_ids)).values_list("event_id", "revision"))
    return {pk: found.get(pk, 0) for pk in event_ids}


def of_events(revision_of: dict[int, int]) -> dict[int, EventReach]:
    """Enrolled and attended per event, given the events' current revisions: read only for events new to this
    process or whose revision moved (two queries, one row per event), else from memory."""
    stale = [pk for pk, revision in revision_of.items() if (kept := _KEPT.get(pk)) is None or kept.revision != revision]
    if stale:
        enrolled = dict(Enrolment.objects.filter(among("event_id", stale), status=EnrolmentStatus.ENROLLED)
                        .order_by().values("event_id").annotate(n=Count("*")).values_list("event_id", "n"))
        joined = dict(Attendance.objects.filter(among("session__event_id", stale)).order_by()
                      .values("session__event_id").annotate(people=JoinedIds("person_id"))
                      .values_list("session__event_id", "people"))
        attended = parse_ids(joined.get(pk) for pk in stale)
        fresh = {pk: EventReach(revision=revision_of[pk], enrolled=enrolled.get(pk, 0), attended=np.unique(people))
                 for pk, people in zip(stale, attended, strict=True)}
    else:
        fresh = {}
    found = {pk: fresh[pk] if pk in fresh else _KEPT[pk] for pk in revision_of}
    if len(_KEPT) + len(fresh) > _KEPT_MAX:
        _KEPT.clear()
    _KEPT.update(fresh)
    return found


def people_reached(parents: np.ndarray, attended: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For events in depth-first order (``parents[i]``: the position of event i's parent, -1 for the root;
    ``attended[i]``: the distinct people who attended event i): the number who attended each event, and the
    number who attended it or any event below it, each person once per subtree.

    A subtree is a run of consecutive positions, so after sorting the check-ins by (person, position) those of
    one person in one subtree are consecutive: for each depth, count the runs per ancestor at that depth.
    """
    n = len(parents)
    depth = np.zeros(n, dtype=np.int64)
    for i in range(1, n):  # depth first: a parent comes before its children
        depth[i] = depth[parents[i]] + 1
    # ancestors[d, i]: the position of event i's ancestor at depth d (i itself at its own depth), or -1 below it.
    ancestors = np.full((int(depth.max(initial=0)) + 1, n), -1, dtype=np.int64)
    ancestors[depth, np.arange(n)] = np.arange(n)
    for d in range(int(depth.max(initial=0)), 0, -1):
        below = depth >= d
        ancestors[d - 1, below] = parents[ancestors[d, below]]
    counts = np.array([len(people) for people in attended], dtype=np.int64)
    event_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    people = np.concatenate(attended) if n else np.zeros(0, dtype=np.int64)
    key = np.sort(people * n + event_of)  # by person, then by position
    person, event_of = np.divmod(key, n)
    new_person = np.diff(person, prepend=-1) != 0
    reached = np.zeros(n, dtype=np.int64)
    for ancestor_at_depth in ancestors:
        ancestor = ancestor_at_depth[event_of]
        first = (new_person | (np.diff(ancestor, prepend=-1) != 0)) & (ancestor >= 0)
        reached += np.bincount(ancestor[first], minlength=n)
    return counts, reached


def tree_counts(revision_of: dict[int, int], parents: np.ndarray) -> tuple[dict[int, EventReach], np.ndarray, np.ndarray]:
    """For a tree of events (their revisions, depth first; ``parents`` as ``people_reached`` takes them): each
    event's reach, and the people who attended each event and each subtree."""
    reach = of_events(revision_of)
    counts = _derived(b"tree", reach, parents.astype(np.int64).tobytes(),
                      lambda: people_reached(parents, [event.attended for event in reach.values()]))
    return reach, *counts


def trained_among(event_ids: Iterable[int]) -> np.ndarray:
    """The distinct people who attended any of these events, ascending."""
    reach = of_events(revisions(event_ids))
    if not reach:
        return np.zeros(0, dtype=np.int64)
    return _derived(b"trained", reach, b"", lambda: np.unique(np.concatenate([event.attended for event in reach.values()])))


def _derived(kind: bytes, reach: dict[int, EventReach], shape: bytes, count):
    """``count()``, or what it gave last time for the same events at the same revisions (and ``shape``)."""
    events = np.array([[pk, event.revision] for pk, event in reach.items()], dtype=np.int64)
    key = hashlib.blake2b(kind + events.tobytes() + shape, digest_size=16).digest()
    value = _DERIVED.get(key)
    if value is None:
        value = count()
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        _DERIVED[key] = value
    return value
