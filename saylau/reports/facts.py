"""The facts every report is counted from, read from the database in one pass and kept as numpy arrays.

A national year holds hundreds of thousands of check-ins and millions of saved answers: counting distinct
people under every filter in SQL took seconds. The worker reads the facts once a minute (``build``), stores
them (``Snapshot``) and every page, export and API call counts from the arrays (``figures``), in
milliseconds, all from the same as-of time.

The grains:
- ``ev_*``: one row per event; ``pe_*``: one per person and event they attended (at least one session);
- ``ri_*``: roadmap items; ``c_*``: commissions; ``m_*``: current memberships;
- ``a_*``: each examinee's best submitted attempt per test; ``t_*``: per such attempt and topic, the points;
- ``z_*``: certificates; ``v_*``: verification checks per certificate and day; ``k_*``: course enrolments;
- ``ct_*``: coverage targets.

Dates are proleptic ordinals (``date.toordinal()``), regions, audiences and topics indices into ``meta``
lists; -1 means none.
"""

from __future__ import annotations

import datetime
import io
import json
from collections import defaultdict

import numpy as np
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, Exam, Topic
from saylau.certificates.models import Certificate, VerificationCheck
from saylau.commissions.models import Commission, Membership, Region
from saylau.courses.models import CourseEnrolment
from saylau.training.models import (
    Attendance,
    Audience,
    CoverageTarget,
    Enrolment,
    Event,
    EventStatus,
    Format,
    Kind,
    RoadmapItem,
    Session,
    TrainingLevel,
)
from saylau.training.selectors import status_from_events

# Codes stored as small integers: their position in these lists.
LEVELS = list(TrainingLevel.values)
KINDS = list(Kind.values)
FORMATS = list(Format.values)
EVENT_STATUSES = list(EventStatus.values)
ITEM_STATUSES = ["planned", "scheduled", "held", "partly_held", "cancelled"]
COMMISSION_LEVELS = ["cec", "regional", "territorial", "district", "precinct"]
POSITIONS = ["chair", "deputy_chair", "secretary", "member"]
PURPOSES = ["pre", "post", "distance", "practice"]
LEARNER_STATUSES = ["not_started", "in_progress", "completed"]
NEVER = 10**7  # an ordinal later than any date


def _ordinal(value) -> int:
    if value is None:
        return NEVER
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.toordinal()


def _index(values: list, value) -> int:
    try:
        return values.index(value)
    except ValueError:
        return -1


class Facts:
    """Named numpy arrays and the lists their indices point into (``meta``)."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        self.arrays = arrays
        self.meta = meta

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, __meta__=np.frombuffer(json.dumps(self.meta).encode(), dtype=np.uint8), **self.arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Facts:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
        return cls(arrays, meta)

    # Lookups used by the figures.
    def region_index(self, iso_code: str | None) -> int:
        """The region's index; an unknown code gives -2, which no row carries (-1 is "no region")."""
        index = _index(self.meta["regions"], (iso_code or "").upper())
        return index if index >= 0 else -2

    def audience_index(self, code: str | None) -> int:
        return _index(self.meta["audiences"], code)


def _array(values, dtype) -> np.ndarray:
    return np.array(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)


def _columns(rows: list[tuple], dtypes: list) -> list[np.ndarray]:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in dtypes]
    return [_array(column, dtype) for column, dtype in zip(columns, dtypes, strict=True)]


def build(*, today: datetime.date | None = None) -> Facts:
    """Read every fact from the database (the worker does this once a minute)."""
    today = today or timezone.localdate()
    regions = list(Region.objects.order_by("iso_code").values_list("pk", "iso_code"))
    region_of = {pk: i for i, (pk, _) in enumerate(regions)}
    audiences = list(Audience.objects.order_by("sort_order", "code").values_list("pk", "code"))
    audience_bit = {pk: 1 << i for i, (pk, _) in enumerate(audiences[:63])}
    topics = list(Topic.objects.order_by("code").values_list("pk", "code"))
    topic_of = {pk: i for i, (pk, _) in enumerate(topics)}
    arrays: dict[str, np.ndarray] = {}

    # Events and their audiences.
    event_rows = list(Event.objects.order_by("pk").values_list(
        "pk", "starts_on", "region_id", "level", "kind", "format", "status", "roadmap_item_id"))
    event_of = {row[0]: i for i, row in enumerate(event_rows)}
    bits = defaultdict(int)
    for event_id, audience_id in Event.audiences.through.objects.values_list("event_id", "audience_id"):
        bits[event_id] |= audience_bit.get(audience_id, 0)
    arrays["ev_id"] = _array([r[0] for r in event_rows], np.int64)
    arrays["ev_date"] = _array([_ordinal(r[1]) for r in event_rows], np.int32)
    arrays["ev_region"] = _array([region_of.get(r[2], -1) for r in event_rows], np.int16)
    arrays["ev_level"] = _array([_index(LEVELS, r[3]) for r in event_rows], np.int8)
    arrays["ev_kind"] = _array([_index(KINDS, r[4]) for r in event_rows], np.int8)
    arrays["ev_format"] = _array([_index(FORMATS, r[5]) for r in event_rows], np.int8)
    arrays["ev_status"] = _array([_index(EVENT_STATUSES, r[6]) for r in event_rows], np.int8)
    arrays["ev_audiences"] = _array([bits[r[0]] for r in event_rows], np.int64)

    # People and events they attended, with the region of the commission they sat on when enrolled (else the
    # event's): a member who moved counts for the region they served in at the time.
    sql = f"""
        SELECT s.event_id, a.person_id, MIN(c.region_id)
        FROM {Attendance._meta.db_table} a
        JOIN {Session._meta.db_table} s ON s.id = a.session_id
        LEFT JOIN {Enrolment._meta.db_table} e ON e.event_id = s.event_id AND e.person_id = a.person_id
        LEFT JOIN {Commission._meta.db_table} c ON c.id = e.commission_id
        GROUP BY s.event_id, a.person_id
    """  # noqa: S608 -- table names only
    with connection.cursor() as cursor:
        cursor.execute(sql)
        pairs = cursor.fetchall()
    pe_event, pe_person, pe_region = _columns(pairs, [np.int64, np.int64, np.float64])
    pe_event = _array([event_of[e] for e in pe_event.tolist()], np.int32)
    own_region = np.array([-1 if np.isnan(r) else region_of.get(int(r), -1) for r in pe_region.tolist()],
                          dtype=np.int16) if len(pairs) else np.zeros(0, np.int16)
    pe_region = np.where(own_region >= 0, own_region, arrays["ev_region"][pe_event]).astype(np.int16)
    order = np.lexsort((pe_event, pe_person))  # by person, then event: distinct counts walk runs
    arrays["pe_person"], arrays["pe_event"], arrays["pe_region"] = pe_person[order], pe_event[order], pe_region[order]

    # Roadmap items: their status derives from their events.
    item_rows = list(RoadmapItem.objects.order_by("pk").values_list(
        "pk", "roadmap__year", "planned_quarter", "planned_month", "kind", "level", "responsible__region_id"))
    item_events = defaultdict(list)
    for item_id, status in Event.objects.exclude(roadmap_item=None).values_list("roadmap_item_id", "status"):
        item_events[item_id].append(status)
    item_bits = defaultdict(int)
    for item_id, audience_id in RoadmapItem.audiences.through.objects.values_list("roadmapitem_id", "audience_id"):
        item_bits[item_id] |= audience_bit.get(audience_id, 0)
    arrays["ri_id"] = _array([r[0] for r in item_rows], np.int64)
    arrays["ri_year"] = _array([r[1] for r in item_rows], np.int16)
    arrays["ri_quarter"] = _array([r[2] or ((r[3] - 1) // 3 + 1 if r[3] else 0) for r in item_rows], np.int8)
    arrays["ri_kind"] = _array([_index(KINDS, r[4]) for r in item_rows], np.int8)
    arrays["ri_level"] = _array([_index(LEVELS, r[5]) for r in item_rows], np.int8)
    arrays["ri_region"] = _array([region_of.get(r[6], -1) for r in item_rows], np.int16)
    arrays["ri_status"] = _array([ITEM_STATUSES.index(status_from_events(item_events[r[0]])) for r in item_rows], np.int8)
    arrays["ri_audiences"] = _array([item_bits[r[0]] for r in item_rows], np.int64)

    # Commissions and who sits on them today.
    commission_rows = list(Commission.objects.order_by("pk").values_list("pk", "level", "region_id"))
    commission_of = {row[0]: i for i, row in enumerate(commission_rows)}
    arrays["c_id"] = _array([r[0] for r in commission_rows], np.int64)
    arrays["c_level"] = _array([_index(COMMISSION_LEVELS, r[1]) for r in commission_rows], np.int8)
    arrays["c_region"] = _array([region_of.get(r[2], -1) for r in commission_rows], np.int16)
    members = list(Membership.objects.current(today).order_by("person_id", "pk")
                   .values_list("person_id", "commission_id", "position"))
    arrays["m_person"] = _array([r[0] for r in members], np.int64)
    arrays["m_commission"] = _array([commission_of[r[1]] for r in members], np.int32)
    arrays["m_position"] = _array([_index(POSITIONS, r[2]) for r in members], np.int8)
    home_region = {}
    for person_id, commission_id, _position in members:
        home_region.setdefault(person_id, arrays["c_region"][commission_of[commission_id]])

    # Tests: each examinee's best submitted attempt per test (what a result table shows), and its topics.
    exams = {pk: row for pk, *row in Exam.objects.values_list("pk", "purpose", "event_id", "commission__region_id",
                                                                   "pre_test_id")}
    attempts = list(Attempt.objects.filter(status=AttemptStatus.SUBMITTED)
                    .order_by("exam_id", "person_id", "-percent", "number")
                    .values_list("pk", "exam_id", "person_id", "percent", "passed", "submitted_at"))
    best, seen = [], set()
    for row in attempts:
        if (row[1], row[2]) not in seen:
            seen.add((row[1], row[2]))
            best.append(row)
    pre_of_post = {exam_id: row[3] for exam_id, row in exams.items() if row[3]}
    arrays["a_id"] = _array([r[0] for r in best], np.int64)
    arrays["a_exam"] = _array([r[1] for r in best], np.int64)
    arrays["a_person"] = _array([r[2] for r in best], np.int64)
    arrays["a_percent"] = _array([float(r[3] or 0) for r in best], np.float64)
    arrays["a_passed"] = _array([-1 if r[4] is None else int(r[4]) for r in best], np.int8)
    arrays["a_date"] = _array([_ordinal(r[5]) for r in best], np.int32)
    arrays["a_purpose"] = _array([_index(PURPOSES, exams[r[1]][0]) for r in best], np.int8)
    arrays["a_event"] = _array([event_of.get(exams[r[1]][1], -1) for r in best], np.int32)
    arrays["a_region"] = _array([region_of.get(exams[r[1]][2], home_region.get(r[2], -1)) for r in best], np.int16)
    arrays["a_pre"] = _matching_entry_tests(arrays["a_exam"], arrays["a_person"],
                                            _array([pre_of_post.get(r[1], -1) for r in best], np.int64))
    attempt_of = {row[0]: i for i, row in enumerate(best)}
    topic_rows = [
        (attempt_of[attempt_id], topic_of.get(topic_id, -1), float(points or 0), float(maximum or 0))
        for attempt_id, topic_id, points, maximum in (
            AttemptItem.objects.filter(attempt__status=AttemptStatus.SUBMITTED, fraction__isnull=False).order_by()
            .values("attempt_id", "topic_id").annotate(p=Sum("points"), m=Sum("max_points"))
            .values_list("attempt_id", "topic_id", "p", "m"))
        if attempt_id in attempt_of
    ]
    (arrays["t_attempt"], arrays["t_topic"], arrays["t_points"],
     arrays["t_max"]) = _columns(topic_rows, [np.int32, np.int16, np.float32, np.float32])

    # Certificates and their verification.
    certificates = list(Certificate.objects.order_by("pk").values_list(
        "pk", "number", "issued_on", "issuer__region_id", "revoked_on", "award__event_id"))
    certificate_of = {row[1]: i for i, row in enumerate(certificates)}
    arrays["z_id"] = _array([r[0] for r in certificates], np.int64)
    arrays["z_date"] = _array([_ordinal(r[2]) for r in certificates], np.int32)
    arrays["z_region"] = _array([region_of.get(r[3], -1) for r in certificates], np.int16)
    arrays["z_revoked"] = _array([r[4] is not None for r in certificates], np.bool_)
    arrays["z_event"] = _array([event_of.get(r[5], -1) for r in certificates], np.int32)
    checks = [(certificate_of[number], _ordinal(day), n) for number, day, n in (
        VerificationCheck.objects.exclude(number="").annotate(day=TruncDate("checked_at")).order_by()
        .values("number", "day").annotate(n=Count("*")).values_list("number", "day", "n"))
        if number in certificate_of]
    arrays["v_certificate"], arrays["v_date"], arrays["v_checks"] = _columns(checks, [np.int32, np.int32, np.int32])

    # Distance courses.
    learners = list(CourseEnrolment.objects.order_by("pk").values_list(
        "course_id", "region_id", "status", "enrolled_at", "completed_at", "behind_from"))
    arrays["k_course"] = _array([r[0] for r in learners], np.int64)
    arrays["k_region"] = _array([region_of.get(r[1], -1) for r in learners], np.int16)
    arrays["k_status"] = _array([_index(LEARNER_STATUSES, r[2]) for r in learners], np.int8)
    arrays["k_enrolled"] = _array([_ordinal(r[3]) for r in learners], np.int32)
    arrays["k_behind_from"] = _array([_ordinal(r[5]) for r in learners], np.int32)

    # Coverage targets.
    targets = list(CoverageTarget.objects.values_list("year", "region_id", "audience_id", "target"))
    audience_of = {pk: i for i, (pk, _) in enumerate(audiences)}
    arrays["ct_year"] = _array([r[0] for r in targets], np.int16)
    arrays["ct_region"] = _array([region_of.get(r[1], -1) for r in targets], np.int16)
    arrays["ct_audience"] = _array([audience_of.get(r[2], -1) for r in targets], np.int16)
    arrays["ct_target"] = _array([r[3] for r in targets], np.int64)

    meta = {
        "built_at": timezone.now().isoformat(), "today": today.toordinal(),
        "regions": [iso for _, iso in regions], "region_ids": [pk for pk, _ in regions],
        "audiences": [code for _, code in audiences], "audience_ids": [pk for pk, _ in audiences],
        "audience_scope": _audience_scope(),
        "topics": [code for _, code in topics], "topic_ids": [pk for pk, _ in topics],
    }
    return Facts(arrays, meta)


def _matching_entry_tests(exam: np.ndarray, person: np.ndarray, pre_exam: np.ndarray) -> np.ndarray:
    """For each attempt at a final test: the index of the same person's attempt at its entry test, else -1."""
    key = exam * (1 << 32) + person
    order = np.argsort(key, kind="stable")
    wanted = pre_exam * (1 << 32) + person
    where = np.minimum(np.searchsorted(key[order], wanted), max(len(order) - 1, 0))
    found = (pre_exam >= 0) & (key[order][where] == wanted) if len(order) else np.zeros(0, dtype=bool)
    return np.where(found, order[where] if len(order) else -1, -1).astype(np.int32)


def fingerprint(*, today: datetime.date | None = None) -> list:
    """A cheap summary of everything the facts are read from (a few index lookups and counts): when it has not
    changed since the last snapshot, the worker does not rebuild. Service writes are audited (the newest audit
    entry); check-ins, enrolments, attempts, grading, certificates, verifications, course progress and
    memberships are also counted directly, for the writes that bypass the services (bulk loads); the day is part
    of it (current memberships and "behind schedule" depend on it)."""
    from django.db.models import Max

    from saylau.core.models import AuditEntry

    def summary(queryset, *fields) -> list:
        aggregates = {"n": Count("*"), **{f"max_{f}": Max(f) for f in fields}}
        return [str(value) for value in queryset.aggregate(**aggregates).values()]

    return [
        (today or timezone.localdate()).isoformat(),
        *summary(AuditEntry.objects.all(), "id"),
        *summary(Attendance.objects.all(), "id"),
        *summary(Enrolment.objects.all(), "id"),
        *summary(Event.objects.all(), "id"),
        *summary(Attempt.objects.filter(status=AttemptStatus.SUBMITTED), "submitted_at"),
        *summary(AttemptItem.objects.filter(graded_at__isnull=False), "graded_at"),
        *summary(Certificate.objects.all(), "id", "revoked_on"),
        *summary(Certificate.objects.filter(revoked_on__isnull=False)),
        *summary(VerificationCheck.objects.all(), "id"),
        *summary(CourseEnrolment.objects.all(), "id", "last_activity_at", "completed_at"),
        *summary(Membership.objects.all(), "id", "term_end"),
        *summary(CoverageTarget.objects.all(), "id"),
    ]


def _audience_scope() -> dict:
    """For each audience of commission members: the commission levels and positions it covers."""
    return {code: [[_index(COMMISSION_LEVELS, level) for level in levels], [_index(POSITIONS, p) for p in positions]]
            for code, levels, positions in Audience.objects.values_list("code", "commission_levels", "positions")
            if levels}
