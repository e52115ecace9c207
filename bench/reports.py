#!/usr/bin/env python3
"""Benchmark of the reports (issue 8) on PostgreSQL at national scale: the national and regional dashboards, the
summary API and the annual report over 2,000 events, 500,000 enrolments and 3,000,000 saved answers.

    .venv/bin/python bench/reports.py [--events 2000] [--enrolments 500000] [--answers 3000000] [--requests 200]
    .venv/bin/python bench/reports.py --quick     # 200 events, 20,000 enrolments, 100,000 answers: a few minutes

What it does, from nothing:

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing database instead: what is already there is not generated again), migrates
   and loads ``manage.py demo --size national``;
2. adds, with ``bulk_create`` and seeded ``random.Random`` (the same data every run):
   - ``--events`` events of 2025 with ``--enrolments`` enrolments and their check-ins: ``generate`` of
     bench/training.py (a cascade below the demo's national training of trainers, sessions, trainers, about 80 %
     of enrolments × sessions checked in, 3 % of events cancelled, coverage targets). It caps each event's
     enrolments at its pool (the members below the organising TEC), which at 500,000 leaves it a little short
     (51 with the defaults): the rest are enrolled in its regional and territorial events from their region's members, with
     check-ins made the same way, so that the generated enrolments are exactly ``--enrolments`` (the demo's own
     come on top);
   - ``--previous-events`` events of 2024 (the reports compare with the previous year) with
     ``--previous-enrolments`` enrolments, check-ins and coverage targets; not a cascade;
   - tests: entry and final tests (``purpose`` pre/post, ``post.pre_test = pre``, the event's organiser as the
     commission, a fixed list of 10 items: parallel forms, one item per topic) for held generated events of both
     years taken in random order until they hold 70 % of the answers (95 % of an event's attendees take the entry
     test, 92 % the final one); then two distance tests per region in 2025 (spring and autumn, 2 items per topic:
     30, pass mark 80 %, a second attempt for a third of those who failed) for the rest (``--distance-share``).
     Every attempt is submitted, every answer saved and scored: the items are the demo bank's auto-scored ones
     (``assessment/demo_bank``), the answers those ``AssessmentDemo`` simulates (right, wrong, part right; the
     chance of a right one from the examinee's ability, the item's difficulty and, after the seminar, the gain),
     each validated and scored once per item by ``assessment.scoring``; ``fraction``, ``points``, ``topic``,
     ``version``, ``order`` and the attempt's score, percent and pass as ``attempt_submit`` would set them.
     ``--answers`` counts the whole table, the demo's attempt items included: the last attempt holds the few left
     over;
   - ``--checks`` verification checks of the demo's certificates (4 % for numbers that do not exist) since each
     was issued, from addresses in 192.0.2.0/24 (certificates themselves are not added: they need signing, and
     bench/certificates.py measures issuing them);
   then VACUUM ANALYZE, and counts the rows and sizes of the tables the reports read;
3. ``manage.py refresh_reports`` once, then ``--refresh-runs`` more times, timed (wall time of the command, Django's
   start included, and the build time it prints; the command always rebuilds); then one rebuild in this process
   with its SQL captured (SQL time against the whole, the slowest statements and the plan of the slowest, in the
   JSON), and the worker's minute check whether anything changed (``facts.fingerprint``); then, through
   Django's test client, the SQL statements of one request of each page measured (the slowest with its plan);
4. starts gunicorn with the command line of ``scripts/serve`` but **without its worker and scheduler** (in
   production the worker rebuilds the snapshot within a minute of a change: here it changes only when the bench
   rebuilds it), logs the demo ``admin`` and ``coordinator`` in, and measures each scenario with N
   sequential requests, then N over T threads (p50/p95/p99, requests/s; the first, GET /api/v1/me, is the floor
   the others are divided by: the machine may be shared): the national dashboard ``/reports/?year=2025``
   (admin), the same with a mix of filters (``period=q2``, ``level=precinct``, ``audience=precinct_members``,
   ``region=KZ-43``: each request the next of a shuffled list; figures per filter too), the regional dashboard
   (coordinator: Almaty Region) and ``/api/v1/reports/summary?year=2025`` (bearer token, both users); then the
   first requests after a new snapshot (``refresh_reports``, then 4 requests: a worker's first request reads and
   unpacks the new snapshot; with 2 workers, one of the first two is usually the other worker's), and the annual
   report ``/reports/annual/2025/`` in Kazakh and Russian, DOCX and PDF, each timed ``--annual-runs`` times and
   checked (a DOCX is a zip that python-docx opens, a PDF starts with %PDF);
5. unless ``--no-production``: starts ``scripts/serve`` itself (gunicorn, worker, scheduler), waits until the
   worker has run what the scheduler enqueues at start (reported: on a fresh database that includes the item
   statistics of every test that closed), then requests the national dashboard for ``--production-seconds``
   one after the other and as long over T threads. Each minute the worker rebuilds the snapshot if its sources
   changed (``facts.fingerprint``); so that they do, as during a training season, the bench logs a verification
   check every ``--activity-seconds``. Reported: the rebuilds, the minutes found unchanged, and the requests that
   started during a rebuild against the others;
6. prints a markdown table and writes the figures to ``var/bench/reports.json``.

The targets (issue 8): the national dashboard p95 ≤ 300 ms (sequential requests; the regional dashboard, the
filter mix and the API are held to the same limit); the annual report of a year ≤ 10 s per document; and, since
the figures are "as of" a snapshot rebuilt within a minute of a change, ``refresh_reports`` well under 60 s.
Exit status 0 when every request succeeded (``--strict``: also every target met).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from common import (
    ROOT,
    RequestFailed,
    Server,
    bench_env,
    fetch,
    fmt_ms,
    free_port,
    http_table,
    log,
    login_headers,
    machine,
    manage,
    measure_scenarios,
    now_iso,
    postgres_version,
    prepare_database,
    run_in_threads,
    run_on_postgres,
    session_cookie,
    setup_django,
    summarise,
    vacuum_analyze,
    write_report,
)

YEAR, PREVIOUS_YEAR = 2025, 2024
DASHBOARD_TARGET_MS = 300.0  # the national dashboard, p95 (issue 8)
ANNUAL_TARGET_S = 10.0  # the annual report, each document
REFRESH_LIMIT_S = 60.0  # figures within a minute of a change: a rebuild must take well under that
# The sizes of the issue, and those of --quick (a few minutes, to develop against).
FULL = {"events": 2000, "enrolments": 500_000, "answers": 3_000_000, "previous_events": 300,
        "previous_enrolments": 60_000, "checks": 3000, "requests": 200, "warmup": 20, "annual_runs": 3,
        "refresh_runs": 3, "after_refresh": 5, "production_seconds": 150}
QUICK = {"events": 200, "enrolments": 20_000, "answers": 100_000, "previous_events": 30,
         "previous_enrolments": 3000, "checks": 500, "requests": 40, "warmup": 5, "annual_runs": 1,
         "refresh_runs": 2, "after_refresh": 2, "production_seconds": 65}
# Marks what the bench adds (and tells a second run on the same database that it is there).
MARK_2024_KK = "Бенчмарк: өткен жылғы оқыту (bench/reports.py)"
MARK_2024_RU = "Бенчмарк: обучение прошлого года (bench/reports.py)"
DISTANCE_MARK = "(bench/reports.py)"
CHECK_CLIENT_PREFIX = "192.0.2."  # TEST-NET-1: the verification checks the bench logged
# The tests: entry and final tests of 10 items (a fixed list, parallel forms), distance tests of 2 items per topic.
PAIR_ITEMS = 10
DISTANCE_PER_TOPIC = 2
PRE_RATE, POST_RATE = 0.95, 0.92  # attendees who take the entry / the final test
RETAKE_RATE = 0.35  # a distance examinee who failed takes the second attempt allowed
ATTENDANCE_RATE, CANCELLED_RATE = 0.8, 0.03
# The dashboard's filters measured as a mix (each request the next of a shuffled list).
FILTER_MIX = [("period=q2", "&period=q2"), ("level=precinct", "&level=precinct"),
              ("audience=precinct_members", "&audience=precinct_members"), ("region=KZ-43", "&region=KZ-43")]
ANNUAL_DOCUMENTS = [("kk", "docx"), ("ru", "pdf"), ("kk", "pdf"), ("ru", "docx")]


def _quantize(value: Decimal, places: str = "0.0001") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _current_seats() -> list[tuple[int, int, int | None, str, int | None]]:
    """(person, commission, region, commission level, parent commission) of every current membership."""
    from saylau.commissions.models import Membership

    return list(Membership.objects.current().order_by("pk").values_list(
        "person_id", "commission_id", "commission__region_id", "commission__level", "commission__parent_id"))


def _sessions_of(event_ids) -> dict[int, list]:
    from saylau.training.models import Session

    found = defaultdict(list)
    for session in Session.objects.filter(event_id__in=list(event_ids)).order_by("pk"):
        found[session.event_id].append(session)
    return found


def _check_ins(rng: random.Random, sessions: list, person_id: int) -> list:
    from saylau.training.models import Attendance

    rows = []
    for session in sessions:
        if rng.random() < ATTENDANCE_RATE:
            late = rng.random() < 0.08
            begins = _aware(session.day, session.starts_at.hour, session.starts_at.minute)
            rows.append(Attendance(session=session, person_id=person_id, method=Attendance.Method.ROSTER, late=late,
                                   checked_in_at=begins + datetime.timedelta(minutes=15 if late else -5)))
    return rows


# --- The year's events: bench/training.py, topped up -----------------------------------------------------------


def top_up_enrolments(*, target: int, seed: int) -> dict:
    """bench/training.py's ``generate`` caps each event's enrolments at its pool (the members below the organising
    TEC): at 500,000 it falls a little short. The rest are enrolled here in its regional and territorial
    events, from the members of the event's region not enrolled yet, with check-ins as ``generate`` makes them."""
    from django.db import transaction
    from training import MARK_KK

    from saylau.training.models import Attendance, Enrolment, EnrolmentSource, EnrolmentStatus, Event, EventStatus

    have = Enrolment.objects.filter(event__description_kk=MARK_KK).count()
    missing = target - have
    if missing <= 0:
        return {"added": 0, "attendance": 0, "from_training_py": have}
    rng = random.Random(seed + 11)
    region_pool: dict[int, dict[int, int]] = defaultdict(dict)
    for person_id, commission_id, region_id, _level, _parent in _current_seats():
        if region_id is not None:
            region_pool[region_id].setdefault(person_id, commission_id)
    events = list(Event.objects.filter(description_kk=MARK_KK, level__in=["regional", "territorial"]).order_by("pk"))
    enrolled = defaultdict(set)
    for event_id, person_id in Enrolment.objects.filter(event__in=events).values_list("event_id", "person_id"):
        enrolled[event_id].add(person_id)
    sessions = _sessions_of(event.pk for event in events)
    room = {event.pk: len(region_pool[event.region_id]) - len(enrolled[event.pk]) for event in events}
    capacity = sum(max(0, n) for n in room.values())
    if capacity < missing:
        log(f"  only {capacity:,} more enrolments possible in the regional and territorial events")
        missing = capacity
    # Spread over the events in proportion to what is left in their pools.
    shares, given = {}, 0
    for event in events:
        shares[event.pk] = missing * max(0, room[event.pk]) // capacity if capacity else 0
        given += shares[event.pk]
    for event in events:
        if given >= missing:
            break
        if shares[event.pk] < room[event.pk]:
            shares[event.pk] += 1
            given += 1
    enrolment_rows, attendance_rows = [], []
    with transaction.atomic():
        for event in events:
            if not shares[event.pk]:
                continue
            pool = region_pool[event.region_id]
            candidates = sorted(set(pool) - enrolled[event.pk])
            for person_id in rng.sample(candidates, shares[event.pk]):
                enrolment_rows.append(Enrolment(event=event, person_id=person_id, commission_id=pool[person_id],
                                                status=EnrolmentStatus.ENROLLED, source=EnrolmentSource.FILTER))
                if event.status == EventStatus.HELD:
                    attendance_rows += _check_ins(rng, sessions[event.pk], person_id)
        Enrolment.objects.bulk_create(enrolment_rows, batch_size=5000)
        Attendance.objects.bulk_create(attendance_rows, batch_size=5000)
    return {"added": len(enrolment_rows), "attendance": len(attendance_rows), "from_training_py": have}


# --- The previous year --------------------------------------------------------------------------------------------


def previous_year_generated() -> bool:
    from saylau.training.models import Event

    return Event.objects.filter(description_kk=MARK_2024_KK).exists()


def generate_previous_year(*, events: int, enrolments: int, seed: int) -> dict:
    """``events`` events of 2024 in every region (a regional one, then 30 % territorial, the rest precinct level),
    one or two sessions each, ``enrolments`` enrolments (members of the region for a regional event, of the
    organising TEC and the commissions directly below it otherwise) with check-ins, and coverage targets for 2024
    (one transaction). Not a cascade: the reports compare the years' totals, not their trees."""
    from django.db import transaction

    from saylau.commissions.models import Commission, Region
    from saylau.training.models import (
        Attendance,
        Audience,
        CoverageTarget,
        Enrolment,
        EnrolmentSource,
        EnrolmentStatus,
        Event,
        EventStatus,
        Session,
    )

    rng = random.Random(seed + 24)
    started = time.perf_counter()
    regions = list(Region.objects.order_by("iso_code"))
    audiences = {a.code: a for a in Audience.objects.all()}
    regional_tec = {c.region_id: c for c in Commission.objects.filter(level="regional")}
    tecs = defaultdict(list)
    for tec in Commission.objects.filter(level="territorial").order_by("code"):
        tecs[tec.region_id].append(tec)
    region_pool: dict[int, dict[int, int]] = defaultdict(dict)
    tec_pool: dict[int, dict[int, int]] = defaultdict(dict)
    for person_id, commission_id, region_id, level, parent_id in _current_seats():
        if region_id is None:
            continue
        region_pool[region_id].setdefault(person_id, commission_id)
        if level == "territorial":
            tec_pool[commission_id].setdefault(person_id, commission_id)
        elif parent_id is not None:
            tec_pool[parent_id].setdefault(person_id, commission_id)

    plan = []  # (region, level, organiser, pool)
    per_region = [events // len(regions) + (1 if i < events % len(regions) else 0) for i in range(len(regions))]
    for region, count in zip(regions, per_region, strict=True):
        region_tecs = tecs[region.pk] or [regional_tec[region.pk]]
        for i in range(count):
            if i == 0:
                plan.append((region, "regional", regional_tec[region.pk], region_pool[region.pk]))
                continue
            tec = region_tecs[i % len(region_tecs)]
            level = "territorial" if i <= max(1, round(count * 0.3)) else "precinct"
            plan.append((region, level, tec, tec_pool[tec.pk] or region_pool[region.pk]))
    sizes = [min(len(pool), rng.randint(90, 130)) if level == "regional" else 0 for _r, level, _o, pool in plan]
    others = [i for i, row in enumerate(plan) if row[1] != "regional"]
    left = max(0, enrolments - sum(sizes))
    for n, i in enumerate(others):
        sizes[i] = min(len(plan[i][3]), left // len(others) + (1 if n < left % len(others) else 0))

    words = {"regional": ("аумақтық комиссияларды оқыту", "обучение территориальных комиссий"),
             "territorial": ("учаскелік комиссияларды оқыту", "обучение участковых комиссий"),
             "precinct": ("учаскелік комиссия мүшелеріне семинар", "семинар для членов участковых комиссий")}
    codes = {"regional": ["tec_members", "precinct_members"], "territorial": ["precinct_members"],
             "precinct": ["precinct_members"]}
    with transaction.atomic():
        objects = []
        for i, (region, level, organiser, _pool) in enumerate(plan):
            start = datetime.date(PREVIOUS_YEAR, 2, 1) + datetime.timedelta(days=rng.randint(0, 290))
            cancelled = rng.random() < CANCELLED_RATE
            kk, ru = words[level]
            objects.append(Event(
                title_kk=f"{organiser.name_kk}: {kk} ({PREVIOUS_YEAR}, {i + 1})",
                title_ru=f"{organiser.name_ru}: {ru} ({PREVIOUS_YEAR}, {i + 1})",
                description_kk=MARK_2024_KK, description_ru=MARK_2024_RU,
                kind=rng.choice(["seminar", "training"]), level=level, starts_on=start,
                ends_on=start + datetime.timedelta(days=1 if level == "regional" and rng.random() < 0.5 else 0),
                organiser=organiser, region=region, languages=["kk", "ru"], venue_address=region.name_kk,
                status=EventStatus.CANCELLED if cancelled else EventStatus.HELD,
                cancel_reason="Ауа райы / Погодные условия" if cancelled else ""))
        Event.objects.bulk_create(objects, batch_size=1000)
        Through = Event.audiences.through
        Through.objects.bulk_create([Through(event_id=event.pk, audience_id=audiences[code].pk)
                                     for (_r, level, _o, _p), event in zip(plan, objects, strict=True)
                                     for code in codes[level]], batch_size=5000)
        session_rows, by_event = [], {}
        for n, event in enumerate(objects):
            two = event.ends_on != event.starts_on or rng.random() < 0.4
            days = [event.starts_on, event.ends_on] if event.ends_on != event.starts_on else [event.starts_on] * 2
            slots = [(datetime.time(10), datetime.time(13)), (datetime.time(14), datetime.time(17))]
            mine = []
            for k in range(2 if two else 1):
                start_at, end_at = slots[0] if days[0] != days[1] else slots[k]
                mine.append(Session(event=event, day=days[k], starts_at=start_at, ends_at=end_at,
                                    title_kk=f"Модуль {k + 1}", title_ru=f"Модуль {k + 1}", method="lecture",
                                    check_in_code=f"BR{n:04d}{k}"))
            by_event[event.pk] = mine
            session_rows += mine
        Session.objects.bulk_create(session_rows, batch_size=5000)
        enrolment_rows, attendance_rows = [], []
        for (_region, _level, _organiser, pool), event, size in zip(plan, objects, sizes, strict=True):
            for person_id in rng.sample(sorted(pool), size):
                enrolment_rows.append(Enrolment(event=event, person_id=person_id, commission_id=pool[person_id],
                                                status=EnrolmentStatus.ENROLLED, source=EnrolmentSource.FILTER))
                if event.status == EventStatus.HELD:
                    attendance_rows += _check_ins(rng, by_event[event.pk], person_id)
        Enrolment.objects.bulk_create(enrolment_rows, batch_size=5000)
        Attendance.objects.bulk_create(attendance_rows, batch_size=5000)
        targets = 0
        for region in regions:
            pool = region_pool[region.pk]
            for code in ("precinct_members", "tec_members"):
                people = sum(1 for c in pool.values() if (seat_level(c) == "precinct") == (code == "precinct_members"))
                _target, created = CoverageTarget.objects.get_or_create(
                    year=PREVIOUS_YEAR, region=region, audience=audiences[code],
                    defaults={"target": max(10, round(people * 0.85, -1))})
                targets += created
    return {"seconds": round(time.perf_counter() - started, 1), "events": len(objects),
            "sessions": len(session_rows), "enrolments": len(enrolment_rows), "attendance": len(attendance_rows),
            "coverage_targets_added": targets}


_LEVELS: dict[int, str] = {}


def seat_level(commission_id: int) -> str:
    if not _LEVELS:
        from saylau.commissions.models import Commission

        _LEVELS.update(Commission.objects.values_list("pk", "level"))
    return _LEVELS[commission_id]


# --- The tests, attempts and saved answers ------------------------------------------------------------------------


def tests_generated() -> bool:
    from saylau.assessment.models import Exam

    return Exam.objects.filter(title_ru__endswith=DISTANCE_MARK).exists()


class Answers:
    """The auto-scored items of the bank, and for each the answers the demo's simulated examinees give
    (``AssessmentDemo._answer``: right, wrong, part right), validated and scored once by ``scoring``; an attempt
    item then takes one of them with the chance the demo gives (``AssessmentDemo._right_chance``: the examinee's
    ability, the item's difficulty, the gain after the seminar)."""

    def __init__(self, seed: int):
        from saylau.assessment import attempts, exams, scoring
        from saylau.assessment.demo import AssessmentDemo
        from saylau.assessment.models import ItemVersion

        self.demo = AssessmentDemo(seed=seed)
        rng = random.Random(seed + 3)
        items = list(exams.drawable_items().exclude(type="essay").order_by("pk"))
        documents = dict(ItemVersion.objects.filter(pk__in=[item.current_id for item in items])
                         .values_list("pk", "document"))
        self.items, self.right, self.wrong, self.orders = [], {}, {}, {}
        for item in items:
            document = documents[item.current_id]

            def graded(response, document=document, item=item):
                try:
                    clean = scoring.validate_response(document, response)
                except scoring.InvalidResponse:
                    return None
                fraction = scoring.score_fraction(document, clean)
                if fraction is None:
                    return None
                return clean, fraction, _quantize(Decimal(str(fraction)) * item.points)

            right = graded(self.demo._answer(document, 1.0))
            wrong = [found for found in (graded(self.demo._answer(document, p)) for p in (0.0, 0.0, 0.0, 0.4, 0.7))
                     if found is not None and found[1] < 1]
            if right is None or right[1] < 1 or not wrong:
                continue
            self.items.append(item)
            self.right[item.pk], self.wrong[item.pk] = right, wrong
            self.orders[item.pk] = [attempts._order(document, True, rng) for _ in range(4)]
        self.by_topic: dict[int, list] = defaultdict(list)
        for item in self.items:
            if item.topic_id is not None:
                self.by_topic[item.topic_id].append(item)
        self.topics = sorted(topic for topic, found in self.by_topic.items() if len(found) >= 2)

    def attempt(self, rng: random.Random, *, exam_id: int, person_id: int, number: int, items: list,
                ability: float, boost: float, started: datetime.datetime, minutes: int, pass_mark: Decimal,
                language: str):
        """A submitted attempt and its items (not saved)."""
        from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus

        rows, score, maximum = [], Decimal(0), Decimal(0)
        finished = started + datetime.timedelta(minutes=minutes)
        step = datetime.timedelta(seconds=minutes * 60 / (len(items) + 1))
        for position, item in enumerate(items, start=1):
            chance = self.demo._right_chance(ability, item.difficulty, boost)
            response, fraction, points = (self.right[item.pk] if rng.random() < chance
                                          else rng.choice(self.wrong[item.pk]))
            rows.append(AttemptItem(position=position, item_id=item.pk, version_id=item.current_id,
                                    topic_id=item.topic_id, order=rng.choice(self.orders[item.pk]),
                                    max_points=item.points, response=response, saved_at=started + step * position,
                                    fraction=fraction, points=points))
            score += points
            maximum += item.points
        percent = _quantize(100 * score / maximum, "0.01") if maximum else Decimal(0)
        attempt = Attempt(exam_id=exam_id, person_id=person_id, number=number, language=language,
                          status=AttemptStatus.SUBMITTED, started_at=started, submitted_at=finished,
                          deadline=None, score=_quantize(score), max_score=_quantize(maximum), percent=percent,
                          passed=percent >= pass_mark, last_activity_at=finished)
        return attempt, rows


class Writer:
    """Attempts and their items written in batches (the attempts first: their ids go into the items)."""

    def __init__(self, batch: int = 20_000):
        self.batch, self.pending, self.size = batch, [], 0
        self.attempts = self.items = 0

    def add(self, attempt, rows) -> None:
        self.pending.append((attempt, rows))
        self.size += len(rows)
        if self.size >= self.batch:
            self.flush()

    def flush(self) -> None:
        from saylau.assessment.models import Attempt, AttemptItem

        if not self.pending:
            return
        Attempt.objects.bulk_create([attempt for attempt, _rows in self.pending], batch_size=5000)
        rows = []
        for attempt, mine in self.pending:
            for row in mine:
                row.attempt_id = attempt.pk
                rows.append(row)
        AttemptItem.objects.bulk_create(rows, batch_size=5000)
        self.attempts += len(self.pending)
        self.items += len(rows)
        self.pending, self.size = [], 0


def _join_codes(rng: random.Random, n: int) -> list[str]:
    from saylau.assessment.exams import JOIN_CODE_ALPHABET
    from saylau.assessment.models import Exam

    taken = set(Exam.objects.values_list("join_code", flat=True))
    codes = []
    while len(codes) < n:
        code = "".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def generate_tests(*, answers: int, distance_share: float, seed: int) -> dict:
    """Entry/final test pairs for the generated events (2025 and 2024) in random order, until their answers reach
    their share; then two distance tests per region in 2025; attempts submitted with every answer saved and
    scored, so that the table holds ``answers`` attempt items in all (the demo's included; the last attempt
    holds what is left over)."""
    from django.db import transaction
    from django.utils import timezone
    from training import MARK_KK

    from saylau.accounts.models import Role, User
    from saylau.assessment.models import AttemptItem, Exam, ExamItem, FeedbackPolicy, RoomState, Topic
    from saylau.commissions.models import Commission, Region
    from saylau.training.models import Attendance, Event, EventStatus

    rng = random.Random(seed + 5)
    started = time.perf_counter()
    bank = Answers(seed)
    if len(bank.topics) < PAIR_ITEMS:
        raise SystemExit(f"the bank has {len(bank.topics)} topics with 2 items or more, {PAIR_ITEMS} needed")
    existing = AttemptItem.objects.count()
    budget = max(0, answers - existing)
    distance_budget = round(budget * distance_share / (DISTANCE_PER_TOPIC * len(bank.topics))) * (
        DISTANCE_PER_TOPIC * len(bank.topics))
    pair_budget = budget - distance_budget
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    people_language = {}
    abilities: dict[int, float] = {}

    def ability(person_id: int) -> float:
        if person_id not in abilities:
            abilities[person_id] = random.Random(f"{seed}-{person_id}").gauss(0.1, 0.9)
        return abilities[person_id]

    def language(person_id: int) -> str:
        return people_language.setdefault(person_id, "ru" if rng.random() < 0.35 else "kk")

    # Who attended each held generated event.
    events = {event.pk: event for event in Event.objects.filter(
        description_kk__in=[MARK_KK, MARK_2024_KK], status=EventStatus.HELD).order_by("pk")}
    attendees = defaultdict(set)
    for event_id, person_id in Attendance.objects.filter(session__event_id__in=list(events)).values_list(
            "session__event_id", "person_id"):
        attendees[event_id].add(person_id)
    order = sorted(attendees)
    rng.shuffle(order)
    plan, planned = [], 0  # (event, entry takers, final takers)
    for event_id in order:
        if planned >= pair_budget:
            break
        people = sorted(attendees[event_id])
        pre = [p for p in people if rng.random() < PRE_RATE]
        post = [p for p in people if rng.random() < POST_RATE]
        plan.append((events[event_id], pre, post))
        planned += PAIR_ITEMS * (len(pre) + len(post))
    topic_codes = dict(Topic.objects.values_list("pk", "code"))
    writer = Writer()
    left = budget
    with transaction.atomic():
        # The pairs: parallel forms of PAIR_ITEMS topics, one item per topic in each form.
        codes = _join_codes(rng, 2 * len(plan) + 2 * Region.objects.count())
        pre_exams, post_exams, forms = [], [], []
        for n, (event, _pre, _post) in enumerate(plan):
            topics = rng.sample(bank.topics, PAIR_ITEMS)
            pairs = [rng.sample(bank.by_topic[topic], 2) for topic in topics]
            forms.append(([a for a, _b in pairs], [b for _a, b in pairs]))
            common = {"mode": "room", "event": event, "commission_id": event.organiser_id, "eligibility": "event",
                      "time_limit_minutes": 30, "pass_mark_percent": Decimal(70), "room_state": RoomState.CLOSED,
                      "feedback_policy": FeedbackPolicy.AFTER_SUBMIT, "created_by": admin}
            pre_exams.append(Exam(title_kk=f"{event.title_kk}: бастапқы тестілеу",
                                  title_ru=f"{event.title_ru}: входное тестирование", purpose="pre",
                                  join_code=codes[2 * n], **common))
            post_exams.append(Exam(title_kk=f"{event.title_kk}: қорытынды тестілеу",
                                   title_ru=f"{event.title_ru}: итоговое тестирование", purpose="post",
                                   join_code=codes[2 * n + 1], **common))
        Exam.objects.bulk_create(pre_exams, batch_size=1000)
        for pre_exam, post_exam in zip(pre_exams, post_exams, strict=True):
            post_exam.pre_test = pre_exam
        Exam.objects.bulk_create(post_exams, batch_size=1000)
        ExamItem.objects.bulk_create([
            ExamItem(exam=exam, item=item, position=position)
            for (pre_form, post_form), pre_exam, post_exam in zip(forms, pre_exams, post_exams, strict=True)
            for exam, form in ((pre_exam, pre_form), (post_exam, post_form))
            for position, item in enumerate(form, start=1)], batch_size=5000)
        pair_attempts = 0
        for (event, pre, post), (pre_form, post_form), pre_exam, post_exam in zip(
                plan, forms, pre_exams, post_exams, strict=True):
            for exam, form, takers, day, hour, boost in ((pre_exam, pre_form, pre, event.starts_on, 9, 0.0),
                                                         (post_exam, post_form, post, event.ends_on, 16, 1.0)):
                for person_id in takers:
                    room = pair_budget - (budget - left)  # what the pairs may still add
                    if room <= 0:
                        break
                    items = rng.sample(form, len(form))[:room]
                    attempt, rows = bank.attempt(
                        rng, exam_id=exam.pk, person_id=person_id, number=1, items=items,
                        ability=ability(person_id), boost=boost, minutes=rng.randint(12, 28),
                        started=_aware(day, hour, rng.randint(0, 20)), pass_mark=exam.pass_mark_percent,
                        language=language(person_id))
                    writer.add(attempt, rows)
                    left -= len(rows)
                    pair_attempts += 1
        writer.flush()
        pair_items = writer.items
        log(f"  {len(plan):,} entry/final pairs, {pair_attempts:,} attempts, {pair_items:,} answers "
            f"({time.perf_counter() - started:.0f} s)")

        # Distance tests: two per region (spring, autumn), 2 items per topic drawn per attempt, two attempts allowed.
        regions = list(Region.objects.order_by("iso_code"))
        regional = {c.region_id: c for c in Commission.objects.filter(level="regional")}
        precinct_members = defaultdict(set)
        for person_id, _commission_id, region_id, level, _parent in _current_seats():
            if level == "precinct" and region_id is not None:
                precinct_members[region_id].add(person_id)
        blueprint = [{"topic": topic_codes[topic], "count": DISTANCE_PER_TOPIC, "difficulty_min": 1,
                      "difficulty_max": 5} for topic in bank.topics]
        windows = [("көктем", "весна", datetime.date(YEAR, 3, 3), datetime.date(YEAR, 4, 30)),
                   ("күз", "осень", datetime.date(YEAR, 9, 15), datetime.date(YEAR, 10, 31))]
        distance_exams = []
        for n, region in enumerate(regions):
            for k, (season_kk, season_ru, opens, closes) in enumerate(windows):
                distance_exams.append(Exam(
                    title_kk=f"{region.name_kk}: УСК мүшелерін қашықтықтан тестілеу, {YEAR} {season_kk} {DISTANCE_MARK}",
                    title_ru=f"{region.name_ru}: дистанционное тестирование членов УИК, {season_ru} {YEAR} "
                             f"{DISTANCE_MARK}",
                    purpose="distance", mode="distance", commission=regional[region.pk], blueprint=blueprint,
                    eligibility="filter", eligible_filter={"region": region.iso_code, "level": ["precinct"]},
                    time_limit_minutes=45, pass_mark_percent=Decimal(80), attempts_allowed=2,
                    feedback_policy=FeedbackPolicy.AFTER_CLOSE, opens_at=_aware(opens, 9), closes_at=_aware(closes, 23),
                    join_code=codes[2 * len(plan) + 2 * n + k], created_by=admin))
        Exam.objects.bulk_create(distance_exams)
        distance_attempts = 0
        per_test = DISTANCE_PER_TOPIC * len(bank.topics)
        for index, exam in enumerate(distance_exams):
            # What is left, spread over the tests left in whole attempts (only the very last may be short).
            quota = -(-left // per_test // (len(distance_exams) - index)) * per_test
            opens = timezone.localdate(exam.opens_at)
            span = (timezone.localdate(exam.closes_at) - opens).days
            pool = sorted(precinct_members[exam.commission.region_id])
            for person_id in rng.sample(pool, len(pool)):
                if quota <= 0 or left <= 0:
                    break
                number, boost = 1, 0.3
                day = opens + datetime.timedelta(days=rng.randint(0, max(0, span - 5)))
                while quota > 0 and left > 0:
                    items = [item for topic in bank.topics for item in
                             rng.sample(bank.by_topic[topic], DISTANCE_PER_TOPIC)]
                    rng.shuffle(items)
                    items = items[:min(per_test, quota, left)]
                    attempt, rows = bank.attempt(
                        rng, exam_id=exam.pk, person_id=person_id, number=number, items=items,
                        ability=ability(person_id), boost=boost, minutes=rng.randint(20, 44),
                        started=_aware(day, rng.randint(8, 21), rng.randint(0, 59)),
                        pass_mark=exam.pass_mark_percent, language=language(person_id))
                    writer.add(attempt, rows)
                    quota -= len(rows)
                    left -= len(rows)
                    distance_attempts += 1
                    if number == 2 or attempt.passed or rng.random() >= RETAKE_RATE:
                        break
                    number, boost = 2, 0.7
                    day = min(day + datetime.timedelta(days=rng.randint(1, 4)), opens + datetime.timedelta(days=span))
        writer.flush()
    if left > 0:
        log(f"  {left:,} answers short: the distance tests ran out of precinct commission members")
    return {"seconds": round(time.perf_counter() - started, 1), "bank_items": len(bank.items),
            "bank_topics": len(bank.topics), "pairs": len(plan), "pair_attempts": pair_attempts,
            "pair_answers": pair_items, "distance_tests": len(distance_exams),
            "distance_attempts": distance_attempts, "distance_answers": writer.items - pair_items,
            "answers_before": existing, "answers_added": writer.items, "attempts_added": writer.attempts}


# --- Verification checks ---------------------------------------------------------------------------------------


def checks_generated() -> bool:
    from saylau.certificates.models import VerificationCheck

    return VerificationCheck.objects.filter(client__startswith=CHECK_CLIENT_PREFIX).exists()


def generate_checks(*, count: int, seed: int) -> dict:
    """``count`` verification checks of the demo's certificates (and 4 % of numbers that do not exist), between
    each certificate's issue and now, by the page, the API, an uploaded file or the command line."""
    from django.db import transaction
    from django.utils import timezone

    from saylau.certificates.models import Certificate, VerificationCheck
    from saylau.certificates.verification import REVOKED, UNKNOWN, VALID

    rng = random.Random(seed + 9)
    certificates = list(Certificate.objects.order_by("pk").values_list("number", "issued_on", "revoked_on"))
    if not certificates:
        return {"checks": 0}
    now = timezone.now()
    rows, when = [], []
    channels = ["page"] * 12 + ["api"] * 5 + ["file"] * 2 + ["cli"]
    for _ in range(count):
        if rng.random() < 0.04:
            number, issued, revoked = f"CEC-{YEAR}-9{rng.randint(0, 99999):05d}", datetime.date(YEAR, 1, 1), None
            status = UNKNOWN
        else:
            number, issued, revoked = rng.choice(certificates)
            status = None
        first = _aware(issued, 9)
        checked = first + datetime.timedelta(seconds=rng.randint(0, max(60, int((now - first).total_seconds()))))
        checked = min(checked, now)
        if status is None:
            status = REVOKED if revoked is not None and timezone.localdate(checked) >= revoked else VALID
        rows.append(VerificationCheck(channel=rng.choice(channels), number=number, status=status,
                                      client=f"{CHECK_CLIENT_PREFIX}{rng.randint(1, 254)}"))
        when.append(checked)
    with transaction.atomic():
        VerificationCheck.objects.bulk_create(rows, batch_size=5000)
        for row, checked in zip(rows, when, strict=True):
            row.checked_at = checked  # auto_now_add stamped them with now
        VerificationCheck.objects.bulk_update(rows, ["checked_at"], batch_size=2000)
    return {"checks": len(rows), "certificates": len(certificates),
            "in_year": sum(1 for checked in when if checked.year == YEAR)}


# --- What the data holds -----------------------------------------------------------------------------------------


TABLES = ["training_event", "training_enrolment", "training_attendance", "assessment_attempt",
          "assessment_attemptitem", "certificates_certificate", "certificates_verificationcheck", "reports_snapshot"]


def data_counts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from saylau.assessment.models import Attempt, Exam
    from saylau.commissions.models import Commission, Person
    from saylau.training.models import Event

    rows, sizes = {}, {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
            rows[table], size = cursor.fetchone()
            sizes[table] = round(size / 2**20, 1)
    return {
        "rows": rows, "table_mib": sizes, "commissions": Commission.objects.count(), "people": Person.objects.count(),
        "events_by_year": {str(year): n for year, n in Event.objects.filter(starts_on__year__in=[PREVIOUS_YEAR, YEAR])
                           .values_list("starts_on__year").annotate(n=Count("pk")).order_by("starts_on__year")},
        "exams_by_purpose": dict(Exam.objects.values_list("purpose").annotate(n=Count("pk")).order_by()),
        "submitted_attempts": Attempt.objects.filter(status="submitted").count(),
    }


# --- Measuring ---------------------------------------------------------------------------------------------------


class QuietServer(Server):
    """gunicorn with the command line of scripts/serve, without its background worker and scheduler: the snapshot
    changes only when the bench runs ``manage.py refresh_reports``."""

    name = "gunicorn (no worker)"

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        super().__init__({**env, "OPENBLAS_NUM_THREADS": env.get("OPENBLAS_NUM_THREADS", "1")}, port, workers,
                         log_path)

    def command(self) -> list[str]:
        return [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--access-logfile", "-",
                "--forwarded-allow-ips", "127.0.0.1", "--no-control-socket"]


def refresh_runs(env: dict[str, str], runs: int) -> dict:
    """``manage.py refresh_reports`` ``runs`` times: the command's wall time (a new process: Django's start
    included) and the build time it reports."""
    found = []
    for n in range(runs):
        load = round(os.getloadavg()[0], 2)
        seconds, out = manage(env, "refresh_reports")
        match = re.search(r"([\d,]+) bytes in (\d+) ms", out)
        found.append({"seconds": round(seconds, 2), "build_ms": int(match[2]) if match else None,
                      "bytes": int(match[1].replace(",", "")) if match else None, "loadavg_1min": load})
        log(f"  refresh_reports {n + 1}: {seconds:.1f} s (build {found[-1]['build_ms']} ms, "
            f"{found[-1]['bytes']} bytes, load {load})")
    return {"runs": found, "median_seconds": round(statistics.median(r["seconds"] for r in found), 2),
            "median_build_ms": statistics.median(r["build_ms"] or 0 for r in found)}


def refresh_profile() -> dict:
    """One rebuild in this process with its SQL captured: SQL time against the whole, the slowest statements
    (and the plan of the slowest)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saylau.reports.services import refresh_snapshot

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        snapshot = refresh_snapshot()
        elapsed = time.perf_counter() - started
    queries = sorted(({"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in captured.captured_queries),
                     key=lambda q: -q["ms"])
    profile = {"seconds": round(elapsed, 2), "statements": len(queries),
               "sql_seconds": round(sum(q["ms"] for q in queries) / 1000, 2), "snapshot_bytes": len(snapshot.data),
               "slowest": [{"ms": q["ms"], "sql": q["sql"][:1500]} for q in queries[:6]]}
    slowest = next((q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")), None)
    if slowest is not None:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            profile["slowest_plan"] = [row[0] for row in cursor.fetchall()]
    connection.close()
    return profile


def fingerprint_times(runs: int) -> list[float]:
    """``facts.fingerprint()``, what the worker computes each minute to decide whether to rebuild, timed."""
    from django.db import connection

    from saylau.reports import facts

    found = []
    for _ in range(runs):
        started = time.perf_counter()
        facts.fingerprint()
        found.append(round((time.perf_counter() - started) * 1000, 1))
    connection.close()
    return found


def _timed(url: str, headers: dict[str, str], timeout: float = 60) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, body = fetch(url, headers, timeout=timeout)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RequestFailed(f"GET {url} → {status}: {body[:300]!r}")
    return elapsed, body


def measure_mix(base: str, name: str, user: str, template: str, headers: dict[str, str], *, kind: str,
                requests: int, threads: int, warmup: int, seed: int) -> tuple[dict, dict]:
    """Each request the next filter of a shuffled mix (every filter as often), sequentially then from ``threads``
    threads: the row in the shape ``common.http_table`` prints, and figures per filter."""
    labels = [label for label, _suffix in FILTER_MIX]
    suffix = dict(FILTER_MIX)
    per_filter = {}
    for label in labels:
        _elapsed, body = _timed(base + template + suffix[label], headers)
        per_filter[label] = {"path": template + suffix[label], "bytes": len(body)}
    picks = [labels[i % len(labels)] for i in range(requests)]
    random.Random(seed).shuffle(picks)
    for i in range(warmup):
        _timed(base + template + suffix[labels[i % len(labels)]], headers)

    def run(n_threads: int) -> tuple[dict, list]:
        shares = [picks[i::n_threads] for i in range(n_threads)]
        results, wall = run_in_threads(shares, lambda label: (label, _timed(base + template + suffix[label],
                                                                               headers)[0]))
        return summarise([elapsed for _label, elapsed in results], wall), results

    load = round(os.getloadavg()[0], 2)
    log(f"{name} as {user}: {requests} sequential over {len(labels)} filters (load average {load})")
    sequential, seq_results = run(1)
    log(f"  p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms; {requests} over {threads} threads")
    concurrent, conc_results = run(threads)
    concurrent["threads"] = threads
    log(f"  p50 {concurrent['p50_ms']} ms, p95 {concurrent['p95_ms']} ms, {concurrent['rps']} req/s")
    for label in labels:
        seq = sorted(elapsed for found, elapsed in seq_results if found == label)
        conc = sorted(elapsed for found, elapsed in conc_results if found == label)
        per_filter[label]["sequential"] = summarise(seq, sum(seq)) if seq else None
        per_filter[label]["concurrent"] = summarise(conc, sum(conc)) if conc else None
    row = {"name": name, "user": user, "path": template + "&{filter}", "kind": kind, "loadavg_1min": load,
           "response": {"filters": len(labels)}, "sequential": sequential, "concurrent": concurrent}
    return row, per_filter


def after_refresh(env: dict[str, str], base: str, path: str, headers: dict[str, str], trials: int,
                  workers: int) -> dict:
    """``trials`` times: ``manage.py refresh_reports``, then ``workers`` requests at once (a sync worker takes one
    connection at a time, so each worker gets one: its first request after the new snapshot reads it from the
    database and unpacks its arrays), then 2 more one after the other."""
    found = []
    for n in range(trials):
        manage(env, "refresh_reports")
        first, _wall = run_in_threads([[None] for _ in range(workers)],
                                      lambda _item: round(_timed(base + path, headers)[0] * 1000, 1))
        later = [round(_timed(base + path, headers)[0] * 1000, 1) for _ in range(2)]
        found.append({"first": sorted(first), "later": later})
        log(f"  after refresh {n + 1}: {workers} at once {sorted(first)} ms, then {later} ms")
    return {"path": path, "runs": found,
            "first_max_median_ms": round(statistics.median(max(run["first"]) for run in found), 1),
            "first_min_median_ms": round(statistics.median(min(run["first"]) for run in found), 1),
            "later_median_ms": round(statistics.median(t for run in found for t in run["later"]), 1)}


def annual_reports(base: str, headers: dict[str, str], runs: int) -> list[dict]:
    """Each language × format ``runs`` times: wall time, size, and whether it is a real DOCX / PDF."""
    import docx

    found = []
    for language, fmt in ANNUAL_DOCUMENTS:
        path = f"/reports/annual/{YEAR}/?language={language}&format={fmt}"
        times, body = [], b""
        for _ in range(runs):
            elapsed, body = _timed(base + path, headers, timeout=180)
            times.append(round(elapsed, 2))
        check: dict = {"bytes": len(body)}
        if fmt == "docx":
            check["valid"] = body[:2] == b"PK"
            try:
                document = docx.Document(io.BytesIO(body))
                check.update(paragraphs=len(document.paragraphs), tables=len(document.tables),
                             images=len(document.inline_shapes))
            except Exception as exc:  # noqa: BLE001 - reported as invalid
                check.update(valid=False, error=repr(exc)[:300])
        else:
            check["valid"] = body[:4] == b"%PDF"
            check["pages"] = len(re.findall(rb"/Type\s*/Page[^s]", body))
        found.append({"language": language, "format": fmt, "path": path, "seconds": times,
                      "median_s": round(statistics.median(times), 2), "max_s": max(times), **check})
        log(f"  {language} {fmt}: {times} s, {len(body):,} bytes, valid {check['valid']}")
    return found


def refresh_windows(since: datetime.datetime, until: datetime.datetime) -> tuple[list[tuple[float, float]], int]:
    """When the worker rebuilt the snapshot between ``since`` and ``until`` ((start, end) as epoch seconds), and
    how many of its minute jobs found nothing changed."""
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    jobs = (DBTaskResult.objects.filter(task_path="saylau.reports.tasks.refresh_figures", started_at__lte=until)
            .exclude(finished_at__lt=since))
    rows = list(jobs.filter(return_value__isnull=False).order_by("started_at")
                .values_list("started_at", "finished_at"))
    unchanged = jobs.filter(return_value__isnull=True, finished_at__isnull=False).count()
    connection.close()
    return [(started.timestamp(), (finished or timezone.now()).timestamp()) for started, finished in rows], unchanged


class Activity(threading.Thread):
    """A verification check logged every ``every`` seconds (what the public verification page writes), so that
    each minute the worker finds its sources changed and rebuilds the snapshot, as during a training season when
    check-ins, enrolments and answers arrive all the time."""

    def __init__(self, every: float):
        super().__init__(daemon=True)
        self.every, self.stop, self.written = every, threading.Event(), 0

    def run(self) -> None:
        from django.db import connection

        from saylau.certificates.models import VerificationCheck

        while not self.stop.wait(self.every):
            VerificationCheck.objects.create(channel="page", number=f"CEC-{YEAR}-000000", status="unknown",
                                             client=f"{CHECK_CLIENT_PREFIX}1")
            self.written += 1
        connection.close()


def timed_loop(url: str, headers: dict[str, str], seconds: float, threads: int) -> tuple[list, float]:
    """Requests one after the other in each of ``threads`` threads for ``seconds``: (start time, latency) of
    each, and the wall time."""
    deadline = time.monotonic() + seconds

    def forever(_share):
        found = []
        while time.monotonic() < deadline:
            found.append((time.time(), _timed(url, headers)[0]))
        return found

    results, wall = run_in_threads([[None] for _ in range(threads)], forever)
    return [pair for found in results for pair in found], wall


def with_rebuilds(base: str, name: str, path: str, headers: dict[str, str], *, seconds: float, threads: int,
                  warmup: int, activity_every: float) -> tuple[dict, dict]:
    """The production server for ``seconds`` of sequential requests, then as long from ``threads`` threads, while
    its worker rebuilds the snapshot each minute something changed (``Activity``: every ``activity_every``
    seconds; 0: nothing): the row in the shape ``common.http_table`` prints, and the rebuilds with the requests
    that started during one against the others."""
    from django.utils import timezone

    for _ in range(warmup):
        _timed(base + path, headers)
    row = {"name": name, "user": "admin", "path": path, "kind": "national_production",
           "loadavg_1min": round(os.getloadavg()[0], 2), "response": {}}
    detail = {}
    for key, n_threads in (("sequential", 1), ("concurrent", threads)):
        since = timezone.now()
        log(f"{name}: {seconds:.0f} s with {n_threads} thread(s) (load average {os.getloadavg()[0]:.2f})")
        activity = Activity(activity_every) if activity_every else None
        if activity is not None:
            activity.start()
        timeline, wall = timed_loop(base + path, headers, seconds, n_threads)
        if activity is not None:
            activity.stop.set()
            activity.join()
        windows, unchanged = refresh_windows(since, timezone.now())
        during = [latency for started, latency in timeline if any(a <= started <= b for a, b in windows)]
        outside = [latency for started, latency in timeline if not any(a <= started <= b for a, b in windows)]
        row[key] = summarise([latency for _started, latency in timeline], wall)
        if key == "concurrent":
            row[key]["threads"] = n_threads
        detail[key] = {"rebuilds": len(windows), "rebuild_seconds": [round(b - a, 1) for a, b in windows],
                       "minutes_unchanged": unchanged, "checks_written": activity.written if activity else 0,
                       "during_rebuild": summarise(during, sum(during)) if during else None,
                       "outside_rebuild": summarise(outside, sum(outside)) if outside else None}
        log(f"  p50 {row[key]['p50_ms']} ms, p95 {row[key]['p95_ms']} ms, {row[key]['n']} requests; "
            f"{len(windows)} rebuilds {detail[key]['rebuild_seconds']} s, {len(during)} requests during one")
    return row, detail


# --- The run -----------------------------------------------------------------------------------------------------


def build_data(env: dict[str, str], args: argparse.Namespace) -> dict:
    from django.db import connection
    from training import generate as generate_training
    from training import generated_already as training_generated

    from saylau.commissions.demo import demo_loaded

    data: dict = {}
    setup_started = time.perf_counter()
    if demo_loaded():
        log("demo data already loaded: the load is not timed")
        data["demo_seconds"] = None
    else:
        log(f"demo --size {args.size}")
        data["demo_seconds"] = round(manage(env, "demo", "--size", args.size)[0], 1)
        log(f"  {data['demo_seconds']} s")
    connection.close()
    if training_generated():
        log(f"the {YEAR} events are already there: not generated again")
        data["events"] = data["top_up"] = None
    else:
        log(f"bench/training.py: {args.events:,} events of {YEAR} and {args.enrolments:,} enrolments (seed {args.seed})")
        data["events"] = generate_training(events=args.events, enrolments=args.enrolments, seed=args.seed)
        log(f"  {data['events']}")
        started = time.perf_counter()
        data["top_up"] = top_up_enrolments(target=args.enrolments, seed=args.seed)
        data["top_up"]["seconds"] = round(time.perf_counter() - started, 1)
        log(f"  topped up: {data['top_up']}")
    if previous_year_generated() or not args.previous_events:
        data["previous_year"] = None
    else:
        log(f"{args.previous_events:,} events of {PREVIOUS_YEAR} and {args.previous_enrolments:,} enrolments")
        data["previous_year"] = generate_previous_year(events=args.previous_events,
                                                       enrolments=args.previous_enrolments, seed=args.seed)
        log(f"  {data['previous_year']}")
    if tests_generated():
        log("the tests are already there: not generated again")
        data["tests"] = None
    else:
        log(f"tests and attempts: {args.answers:,} saved answers in all (seed {args.seed})")
        data["tests"] = generate_tests(answers=args.answers, distance_share=args.distance_share, seed=args.seed)
        log(f"  {data['tests']}")
    if checks_generated() or not args.checks:
        data["checks"] = None
    else:
        started = time.perf_counter()
        data["checks"] = generate_checks(count=args.checks, seed=args.seed)
        data["checks"]["seconds"] = round(time.perf_counter() - started, 1)
        log(f"verification checks: {data['checks']}")
    connection.close()
    started = time.perf_counter()
    vacuum_analyze()
    data["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    data["setup_seconds"] = round(time.perf_counter() - setup_started, 1)
    data.update(data_counts())
    connection.close()
    return data


def main_inner(args: argparse.Namespace) -> int:
    results: dict = {
        "date": now_iso(),
        "machine": machine(),
        "settings": {key: getattr(args, key) for key in (
            "quick", "size", "events", "enrolments", "answers", "distance_share", "previous_events",
            "previous_enrolments", "checks", "requests", "threads", "warmup", "workers", "annual_runs",
            "refresh_runs", "after_refresh", "seed", "production", "production_seconds",
            "activity_seconds")},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-reports-"))
    env = bench_env(workdir, args.database_url)
    server = None
    try:
        prepare_database(env)
        setup_django(env)
        from courses import statements_per_request, wait_for_worker
        from django import get_version
        from django.db import connection
        from django.utils import timezone

        results["postgresql"] = postgres_version()
        results["machine"]["django"] = get_version()
        connection.close()
        results["data"] = data = build_data(env, args)
        log(f"data: rows {data['rows']}, MiB {data['table_mib']}")

        log("refresh_reports once before measuring")
        results["refresh_first"] = refresh_runs(env, 1)["runs"][0]
        log(f"refresh_reports × {args.refresh_runs}")
        results["refresh"] = refresh_runs(env, args.refresh_runs)
        log("one rebuild in this process, its SQL captured")
        results["refresh_profile"] = refresh_profile()
        log(f"  {results['refresh_profile']['seconds']} s, of which SQL {results['refresh_profile']['sql_seconds']} s "
            f"in {results['refresh_profile']['statements']} statements")
        results["fingerprint_ms"] = fingerprint_times(3)
        log(f"the worker's minute check (facts.fingerprint): {results['fingerprint_ms']} ms")

        dashboard = f"/reports/?year={YEAR}"
        summary = f"/api/v1/reports/summary?year={YEAR}"
        results["statements"] = statements_per_request([
            ("dashboard", "admin", dashboard), ("dashboard_regional", "coordinator", dashboard),
            ("summary_api", "admin", summary),
            ("annual_docx", "admin", f"/reports/annual/{YEAR}/?language=kk&format=docx"),
        ])
        log("SQL statements of one request: " + ", ".join(
            f"{kind} {found['statements']} ({found['sql_ms']} ms of SQL, {found['request_ms']} ms, HTTP "
            f"{found['status']})" for kind, found in results["statements"].items()))
        connection.close()

        http_results, per_filter = [], {}
        if not args.skip_http:
            server = QuietServer(env, free_port(), args.workers, workdir / "server.log")
            log(f"starting gunicorn without the worker on {server.base} (WEB_CONCURRENCY={args.workers})")
            server.start()
            base = server.base
            bearer, session = login_headers(base, ("admin", "coordinator"))

            def info(body: bytes) -> dict:
                return {"bytes": len(body)}

            scenarios = [
                ("API /me (floor: token check, 1 query)", "admin", "/api/v1/me", bearer("admin"), "floor"),
                (f"National dashboard ?year={YEAR}", "admin", dashboard, session("admin"), "national"),
                (f"Regional dashboard ?year={YEAR}", "coordinator", dashboard, session("coordinator"), "regional"),
                (f"API reports/summary?year={YEAR}", "admin", summary, bearer("admin"), "summary"),
                (f"API reports/summary?year={YEAR} (own region)", "coordinator", summary, bearer("coordinator"),
                 "summary"),
            ]
            http_results = measure_scenarios(base, scenarios, requests=args.requests, threads=args.threads,
                                             warmup=args.warmup, info=info)
            row, per_filter = measure_mix(base, f"National dashboard ?year={YEAR}&(mix of {len(FILTER_MIX)} filters)",
                                          "admin", dashboard, session("admin"), kind="national_mix",
                                          requests=args.requests, threads=args.threads, warmup=args.warmup,
                                          seed=args.seed)
            http_results.insert(2, row)
            floor = http_results[0]["sequential"]["p50_ms"]
            for item in http_results:
                item["sequential"]["p50_over_floor"] = round(item["sequential"]["p50_ms"] / floor, 1) if floor else None

            log(f"first requests after a new snapshot × {args.after_refresh}")
            results["after_refresh"] = after_refresh(env, base, dashboard, session("admin"), args.after_refresh,
                                                     args.workers)
            log(f"annual report, {len(ANNUAL_DOCUMENTS)} documents × {args.annual_runs}")
            results["annual"] = annual_reports(base, session("admin"), args.annual_runs)
            server.stop()
            server = None

            if args.production:
                server = Server(env, free_port(), args.workers, workdir / "serve.log")
                log(f"starting scripts/serve (gunicorn, worker, scheduler) on {server.base}")
                server_started = timezone.now()
                server.start()
                log("waiting for the worker to run the jobs the scheduler enqueued at start")
                started = time.perf_counter()
                jobs = wait_for_worker(server_started, args.worker_timeout)
                waited = round(time.perf_counter() - started, 1)
                log(f"  idle after {time.perf_counter() - started:.0f} s: " + ", ".join(
                    f"{job['task']} → {job['return_value']} in {job['seconds']} s" for job in jobs))
                cookie = {"Cookie": session_cookie(server.base, "admin")}
                measured, detail = with_rebuilds(
                    server.base, f"National dashboard ?year={YEAR}, scripts/serve (worker rebuilding on changes)",
                    dashboard, cookie, seconds=args.production_seconds, threads=args.threads, warmup=args.warmup,
                    activity_every=args.activity_seconds)
                measured["sequential"]["p50_over_floor"] = round(measured["sequential"]["p50_ms"] / floor, 1)
                results["production"] = {"startup_jobs": jobs, "startup_wait_seconds": waited, **detail}
                http_results.append(measured)
                server.stop()
                server = None
        results["http"] = http_results
        results["dashboard_per_filter"] = per_filter
        results["targets"] = targets(results)
        results["finished"] = now_iso()
        results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except RequestFailed as exc:
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        raise SystemExit(f"request failed: {exc}") from None
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"work directory kept: {workdir}")

    return write_report(results, args.output, report(results), strict=args.strict)


def targets(results: dict) -> list[dict]:
    found = []
    for item in results.get("http", []):
        if item["kind"] in ("national", "national_mix", "regional", "summary", "national_production"):
            source = "issue" if item["kind"] == "national" else "same limit"
            found.append({"target": f"{item['name']} as {item['user']}: p95 ≤ {DASHBOARD_TARGET_MS:.0f} ms "
                                    f"(sequential; {source})",
                          "value": item["sequential"]["p95_ms"], "unit": "ms", "limit": DASHBOARD_TARGET_MS,
                          "pass": item["sequential"]["p95_ms"] <= DASHBOARD_TARGET_MS})
    for document in results.get("annual", []):
        found.append({"target": f"annual report {YEAR}, {document['language']} {document['format'].upper()}: "
                                f"≤ {ANNUAL_TARGET_S:.0f} s each, a valid file",
                      "value": document["max_s"], "unit": "s", "limit": ANNUAL_TARGET_S,
                      "pass": document["max_s"] <= ANNUAL_TARGET_S and document["valid"]})
    if results.get("refresh"):
        found.append({"target": f"manage.py refresh_reports ≤ {REFRESH_LIMIT_S:.0f} s (median; figures within a minute)",
                      "value": results["refresh"]["median_seconds"], "unit": "s", "limit": REFRESH_LIMIT_S,
                      "pass": results["refresh"]["median_seconds"] <= REFRESH_LIMIT_S})
    return found


def report(results: dict) -> str:
    m, s, d = results["machine"], results["settings"], results["data"]
    rows = d["rows"]
    lines = [
        f"## Reports benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, PostgreSQL {results.get('postgresql')}. "
        f"Server: gunicorn, {s['workers']} sync workers. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Data: {d['commissions']:,} commissions, {d['people']:,} people; events by year {d['events_by_year']}; "
        f"tests {d['exams_by_purpose']}, {d['submitted_attempts']:,} submitted attempts.",
        "",
        "| table | rows | MiB |", "|---|--:|--:|",
    ]
    for table, count in rows.items():
        lines.append(f"| {table} | {count:,} | {d['table_mib'][table]} |")
    lines.append("")
    setup = [f"demo {d['demo_seconds']} s" if d.get("demo_seconds") is not None else "demo already loaded"]
    if d.get("events"):
        setup.append(f"{d['events']['events']:,} events and {d['events']['enrolments']:,} enrolments "
                     f"(bench/training.py) {d['events']['seconds']} s")
    if d.get("top_up"):
        setup.append(f"{d['top_up']['added']:,} more enrolments {d['top_up']['seconds']} s")
    if d.get("previous_year"):
        setup.append(f"{d['previous_year']['events']} events of {PREVIOUS_YEAR} {d['previous_year']['seconds']} s")
    if d.get("tests"):
        t = d["tests"]
        setup.append(f"{t['pairs']:,} entry/final pairs and {t['distance_tests']} distance tests, "
                     f"{t['attempts_added']:,} attempts, {t['answers_added']:,} answers {t['seconds']} s")
    if d.get("checks"):
        setup.append(f"{d['checks']['checks']:,} verification checks {d['checks']['seconds']} s")
    setup.append(f"VACUUM ANALYZE {d['vacuum_seconds']} s")
    lines += [f"Setup {d['setup_seconds']} s: " + ", ".join(setup) + ".", ""]

    r, p = results["refresh"], results["refresh_profile"]
    lines += [
        "| manage.py refresh_reports | wall s | build ms (the command's own figure) | load |", "|---|--:|--:|--:|",
        f"| first (before measuring) | {results['refresh_first']['seconds']} | {results['refresh_first']['build_ms']} "
        f"| {results['refresh_first']['loadavg_1min']} |",
    ]
    for n, run in enumerate(r["runs"], start=1):
        lines.append(f"| run {n} | {run['seconds']} | {run['build_ms']} | {run['loadavg_1min']} |")
    lines += [f"| **median** | **{r['median_seconds']}** | {r['median_build_ms']} | |", "",
              f"The snapshot: {p['snapshot_bytes']:,} bytes. One rebuild in the bench's process: {p['seconds']} s, of "
              f"which {p['sql_seconds']} s in {p['statements']} SQL statements (slowest "
              f"{', '.join(str(q['ms']) for q in p['slowest'][:3])} ms; the SQL and the plan in the JSON). "
              f"The worker's minute check whether anything changed (`facts.fingerprint`): "
              f"{', '.join(map(str, results.get('fingerprint_ms') or []))} ms.", ""]
    if results.get("http"):
        lines += http_table(results["http"], s)
    per_filter = results.get("dashboard_per_filter") or {}
    if per_filter:
        lines += ["| dashboard filter (admin) | bytes | seq p50 | seq p95 | thr p50 | thr p95 |",
                  "|---|--:|--:|--:|--:|--:|"]
        for label, found in per_filter.items():
            a, b = found["sequential"], found["concurrent"]
            lines.append(f"| {label} | {found['bytes']:,} | {fmt_ms(a['p50_ms'])} | {fmt_ms(a['p95_ms'])} "
                         f"| {fmt_ms(b['p50_ms'])} | {fmt_ms(b['p95_ms'])} |")
        lines += ["", "Per filter: the requests of the mix that asked it.", ""]
    after = results.get("after_refresh")
    if after:
        runs = "; ".join(f"{run['first']} then {run['later']}" for run in after["runs"])
        lines += [f"First requests after a new snapshot (`refresh_reports`, then {s['workers']} requests at once, one "
                  f"per worker, then 2 one after the other; {len(after['runs'])} times): the slower of the first "
                  f"{after['first_max_median_ms']} ms, the faster {after['first_min_median_ms']} ms (medians), the "
                  f"later ones {after['later_median_ms']} ms. Each run, ms: {runs}.", ""]
    if results.get("annual"):
        lines += ["| annual report 2025 | runs (s) | median s | bytes | check |", "|---|---|--:|--:|---|"]
        for doc in results["annual"]:
            check = (f"PDF, {doc.get('pages')} pages" if doc["format"] == "pdf" else
                     f"DOCX, {doc.get('paragraphs')} paragraphs, {doc.get('tables')} tables, {doc.get('images')} images")
            lines.append(f"| {doc['language']} {doc['format']} | {', '.join(map(str, doc['seconds']))} "
                         f"| {doc['median_s']} | {doc['bytes']:,} | {check if doc['valid'] else 'INVALID'} |")
        lines.append("")
    production = results.get("production")
    if production:
        by_task: dict[str, list] = {}
        for job in production["startup_jobs"]:
            if job["seconds"] is not None:
                by_task.setdefault(job["task"], []).append(job)
        ran = ", ".join(f"{task} × {len(jobs)} ({', '.join(str(job['return_value']) for job in jobs)}; "
                        f"{round(sum(job['seconds'] for job in jobs), 1)} s)" for task, jobs in by_task.items())
        activity = (f"a verification check logged every {s['activity_seconds']:g} s (so that each minute the worker "
                    "finds its sources changed and rebuilds)" if s["activity_seconds"] else "no writes")
        lines += [f"scripts/serve (gunicorn, the worker and the scheduler): before measuring, the worker ran {ran} "
                  f"(waited {production['startup_wait_seconds']} s). Then {s['production_seconds']:.0f} s of "
                  f"sequential requests and as long over the threads, with {activity}:", "",
                  "| national dashboard, scripts/serve | rebuilds (s each) | minutes unchanged | requests during a "
                  "rebuild: n, p50, p95 | the others: n, p50, p95 |", "|---|---|--:|--:|--:|"]
        for key in ("sequential", "concurrent"):
            found = production[key]
            cells = []
            for part in ("during_rebuild", "outside_rebuild"):
                x = found[part]
                cells.append(f"{x['n']}, {fmt_ms(x['p50_ms'])}, {fmt_ms(x['p95_ms'])}" if x else "—")
            lines.append(f"| {key} | {found['rebuilds']} ({', '.join(map(str, found['rebuild_seconds']))}) "
                         f"| {found['minutes_unchanged']} | {cells[0]} | {cells[1]} |")
        lines.append("")
    statements = results.get("statements") or {}
    if statements:
        lines += ["SQL statements of one request, in this process through the test client (their time, the slowest "
                  "one; the whole request): " + "; ".join(
                      f"{kind} {found['statements']} ({found['sql_ms']} ms, slowest "
                      f"{found.get('slowest', {}).get('ms')} ms; {found['request_ms']} ms)"
                      for kind, found in statements.items()) + ".", ""]
    lines += ["| target | value | pass |", "|---|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['value']} {target['unit']} | {'yes' if target['pass'] else 'NO'} |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes to develop against: " + ", ".join(f"{k} {v}" for k, v in QUICK.items()))
    parser.add_argument("--size", choices=["small", "national"], default="national", help="the demo's size")
    parser.add_argument("--events", type=int, help=f"events of {YEAR} (default {FULL['events']})")
    parser.add_argument("--enrolments", type=int, help=f"their enrolments (default {FULL['enrolments']})")
    parser.add_argument("--answers", type=int, help=f"saved answers in all (default {FULL['answers']})")
    parser.add_argument("--distance-share", type=float, default=0.3,
                        help="share of the answers in distance tests, the rest entry/final tests (default 0.3)")
    parser.add_argument("--previous-events", type=int,
                        help=f"events of {PREVIOUS_YEAR} (default {FULL['previous_events']})")
    parser.add_argument("--previous-enrolments", type=int,
                        help=f"their enrolments (default {FULL['previous_enrolments']})")
    parser.add_argument("--checks", type=int, help=f"certificate verification checks (default {FULL['checks']})")
    parser.add_argument("--requests", type=int, help=f"requests per run (default {FULL['requests']})")
    parser.add_argument("--threads", type=int, default=4, help="threads of the concurrent run (default 4)")
    parser.add_argument("--warmup", type=int, help=f"warm-up requests per scenario (default {FULL['warmup']})")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of the server (default 2)")
    parser.add_argument("--annual-runs", type=int, help=f"runs per annual report (default {FULL['annual_runs']})")
    parser.add_argument("--refresh-runs", type=int, help=f"timed refresh_reports (default {FULL['refresh_runs']})")
    parser.add_argument("--after-refresh", type=int,
                        help=f"refreshes followed by timed requests (default {FULL['after_refresh']})")
    parser.add_argument("--no-production", dest="production", action="store_false",
                        help="skip the last run on scripts/serve (worker and scheduler rebuilding every minute)")
    parser.add_argument("--production-seconds", type=float,
                        help="seconds of requests on scripts/serve, sequential then as long over the threads "
                             f"(default {FULL['production_seconds']})")
    parser.add_argument("--activity-seconds", type=float, default=20,
                        help="on scripts/serve, log a verification check every so many seconds so that the worker "
                             "rebuilds each minute (default 20; 0: no writes, no rebuilds)")
    parser.add_argument("--worker-timeout", type=float, default=900,
                        help="seconds to wait for scripts/serve's start-up jobs before measuring (default 900)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    parser.add_argument("--skip-http", action="store_true", help="only build the data and time refresh_reports")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "reports.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.requests < 10 or args.events < 17 or args.answers < 0 or not 0 <= args.distance_share <= 1:
        parser.error("--requests at least 10, --events at least 17 (one per region), --distance-share in [0, 1]")
    return args


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
