#!/usr/bin/env python3
"""Benchmark of the training pages and API on PostgreSQL at national scale (``make bench``).

    .venv/bin/python bench/training.py [--requests 200] [--threads 4] [--events 2000] [--enrolments 200000]

What it does, from nothing (docs/benchmarks.md, section "Training", explains the figures):

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing database instead), migrates and loads ``manage.py demo --size national``
   (the registry and the training demo, with its national training of trainers and a cascade below it);
2. adds, with ``bulk_create`` and a seeded ``random.Random`` (the same data every run), ``--events`` events
   spread over 2025 in every region, organised as a cascade under the demo's national training of trainers
   (regional → territorial → precinct level), each with one or two sessions and one or two trainers accredited
   by it; ``--enrolments`` enrolments (a person at most once per event, people who sit on a commission of the
   event's region, or of the organising TEC's area below the regional level), an attendance row for about
   80% of enrolments × sessions of the events held; and coverage targets for every region × (precinct
   commission members, TEC members); then VACUUM ANALYZE;
3. starts the production server (``scripts/serve``, WEB_CONCURRENCY=2), logs the demo accounts in, and measures
   each scenario with N sequential requests, then N requests over T threads (p50/p95/p99, requests/s); the
   first scenario, GET /api/v1/me, is the floor the others are divided by (the machine may be shared);
4. measures the cascade and coverage scenarios again while a thread rewrites ``--writes-per-second`` random
   check-ins below the national ToT each second: the cascade and coverage keep what they counted per event
   until the event's check-ins or enrolments change (``training.reach``), and this run shows them when they
   keep changing;
5. prints a markdown table and writes the figures to ``var/bench/training.json``.

The target (issue 3): the calendar, the cascade of the national event and /api/v1/coverage each p95 ≤ 200 ms
(sequential requests). Exit status 0 when every request succeeded (``--strict``: also every target met).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from common import (
    ROOT,
    RequestFailed,
    Server,
    bench_env,
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
    run_on_postgres,
    setup_django,
    vacuum_analyze,
    write_report,
)

TARGET_MS = 200.0
YEAR = 2025
TOT_TITLE_KK = "Тренерлік корпусты оқыту (каскадтық әдіс)"
# Marks the generated events (and tells a second run on the same database that they are there).
MARK_KK = "Бенчмарк: каскадтық оқыту (bench/training.py)"
MARK_RU = "Бенчмарк: каскадное обучение (bench/training.py)"
ATTENDANCE_RATE = 0.8
CANCELLED_RATE = 0.03
# Share of each region's events per level of the cascade; the rest are precinct-level events.
REGIONAL_SHARE, TERRITORIAL_SHARE = 0.05, 0.22
# Mean enrolments per event for the first two levels; the precinct-level events take the rest.
REGIONAL_SIZE, TERRITORIAL_SIZE = 150, 110


# --- The data --------------------------------------------------------------------------------------------------


def national_tot():
    from saylau.training.models import Event

    return Event.objects.get(trains_trainers=True, parent=None, title_kk=TOT_TITLE_KK)


def generated_already() -> bool:
    from saylau.training.models import Event

    return Event.objects.filter(description_kk=MARK_KK).exists()


def _day(rng: random.Random, after: datetime.date, low: int, high: int) -> datetime.date:
    day = after + datetime.timedelta(days=rng.randint(low, high))
    return min(day, datetime.date(YEAR, 12, 20))


def generate(*, events: int, enrolments: int, seed: int) -> dict:
    """The extra events, sessions, trainers, enrolments, attendance and coverage targets (one transaction)."""
    from django.db import transaction
    from django.utils import timezone

    from saylau.commissions.models import Commission, Membership, Region
    from saylau.training.models import (
        Accreditation,
        Attendance,
        Audience,
        CoverageTarget,
        Enrolment,
        EnrolmentSource,
        EnrolmentStatus,
        Event,
        EventStatus,
        EventTrainer,
        Session,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    tot = national_tot()
    audiences = {a.code: a for a in Audience.objects.all()}
    regions = list(Region.objects.order_by("iso_code"))

    # The commission tree, to find the city/district TEC above each precinct (some sit under a district commission).
    commissions = {pk: (parent_id, level, region_id) for pk, parent_id, level, region_id in
                   Commission.objects.values_list("pk", "parent_id", "level", "region_id")}

    def tec_of(pk: int) -> int | None:
        while pk is not None:
            parent_id, level, _region = commissions[pk]
            if level == "territorial":
                return pk
            pk = parent_id
        return None

    regional_tec = {c.region_id: c for c in Commission.objects.filter(level="regional").select_related("region")}
    tecs = defaultdict(list)
    for tec in Commission.objects.filter(level="territorial").select_related("region").order_by("code"):
        tecs[tec.region_id].append(tec)

    # People who sit on a commission now, each once per pool: (person, commission).
    region_pool: dict[int, dict[int, int]] = defaultdict(dict)
    tec_area_pool: dict[int, dict[int, int]] = defaultdict(dict)  # the TEC and the commissions below it
    precinct_pool: dict[int, dict[int, int]] = defaultdict(dict)  # precinct commissions below a TEC
    for person_id, commission_id in Membership.objects.current().order_by("pk").values_list("person_id", "commission_id"):
        _parent, level, region_id = commissions[commission_id]
        if region_id is None:
            continue
        region_pool[region_id].setdefault(person_id, commission_id)
        tec_id = tec_of(commission_id)
        if tec_id is not None:
            tec_area_pool[tec_id].setdefault(person_id, commission_id)
            if level == "precinct":
                precinct_pool[tec_id].setdefault(person_id, commission_id)

    trainers_by_region = defaultdict(list)
    for person_id, region_id in Accreditation.objects.filter(event=tot).order_by("pk").values_list("person_id", "region_id"):
        trainers_by_region[region_id].append(person_id)

    # The events, level by level (the parents need their primary keys first).
    per_region = [events // len(regions) + (1 if i < events % len(regions) else 0) for i in range(len(regions))]
    plan = []  # (region, level, parent index or None, organiser, pool)
    for region, count in zip(regions, per_region, strict=True):
        n_regional = max(1, round(count * REGIONAL_SHARE))
        n_territorial = max(1, round(count * TERRITORIAL_SHARE))
        n_precinct = count - n_regional - n_territorial
        region_tecs = tecs[region.pk]
        regional_rows = []
        for _ in range(n_regional):
            plan.append((region, "regional", None, regional_tec[region.pk], region_pool[region.pk]))
            regional_rows.append(len(plan) - 1)
        territorial_rows = []
        for i in range(n_territorial):
            tec = region_tecs[i % len(region_tecs)]
            plan.append((region, "territorial", regional_rows[i % n_regional], tec, tec_area_pool[tec.pk]))
            territorial_rows.append(len(plan) - 1)
        for i in range(n_precinct):
            parent_row = territorial_rows[i % n_territorial]
            tec = plan[parent_row][3]
            plan.append((region, "precinct", parent_row, tec, precinct_pool[tec.pk] or tec_area_pool[tec.pk]))

    # Enrolment sizes: the first two levels around their means, the precinct level takes what is left.
    sizes = []
    for _region, level, _parent, _organiser, pool in plan:
        mean = {"regional": REGIONAL_SIZE, "territorial": TERRITORIAL_SIZE}.get(level)
        sizes.append(min(len(pool), rng.randint(int(mean * 0.8), int(mean * 1.2))) if mean else 0)
    precinct_rows = [i for i, row in enumerate(plan) if row[1] == "precinct"]
    left = enrolments - sum(sizes)
    for n, i in enumerate(precinct_rows):
        share = left // len(precinct_rows) + (1 if n < left % len(precinct_rows) else 0)
        sizes[i] = share
    # Jitter the precinct sizes in pairs (the total stays), then cap at the pool.
    for a, b in zip(precinct_rows[::2], precinct_rows[1::2], strict=False):
        shift = rng.randint(-20, 20)
        if sizes[a] + shift >= 1 and sizes[b] - shift >= 1:
            sizes[a] += shift
            sizes[b] -= shift
    for i in precinct_rows:
        sizes[i] = min(sizes[i], len(plan[i][4]))

    kinds = {"regional": ["seminar", "training"], "territorial": ["seminar", "training"],
             "precinct": ["seminar", "training", "lecture"]}
    level_words = {"regional": ("аумақтық комиссияларды оқыту", "обучение территориальных комиссий"),
                   "territorial": ("учаскелік комиссияларды оқыту", "обучение участковых комиссий"),
                   "precinct": ("учаскелік комиссия мүшелеріне семинар", "семинар для членов участковых комиссий")}
    audience_codes = {"regional": ["tec_members", "precinct_members"], "territorial": ["precinct_members"],
                      "precinct": ["precinct_members"]}
    with transaction.atomic():
        objects: list = [None] * len(plan)
        for level in ("regional", "territorial", "precinct"):
            batch = []
            for i, (region, row_level, parent_row, organiser, _pool) in enumerate(plan):
                if row_level != level:
                    continue
                parent = tot if parent_row is None else objects[parent_row]
                if level == "regional":
                    start = _day(rng, datetime.date(YEAR, 1, 13), 0, 160)
                else:
                    start = _day(rng, parent.starts_on, 7, 75 if level == "territorial" else 90)
                length = 1 if level == "regional" and rng.random() < 0.5 else 0
                cancelled = rng.random() < CANCELLED_RATE
                kk, ru = level_words[level]
                event = Event(
                    title_kk=f"{organiser.name_kk}: {kk} ({i + 1})", title_ru=f"{organiser.name_ru}: {ru} ({i + 1})",
                    description_kk=MARK_KK, description_ru=MARK_RU, kind=rng.choice(kinds[level]), level=level,
                    starts_on=start, ends_on=start + datetime.timedelta(days=length), organiser=organiser,
                    region=region, languages=["kk", "ru"], parent=parent, venue_address=region.name_kk,
                    status=EventStatus.CANCELLED if cancelled else EventStatus.HELD,
                    cancel_reason="Ауа райы / Погодные условия" if cancelled else "",
                )
                objects[i] = event
                batch.append(event)
            Event.objects.bulk_create(batch, batch_size=1000)
        Through = Event.audiences.through
        Through.objects.bulk_create([Through(event_id=event.pk, audience_id=audiences[code].pk)
                                     for (_r, level, *_rest), event in zip(plan, objects, strict=True)
                                     for code in audience_codes[level]], batch_size=5000)
        trainer_rows = []
        for (region, _level, *_rest), event in zip(plan, objects, strict=True):
            available = trainers_by_region[region.pk]
            for person_id in rng.sample(available, min(len(available), rng.randint(1, 2))):
                trainer_rows.append(EventTrainer(event=event, person_id=person_id))
        EventTrainer.objects.bulk_create(trainer_rows, batch_size=5000)

        sessions: list[list] = []
        session_rows = []
        code = 0
        for event in objects:
            mine = []
            two = rng.random() < 0.5
            days = [event.starts_on, event.ends_on] if two and event.ends_on != event.starts_on else [event.starts_on]
            slots = [(datetime.time(10), datetime.time(13)), (datetime.time(14), datetime.time(17))]
            for n in range(2 if two else 1):
                code += 1
                start_at, end_at = slots[0] if len(days) == 2 else slots[n]
                mine.append(Session(event=event, day=days[min(n, len(days) - 1)], starts_at=start_at, ends_at=end_at,
                                    title_kk=f"Модуль {n + 1}", title_ru=f"Модуль {n + 1}",
                                    method=rng.choice(["lecture", "practical_case", "facilitation"]),
                                    check_in_code=f"BN{code:05d}"))
            sessions.append(mine)
            session_rows.extend(mine)
        Session.objects.bulk_create(session_rows, batch_size=5000)

        enrolment_rows = []
        attendance_rows = []
        for (_region, _level, _parent, _organiser, pool), event, size, event_sessions in zip(
                plan, objects, sizes, sessions, strict=True):
            people = rng.sample(sorted(pool), size)
            for person_id in people:
                enrolment_rows.append(Enrolment(event=event, person_id=person_id, commission_id=pool[person_id],
                                                status=EnrolmentStatus.ENROLLED, source=EnrolmentSource.FILTER))
                if event.status != EventStatus.HELD:
                    continue
                for session in event_sessions:
                    if rng.random() < ATTENDANCE_RATE:
                        late = rng.random() < 0.08
                        begins = timezone.make_aware(datetime.datetime.combine(session.day, session.starts_at))
                        attendance_rows.append(Attendance(
                            session=session, person_id=person_id, method=Attendance.Method.ROSTER, late=late,
                            checked_in_at=begins + datetime.timedelta(minutes=15 if late else -5)))
        Enrolment.objects.bulk_create(enrolment_rows, batch_size=5000)
        Attendance.objects.bulk_create(attendance_rows, batch_size=5000)

        targets_added = 0
        for region in regions:
            precinct_people = sum(1 for c in region_pool[region.pk].values() if commissions[c][1] == "precinct")
            tec_people = sum(1 for c in region_pool[region.pk].values() if commissions[c][1] in ("regional", "territorial"))
            for code_, people in (("precinct_members", precinct_people), ("tec_members", tec_people)):
                _target, created = CoverageTarget.objects.get_or_create(
                    year=YEAR, region=region, audience=audiences[code_],
                    defaults={"target": max(10, round(people * 0.9, -1))})
                targets_added += created
    levels = defaultdict(int)
    for row in plan:
        levels[row[1]] += 1
    return {
        "seconds": round(time.perf_counter() - started, 1), "events": len(objects), "events_per_level": dict(levels),
        "sessions": len(session_rows), "trainers": len(trainer_rows), "enrolments": len(enrolment_rows),
        "attendance": len(attendance_rows), "coverage_targets_added": targets_added,
    }


def data_counts(root_id: int, month: str) -> dict:
    from django.db.models import Q

    from saylau.commissions.models import Commission, Membership, Person
    from saylau.training.models import Attendance, CoverageTarget, Enrolment, Event, Session

    year, mon = (int(x) for x in month.split("-"))
    first = datetime.date(year, mon, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    below, frontier = 0, [root_id]
    while frontier:
        frontier = list(Event.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        below += len(frontier)
    return {
        "commissions": Commission.objects.count(), "people": Person.objects.count(),
        "current_memberships": Membership.objects.current().count(),
        "events": Event.objects.count(), "events_in_2025": Event.objects.filter(starts_on__year=YEAR).count(),
        "events_in_calendar_month": Event.objects.filter(Q(starts_on__lte=last) & Q(ends_on__gte=first)).count(),
        "events_below_national_tot": below, "sessions": Session.objects.count(),
        "enrolments": Enrolment.objects.count(), "attendance": Attendance.objects.count(),
        "coverage_targets_2025": CoverageTarget.objects.filter(year=YEAR).count(),
    }


# --- The run ---------------------------------------------------------------------------------------------------


def main_inner(args: argparse.Namespace) -> int:
    results: dict = {
        "date": now_iso(),
        "machine": machine(),
        "settings": {"requests": args.requests, "threads": args.threads, "warmup": args.warmup, "size": args.size,
                     "web_concurrency": args.workers, "events": args.events, "enrolments": args.enrolments,
                     "seed": args.seed, "month": args.month},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-training-"))
    env = bench_env(workdir, args.database_url)
    server = None
    try:
        prepare_database(env)
        setup_django(env)
        from django import get_version
        from django.db import connection

        from saylau.commissions.demo import demo_loaded

        results["postgresql"] = postgres_version()
        results["machine"]["django"] = get_version()
        data: dict = {}
        if demo_loaded():
            log("demo data already loaded: the load is not timed")
            data["demo_seconds"] = None
        else:
            log(f"demo --size {args.size}")
            data["demo_seconds"] = round(manage(env, "demo", "--size", args.size)[0], 1)
            log(f"  {data['demo_seconds']} s")
        connection.close()
        if generated_already():
            log("the extra events are already there: not generated again")
            data["generated"] = None
        else:
            log(f"generating {args.events:,} events and {args.enrolments:,} enrolments (seed {args.seed})")
            data["generated"] = generate(events=args.events, enrolments=args.enrolments, seed=args.seed)
            log(f"  {data['generated']}")
        vacuum_analyze()
        tot = national_tot()
        data["national_tot_id"] = tot.pk
        data.update(data_counts(tot.pk, args.month))
        log(f"data: {data}")
        results["data"] = data
        connection.close()

        http_results = []
        if not args.skip_http:
            server = Server(env, free_port(), args.workers, workdir / "server.log")
            log(f"starting the server on {server.base} (WEB_CONCURRENCY={args.workers})")
            server.start()
            base = server.base
            bearer, session = login_headers(base, ("admin", "coordinator"))

            month, region = args.month, args.region
            scenarios = [
                ("API /me (floor: token check, 1 query)", "admin", "/api/v1/me", bearer("admin"), "floor"),
                (f"Page calendar ?month={month}", "admin", f"/training/calendar/?month={month}", session("admin"),
                 "calendar"),
                (f"Page calendar ?month={month}", "coordinator", f"/training/calendar/?month={month}",
                 session("coordinator"), "calendar"),
                ("Page cascade of the national ToT", "admin", f"/training/{tot.pk}/cascade/", session("admin"),
                 "cascade"),
                ("API events/{id}/cascade, national ToT", "admin", f"/api/v1/events/{tot.pk}/cascade",
                 bearer("admin"), "cascade"),
                (f"API coverage?year={YEAR} (all regions)", "admin", f"/api/v1/coverage?year={YEAR}", bearer("admin"),
                 "coverage"),
                (f"API coverage?year={YEAR}&region={region}", "coordinator",
                 f"/api/v1/coverage?year={YEAR}&region={region}", bearer("coordinator"), "coverage"),
                (f"Page event list ?year={YEAR}", "admin", f"/training/?year={YEAR}", session("admin"), "list"),
            ]
            if args.only:
                kinds = {"floor", *args.only.split(",")}
                scenarios = [scenario for scenario in scenarios if scenario[-1] in kinds]

            def info(body: bytes) -> dict:
                try:
                    payload = json.loads(body)
                except ValueError:
                    return {"bytes": len(body)}
                if isinstance(payload, dict) and "reached_in_subtree" in payload:
                    return {"bytes": len(body), "reached_in_subtree": payload["reached_in_subtree"]}
                if isinstance(payload, dict) and "items" in payload:
                    return {"bytes": len(body), "items": len(payload["items"])}
                return {"bytes": len(body)}

            http_results = measure_scenarios(base, scenarios, requests=args.requests, threads=args.threads,
                                             warmup=args.warmup, info=info)
            live = [scenario for scenario in scenarios if scenario[-1] in ("floor", "cascade", "coverage")]
            if len(live) > 1 and args.writes_per_second > 0:
                # The same requests while check-ins below the national ToT keep changing: what the cascade and
                # coverage kept per event no longer holds for the events written to, and is read again.
                log(f"the same while {args.writes_per_second} check-ins a second are written below the national ToT")
                with check_ins_written(tot.pk, args.writes_per_second, args.seed) as written:
                    measured = measure_scenarios(
                        base, [(f"{name}, while check-ins are written", user, path, headers, f"{kind}-live")
                               for name, user, path, headers, kind in live],
                        requests=args.requests, threads=args.threads, warmup=args.warmup, info=info)
                log(f"  {written['count']:,} check-ins changed")
                results["check_ins_written"] = written["count"]
                http_results += measured
            server.stop()
            server = None
        results["http"] = http_results
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

    return write_report(results, args.output, report(results), strict=args.strict)


@contextlib.contextmanager
def check_ins_written(root_id: int, per_second: float, seed: int):
    """While the block runs, a thread rewrites ``per_second`` random check-ins of events below the national
    ToT a second (each UPDATE changes its event's revision, as a new check-in would). Yields a dict whose
    "count" is the number written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            WITH RECURSIVE tree(id) AS (SELECT %s::bigint UNION ALL
                                       SELECT e.id FROM training_event e JOIN tree ON e.parent_id = tree.id)
            SELECT a.id FROM training_attendance a JOIN training_session s ON s.id = a.session_id
            WHERE s.event_id IN (SELECT id FROM tree)""", [root_id])
        attendance_ids = [row[0] for row in cursor.fetchall()]
    stop = threading.Event()
    written = {"count": 0}

    def write() -> None:
        from django.db import connection as own  # a connection of this thread

        rng = random.Random(seed)
        with own.cursor() as cursor:
            while not stop.wait(1 / per_second):
                cursor.execute("UPDATE training_attendance SET late = NOT late WHERE id = %s",
                               [rng.choice(attendance_ids)])
                written["count"] += 1
        own.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield written
    finally:
        stop.set()
        thread.join()


def targets(results: dict) -> list[dict]:
    return [{
        "target": f"{item['name']} as {item['user']}: p95 ≤ {TARGET_MS:.0f} ms (sequential)",
        "value": item["sequential"]["p95_ms"], "unit": "ms", "limit": TARGET_MS,
        "pass": item["sequential"]["p95_ms"] <= TARGET_MS,
    } for item in results.get("http", []) if item["kind"].removesuffix("-live") in ("calendar", "cascade", "coverage")]


def report(results: dict) -> str:
    m, s, d = results["machine"], results["settings"], results["data"]
    lines = [
        f"## Training benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, PostgreSQL {results.get('postgresql')}. "
        f"Server: gunicorn, {s['web_concurrency']} sync workers. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Data: {d['commissions']:,} commissions, {d['people']:,} people; {d['events']:,} events "
        f"({d['events_below_national_tot']:,} below the national training of trainers, "
        f"{d['events_in_calendar_month']:,} in {s['month']}), {d['sessions']:,} sessions, "
        f"{d['enrolments']:,} enrolments, {d['attendance']:,} attendance rows, "
        f"{d['coverage_targets_2025']} coverage targets for {YEAR}.",
        "",
    ]
    if d.get("generated"):
        g = d["generated"]
        lines += [f"Generated in {g['seconds']} s: {g['events']:,} events {g['events_per_level']}, "
                  f"{g['sessions']:,} sessions, {g['enrolments']:,} enrolments, {g['attendance']:,} attendance rows.", ""]
    if results.get("http"):
        lines += http_table(results["http"], s)
    lines += ["| target | value | pass |", "|---|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['value']} {target['unit']} | {'yes' if target['pass'] else 'NO'} |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per run (default 200)")
    parser.add_argument("--threads", type=int, default=4, help="threads of the concurrent run (default 4)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per scenario (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of the server (default 2)")
    parser.add_argument("--size", choices=["small", "national"], default="national")
    parser.add_argument("--events", type=int, default=2000, help="extra events (default 2000)")
    parser.add_argument("--enrolments", type=int, default=200_000, help="extra enrolments (default 200000)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    parser.add_argument("--month", default="2025-03", help="month of the calendar page (default 2025-03)")
    parser.add_argument("--region", default="KZ-19", help="region of the coordinator's coverage (default KZ-19)")
    parser.add_argument("--skip-http", action="store_true", help="do not start the server or time requests")
    parser.add_argument("--only", help="time only these kinds of request (and the floor), comma-separated: "
                                       "calendar, cascade, coverage, list")
    parser.add_argument("--writes-per-second", type=float, default=20,
                        help="check-ins rewritten per second during the second run of the cascade and coverage "
                             "(default 20; 0: no second run)")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "training.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
