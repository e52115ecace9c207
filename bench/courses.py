#!/usr/bin/env python3
"""Benchmark of distance learning on PostgreSQL at national scale: a course with 70,000 learners and a library of
5,000 materials.

    .venv/bin/python bench/courses.py [--learners 70000] [--materials 5000] [--requests 200] [--threads 4]

What it does, from nothing (docs/benchmarks.md, section "Distance learning", explains the figures):

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing database instead), migrates and loads ``manage.py demo --size national``.
   The demo's own distance-learning part is kept out of it: before the demo runs, the bench creates an empty draft
   course, so that ``CoursesDemo.build`` finds a course and adds nothing (its cohort of 120 learners who take real
   tests one at a time would only add a minute and a second course to the measurements). That course is then
   removed and ``CoursesDemo.build_course`` builds the demo's library articles and its published course (five
   modules of two articles and a quiz, a final test: 16 lessons, sequential);
2. adds, with ``bulk_create`` and a seeded ``random.Random`` (the same data every run): a cohort of ``--learners``
   precinct commission members (a sample of the current memberships, the demo ``participant`` always among them),
   enrolled 20 days ago with a deadline in 25 days, each with the commission and region of their membership (as
   ``services._enrol`` sets them) and the progress the demo gives its learners (25 % not started, 45 % part of the
   way, 30 % completed with the final test passed): status, lessons done, percent, time spent, final result, last
   lesson and activity, completion, and the day from which they are behind (``progress.behind_from``), with a
   ``LessonProgress`` row for every lesson done (no test attempts behind the test lessons); the participant is
   part of the way (7 of 16 lessons). Then ``--materials`` library materials, each with one version, whose titles,
   descriptions and texts are sentences of the demo's articles (``saylau/courses/demo_content/articles``, Kazakh
   and Russian) recombined: articles (both languages or one), documents (the text as if read out of the file) and
   videos (a link and a description); mostly published, a few drafts and retired ones; their search columns filled
   by ``services._reindex`` (the stems the GIN index of migration courses 0002 is built on). Then VACUUM ANALYZE;
3. counts, in this process through Django's test client, the SQL statements of one request of each measured page
   (with their total time, the slowest one and its EXPLAIN ANALYZE, in the JSON);
4. starts the production server (``scripts/serve``, WEB_CONCURRENCY=2), waits until its worker has run the jobs
   the scheduler enqueues at start (the daily learner reminders: for a fresh cohort, a mail to every learner behind
   the pace, which would otherwise compete for the CPU with the requests; how many and how long is reported), logs
   the demo accounts in, and measures each scenario with N sequential requests, then N requests over T threads
   (p50/p95/p99, requests/s): the coordinator's progress page (their region, Almaty Region: counts by commission
   and the first 50 learners), the participant's course page, and the library searched in Kazakh and Russian
   (inflected forms), the page and the API, each request taking the next query of a shuffled mix (figures per
   query too); the first scenario, GET /api/v1/me, is the floor the others are divided by (the machine may be
   shared);
5. prints a markdown table and writes the figures to ``var/bench/courses.json``.

The targets (issue 7): with 70,000 learners in one course, the coordinator's progress page and the learner's course
page each p95 ≤ 150 ms; the library's search over 5,000 materials (page and API) p95 ≤ 100 ms (sequential
requests). Exit status 0 when every request succeeded (``--strict``: also every target met).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
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

PAGE_TARGET_MS = 150.0  # the progress page and the course page
SEARCH_TARGET_MS = 100.0  # the library's search, page and API
# Marks what the bench adds (and tells a second run on the same database that it is there).
PLACEHOLDER_KK = "Бенчмарк: бос курс (bench/courses.py)"
PLACEHOLDER_RU = "Бенчмарк: пустой курс (bench/courses.py)"
COHORT_NAME = "Бенчмарк: 70 000 тыңдаушы / 70 000 слушателей (bench/courses.py)"
MATERIAL_NOTE = "Бенчмарк (bench/courses.py)"
PARTICIPANT_LESSONS_DONE = 7
# Kazakh and Russian queries, inflected as people type them (the search stems them).
QUERIES = [
    "сайлаушылар тізімі", "избирательных комиссий", "дауыс беру", "наблюдатели", "хаттама", "подсчёт голосов",
    "учаскелік комиссияның", "бюллетеней", "бюллетеньдерді", "итоги голосования",
]
ARTICLES = ROOT / "saylau" / "courses" / "demo_content" / "articles"
# Materials: kind, languages and status, by share.
KINDS = (("article", 0.7), ("document", 0.2), ("video", 0.1))
LANGUAGES = ((("kk", "ru"), 0.6), (("kk",), 0.25), (("ru",), 0.15))
STATUSES = (("published", 0.94), ("draft", 0.03), ("retired", 0.03))


def _pick(rng: random.Random, choices):
    draw, total = rng.random(), 0.0
    for value, share in choices:
        total += share
        if draw < total:
            return value
    return choices[-1][0]


# --- The course ------------------------------------------------------------------------------------------------


def add_placeholder() -> None:
    """An empty draft course, so that the demo's ``CoursesDemo.build`` adds nothing (it returns when a course
    exists)."""
    from saylau.commissions.models import Commission
    from saylau.courses.models import Course, CourseStatus

    Course.objects.get_or_create(title_kk=PLACEHOLDER_KK, defaults={
        "title_ru": PLACEHOLDER_RU, "commission": Commission.objects.get(code="CEC"), "status": CourseStatus.DRAFT})


def remove_placeholder() -> None:
    from saylau.courses.models import Course

    Course.objects.filter(title_kk=PLACEHOLDER_KK).delete()


def bench_course():
    """The course the bench enrolled its cohort in, if it did."""
    from saylau.courses.models import Cohort

    cohort = Cohort.objects.filter(name=COHORT_NAME).select_related("course").first()
    return cohort.course if cohort else None


def build_course(seed: int):
    """The demo's library articles and its published course, without learners."""
    from saylau.accounts.models import Role, User
    from saylau.commissions.models import Commission
    from saylau.courses.demo import CoursesDemo
    from saylau.courses.models import CourseEnrolment

    if CourseEnrolment.objects.exists():
        raise SystemExit("this database has course learners the bench did not enrol (the demo's?): use a fresh one")
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    cec = Commission.objects.get(code="CEC")
    course, materials = CoursesDemo(seed=seed).build_course(admin, cec)
    return course, len(materials)


def enrol(course, *, learners: int, seed: int) -> dict:
    """``learners`` precinct commission members enrolled in one cohort, with their progress and lesson rows (one
    transaction)."""
    from django.db import transaction
    from django.utils import timezone

    from saylau.accounts.models import User
    from saylau.commissions.models import Membership
    from saylau.courses import progress, services
    from saylau.courses.demo import DEADLINE_IN_DAYS, ENROLLED_DAYS_AGO, SHARES
    from saylau.courses.models import Cohort, CourseEnrolment, LearnerStatus, LessonKind, LessonProgress

    rng = random.Random(seed)
    started = time.perf_counter()
    lessons = services.ordered_lessons(course)
    n_lessons = len(lessons)
    seats: dict[int, tuple[int, int]] = {}
    for person_id, commission_id, region_id in (Membership.objects.current().filter(commission__level="precinct")
                                                .order_by("pk").values_list("person_id", "commission_id",
                                                                            "commission__region_id")):
        seats.setdefault(person_id, (commission_id, region_id))
    participant = User.objects.filter(username="participant").values_list("person_id", flat=True).first()
    pool = sorted(seats)
    if len(pool) < learners:
        log(f"  only {len(pool):,} precinct commission members: all of them enrolled")
        learners = len(pool)
    chosen = rng.sample(pool, learners)
    if participant in seats and participant not in chosen:
        chosen[0] = participant
    chosen.sort()

    now = timezone.now()
    enrolled_at = now - datetime.timedelta(days=ENROLLED_DAYS_AGO)
    start = timezone.localdate(enrolled_at)
    deadline = timezone.localdate() + datetime.timedelta(days=DEADLINE_IN_DAYS)
    counts = {"not_started": 0, "in_progress": 0, "completed": 0}
    lesson_rows = 0
    with transaction.atomic():
        cohort = Cohort.objects.create(course=course, name=COHORT_NAME, deadline=deadline,
                                       registry_filter={"level": ["precinct"]}, size=len(chosen))
        for offset in range(0, len(chosen), 5000):
            enrolments, done_rows = [], []
            for person_id in chosen[offset:offset + 5000]:
                commission_id, region_id = seats[person_id]
                draw = rng.random()
                if person_id == participant:
                    reach, completing = PARTICIPANT_LESSONS_DONE, False
                elif draw < SHARES[0]:
                    reach, completing = 0, False
                else:
                    completing = draw >= SHARES[0] + SHARES[1]
                    reach = n_lessons if completing else rng.randint(1, n_lessons - 2)
                rows, day = [], enrolled_at + datetime.timedelta(hours=rng.randint(2, 48))
                final_percent = None
                for lesson in lessons[:reach]:
                    day = min(day + datetime.timedelta(hours=rng.randint(3, 40)), now - datetime.timedelta(hours=1))
                    if lesson.kind == LessonKind.MATERIAL:
                        spent = int(lesson.minutes * 60 * rng.uniform(0.6, 1.4))
                        best = passed = None
                    else:
                        spent = 0
                        best = round(rng.uniform(70 if lesson.is_final else 40, 100), 2)
                        passed = best >= lesson.exam.pass_mark_percent
                        if lesson.is_final:
                            passed, final_percent = True, best
                    rows.append(LessonProgress(lesson=lesson, started_at=day, last_seen_at=day, completed_at=day,
                                               time_spent_seconds=spent, best_percent=best, passed=passed))
                percent = progress.percent(reach, n_lessons)
                status = (LearnerStatus.COMPLETED if completing else LearnerStatus.IN_PROGRESS if reach
                          else LearnerStatus.NOT_STARTED)
                counts[status.value] += 1
                enrolment = CourseEnrolment(
                    course=course, person_id=person_id, cohort=cohort, commission_id=commission_id,
                    region_id=region_id, deadline=deadline, enrolled_at=enrolled_at, status=status,
                    lessons_done=reach, percent=percent, time_spent_seconds=sum(r.time_spent_seconds for r in rows),
                    final_percent=final_percent,
                    last_lesson=lessons[reach - 1] if reach else None, last_activity_at=day if reach else None,
                    completed_at=day if completing else None,
                    behind_from=progress.behind_from(start, deadline, percent))
                enrolments.append(enrolment)
                done_rows.append(rows)
            CourseEnrolment.objects.bulk_create(enrolments, batch_size=5000)
            batch = []
            for enrolment, rows in zip(enrolments, done_rows, strict=True):
                for row in rows:
                    row.enrolment = enrolment
                    batch.append(row)
            LessonProgress.objects.bulk_create(batch, batch_size=5000)
            lesson_rows += len(batch)
    return {"seconds": round(time.perf_counter() - started, 1), "learners": len(chosen), **counts,
            "lesson_rows": lesson_rows, "lessons_in_course": n_lessons, "cohort_id": cohort.pk}


# --- The library -----------------------------------------------------------------------------------------------


def _articles() -> dict[str, dict[str, tuple[list[str], list[str]]]]:
    """Each demo article's sentences and section headings, by language: {slug: {language: (sentences, headings)}}."""
    found: dict[str, dict] = {}
    for path in sorted(ARTICLES.glob("*.md")):
        slug, language = path.name.removesuffix(".md").rsplit(".", 1)
        sentences, headings = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("#"):
                headings.append(line.lstrip("#").strip())
                continue
            line = re.sub(r"^([-*>]|\d+\.)\s+", "", line).replace("**", "")
            if line:
                sentences += [part.strip() for part in re.split(r"(?<=[.!?…])\s+", line) if len(part.split()) >= 4]
        found.setdefault(slug, {})[language] = (sentences, headings)
    return found


def _article_topics() -> dict[str, str]:
    spec = json.loads((ARTICLES.parent / "course.json").read_text(encoding="utf-8"))
    return {lesson["article"]: lesson["topic"] for module in spec["modules"] for lesson in module["lessons"]}


def _title(rng: random.Random, sentences: list[str], headings: list[str]) -> str:
    if rng.random() < 0.4:
        return rng.choice(headings)
    words = rng.choice(sentences).split()
    text = " ".join(words[:rng.randint(4, min(10, len(words)))]).rstrip(".,:;—–-!?… ")
    return (text[:1].upper() + text[1:])[:255]


def _text(rng: random.Random, sentences: list[str], headings: list[str], low: int, high: int) -> str:
    paragraphs, left = [], rng.randint(low, high)
    while left > 0:
        size = min(left, rng.randint(2, 5))
        if rng.random() < 0.3:
            paragraphs.append("## " + rng.choice(headings))
        paragraphs.append(" ".join(rng.choice(sentences) for _ in range(size)))
        left -= size
    return "\n\n".join(paragraphs)


def bench_materials() -> int:
    from saylau.courses.models import MaterialVersion

    return MaterialVersion.objects.filter(change_note=MATERIAL_NOTE).count()


def add_materials(*, count: int, seed: int) -> dict:
    """``count`` materials with one version each, texts recombined from the demo articles (one transaction)."""
    from django.db import transaction
    from django.utils import timezone

    from saylau.accounts.models import Role, User
    from saylau.assessment.models import Topic
    from saylau.courses import services
    from saylau.courses.models import Material, MaterialVersion
    from saylau.training.models import Audience

    rng = random.Random(seed + 1)
    started = time.perf_counter()
    articles = _articles()
    slugs = sorted(articles)
    article_topics = _article_topics()
    topics = {topic.code: topic for topic in Topic.objects.all()}
    audiences = list(Audience.objects.order_by("pk").values_list("pk", flat=True))
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    now = timezone.now()
    first_day = now - datetime.timedelta(days=4 * 365)
    materials, versions = [], []
    for _ in range(count):
        kind = _pick(rng, KINDS)
        languages = _pick(rng, LANGUAGES)
        created = first_day + datetime.timedelta(seconds=rng.randint(0, int((now - first_day).total_seconds())))
        # A material is about one subject: its text comes from one demo article, sometimes two.
        sources = rng.sample(slugs, 2 if rng.random() < 0.3 else 1)
        texts = {language: tuple(sum((articles[slug][language][i] for slug in sources), []) for i in (0, 1))
                 for language in ("kk", "ru")}
        material = Material(kind=kind, status=_pick(rng, STATUSES), has_kk="kk" in languages,
                            has_ru="ru" in languages, topic=topics.get(article_topics.get(sources[0], ""))
                            if rng.random() < 0.9 else None, created_by=admin)
        version = MaterialVersion(number=1, change_note=MATERIAL_NOTE, created_by=admin)
        for language in languages:
            sentences, headings = texts[language]
            setattr(material, f"title_{language}", _title(rng, sentences, headings))
            setattr(material, f"description_{language}", " ".join(rng.choice(sentences)
                                                                  for _ in range(rng.randint(1, 2))))
            if kind == "article":
                setattr(version, f"body_{language}", f"# {getattr(material, f'title_{language}')}\n\n"
                        + _text(rng, sentences, headings, 10, 40))
        if kind == "document":
            sentences, headings = texts[languages[0] if len(languages) == 1 else "ru"]
            version.extracted_text = _text(rng, sentences, headings, 20, 80)
            version.file_name, version.file_size = f"document-{len(materials) + 1}.pdf", rng.randint(50_000, 5_000_000)
            version.content_type = "application/pdf"
        elif kind == "video":
            version.external_url = f"https://video.example.kz/{len(materials) + 1}"
        material.created_at = created
        material.updated_at = min(created + datetime.timedelta(days=rng.randint(0, 400)), now)
        version.created_at = created
        materials.append(material)
        versions.append(version)
    with transaction.atomic():
        Material.objects.bulk_create(materials, batch_size=1000)
        for material, version in zip(materials, versions, strict=True):
            version.material = material
        MaterialVersion.objects.bulk_create(versions, batch_size=1000)
        Through = Material.audiences.through
        Through.objects.bulk_create([Through(material_id=material.pk, audience_id=audience)
                                     for material in materials
                                     for audience in rng.sample(audiences, min(len(audiences), rng.randint(0, 2)))],
                                    batch_size=5000)
        reindex_started = time.perf_counter()
        for material, version in zip(materials, versions, strict=True):
            material.current = version
            services._reindex(material)
        reindex_seconds = time.perf_counter() - reindex_started
        # bulk_create stamped the dates with now (auto_now_add, auto_now): set them back.
        Material.objects.bulk_update(materials, ["current", "search_title", "search_body", "created_at",
                                                 "updated_at"], batch_size=500)
        MaterialVersion.objects.bulk_update(versions, ["created_at"], batch_size=1000)
    return {
        "seconds": round(time.perf_counter() - started, 1), "reindex_seconds": round(reindex_seconds, 1),
        "materials": len(materials),
        "kinds": {kind: sum(1 for m in materials if m.kind == kind) for kind, _share in KINDS},
        "statuses": {status: sum(1 for m in materials if m.status == status) for status, _share in STATUSES},
        "mean_search_body_chars": round(sum(len(m.search_body) for m in materials) / max(1, len(materials))),
    }


def data_counts(course) -> dict:
    from django.db.models import Count

    from saylau.accounts.models import User
    from saylau.commissions.models import Person
    from saylau.courses.models import CourseEnrolment, LessonProgress, Material, MaterialStatus

    coordinator = User.objects.select_related("region").get(username="coordinator")
    participant = User.objects.get(username="participant")
    region = CourseEnrolment.objects.filter(course=course, region_id=coordinator.region_id)
    own = CourseEnrolment.objects.filter(course=course, person_id=participant.person_id).first()
    return {
        "people": Person.objects.count(), "course_id": course.pk,
        "learners": CourseEnrolment.objects.filter(course=course).count(),
        "statuses": dict(CourseEnrolment.objects.filter(course=course).values_list("status")
                         .annotate(n=Count("pk")).order_by()),
        "lesson_progress_rows": LessonProgress.objects.count(),
        "coordinator_region": coordinator.region.iso_code if coordinator.region else None,
        "learners_in_region": region.count(),
        "commissions_in_region": region.values("commission_id").distinct().count(),
        "participant_enrolled": own is not None,
        "participant_lessons_done": own.lessons_done if own else None,
        "materials": Material.objects.count(),
        "materials_published": Material.objects.filter(status=MaterialStatus.PUBLISHED).count(),
    }


# --- SQL statements per request, in this process ---------------------------------------------------------------


def statements_per_request(requests: list[tuple[str, str, str]], explain: bool = True) -> dict:
    """(kind, user, path): the SQL statements of one request through Django's test client, their total time, the
    slowest one (and its plan)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from saylau.accounts.services import api_token_create

    found = {}
    users = get_user_model().objects.in_bulk([user for _kind, user, _path in requests], field_name="username")
    for kind, username, path in requests:
        client = Client(SERVER_NAME="127.0.0.1")
        headers = {}
        if path.startswith("/api/"):
            headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=users[username])}"
        else:
            client.force_login(users[username])
        client.get(path, **headers)  # the first request of a process reads more (content types, translations)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = client.get(path, **headers).status_code
            elapsed = time.perf_counter() - started
        queries = [{"ms": round(float(query["time"]) * 1000, 2), "sql": query["sql"]}
                   for query in captured.captured_queries]
        slowest = max(queries, key=lambda query: query["ms"]) if queries else None
        entry = {"user": username, "path": path, "status": status, "statements": len(queries),
                 "sql_ms": round(sum(query["ms"] for query in queries), 1), "request_ms": round(elapsed * 1000, 1),
                 "queries": [{"ms": query["ms"], "sql": query["sql"][:300]} for query in queries]}
        if slowest is not None:
            entry["slowest"] = {"ms": slowest["ms"], "sql": slowest["sql"][:2000]}
            if explain and slowest["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                    entry["slowest"]["plan"] = [row[0] for row in cursor.fetchall()]
        found[kind] = entry
    return found


# --- The server's background jobs ------------------------------------------------------------------------------


def wait_for_worker(since: datetime.datetime, timeout: float) -> list[dict]:
    """Wait until the worker has run what the scheduler enqueued when the server started (learner reminders, which
    for a fresh cohort of 70,000 means thousands of mails) and is idle; the jobs run, with their durations."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from saylau.core.schedule import PERIODIC

    started, quiet = time.monotonic(), 0
    periodic = {job.task for job in PERIODIC}
    while time.monotonic() - started < timeout:
        # The scheduler enqueues every periodic job once it is up; then the worker runs them.
        enqueued = set(DBTaskResult.objects.filter(enqueued_at__gte=since).values_list("task_path", flat=True))
        busy = DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists()
        quiet = 0 if busy or not periodic <= enqueued else quiet + 1
        if quiet >= 2:
            break
        time.sleep(2)
    else:
        log(f"  the worker is still busy after {timeout:.0f} s: measuring anyway")
    jobs = [{"task": row.task_path.rsplit(".", 1)[-1], "status": row.status, "return_value": row.return_value,
             "seconds": round((row.finished_at - row.started_at).total_seconds(), 1)
             if row.finished_at and row.started_at else None}
            for row in DBTaskResult.objects.filter(enqueued_at__gte=since).order_by("enqueued_at")]
    connection.close()
    return jobs


# --- Measuring a mix of queries ---------------------------------------------------------------------------------


def _timed(base: str, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    status, body = fetch(base + path, headers)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RequestFailed(f"GET {path} → {status}: {body[:300]!r}")
    return elapsed


def _matches(body: bytes) -> int | None:
    """How many materials a search found: the API's count, or the figure the page states."""
    try:
        return json.loads(body)["count"]
    except (ValueError, KeyError, TypeError):
        pass
    match = re.search(rb'<p role="status">\D*(\d[\d\s\xc2\xa0]*)', body)
    return int(re.sub(rb"\D", b"", match.group(1))) if match else None


def measure_search(base: str, name: str, user: str, template: str, headers: dict[str, str], *, kind: str,
                   requests: int, threads: int, warmup: int, seed: int) -> tuple[dict, dict]:
    """Each request the next query of a shuffled mix (every query as often); sequentially, then from ``threads``
    threads. The row in the shape ``common.http_table`` prints, and figures per query."""
    def path(query: str) -> str:
        return template.format(q=urllib.parse.quote(query))

    per_query = {}
    for query in QUERIES:
        status, body = fetch(base + path(query), headers)
        if status != 200:
            raise RequestFailed(f"GET {path(query)} as {user} → {status}: {body[:300]!r}")
        per_query[query] = {"matches": _matches(body), "bytes": len(body)}
    rng = random.Random(seed)
    picks = [QUERIES[i % len(QUERIES)] for i in range(requests)]
    rng.shuffle(picks)
    for i in range(warmup):
        _timed(base, path(QUERIES[i % len(QUERIES)]), headers)

    def run(n_threads: int) -> tuple[dict, list]:
        shares = [picks[i::n_threads] for i in range(n_threads)]
        results, wall = run_in_threads(shares, lambda query: (query, _timed(base, path(query), headers)))
        summary = summarise([elapsed for _query, elapsed in results], wall)
        return summary, results

    load = round(os.getloadavg()[0], 2)
    log(f"{name} as {user}: {requests} sequential over {len(QUERIES)} queries (load average {load})")
    sequential, seq_results = run(1)
    log(f"  p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms; {requests} over {threads} threads")
    concurrent, conc_results = run(threads)
    concurrent["threads"] = threads
    log(f"  p50 {concurrent['p50_ms']} ms, p95 {concurrent['p95_ms']} ms, {concurrent['rps']} req/s")
    for query in QUERIES:
        seq = sorted(elapsed for q, elapsed in seq_results if q == query)
        conc = sorted(elapsed for q, elapsed in conc_results if q == query)
        per_query[query]["sequential"] = summarise(seq, sum(seq)) if seq else None
        per_query[query]["concurrent"] = summarise(conc, sum(conc)) if conc else None
    row = {"name": name, "user": user, "path": template, "kind": kind, "loadavg_1min": load,
           "response": {"queries": len(QUERIES)}, "sequential": sequential, "concurrent": concurrent}
    return row, per_query


# --- The run ---------------------------------------------------------------------------------------------------


def main_inner(args: argparse.Namespace) -> int:
    results: dict = {
        "date": now_iso(),
        "machine": machine(),
        "settings": {"requests": args.requests, "threads": args.threads, "warmup": args.warmup, "size": args.size,
                     "web_concurrency": args.workers, "learners": args.learners, "materials": args.materials,
                     "seed": args.seed, "queries": QUERIES},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-courses-"))
    env = bench_env(workdir, args.database_url)
    server = None
    try:
        prepare_database(env)
        setup_django(env)
        from django import get_version
        from django.db import connection
        from django.utils import timezone

        from saylau.commissions.demo import demo_loaded

        results["postgresql"] = postgres_version()
        results["machine"]["django"] = get_version()
        data: dict = {}
        setup_started = time.perf_counter()
        if demo_loaded():
            log("demo data already loaded: the load is not timed")
            data["demo_seconds"] = None
        else:
            add_placeholder()
            connection.close()
            log(f"demo --size {args.size} (without the demo's course learners)")
            data["demo_seconds"] = round(manage(env, "demo", "--size", args.size)[0], 1)
            log(f"  {data['demo_seconds']} s")
        remove_placeholder()
        course = bench_course()
        if course is not None:
            log("the bench's course and learners are already there: not generated again")
            data["course"] = data["enrolment"] = None
        else:
            log("the demo's library articles and course (CoursesDemo.build_course)")
            started = time.perf_counter()
            course, articles = build_course(args.seed)
            data["course"] = {"seconds": round(time.perf_counter() - started, 1), "articles": articles}
            log(f"  {data['course']}")
            log(f"enrolling {args.learners:,} learners with their progress (seed {args.seed})")
            data["enrolment"] = enrol(course, learners=args.learners, seed=args.seed)
            log(f"  {data['enrolment']}")
        if bench_materials():
            log("the bench's materials are already there: not generated again")
            data["library"] = None
        else:
            log(f"adding {args.materials:,} library materials (seed {args.seed})")
            data["library"] = add_materials(count=args.materials, seed=args.seed)
            log(f"  {data['library']}")
        started = time.perf_counter()
        vacuum_analyze()
        data["vacuum_seconds"] = round(time.perf_counter() - started, 1)
        data["setup_seconds"] = round(time.perf_counter() - setup_started, 1)
        data.update(data_counts(course))
        log(f"data: {data}")
        results["data"] = data

        progress_path, course_path = f"/courses/{course.pk}/progress/", f"/courses/{course.pk}/"
        search_page = "/library/?q={q}"
        search_api = "/api/v1/materials?q={q}"
        sample = urllib.parse.quote(QUERIES[0])
        results["statements"] = statements_per_request([
            ("progress", "coordinator", progress_path), ("course", "participant", course_path),
            ("search_page", "participant", search_page.format(q=sample)),
            ("search_api", "participant", search_api.format(q=sample)),
        ])
        log("SQL statements of one request: " + ", ".join(
            f"{kind} {found['statements']} ({found['sql_ms']} ms of SQL, HTTP {found['status']})"
            for kind, found in results["statements"].items()))
        connection.close()

        http_results, per_query = [], {}
        if not args.skip_http:
            server = Server(env, free_port(), args.workers, workdir / "server.log")
            log(f"starting the server on {server.base} (WEB_CONCURRENCY={args.workers})")
            server_started = timezone.now()
            server.start()
            base = server.base
            log("waiting for the worker to run the jobs the scheduler enqueued at start")
            started = time.perf_counter()
            results["startup_jobs"] = wait_for_worker(server_started, args.worker_timeout)
            log(f"  idle after {time.perf_counter() - started:.0f} s: " + ", ".join(
                f"{job['task']} → {job['return_value']} in {job['seconds']} s" for job in results["startup_jobs"]))
            token = {user: api_token(base, user) for user in ("admin", "participant")}
            cookies = {user: session_cookie(base, user) for user in ("coordinator", "participant")}

            def info(body: bytes) -> dict:
                text = body.decode("utf-8", "replace")
                return {"bytes": len(body), "rows": text.count('<th scope="row">'),
                        "my_progress": 'id="my-progress"' in text}

            scenarios = [
                ("API /me (floor: token check, 1 query)", "admin", "/api/v1/me",
                 {"Authorization": f"Bearer {token['admin']}"}, "floor"),
                (f"Page progress, region {data['coordinator_region']} ({data['learners_in_region']:,} learners)",
                 "coordinator", progress_path, {"Cookie": cookies["coordinator"]}, "progress"),
                ("Page course (enrolled, part of the way)", "participant", course_path,
                 {"Cookie": cookies["participant"]}, "course"),
            ]
            http_results = measure_scenarios(base, scenarios, requests=args.requests, threads=args.threads,
                                             warmup=args.warmup, info=info)
            for name, template, headers, kind in (
                    ("Page library ?q= (mix of 10)", search_page, {"Cookie": cookies["participant"]}, "search_page"),
                    ("API materials?q= (mix of 10)", search_api, {"Authorization": f"Bearer {token['participant']}"},
                     "search_api")):
                row, per_query[kind] = measure_search(base, name, "participant", template, headers, kind=kind,
                                                      requests=args.requests, threads=args.threads,
                                                      warmup=args.warmup, seed=args.seed)
                http_results.append(row)
            floor = http_results[0]["sequential"]["p50_ms"]
            for row in http_results:
                row["sequential"]["p50_over_floor"] = round(row["sequential"]["p50_ms"] / floor, 1) if floor else None
            server.stop()
            server = None
        results["http"] = http_results
        results["search_per_query"] = per_query
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


def targets(results: dict) -> list[dict]:
    found = []
    for item in results.get("http", []):
        limit = {"progress": PAGE_TARGET_MS, "course": PAGE_TARGET_MS, "search_page": SEARCH_TARGET_MS,
                 "search_api": SEARCH_TARGET_MS}.get(item["kind"])
        if limit is None:
            continue
        found.append({"target": f"{item['name']} as {item['user']}: p95 ≤ {limit:.0f} ms (sequential)",
                      "value": item["sequential"]["p95_ms"], "unit": "ms", "limit": limit,
                      "pass": item["sequential"]["p95_ms"] <= limit})
    return found


def report(results: dict) -> str:
    m, s, d = results["machine"], results["settings"], results["data"]
    statuses = d["statuses"]
    lines = [
        f"## Distance learning benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, PostgreSQL {results.get('postgresql')}. "
        f"Server: gunicorn, {s['web_concurrency']} sync workers. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Data: {d['people']:,} people; one course of {d['learners']:,} learners "
        f"({statuses.get('not_started', 0):,} not started, {statuses.get('in_progress', 0):,} in progress, "
        f"{statuses.get('completed', 0):,} completed; {d['lesson_progress_rows']:,} lesson rows), "
        f"{d['learners_in_region']:,} of them in {d['coordinator_region']} on {d['commissions_in_region']:,} "
        f"commissions; the participant enrolled, {d['participant_lessons_done']} lessons done; "
        f"{d['materials']:,} library materials ({d['materials_published']:,} published).",
        "",
    ]
    setup = [f"demo {d['demo_seconds']} s" if d.get("demo_seconds") is not None else "demo already loaded"]
    if d.get("course"):
        setup.append(f"course {d['course']['seconds']} s")
    if d.get("enrolment"):
        setup.append(f"{d['enrolment']['learners']:,} enrolments and {d['enrolment']['lesson_rows']:,} lesson rows "
                     f"{d['enrolment']['seconds']} s")
    if d.get("library"):
        setup.append(f"{d['library']['materials']:,} materials {d['library']['seconds']} s (of which stemming "
                     f"{d['library']['reindex_seconds']} s)")
    setup.append(f"VACUUM ANALYZE {d['vacuum_seconds']} s")
    lines += [f"Setup {d['setup_seconds']} s: " + ", ".join(setup) + ".", ""]
    jobs = [job for job in results.get("startup_jobs") or [] if job["seconds"] is not None]
    if jobs:
        lines += ["Before the requests, the worker ran what the scheduler enqueued at start: " + ", ".join(
            f"{job['task']} ({job['return_value']}) {job['seconds']} s" for job in jobs) + ".", ""]
    if results.get("http"):
        lines += http_table(results["http"], s)
    per_query = results.get("search_per_query") or {}
    if per_query.get("search_page") and per_query.get("search_api"):
        lines += ["| query | matches | page seq p50 | page seq p95 | API seq p50 | API seq p95 |", "|---|--:|--:|--:|--:|--:|"]
        for query in s["queries"]:
            page, api = per_query["search_page"][query], per_query["search_api"][query]
            lines.append(f"| {query} | {api['matches']} | {fmt_ms(page['sequential']['p50_ms'])} "
                         f"| {fmt_ms(page['sequential']['p95_ms'])} | {fmt_ms(api['sequential']['p50_ms'])} "
                         f"| {fmt_ms(api['sequential']['p95_ms'])} |")
        lines += ["", "Per query: the sequential requests of the mix that asked it "
                  f"({s['requests'] // len(s['queries'])} each).", ""]
    statements = results.get("statements") or {}
    if statements:
        lines += ["SQL statements of one request, in this process through the test client (their time, the slowest "
                  "one; the whole request): " + "; ".join(
                      f"{kind} {found['statements']} ({found['sql_ms']} ms, slowest {found.get('slowest', {}).get('ms')} "
                      f"ms; {found['request_ms']} ms)" for kind, found in statements.items()) + ".", ""]
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
    parser.add_argument("--learners", type=int, default=70_000, help="learners enrolled in the course (default 70000)")
    parser.add_argument("--materials", type=int, default=5000, help="library materials added (default 5000)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generated data")
    parser.add_argument("--worker-timeout", type=float, default=900,
                        help="seconds to wait for the server's start-up jobs (reminders) before measuring (default 900)")
    parser.add_argument("--skip-http", action="store_true", help="do not start the server or time requests")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "courses.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.materials < 1 or args.requests < 10:
        parser.error("--learners and --materials must be at least 1, --requests at least 10")
    return args


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
