#!/usr/bin/env python3
"""Benchmark of a nationwide distance test on PostgreSQL: answer saves against a bare floor (``make bench``).

    .venv/bin/python bench/assessment.py [--examinees 5000] [--workers 2,4] [--duration 30] [--connections 64]

What it does, from nothing (docs/benchmarks.md, section "Assessment", explains the figures):

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing, migrated database without assessment data instead), migrates;
2. builds a distance test directly (no ``manage.py demo``: only what the test needs): a bank of approved items
   (``saylau/assessment/demo_bank/*.json`` when it holds at least ``--min-items``, else ``--items-per-topic``
   generated items per topic of every type an examinee answers), a distance test drawing 2 items per topic
   (30 items), and people with participant accounts and API tokens: ``--examinees`` with a started attempt
   (30 attempt items each, the answer saves go to them), ``--submit-pool`` with a started attempt whose 30
   answers are saved (the submits), ``--start-pool`` eligible without an attempt (the starts); then
   VACUUM ANALYZE;
3. for each server configuration (``--workers``, the WEB_CONCURRENCY values): starts the **floor**
   (``bench/floor_wsgi.py``: a bare WSGI app doing the save as one psycopg statement, under the same gunicorn
   command line as scripts/serve) and measures it, then the **production server** (``scripts/serve``) and
   measures it: wrk (``bench/assessment.lua``) with ``--connections`` connections for ``--duration`` seconds
   (closed loop: saturation), then 16 connections (latency); then, on the application only, starting attempts
   and submitting them with 16 connections, each request for a different examinee;
4. prints a markdown table with the targets and writes the figures to ``var/bench/assessment.json``.

The targets (issue 4): at saturation (64 connections) answer saves reach >= 60 % of the floor's throughput and
>= 800 per second with no errors; with 16 connections their p95 <= 50 ms; starting an attempt and submitting
p95 <= 100 ms at 16 connections. Exit status 0 when the runs completed (``--strict``: and every target was met).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    Server,
    bench_env,
    free_port,
    log,
    machine,
    now_iso,
    postgres_version,
    prepare_database,
    run_on_postgres,
    setup_django,
    vacuum_analyze,
    write_report,
)

LUA = ROOT / "bench" / "assessment.lua"
MARK = "Бенчмарк: республиканское дистанционное тестирование (bench/assessment.py)"
ITEMS_PER_TOPIC_ROW = 2  # 15 topics × 2 = 30 items per attempt
TARGETS = {"ratio": 0.60, "save_rps": 800.0, "save_p95_ms": 50.0, "start_p95_ms": 100.0, "submit_p95_ms": 100.0}


# --- The item bank ---------------------------------------------------------------------------------------------


def _texts(kk: str, ru: str) -> dict:
    return {"kk": kk, "ru": ru}


def generated_documents(topics: list[str], per_topic: int, rng: random.Random) -> list[dict]:
    """Valid item documents of every type an examinee answers, about as long as the real bank's."""
    kinds = ["single_choice", "single_choice", "multiple_choice", "single_choice", "true_false", "scenario",
             "single_choice", "matching", "multiple_choice", "short_answer", "single_choice", "numerical"]
    documents = []
    for topic in topics:
        for n in range(per_topic):
            kind = kinds[n % len(kinds)]
            label = f"{topic} {n + 1}"
            document = {
                "type": kind, "name": f"Бенчмарк: {label}", "topic": topic, "difficulty": rng.randint(1, 5),
                "points": 2 if kind == "scenario" else 1,
                "text": _texts(f"<p>{label}. Учаскелік сайлау комиссиясы сайлау күні таңертең сайлау учаскесін ашқанда "
                               "қандай әрекеттерді қандай ретпен орындауы тиіс және бұл әрекеттер қай баппен "
                               "реттеледі? Дұрыс жауапты таңдаңыз.</p>",
                               f"<p>{label}. Какие действия и в каком порядке участковая избирательная комиссия "
                               "обязана выполнить утром в день голосования при открытии избирательного участка и "
                               "какой статьёй это регулируется? Выберите правильный ответ.</p>"),
                "general_feedback": _texts("Сайлау туралы конституциялық заңның 50-бабын қараңыз.",
                                           "См. статью 50 Конституционного закона о выборах."),
                "references": [{"act": "elections", "article": str(rng.randint(10, 60)), "paragraph": "1"}],
            }
            option_texts = [("Комиссия төрағасы жәшіктерді көрсетеді және мөрлейді",
                             "Председатель комиссии предъявляет и опечатывает ящики"),
                            ("Бақылаушылар бюллетеньдерді санайды", "Наблюдатели пересчитывают бюллетени"),
                            ("Хатшы сайлаушылар тізімін жариялайды", "Секретарь оглашает список избирателей"),
                            ("Ешқандай арнайы әрекет талап етілмейді", "Никаких особых действий не требуется")]
            if kind in ("single_choice", "multiple_choice"):
                right = {"a"} if kind == "single_choice" else {"a", "c"}
                document["options"] = [
                    {"id": option_id, "text": _texts(kk, ru),
                     "fraction": (1.0 / len(right)) if option_id in right else (0.0 if kind == "single_choice" else -0.5),
                     "feedback": _texts("Дұрыс." if option_id in right else "Қате.",
                                        "Верно." if option_id in right else "Неверно.")}
                    for option_id, (kk, ru) in zip("abcd", option_texts, strict=True)]
            elif kind == "true_false":
                document["options"] = [
                    {"id": "true", "text": _texts("Дұрыс", "Верно"), "fraction": 1.0},
                    {"id": "false", "text": _texts("Қате", "Неверно"), "fraction": 0.0}]
            elif kind == "scenario":
                document["steps"] = [
                    {"id": f"s{step}", "text": _texts(f"{step}-қадам: не істейсіз?", f"Шаг {step}: что вы сделаете?"),
                     "options": [{"id": f"s{step}{option_id}", "text": _texts(kk, ru),
                                  "fraction": 1.0 if option_id == "a" else 0.0,
                                  "feedback": _texts("Түсініктеме", "Комментарий: статья 20")}
                                 for option_id, (kk, ru) in zip("abc", option_texts, strict=False)]}
                    for step in (1, 2)]
            elif kind == "matching":
                document["pairs"] = [
                    {"id": f"p{i}", "premise": _texts(f"Лауазым {i}", f"Должность {i}"),
                     "response": _texts(f"Міндет {i}", f"Обязанность {i}")} for i in range(1, 5)]
            elif kind == "short_answer":
                document["answers"] = [{"text": "акимат", "fraction": 1.0}, {"text": "әкімдік", "fraction": 1.0}]
            elif kind == "numerical":
                document["numbers"] = [{"value": 15, "tolerance": 0, "fraction": 1.0}]
            documents.append(document)
    return documents


def an_answer(document: dict, rng: random.Random) -> dict:
    """A valid answer, as a client sends it."""
    kind = document["type"]
    if kind in ("single_choice", "true_false"):
        return {"choices": [rng.choice(document["options"])["id"]]}
    if kind == "multiple_choice":
        return {"choices": sorted(rng.sample([o["id"] for o in document["options"]], 2))}
    if kind == "scenario":
        return {"choices": [rng.choice(step["options"])["id"] for step in document["steps"]]}
    if kind == "matching":
        ids = [pair["id"] for pair in document["pairs"]]
        # A pair without a premise is an extra response (a distractor), not something to match.
        premises = [pair["id"] for pair in document["pairs"] if any((pair.get("premise") or {}).values())]
        return {"pairs": dict(zip(premises, rng.sample(ids, len(premises)), strict=True))}
    if kind == "short_answer":
        return {"text": rng.choice(["акимат", "суд"])}
    if kind == "numerical":
        return {"number": rng.choice([15, 14])}
    return {}


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


# --- The data --------------------------------------------------------------------------------------------------


def generate(args: argparse.Namespace, workdir: Path) -> dict:
    """The bank, the test, the examinees with tokens and attempts; the request files for wrk."""
    from django.db import connection, transaction
    from django.utils import timezone

    from saylau.accounts.models import ApiToken, Role, User, token_digest
    from saylau.assessment import attempts as attempt_services
    from saylau.assessment import bank, exams
    from saylau.assessment.demo import bank_documents
    from saylau.assessment.documents import TOPIC_CODES
    from saylau.assessment.models import Attempt, AttemptItem, Exam, ItemStatus, ItemVersion
    from saylau.commissions.models import Commission, Person

    if Exam.objects.filter(title_ru=MARK).exists():
        raise SystemExit("this database already holds the benchmark's test: use a fresh database")
    rng = random.Random(args.seed)
    started = time.perf_counter()
    now = timezone.now()
    admin, _created = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})

    # The bank.
    documents = bank_documents()
    source = "demo_bank"
    if len(documents) < args.min_items:
        documents = generated_documents(list(TOPIC_CODES), args.items_per_topic, rng)
        source = "generated"
    with transaction.atomic():
        for document in documents:
            bank.item_create(by=admin, document=document, status=ItemStatus.APPROVED)
    drawable = list(exams.drawable_items().select_related("current", "topic"))
    by_topic: dict[str, list] = {}
    for item in drawable:
        by_topic.setdefault(item.topic.code if item.topic_id else "", []).append(item)
    topics = [topic for topic in TOPIC_CODES if len(by_topic.get(topic, [])) >= ITEMS_PER_TOPIC_ROW]
    log(f"  bank: {len(drawable)} approved items ({source}), {len(topics)} topics with >= {ITEMS_PER_TOPIC_ROW}")

    # The people: examinees (attempt, answers saved by the bench), submitters (attempt, every answer saved),
    # starters (no attempt yet). Each with a participant account and an API token.
    total = args.examinees + args.submit_pool + args.start_pool
    tokens: list[str] = []
    with transaction.atomic():
        people = Person.objects.bulk_create([
            Person(surname=f"Бенчмарков-{i}", first_name=rng.choice(["Айгерім", "Ерлан", "Наталья", "Дәурен"]),
                   iin=f"{990000000000 + i}", language="ru" if i % 2 else "kk") for i in range(total)],
            batch_size=5000)
        users = User.objects.bulk_create([
            User(username=f"bench-{person.pk}", role=Role.PARTICIPANT, person=person, password="!unusable")
            for person in people], batch_size=5000)
        rows = []
        for user in users:
            raw = secrets.token_urlsafe(32)
            tokens.append(raw)
            rows.append(ApiToken(user=user, digest=token_digest(raw), expires_at=now + datetime.timedelta(days=30)))
        ApiToken.objects.bulk_create(rows, batch_size=5000)
    log(f"  {total:,} people, accounts and tokens ({time.perf_counter() - started:.0f} s)")
    commission = Commission.objects.get(code="CEC")
    exam = exams.exam_create(
        by=admin, commission=commission, title_kk="Бенчмарк: республикалық қашықтықтан тестілеу", title_ru=MARK,
        purpose="distance", mode="distance", eligibility="persons",
        eligible_people=people, blueprint=[{"topic": topic, "count": ITEMS_PER_TOPIC_ROW} for topic in topics],
        time_limit_minutes=args.time_limit, pass_mark_percent=70, feedback_policy="after_close",
        opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=2))
    deadline = min(exam.closes_at, now + datetime.timedelta(minutes=args.time_limit))

    # Started attempts for the examinees and the submitters, drawn as attempt_start draws (blueprint per topic,
    # shuffled items and options), in bulk.
    versions = {v.pk: v.document for v in ItemVersion.objects.filter(pk__in=[i.current_id for i in drawable])}
    with_attempt = people[:args.examinees + args.submit_pool]
    save_lines, submit_lines = [], []
    with transaction.atomic():
        attempt_rows = Attempt.objects.bulk_create([
            Attempt(exam=exam, person=person, number=1, language=person.language, started_at=now, deadline=deadline,
                    last_activity_at=now) for person in with_attempt], batch_size=5000)
        item_rows = []
        for index, (attempt, token) in enumerate(zip(attempt_rows, tokens, strict=False)):
            chosen = [item for topic in topics for item in rng.sample(by_topic[topic], ITEMS_PER_TOPIC_ROW)]
            rng.shuffle(chosen)
            submitter = index >= args.examinees
            for position, item in enumerate(chosen, start=1):
                document = versions[item.current_id]
                answer = an_answer(document, rng)
                item_rows.append(AttemptItem(
                    attempt=attempt, position=position, item=item, version_id=item.current_id,
                    topic_id=item.topic_id, order=attempt_services._order(document, True, rng),
                    max_points=item.points, response=answer if submitter else None,
                    saved_at=now if submitter else None))
                if not submitter:
                    save_lines.append(f"{token} {attempt.pk} {item.pk} {compact(answer)}")
            if submitter:
                submit_lines.append(f"{token} {attempt.pk}")
            if len(item_rows) >= 20000:
                AttemptItem.objects.bulk_create(item_rows, batch_size=5000)
                item_rows = []
        AttemptItem.objects.bulk_create(item_rows, batch_size=5000)
    start_lines = [f"{token} {exam.pk} {compact({'language': person.language})}"
                   for person, token in zip(people[len(with_attempt):], tokens[len(with_attempt):], strict=True)]
    rng.shuffle(save_lines)
    rng.shuffle(submit_lines)
    rng.shuffle(start_lines)
    files = {}
    for name, lines in (("answers", save_lines), ("submit", submit_lines), ("start", start_lines)):
        files[name] = workdir / f"{name}.txt"
        files[name].write_text("\n".join(lines) + "\n")
    connection.close()
    log(f"  attempts and request files ({time.perf_counter() - started:.0f} s)")
    return {
        "seconds": round(time.perf_counter() - started, 1), "bank_source": source, "items": len(drawable),
        "topics": len(topics), "items_per_attempt": len(topics) * ITEMS_PER_TOPIC_ROW, "exam_id": exam.pk,
        "people": total, "examinees": args.examinees, "submit_pool": args.submit_pool,
        "start_pool": args.start_pool, "attempts": len(attempt_rows),
        "attempt_items": AttemptItem.objects.count(), "save_pairs": len(save_lines),
        "files": {name: str(path) for name, path in files.items()},
    }


def table_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname, pg_total_relation_size(oid) FROM pg_class
                          WHERE relname IN ('assessment_attemptitem', 'assessment_attempt', 'accounts_apitoken',
                                            'assessment_itemversion')""")
        sizes = {name: round(size / 2**20, 1) for name, size in cursor.fetchall()}
    connection.close()
    return sizes


# --- The servers and wrk ---------------------------------------------------------------------------------------


class FloorServer(Server):
    """bench/floor_wsgi.py under the gunicorn command line of scripts/serve (no background worker)."""

    name = "the floor"
    ready_path, ready_status = "/", 404  # it answers only the save

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        super().__init__({**env, "FLOOR_DATABASE_URL": env["DATABASE_URL"]}, port, workers, log_path)

    def command(self) -> list[str]:
        return [str(ROOT / ".venv" / "bin" / "gunicorn"), "--pythonpath", str(ROOT / "bench"),
                "floor_wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1", "--no-control-socket"]


def wrk_version() -> str:
    result = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (result.stdout + result.stderr).strip().splitlines()[0] if (result.stdout + result.stderr) else ""


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    log("wrk is missing: scripts/apt-install wrk")
    subprocess.run([str(ROOT / "scripts" / "apt-install"), "wrk"], check=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk could not be installed")


def run_wrk(base: str, mode: str, path: Path, *, connections: int, threads: int, seconds: float) -> dict:
    threads = min(threads, connections)
    load = round(os.getloadavg()[0], 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA),
               base + "/", "--", mode, str(path), str(threads)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    match = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    raw = json.loads(match[1])
    seconds_run = raw["duration_us"] / 1e6
    ok = sum(n for code, n in raw["statuses"].items() if code.startswith("2"))
    errors = sum(raw["errors"].values())
    latency = {key: round(value / 1000, 2) for key, value in raw["latency_us"].items()}
    return {
        "mode": mode, "connections": connections, "threads": threads, "seconds": round(seconds_run, 2),
        "requests": raw["requests"], "rps": round(raw["requests"] / seconds_run, 1),
        "ok_rps": round(ok / seconds_run, 1), "statuses": raw["statuses"], "non_2xx": raw["requests"] - ok,
        "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status"}, "errors": errors,
        "latency_ms": latency, "exhausted": bool(raw["exhausted_threads"]), "lines": raw["lines"],
        "loadavg_1min": load,
    }


def describe(run: dict) -> str:
    lat = run["latency_ms"]
    return (f"{run['rps']} req/s ({run['ok_rps']} 2xx/s), p50 {lat['p50']} p95 {lat['p95']} p99 {lat['p99']} ms, "
            f"statuses {run['statuses']}, socket errors {run['socket_errors']}, load {run['loadavg_1min']}"
            + (", pool exhausted" if run["exhausted"] else ""))


class Slices:
    """Each examinee of the start and submit pools is used once: every measured run gets its own lines."""

    def __init__(self, path: Path, parts: int, workdir: Path):
        lines = path.read_text().splitlines()
        size = len(lines) // parts
        self.paths = []
        for index in range(parts):
            part = workdir / f"{path.stem}-{index}.txt"
            part.write_text("\n".join(lines[index * size:(index + 1) * size]) + "\n")
            self.paths.append(part)
        self.next = 0

    def take(self) -> Path:
        path = self.paths[self.next]
        self.next += 1
        return path


def measure_round(env: dict, workdir: Path, workers: int, files: dict, starts: Slices, submits: Slices,
                  args: argparse.Namespace) -> dict:
    answers = Path(files["answers"])
    result: dict = {"web_concurrency": workers}
    floor = FloorServer(env, free_port(), workers, workdir / f"floor-{workers}.log")
    log(f"floor: gunicorn {workers} workers on {floor.base}")
    floor.start()
    try:
        run_wrk(floor.base, "answers", answers, connections=16, threads=args.wrk_threads, seconds=args.warmup)
        result["floor_saturation"] = run_wrk(floor.base, "answers", answers, connections=args.connections,
                                             threads=args.wrk_threads, seconds=args.duration)
        log(f"  {args.connections} connections: {describe(result['floor_saturation'])}")
        result["floor_latency"] = run_wrk(floor.base, "answers", answers, connections=16, threads=args.wrk_threads,
                                          seconds=args.latency_duration)
        log(f"  16 connections: {describe(result['floor_latency'])}")
    finally:
        floor.stop()
    server = Server(env, free_port(), workers, workdir / f"server-{workers}.log")
    log(f"application: scripts/serve, WEB_CONCURRENCY={workers}, on {server.base}")
    server.start()
    try:
        run_wrk(server.base, "answers", answers, connections=16, threads=args.wrk_threads, seconds=args.warmup)
        result["app_saturation"] = run_wrk(server.base, "answers", answers, connections=args.connections,
                                           threads=args.wrk_threads, seconds=args.duration)
        log(f"  {args.connections} connections: {describe(result['app_saturation'])}")
        result["app_latency"] = run_wrk(server.base, "answers", answers, connections=16, threads=args.wrk_threads,
                                        seconds=args.latency_duration)
        log(f"  16 connections: {describe(result['app_latency'])}")
        result["start"] = run_wrk(server.base, "start", starts.take(), connections=16, threads=args.wrk_threads,
                                  seconds=args.short_duration)
        log(f"  start, 16 connections: {describe(result['start'])}")
        result["submit"] = run_wrk(server.base, "submit", submits.take(), connections=16, threads=args.wrk_threads,
                                   seconds=args.short_duration)
        log(f"  submit, 16 connections: {describe(result['submit'])}")
    finally:
        if any(result.get(k, {}).get("errors") for k in ("app_saturation", "app_latency", "start", "submit")):
            print(server.log_tail(), file=sys.stderr)
        server.stop()
    result["ratio"] = round(result["app_saturation"]["ok_rps"] / result["floor_saturation"]["ok_rps"], 3)
    return result


def check_saved(files: dict) -> dict:
    """After the runs: the answers really are in the database (a sample of the saved pairs)."""
    from django.db import connection

    from saylau.assessment.models import Attempt, AttemptItem

    lines = Path(files["answers"]).read_text().splitlines()[:200]
    pairs = [(int(a), int(b)) for _token, a, b, _body in (line.split(" ", 3) for line in lines)]
    saved = sum(AttemptItem.objects.filter(attempt_id=a, item_id=b, response__isnull=False).exists() for a, b in pairs)
    out = {"sampled_pairs": len(pairs), "with_a_saved_answer": saved, "attempts": Attempt.objects.count(),
           "submitted_attempts": Attempt.objects.filter(status="submitted").count()}
    connection.close()
    return out


# --- The report ------------------------------------------------------------------------------------------------


def targets(rounds: list[dict], primary: int) -> list[dict]:
    chosen = next((r for r in rounds if r["web_concurrency"] == primary), rounds[0])
    sat, lat = chosen["app_saturation"], chosen["app_latency"]
    no_errors = sat["errors"] == 0 and sat["non_2xx"] == 0
    w = chosen["web_concurrency"]
    return [
        {"target": f"saves at 64 connections ≥ {TARGETS['ratio']:.0%} of the floor (WEB_CONCURRENCY={w})",
         "value": f"{chosen['ratio']:.0%}", "pass": chosen["ratio"] >= TARGETS["ratio"]},
        {"target": f"saves at 64 connections ≥ {TARGETS['save_rps']:.0f}/s, no errors",
         "value": f"{sat['ok_rps']:.0f}/s, {sat['errors']} errors, {sat['non_2xx']} non-2xx",
         "pass": sat["ok_rps"] >= TARGETS["save_rps"] and no_errors},
        {"target": f"saves at 16 connections p95 ≤ {TARGETS['save_p95_ms']:.0f} ms",
         "value": f"{lat['latency_ms']['p95']} ms", "pass": lat["latency_ms"]["p95"] <= TARGETS["save_p95_ms"]
         and lat["errors"] == 0 and lat["non_2xx"] == 0},
        {"target": f"start at 16 connections p95 ≤ {TARGETS['start_p95_ms']:.0f} ms",
         "value": f"{chosen['start']['latency_ms']['p95']} ms",
         "pass": chosen["start"]["latency_ms"]["p95"] <= TARGETS["start_p95_ms"] and chosen["start"]["non_2xx"] == 0},
        {"target": f"submit at 16 connections p95 ≤ {TARGETS['submit_p95_ms']:.0f} ms",
         "value": f"{chosen['submit']['latency_ms']['p95']} ms",
         "pass": chosen["submit"]["latency_ms"]["p95"] <= TARGETS["submit_p95_ms"]
         and chosen["submit"]["non_2xx"] == 0},
    ]


def report(results: dict) -> str:
    m, s, d = results["machine"], results["settings"], results["data"]
    lines = [
        f"## Assessment benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, PostgreSQL {results.get('postgresql')}. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Load generator: {results['wrk']}, {s['wrk_threads']} threads, closed loop; saturation "
        f"{s['connections']} connections × {s['duration']} s, latency 16 connections × {s['latency_duration']} s, "
        f"start and submit 16 connections × ≤ {s['short_duration']} s (each request a different examinee); "
        f"{s['warmup']} s of warm-up per server. Servers: gunicorn sync workers, the command line of scripts/serve "
        "(the floor: bench/floor_wsgi.py under the same command line).",
        "",
        f"Data: {d['items']} approved items ({d['bank_source']}), a distance test of {d['items_per_attempt']} items, "
        f"{d['people']:,} examinees with tokens; {d['attempts']:,} started attempts, {d['attempt_items']:,} attempt "
        f"items; saves spread over {d['save_pairs']:,} (attempt, item) pairs of {d['examinees']:,} examinees.",
        "",
        "| WEB_CONCURRENCY | floor saves/s (64 c) | app saves/s (64 c) | app ÷ floor | app errors / non-2xx "
        "| floor p50/p95/p99 (16 c) | app p50/p95/p99 (16 c) | app saves/s (16 c) | start p95 (16 c) "
        "| start/s | submit p95 (16 c) | submit/s |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results["rounds"]:
        fs, fl, sat, lat = r["floor_saturation"], r["floor_latency"], r["app_saturation"], r["app_latency"]

        def trio(run):
            lat_ = run["latency_ms"]
            return f"{lat_['p50']:.1f} / {lat_['p95']:.1f} / {lat_['p99']:.1f}"

        lines.append(
            f"| {r['web_concurrency']} | {fs['ok_rps']:.0f} | {sat['ok_rps']:.0f} | {r['ratio']:.0%} "
            f"| {sat['errors']} / {sat['non_2xx']} | {trio(fl)} | {trio(lat)} | {lat['ok_rps']:.0f} "
            f"| {r['start']['latency_ms']['p95']:.0f} | {r['start']['ok_rps']:.0f} "
            f"| {r['submit']['latency_ms']['p95']:.0f} | {r['submit']['ok_rps']:.0f} |")
    lines += ["", "Latencies in ms (wrk's histogram); c = connections.", "",
              "| target | value | met |", "|---|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['target']} | {target['value']} | {'yes' if target['pass'] else 'NO'} |")
    return "\n".join(lines)


# --- The run ---------------------------------------------------------------------------------------------------


def main_inner(args: argparse.Namespace) -> int:
    ensure_wrk()
    workers = [int(w) for w in args.workers.split(",")]
    results: dict = {"date": now_iso(), "machine": machine(), "wrk": wrk_version(), "settings": {
        "examinees": args.examinees, "start_pool": args.start_pool, "submit_pool": args.submit_pool,
        "items_per_topic": args.items_per_topic, "workers": workers, "connections": args.connections,
        "duration": args.duration, "latency_duration": args.latency_duration, "short_duration": args.short_duration,
        "warmup": args.warmup, "wrk_threads": args.wrk_threads, "seed": args.seed, "time_limit": args.time_limit}}
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-assessment-"))
    env = bench_env(workdir, args.database_url)
    try:
        prepare_database(env)
        setup_django(env)
        from django import get_version

        results["postgresql"] = postgres_version()
        results["machine"]["django"] = get_version()
        log(f"generating: {args.examinees:,} examinees with attempts, {args.submit_pool:,} to submit, "
            f"{args.start_pool:,} to start (seed {args.seed})")
        data = generate(args, workdir)
        vacuum_analyze()
        data["table_mib"] = table_sizes()
        results["data"] = data
        log(f"data: { {k: v for k, v in data.items() if k != 'files'} }")
        starts = Slices(Path(data["files"]["start"]), len(workers), workdir)
        submits = Slices(Path(data["files"]["submit"]), len(workers), workdir)
        rounds = []
        for count in [] if args.skip_http else workers:
            rounds.append(measure_round(env, workdir, count, data["files"], starts, submits, args))
        results["rounds"] = rounds
        results["check"] = check_saved(data["files"])
        results["targets"] = targets(rounds, workers[0]) if rounds else []
        results["finished"] = now_iso()
        results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"work directory kept: {workdir}")
    if not rounds:
        print(json.dumps(results["data"], indent=2, default=str))
        return 0
    return write_report(results, args.output, report(results), strict=args.strict)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examinees", type=int, default=5000, help="examinees whose attempts get the saves")
    parser.add_argument("--start-pool", type=int, default=7000, help="eligible examinees without an attempt")
    parser.add_argument("--submit-pool", type=int, default=7000, help="open attempts with every answer saved")
    parser.add_argument("--items-per-topic", type=int, default=12, help="generated items per topic (15 topics)")
    parser.add_argument("--min-items", type=int, default=150, help="use demo_bank/*.json when it has this many")
    parser.add_argument("--time-limit", type=int, default=24 * 60, help="the test's time limit in minutes")
    parser.add_argument("--workers", default="2,4", help="WEB_CONCURRENCY values, the first is the target's")
    parser.add_argument("--connections", type=int, default=64, help="connections of the saturation run")
    parser.add_argument("--duration", type=float, default=30, help="seconds of each saturation run")
    parser.add_argument("--latency-duration", type=float, default=20, help="seconds of each 16-connection run")
    parser.add_argument("--short-duration", type=float, default=10, help="longest start / submit run, seconds")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up per server")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", help="a migrated PostgreSQL database without the benchmark's data")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "assessment.json"))
    parser.add_argument("--skip-http", action="store_true", help="only build the data (with --keep: and the files)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs, request files)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
