#!/usr/bin/env python3
"""Benchmark of certificates on PostgreSQL: bulk issuance of 10,000 and public verification by number
(``make bench``).

    .venv/bin/python bench/certificates.py [--certificates 10000] [--requests 500] [--threads 4] [--workers 2]

What it does, from nothing (docs/benchmarks.md, section "Certificates", explains the figures):

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing database instead), migrates and loads ``manage.py demo --size national``;
   the signing key, the trimmed fonts and the PDFs go to a temporary directory (``CERTIFICATE_KEYS_DIR``,
   ``CERTIFICATE_FONT_CACHE``, ``MEDIA_ROOT``), removed at the end whatever happens;
2. adds one held event of the CEC with one session, enrols ``--certificates`` people of the registry (a seeded
   sample, source "list") with ``bulk_create``, marks each present, sets the event's award (attendance ≥ 75 %)
   with ``services.award_set`` and creates a key with ``keys.generate``; VACUUM ANALYZE;
3. times **bulk issuance** end to end: ``tasks.run_job`` on a new ``IssuanceJob`` — what the worker runs for
   "issue to everyone" (the rule for the whole award, then chunks of 250: numbers, snapshot, signed credential,
   PDFs rendered in ``CERTIFICATE_RENDER_PROCESSES`` forked processes, files, one ``bulk_create``, audit). The
   split comes from timing the service's own steps in this process (the bench wraps ``services._sign_and_render``
   and ``_render_all``, ``credential.build`` and ``sign``, ``content.facts``, ``sheet``, ``snapshot`` and
   ``programme_hours`` and ``QuerySet.bulk_create`` with a clock; each is called as before), from the SQL statements
   it sends and from the CPU time of this process and of the reaped render processes; then, serially, 200 renders
   of one certificate's sheet, 200 credentials built and signed and 200 sheets built. Checks afterwards: as many
   certificates as people, numbers and status-list positions unique, one PDF file each (their average size), one
   PDF's digest and embedded credential;
4. starts the production server (``scripts/serve``, WEB_CONCURRENCY=2, ``CERTIFICATE_VERIFY_RATE`` raised so
   that the per-address limit does not answer 429) and times **verification by number**: ``GET /verify/<number>/``
   (the public page, the QR code's target) and ``GET /api/v1/certificates/<number>/verify`` (JSON; skipped, and
   said so, when the server answers 404 for a number it issued), each over the same ``--requests`` numbers (90 %
   issued ones drawn at random, 10 % well-formed numbers never issued, shuffled; seeded) after ``--warmup``
   requests: sequentially, then spread over ``--threads`` threads. ``GET /api/v1/me`` is the floor; the SQL
   statements of one check, counted in this process through the test client;
5. prints a markdown table and writes the figures to ``var/bench/certificates.json``.

The targets (issue 6): 10,000 certificates (PDF + signed credential) in ≤ 100 s, i.e. ≥ 100 per second; the
verification page by number p95 ≤ 20 ms (sequential requests). Exit status 0 when every request succeeded
(``--strict``: also every target met).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    RequestFailed,
    Server,
    api_token,
    bench_env,
    fetch,
    fmt_ms,
    free_port,
    http_table,
    log,
    machine,
    manage,
    now_iso,
    postgres_version,
    prepare_database,
    run_concurrent,
    run_in_threads,
    run_on_postgres,
    run_sequential,
    setup_django,
    summarise,
    vacuum_analyze,
    write_report,
)

ISSUE_TARGET_SECONDS = 100.0  # for 10,000 certificates
RATE_TARGET = 100.0  # certificates per second
VERIFY_TARGET_MS = 20.0
MIN_ATTENDANCE = 75
UNKNOWN_SHARE = 0.1
SERIAL_SAMPLES = 200
# Marks the generated event (and tells a second run on the same database that it is there).
MARK_KK = "Бенчмарк: сертификаттар (bench/certificates.py)"
MARK_RU = "Бенчмарк: сертификаты (bench/certificates.py)"
CHECK_IN_CODE = "BCERT001"


# --- The data --------------------------------------------------------------------------------------------------


def generate(*, people: int, seed: int) -> dict:
    """One held event of the CEC, one session, ``people`` enrolments and check-ins (one transaction)."""
    from django.db import transaction
    from django.utils import timezone

    from saylau.commissions.models import Commission, Level, Person
    from saylau.training.models import (
        Attendance,
        Enrolment,
        EnrolmentSource,
        EnrolmentStatus,
        Event,
        EventStatus,
        Kind,
        Session,
        TrainingLevel,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    cec = Commission.objects.get(level=Level.CEC)
    everyone = sorted(Person.objects.values_list("pk", flat=True))
    if len(everyone) < people:
        raise SystemExit(f"the registry has {len(everyone):,} people, fewer than {people:,}")
    chosen = sorted(rng.sample(everyone, people))
    day = timezone.localdate() - datetime.timedelta(days=7)
    with transaction.atomic():
        event = Event.objects.create(
            title_kk="Сайлау комиссиялары мүшелерін республикалық оқыту", title_ru=(
                "Республиканское обучение членов избирательных комиссий"),
            description_kk=MARK_KK, description_ru=MARK_RU, kind=Kind.TRAINING, level=TrainingLevel.REPUBLICAN,
            starts_on=day, ends_on=day, organiser=cec, languages=["kk", "ru"], status=EventStatus.HELD)
        session = Session.objects.create(event=event, day=day, starts_at=datetime.time(10),
                                         ends_at=datetime.time(16), title_kk="Модуль 1", title_ru="Модуль 1",
                                         check_in_code=CHECK_IN_CODE)
        Enrolment.objects.bulk_create([
            Enrolment(event=event, person_id=pk, status=EnrolmentStatus.ENROLLED, source=EnrolmentSource.LIST)
            for pk in chosen], batch_size=5000)
        begins = timezone.make_aware(datetime.datetime.combine(day, session.starts_at))
        Attendance.objects.bulk_create([
            Attendance(session=session, person_id=pk, method=Attendance.Method.ROSTER,
                       checked_in_at=begins - datetime.timedelta(minutes=5)) for pk in chosen], batch_size=5000)
    return {"seconds": round(time.perf_counter() - started, 1), "event_id": event.pk, "people": len(chosen)}


def bench_event():
    from saylau.training.models import Event

    return Event.objects.filter(description_kk=MARK_KK).first()


def admin_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


# --- Bulk issuance ---------------------------------------------------------------------------------------------


class StepClock:
    """Wall time spent inside some functions of the issuing code, summed over calls (instrumentation only: each
    wrapped function is called as before)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1
        return timed

    @contextlib.contextmanager
    def patched(self, targets: list[tuple[object, str, str]]):
        """``targets``: (module, attribute, step name)."""
        originals = [(module, attribute, getattr(module, attribute)) for module, attribute, _name in targets]
        try:
            for (module, attribute, name), (_m, _a, original) in zip(targets, originals, strict=True):
                setattr(module, attribute, self.wrap(name, original))
            yield self
        finally:
            for module, attribute, original in originals:
                setattr(module, attribute, original)


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its reaped children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def issue_all(award, admin) -> dict:
    """``tasks.run_job`` on a new job for the award, timed, with the split of its time."""
    from django.conf import settings
    from django.db import connection
    from django.db.models.query import QuerySet

    from saylau.certificates import content, credential, services, tasks
    from saylau.certificates.models import IssuanceJob, JobStatus

    job = IssuanceJob.objects.create(award=award, created_by=admin)
    # As the worker reads it (tasks.run_issuance_job).
    job = IssuanceJob.objects.select_related("award__event", "award__exam", "award__issuer", "created_by").get(
        pk=job.pk)
    clock = StepClock()
    targets = [(services, "_sign_and_render", "sign_and_render"), (services, "_render_all", "render"),
               (credential, "sign", "sign"), (credential, "build", "build"), (content, "facts", "facts"),
               (content, "sheet", "sheet"), (content, "snapshot", "snapshot"),
               (content, "programme_hours", "programme_hours"), (QuerySet, "bulk_create", "bulk_create")]
    queries = [0]

    def count_queries(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    cpu_self, cpu_children = cpu_seconds()
    load = round(os.getloadavg()[0], 2)
    log(f"issuing to {job.award.event.enrolments.count():,} people: tasks.run_job "
        f"(CERTIFICATE_RENDER_PROCESSES={settings.CERTIFICATE_RENDER_PROCESSES}, load average {load})")
    with clock.patched(targets), connection.execute_wrapper(count_queries):
        started = time.perf_counter()
        tasks.run_job(job)
        total = time.perf_counter() - started
    cpu_self_after, cpu_children_after = cpu_seconds()
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise SystemExit(f"the job ended {job.status}: {job.error}")
    seconds = clock.seconds
    sign_and_render = seconds.get("sign_and_render", 0.0)
    render = seconds.get("render", 0.0)
    sign = seconds.get("sign", 0.0)
    payloads = seconds.get("facts", 0.0) + seconds.get("build", 0.0)
    sheets = seconds.get("sheet", 0.0)
    snapshots = seconds.get("snapshot", 0.0)
    inserts = seconds.get("bulk_create", 0.0)
    result = {
        "seconds": round(total, 1),
        "issued": job.done,
        "per_second": round(job.done / total, 1),
        "render_processes": settings.CERTIFICATE_RENDER_PROCESSES,
        "chunks": clock.calls.get("render", 0),
        "loadavg_1min": load,
        "split_seconds": {
            "render_pdfs": round(render, 1),  # wall time in _render_all (the process pool, start-up included)
            "credential_payloads": round(payloads, 1),  # content.facts + credential.build, in this process
            "sign_credentials": round(sign, 1),  # credential.sign (JWT, Ed25519), in this process
            "build_sheets": round(sheets, 1),  # content.sheet: the PDF's texts in both languages
            # The rest of _sign_and_render: writing the files (exists, save) and their digests.
            "files_digests": round(sign_and_render - render - sign - payloads - sheets, 1),
            # content.snapshot: what each certificate states; it includes content.programme_hours, one query each.
            "snapshots": round(snapshots, 1),
            "snapshots_programme_hours": round(seconds.get("programme_hours", 0.0), 1),
            "bulk_inserts": round(inserts, 1),  # the certificates and their audit entries
            # The rest of run_job: the rule, the holders, the people, the numbers, the job's progress.
            "rule_numbers_other": round(total - sign_and_render - snapshots - inserts, 1),
        },
        "calls": dict(clock.calls),
        "cpu_seconds": {"this_process": round(cpu_self_after - cpu_self, 1),
                        "render_processes": round(cpu_children_after - cpu_children, 1)},
        "queries": queries[0],
        "loadavg_1min_at_end": round(os.getloadavg()[0], 2),
    }
    log(f"  {result}")
    return result


def check_issued(award, people: int, media_root: Path) -> dict:
    """What must hold after the job: one certificate per person, unique numbers and positions, one PDF each."""
    from django.db.models import Count

    from saylau.certificates import credential, pdf
    from saylau.certificates.models import Certificate

    issued = Certificate.objects.filter(award=award)
    count = issued.count()
    numbers = issued.values("number").distinct().count()
    positions = issued.values("status_index").distinct().count()
    people_holding = issued.values("person").distinct().count()
    duplicates = issued.values("number").annotate(n=Count("pk")).filter(n__gt=1).count()
    sizes = [(media_root / name).stat().st_size for name in issued.values_list("pdf", flat=True)
             if name and (media_root / name).is_file()]
    first = issued.order_by("number").first()
    data = (media_root / first.pdf.name).read_bytes()
    embedded = pdf.embedded_credential(data)
    payload = credential.verify(embedded) if embedded else {}
    checks = {
        "certificates": count, "all_certificates": Certificate.objects.count(), "distinct_numbers": numbers,
        "distinct_status_positions": positions, "distinct_holders": people_holding, "duplicate_numbers": duplicates,
        "pdf_files": len(sizes), "all_pdf_files": sum(1 for _entry in _files(media_root / "certificates")),
        "pdf_mean_kb": round(sum(sizes) / len(sizes) / 1000, 1) if sizes else None,
        "pdf_total_mb": round(sum(sizes) / 1e6, 1),
        "first_number": first.number, "last_number": issued.order_by("-number").first().number,
        "sample_digest_matches": hashlib.sha256(data).hexdigest() == first.pdf_sha256,
        "sample_credential_embedded_and_verifies": embedded == first.credential
        and payload.get("certificateNumber") == first.number,
    }
    checks["ok"] = (count == people == numbers == positions == people_holding == len(sizes)
                    and duplicates == 0 and checks["sample_digest_matches"]
                    and checks["sample_credential_embedded_and_verifies"])
    return checks


def _files(directory: Path):
    if not directory.is_dir():
        return
    for entry in os.scandir(directory):
        if entry.is_dir():
            yield from _files(Path(entry.path))
        elif entry.is_file():
            yield entry


def serial_steps(award, samples: int) -> dict:
    """Per certificate, one process, no pool: render one sheet, build and sign one credential, build one sheet."""
    from saylau.certificates import content, credential, fonts, keys, pdf
    from saylau.certificates.models import Certificate

    certificate = Certificate.objects.select_related("award__event", "award__exam", "issuer", "person").filter(
        award=award).order_by("number").first()
    design = content.design_for(award.issuer)
    sex = certificate.person.sex
    fonts_dir = fonts.prepared_fonts_dir()
    signing_key = keys.active_key()
    sheet = content.sheet(certificate, sex=sex, design=design)
    pdf.render(sheet, fonts_dir)  # fonts registered, caches warm

    def per_call(function) -> float:
        started = time.perf_counter()
        for _ in range(samples):
            function()
        return (time.perf_counter() - started) / samples * 1000

    cpu_started = time.process_time()
    render_ms = per_call(lambda: pdf.render(sheet, fonts_dir))
    render_cpu_ms = (time.process_time() - cpu_started) / samples * 1000
    criteria_texts = (content.criteria(award, "kk"), content.criteria(award, "ru"))
    sign_ms = per_call(lambda: credential.sign(credential.build(content.facts(certificate, criteria_texts)),
                                               signing_key))
    sheet_ms = per_call(lambda: content.sheet(certificate, sex=sex, design=design))
    return {"samples": samples, "render_ms": round(render_ms, 2), "render_cpu_ms": round(render_cpu_ms, 2),
            "build_and_sign_ms": round(sign_ms, 2),
            "sheet_ms": round(sheet_ms, 2), "pdf_bytes": len(pdf.render(sheet, fonts_dir)),
            "credential_bytes": len(certificate.credential)}


# --- Verification over HTTP -------------------------------------------------------------------------------------


def verify_paths(numbers: list[str], *, requests: int, year: int, seed: int) -> list[tuple[str, bool]]:
    """(number, issued?) × ``requests``: issued numbers drawn at random, a tenth well-formed numbers never issued."""
    from saylau.certificates.services import format_number

    rng = random.Random(seed)
    unknown = max(1, round(requests * UNKNOWN_SHARE))
    picks = [(rng.choice(numbers), True) for _ in range(requests - unknown)]
    picks += [(format_number(year, rng.randint(900_000, 999_999)), False) for _ in range(unknown)]
    rng.shuffle(picks)
    return picks


def _verdict(body: bytes, kind: str) -> str | None:
    if kind == "api":
        try:
            return json.loads(body).get("status")
        except (ValueError, AttributeError):
            return None
    text = body.decode("utf-8", "replace")
    for status in ("valid", "revoked", "unknown", "tampered"):
        if f"verdict-{status}" in text:
            return status
    return None


def _timed_check(base: str, path: str, issued: bool, kind: str) -> float:
    started = time.perf_counter()
    status, body = fetch(base + path, {})
    elapsed = time.perf_counter() - started
    expected = "valid" if issued else "unknown"
    verdict = _verdict(body, kind)
    if status != 200 or verdict != expected:
        raise RequestFailed(f"GET {path} → {status}, {verdict!r} (expected {expected}): {body[:300]!r}")
    return elapsed


def run_mix(base: str, template: str, picks: list[tuple[str, bool]], kind: str, threads: int) -> tuple[dict, ...]:
    """The picks in order, from ``threads`` threads (1: sequential); the summary of all, of issued numbers and of
    unknown ones."""
    shares = [picks[i::threads] for i in range(threads)]
    results, wall = run_in_threads(
        shares, lambda pick: (pick[1], _timed_check(base, template.format(number=pick[0]), pick[1], kind)))
    summaries = []
    for subset in ([t for _i, t in results], [t for i, t in results if i], [t for i, t in results if not i]):
        summary = summarise(subset, wall) if subset else None
        if summary and threads > 1:
            summary["threads"] = threads
        summaries.append(summary)
    return tuple(summaries)


def measure_verification(base: str, picks: list[tuple[str, bool]], warmup: list[tuple[str, bool]], *,
                         threads: int, floor_headers: dict[str, str], api: bool) -> list[dict]:
    """Rows in the shape ``common.http_table`` prints: the floor, then each way of verifying (all requests, issued
    numbers, unknown numbers)."""
    n = len(picks)
    rows = []
    load = round(os.getloadavg()[0], 2)
    log(f"floor: GET /api/v1/me, {n} sequential, {n} over {threads} threads (load average {load})")
    for _ in range(len(warmup)):
        fetch(base + "/api/v1/me", floor_headers)
    sequential = run_sequential(base + "/api/v1/me", floor_headers, n)
    concurrent = run_concurrent(base + "/api/v1/me", floor_headers, n, threads)
    log(f"  p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms")
    rows.append({"name": "API /me (floor: token check, 1 query)", "user": "admin", "kind": "floor",
                 "loadavg_1min": load, "sequential": sequential, "concurrent": concurrent})
    ways = [("page", "Page /verify/<number>/", "/verify/{number}/")]
    if api:
        ways.append(("api", "API certificates/<number>/verify", "/api/v1/certificates/{number}/verify"))
    for kind, name, template in ways:
        run_mix(base, template, warmup, kind, 1)
        load = round(os.getloadavg()[0], 2)
        log(f"{name}: {n} sequential (load average {load})")
        seq = run_mix(base, template, picks, kind, 1)
        log(f"  p50 {seq[0]['p50_ms']} ms, p95 {seq[0]['p95_ms']} ms; {n} over {threads} threads")
        conc = run_mix(base, template, picks, kind, threads)
        log(f"  p50 {conc[0]['p50_ms']} ms, p95 {conc[0]['p95_ms']} ms, {conc[0]['rps']} req/s")
        for label, index in (("all", 0), ("issued numbers", 1), ("unknown numbers", 2)):
            rows.append({"name": f"{name}, {label} ({seq[index]['n']})", "user": "anonymous", "kind": kind,
                         "subset": label, "loadavg_1min": load, "sequential": seq[index],
                         "concurrent": conc[index]})
    floor = rows[0]["sequential"]["p50_ms"]
    for row in rows:
        row["sequential"]["p50_over_floor"] = round(row["sequential"]["p50_ms"] / floor, 1) if floor else None
    return rows


def statements_per_check(number: str) -> dict:
    """SQL statements of one check by number, in this process through Django's test client (page, API)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    found = {}
    for kind, path in (("page", f"/verify/{number}/"), ("api", f"/api/v1/certificates/{number}/verify")):
        client.get(path)  # the first request of a process reads more (content types, translations)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        found[kind] = {"status": status, "statements": len(captured.captured_queries),
                       "sql": [query["sql"][:120] for query in captured.captured_queries]}
    return found


def api_available(base: str, number: str) -> tuple[bool, str]:
    status, body = fetch(f"{base}/api/v1/certificates/{number}/verify", {})
    if status == 200 and _verdict(body, "api") == "valid":
        return True, "200"
    return False, f"{status}: {body[:200]!r}"


# --- The run ---------------------------------------------------------------------------------------------------


def main_inner(args: argparse.Namespace) -> int:
    results: dict = {
        "date": now_iso(),
        "machine": machine(),
        "settings": {"certificates": args.certificates, "requests": args.requests, "threads": args.threads,
                     "warmup": args.warmup, "web_concurrency": args.workers, "seed": args.seed,
                     "size": args.size, "unknown_share": UNKNOWN_SHARE, "serial_samples": args.serial_samples},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-certificates-"))
    media_root = workdir / "media"
    env = bench_env(workdir, args.database_url)
    env.update({
        "MEDIA_ROOT": str(media_root),
        "CERTIFICATE_KEYS_DIR": str(workdir / "keys"),
        "CERTIFICATE_FONT_CACHE": str(workdir / "fonts"),
        # The page and the API allow 60 checks a minute per address; every request here comes from 127.0.0.1.
        "CERTIFICATE_VERIFY_RATE": "1000000",
    })
    if args.processes:
        env["CERTIFICATE_RENDER_PROCESSES"] = str(args.processes)
    server = None
    try:
        prepare_database(env)
        setup_django(env)
        from django import get_version
        from django.db import connection
        from django.utils import timezone

        from saylau.certificates import fonts, keys, services
        from saylau.certificates.models import Award, Certificate
        from saylau.commissions.demo import demo_loaded

        results["postgresql"] = postgres_version()
        results["machine"]["django"] = get_version()
        import reportlab

        results["machine"]["reportlab"] = reportlab.Version
        data: dict = {}
        if demo_loaded():
            log("demo data already loaded: the load is not timed")
            data["demo_seconds"] = None
        else:
            log(f"demo --size {args.size}")
            data["demo_seconds"] = round(manage(env, "demo", "--size", args.size)[0], 1)
            log(f"  {data['demo_seconds']} s")
        connection.close()
        if bench_event() is not None:
            raise SystemExit("the bench's event is already in this database: use a fresh one")
        log(f"generating an event with {args.certificates:,} people enrolled and present (seed {args.seed})")
        data["generated"] = generate(people=args.certificates, seed=args.seed)
        log(f"  {data['generated']}")
        event = bench_event()
        admin = admin_user()
        award = services.award_set(by=admin, event=event, min_attendance_percent=MIN_ATTENDANCE, automatic=False)
        kid, _created = keys.generate()
        started = time.perf_counter()
        fonts.prepared_fonts_dir()
        data["fonts_trim_seconds"] = round(time.perf_counter() - started, 2)
        data.update(award_id=award.pk, key_id=kid)
        vacuum_analyze()
        results["data"] = data

        award = Award.objects.select_related("event", "exam", "issuer").get(pk=award.pk)
        results["issuance"] = issue_all(award, admin)
        log("checking what was issued")
        results["checks"] = check_issued(award, args.certificates, media_root)
        log(f"  {results['checks']}")
        if not results["checks"]["ok"]:
            raise SystemExit(f"the issued certificates are not as they must be: {results['checks']}")
        log(f"serial steps: {args.serial_samples} renders, credentials and sheets")
        results["serial"] = serial_steps(award, args.serial_samples)
        log(f"  {results['serial']}")
        shutil.rmtree(media_root, ignore_errors=True)  # ~0.5 GB; the verification does not read the files
        vacuum_analyze()
        numbers = list(Certificate.objects.filter(award=award).values_list("number", flat=True))
        year = timezone.localdate().year
        results["statements_per_check"] = statements_per_check(numbers[0])
        log("SQL statements per check by number: " + ", ".join(
            f"{kind} {found['statements']} (HTTP {found['status']})"
            for kind, found in results["statements_per_check"].items()))
        connection.close()

        http_results = []
        if not args.skip_http:
            picks = verify_paths(numbers, requests=args.requests, year=year, seed=args.seed)
            warmup = verify_paths(numbers, requests=args.warmup, year=year, seed=args.seed + 1)
            server = Server(env, free_port(), args.workers, workdir / "server.log")
            log(f"starting the server on {server.base} (WEB_CONCURRENCY={args.workers})")
            server.start()
            api, answer = api_available(server.base, numbers[0])
            results["api_verify"] = {"available": api, "probe": answer}
            if not api:
                log(f"GET /api/v1/certificates/<number>/verify answered {answer}: measuring the page only")
            http_results = measure_verification(
                server.base, picks, warmup, threads=args.threads, api=api,
                floor_headers={"Authorization": f"Bearer {api_token(server.base, 'admin')}"})
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
        shutil.rmtree(media_root, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    return write_report(results, args.output, report(results), strict=args.strict)


def targets(results: dict) -> list[dict]:
    issuance, n = results["issuance"], results["settings"]["certificates"]
    found = [
        {"target": f"{n:,} certificates (PDF + signed credential) ≤ {ISSUE_TARGET_SECONDS * n / 10_000:.0f} s",
         "value": issuance["seconds"], "unit": "s", "limit": ISSUE_TARGET_SECONDS * n / 10_000,
         "pass": issuance["seconds"] <= ISSUE_TARGET_SECONDS * n / 10_000},
        {"target": f"issuance ≥ {RATE_TARGET:.0f} certificates/s", "value": issuance["per_second"], "unit": "/s",
         "limit": RATE_TARGET, "pass": issuance["per_second"] >= RATE_TARGET},
    ]
    for row in results.get("http", []):
        if row["kind"] in ("page", "api") and row["subset"] == "all":
            found.append({"target": f"{row['name']}: p95 ≤ {VERIFY_TARGET_MS:.0f} ms (sequential)",
                          "value": row["sequential"]["p95_ms"], "unit": "ms", "limit": VERIFY_TARGET_MS,
                          "pass": row["sequential"]["p95_ms"] <= VERIFY_TARGET_MS})
    return found


def report(results: dict) -> str:
    m, s, d = results["machine"], results["settings"], results["data"]
    issuance, checks, serial = results["issuance"], results["checks"], results["serial"]
    split = issuance["split_seconds"]
    lines = [
        f"## Certificates benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, ReportLab {m.get('reportlab')}, "
        f"PostgreSQL {results.get('postgresql')}. Server: gunicorn, {s['web_concurrency']} sync workers. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Data: the national demo, one held event of the CEC with one session, {d['generated']['people']:,} people "
        f"enrolled and present (seed {s['seed']}); award: attendance ≥ {MIN_ATTENDANCE} %, PDF in Kazakh and "
        f"Russian.",
        "",
        "| bulk issuance (tasks.run_job) | figure |",
        "|---|--:|",
        f"| certificates issued | {issuance['issued']:,} |",
        f"| wall time | {issuance['seconds']} s |",
        f"| certificates per second | {issuance['per_second']} |",
        f"| render processes × chunks | {issuance['render_processes']} × {issuance['chunks']} |",
        f"| of which: rendering PDFs (process pool, wall) | {split['render_pdfs']} s |",
        f"| of which: credential payloads (content.facts, credential.build) | {split['credential_payloads']} s |",
        f"| of which: signing credentials (credential.sign) | {split['sign_credentials']} s |",
        f"| of which: the PDFs' texts (content.sheet) | {split['build_sheets']} s |",
        f"| of which: writing files, digests | {split['files_digests']} s |",
        f"| of which: snapshots (content.snapshot; its programme_hours query: "
        f"{split['snapshots_programme_hours']} s) | {split['snapshots']} s |",
        f"| of which: bulk inserts (certificates, audit entries) | {split['bulk_inserts']} s |",
        f"| of which: the rule, holders, people, numbers, progress | {split['rule_numbers_other']} s |",
        f"| SQL statements from this process | {issuance['queries']:,} |",
        f"| CPU: this process / render processes | {issuance['cpu_seconds']['this_process']} s / "
        f"{issuance['cpu_seconds']['render_processes']} s |",
        f"| PDF: mean size, total | {checks['pdf_mean_kb']} kB, {checks['pdf_total_mb']} MB |",
        f"| serial, per certificate: render (CPU) / build + sign credential / build sheet "
        f"| {fmt_ms(serial['render_ms'])} ({fmt_ms(serial['render_cpu_ms'])}) / {fmt_ms(serial['build_and_sign_ms'])} "
        f"/ {fmt_ms(serial['sheet_ms'])} ms |",
        f"| load average (1 min) when issuing started, ended | {issuance['loadavg_1min']}, "
        f"{issuance['loadavg_1min_at_end']} |",
        "",
        f"Checks: {checks['certificates']:,} certificates, {checks['distinct_numbers']:,} distinct numbers "
        f"({checks['first_number']} … {checks['last_number']}), {checks['distinct_status_positions']:,} distinct "
        f"status-list positions, {checks['pdf_files']:,} PDF files; a sample PDF's digest and embedded credential "
        f"{'check out' if checks['ok'] else 'DO NOT check out'}.",
        "",
    ]
    if results.get("http"):
        api = results.get("api_verify", {})
        if not api.get("available"):
            lines += [f"The API's verification by number was not measured: it answered {api.get('probe')}.", ""]
        lines += http_table(results["http"], s)
        per_check = results.get("statements_per_check", {})
        if per_check:
            lines += ["SQL statements per check by number (throttle, look-up, log): " + ", ".join(
                f"{kind} {found['statements']}" for kind, found in per_check.items()) + ".", ""]
    lines += ["| target | value | pass |", "|---|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['value']} {target['unit']} | {'yes' if target['pass'] else 'NO'} |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=10_000, help="people to issue to (default 10000)")
    parser.add_argument("--processes", type=int, default=0,
                        help="CERTIFICATE_RENDER_PROCESSES (default: the setting, i.e. one per core)")
    parser.add_argument("--requests", type=int, default=500, help="verification requests per run (default 500)")
    parser.add_argument("--threads", type=int, default=4, help="threads of the concurrent run (default 4)")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests per way of verifying (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of the server (default 2)")
    parser.add_argument("--serial-samples", type=int, default=SERIAL_SAMPLES,
                        help=f"serial renders, credentials and sheets timed (default {SERIAL_SAMPLES})")
    parser.add_argument("--size", choices=["small", "national"], default="national")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data and the numbers asked")
    parser.add_argument("--skip-http", action="store_true", help="do not start the server or time requests")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "certificates.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log, key; not the PDFs)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.certificates < 1 or args.requests < 10:
        parser.error("--certificates must be at least 1 and --requests at least 10")
    return args


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
