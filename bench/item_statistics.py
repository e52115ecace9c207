#!/usr/bin/env python3
"""Benchmark of the item statistics of a big test on PostgreSQL (issue 5, ``make bench``).

    .venv/bin/python bench/item_statistics.py [--attempts 20000] [--items 40] [--requests 30]

From nothing: a throwaway PostgreSQL cluster (re-executes itself under scripts/with_postgres.py), migrated; a
bank of ``--items`` approved single-choice items; a distance test with all of them; ``--attempts`` submitted
attempts whose answers follow a 2PL model with a fixed seed (bulk-inserted: how they got there is not what is
measured). Then, in this process with production settings:

1. the worker's job: ``analyse_test`` (Moodle's figures, distractors, flags, 2PL calibration) and
   ``analyse_bank`` (pooled figures, bank-wide Rasch, abilities for every attempt), timed;
2. the test's statistics page as its manager sees it (Django's test client: the view, templates, SVG charts,
   no network), ``--requests`` times after one warm-up, p50/p95.

Target: the page ≤ 1 s (it reads the stored analysis; nothing is computed per view). Writes
var/bench/statistics.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    bench_env,
    log,
    machine,
    now_iso,
    percentile,
    postgres_version,
    prepare_database,
    run_on_postgres,
    setup_django,
    vacuum_analyze,
)

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as scripts/serve runs the worker


def generate(*, attempts: int, items: int, seed: int) -> dict:
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from saylau.accounts.models import Role, User
    from saylau.assessment import bank, exams
    from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, ItemStatus
    from saylau.commissions.models import Commission, Person

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    now = timezone.now()
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, password="!unusable")
    with transaction.atomic():
        bank_items = [bank.item_create(by=admin, status=ItemStatus.APPROVED, document={
            "type": "single_choice", "name": f"Бенчмарк {n}", "topic": "voting", "difficulty": 1 + n % 5,
            "points": 1, "text": {"kk": f"<p>Сұрақ {n}</p>", "ru": f"<p>Вопрос {n}</p>"},
            "references": [{"act": "elections", "article": str(10 + n % 40), "paragraph": "1"}],
            "options": [{"id": option, "text": {"kk": option, "ru": option}, "fraction": 1.0 if option == "a" else 0.0}
                        for option in "abcd"]}) for n in range(1, items + 1)]
    with transaction.atomic():
        people = Person.objects.bulk_create([Person(surname=f"Бенчмарков-{i}", first_name="Айгерім",
                                                    iin=f"{990000000000 + i}") for i in range(attempts)],
                                            batch_size=5000)
        exam = exams.exam_create(by=admin, commission=Commission.objects.get(code="CEC"), items=bank_items,
                                 title_kk="Бенчмарк: статистика", title_ru="Бенчмарк: статистика",
                                 purpose="distance", mode="distance", eligibility="persons", eligible_people=people,
                                 opens_at=now - datetime.timedelta(days=2),
                                 closes_at=now - datetime.timedelta(days=1))
        theta = rng.normal(size=attempts)
        a = rng.uniform(0.6, 2.0, size=items)
        b = rng.normal(size=items)
        right = rng.random((attempts, items)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))
        wrong_choice = rng.choice(list("bcd"), size=(attempts, items))
        rows = Attempt.objects.bulk_create([
            Attempt(exam=exam, person=person, number=1, language="ru", status=AttemptStatus.SUBMITTED,
                    started_at=now, submitted_at=now, score=int(right[i].sum()), max_score=items,
                    percent=round(100 * int(right[i].sum()) / items, 2), passed=bool(right[i].sum() >= 0.7 * items))
            for i, person in enumerate(people)], batch_size=5000)
        batch = []
        for i, attempt in enumerate(rows):
            for j, item in enumerate(bank_items):
                ok = bool(right[i, j])
                batch.append(AttemptItem(attempt=attempt, position=j + 1, item=item, version_id=item.current_id,
                                         topic_id=item.topic_id, order=list("abcd"), max_points=1,
                                         response={"choices": ["a" if ok else str(wrong_choice[i, j])]},
                                         fraction=1.0 if ok else 0.0, points=1 if ok else 0))
            if len(batch) >= 50_000:
                AttemptItem.objects.bulk_create(batch, batch_size=10_000)
                batch = []
        AttemptItem.objects.bulk_create(batch, batch_size=10_000)
    return {"exam_id": exam.pk, "admin_id": admin.pk, "attempts": attempts, "items": items,
            "attempt_items": attempts * items, "seconds": round(time.perf_counter() - started, 1)}


def main_inner(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-statistics-"))
    env = bench_env(workdir, args.database_url)
    prepare_database(env)
    setup_django(env)
    from django.db import connection
    from django.test import Client

    from saylau.accounts.models import User
    from saylau.assessment.models import Exam
    from saylau.psychometrics import analysis

    results = {"date": now_iso(), "machine": machine(), "postgresql": postgres_version(),
               "settings": {"attempts": args.attempts, "items": args.items, "requests": args.requests,
                            "seed": args.seed, "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}}
    log(f"generating {args.attempts:,} submitted attempts × {args.items} items (seed {args.seed})")
    data = generate(attempts=args.attempts, items=args.items, seed=args.seed)
    log(f"  {data}")
    vacuum_analyze()
    exam = Exam.objects.get(pk=data["exam_id"])
    started = time.perf_counter()
    stored = analysis.analyse_test(exam=exam)
    job_test = time.perf_counter() - started
    log(f"analyse_test: {job_test:.2f} s ({stored.irt and stored.irt['model']})")
    started = time.perf_counter()
    analysis.analyse_bank()
    job_bank = time.perf_counter() - started
    log(f"analyse_bank: {job_bank:.2f} s")
    connection.close()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=data["admin_id"]))
    url = f"/statistics/tests/{exam.pk}/"
    first = client.get(url)
    if first.status_code != 200:
        raise SystemExit(f"GET {url} → {first.status_code}")
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(1000 * (time.perf_counter() - started))
        assert response.status_code == 200
    timings.sort()
    page = {"p50_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 95), 1),
            "bytes": len(first.content)}
    results.update(data=data, job={"analyse_test_s": round(job_test, 2), "analyse_bank_s": round(job_bank, 2),
                                   "model": stored.irt and stored.irt["model"]}, page=page)
    results["machine"]["loadavg_at_end"] = list(os.getloadavg())
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\n## Item statistics benchmark — {results['date']}\n")
    print("| what | figure | target |")
    print("|---|---:|---|")
    print(f"| data | {args.attempts:,} attempts × {args.items} items | |")
    print(f"| worker: analyse_test ({results['job']['model']}) | {job_test:.2f} s | "
          "(CTT alone: ≤ 2 s, bench/psychometrics.py) |")
    print(f"| worker: analyse_bank (pooled + Rasch + abilities) | {job_bank:.2f} s | |")
    print(f"| statistics page p50 / p95 ({args.requests} requests, {page['bytes']:,} bytes) | "
          f"{page['p50_ms']} / {page['p95_ms']} ms | ≤ 1000 ms {'✓' if page['p95_ms'] <= 1000 else '✗'} |")
    print(f"\nJSON: {output}")
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", help="a PostgreSQL database to migrate and fill (default: a throwaway one)")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "statistics.json"))
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
