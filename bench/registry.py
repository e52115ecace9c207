#!/usr/bin/env python3
"""Benchmark of the registry on PostgreSQL with the national demo data (``make bench``).

    .venv/bin/python bench/registry.py [--requests 200] [--threads 4] [--import-runs 3] [--size national]

What it does, from nothing (docs/benchmarks.md explains the figures):

1. starts a throwaway PostgreSQL cluster (it re-executes itself under ``scripts/with_postgres.py``;
   ``--database-url`` uses an existing, empty or demo-loaded database instead);
2. migrates, times ``manage.py demo --size national`` and ``demo --size national --reset``, then runs
   VACUUM ANALYZE (what autovacuum does shortly after a bulk load);
3. starts the production server (``scripts/serve``: gunicorn with WEB_CONCURRENCY=2, DEBUG off,
   SECRET_KEY set, ALLOWED_HOSTS=127.0.0.1) on a free port, logs the demo accounts in (API tokens and
   session cookies through the login form), warms up;
4. measures each scenario with N sequential requests, then with N requests spread over T threads
   (urllib + threading + time.perf_counter only), and reports p50/p95/p99 and requests/s; the first
   scenario, GET /api/v1/me, is the floor the others are divided by (the machine may be shared);
5. times ``manage.py import_members`` for 10,000 new people with valid IINs (XLSX, then CSV) into
   existing precinct commissions, and the re-import of the same file, which must change nothing;
   each is repeated ``--import-runs`` times with new people and the median is reported;
6. prints a markdown table and writes the figures with the machine, date and PostgreSQL version to
   ``var/bench/registry.json``.

``--skip-reset``, ``--skip-http`` and ``--skip-import`` leave steps out. Exit status 0 when every request
and import succeeded (a missed target is reported, not fatal; ``--strict`` makes it fatal).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import urllib.parse
from pathlib import Path

from common import (
    ROOT,
    RequestFailed,
    Server,
    api_token,
    bench_env,
    free_port,
    http_table,
    log,
    machine,
    manage,
    measure_scenarios,
    now_iso,
    postgres_version,
    prepare_database,
    run_on_postgres,
    session_cookie,
    setup_django,
    vacuum_analyze,
    write_report,
)

TARGET_MS = 100.0
IMPORT_TARGET_S = 10.0
DEMO_TARGET_S = 300.0
IMPORT_ROWS = 10_000


def registry_counts() -> dict:
    from saylau.commissions.models import Commission, Level, Membership, Person

    return {
        "commissions": Commission.objects.count(),
        "precincts": Commission.objects.filter(level=Level.PRECINCT).count(),
        "people": Person.objects.count(),
        "current_memberships": Membership.objects.current().count(),
    }


def import_file_rows(count: int, seed: int) -> list[list[str]]:
    """``count`` new, valid people (IINs with check digits, unused so far), one per precinct in turn."""
    from saylau.commissions import iin as iin_rules
    from saylau.commissions.demo import KK_FEMALE, KK_MALE, KK_SURNAME_STEMS, RU_FEMALE, RU_MALE
    from saylau.commissions.models import Commission, Level, Person

    rng = random.Random(seed)
    used = set(Person.objects.values_list("iin", flat=True))
    precincts = list(Commission.objects.filter(level=Level.PRECINCT).order_by("code").values_list("code", flat=True))
    rows = []
    while len(rows) < count:
        sex = rng.choice("mf")
        birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randint(0, 45 * 365))
        iin = iin_rules.build(birth, sex, rng.randint(0, 9999))
        if iin is None or iin in used:
            continue
        used.add(iin)
        if rng.random() < 0.2:
            first = rng.choice(RU_MALE if sex == "m" else RU_FEMALE)
            language = "ru"
        else:
            first = rng.choice(KK_MALE if sex == "m" else KK_FEMALE)
            language = "kk"
        stem = rng.choice(KK_SURNAME_STEMS)
        surname = stem + ("ов" if stem[-1] not in "ауеыоияюэ" else "ев") + ("" if sex == "m" else "а")
        patronymic = rng.choice(KK_MALE) + ("ұлы" if sex == "m" else "қызы")
        phone = f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        email = f"bench{seed}-{len(rows) + 1}@example.kz"
        code = precincts[len(rows) % len(precincts)]
        rows.append([iin, surname, first, patronymic, code, "member", "non_permanent", phone, email, language,
                     "", ""])
    return rows


def write_import_file(path: Path, rows: list[list[str]]) -> None:
    from saylau.commissions.tabular import EXPORT_COLUMNS, EXPORT_HEADERS, write_csv, write_xlsx

    headers = [EXPORT_HEADERS["en"][column] for column in EXPORT_COLUMNS]
    content = write_xlsx(headers, rows) if path.suffix == ".xlsx" else write_csv(headers, rows)
    path.write_bytes(content)


# --- Steps ----------------------------------------------------------------------------------------------------


IMPORT_SUMMARY = re.compile(
    r"(?P<rows>\d+) rows; (?P<new_people>\d+) new people, (?P<changed_people>\d+) updated, "
    r"(?P<new_memberships>\d+) new memberships, (?P<closed_memberships>\d+) ended, (?P<unchanged>\d+) unchanged"
)


def time_import(env: dict[str, str], path: Path) -> dict:
    seconds, output = manage(env, "import_members", str(path))
    match = IMPORT_SUMMARY.search(output)
    summary = {k: int(v) for k, v in match.groupdict().items()} if match else {"output": output.strip()}
    return {"seconds": round(seconds, 2), "summary": summary}


def main_inner(args: argparse.Namespace) -> int:
    results: dict = {
        "date": now_iso(),
        "machine": machine(),
        "settings": {"requests": args.requests, "threads": args.threads, "warmup": args.warmup,
                     "import_runs": args.import_runs,
                     "size": args.size, "web_concurrency": args.workers},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-"))
    env = bench_env(workdir, args.database_url)
    server = None
    try:
        log(f"work directory {workdir}")
        prepare_database(env)
        setup_django(env)
        results["postgresql"] = postgres_version()
        from django import get_version

        results["machine"]["django"] = get_version()

        demo_results = {}
        from django.db import connection

        from saylau.commissions.demo import demo_loaded

        if demo_loaded():
            log("demo data already loaded: the load is not timed")
            demo_results["load_seconds"] = None
        else:
            log(f"demo --size {args.size}")
            demo_results["load_seconds"] = round(manage(env, "demo", "--size", args.size)[0], 1)
            log(f"  {demo_results['load_seconds']} s")
        if not args.skip_reset:
            log(f"demo --size {args.size} --reset")
            demo_results["reset_seconds"] = round(manage(env, "demo", "--size", args.size, "--reset")[0], 1)
            log(f"  {demo_results['reset_seconds']} s")
        vacuum_analyze()
        demo_results.update(registry_counts())
        results["demo"] = demo_results
        connection.close()

        from saylau.commissions.models import Commission, Level

        tec = Commission.objects.filter(level=Level.TERRITORIAL, region__iso_code=args.region).order_by("code").first()
        connection.close()

        http_results = []
        if not args.skip_http:
            server = Server(env, free_port(), args.workers, workdir / "server.log")
            log(f"starting the server on {server.base} (WEB_CONCURRENCY={args.workers})")
            server.start()
            base = server.base
            tokens = {user: api_token(base, user) for user in ("admin", "coordinator")}
            cookies = {user: session_cookie(base, user) for user in ("admin", "coordinator")}
            q = urllib.parse.quote(args.q)
            region = urllib.parse.quote(args.region)

            def bearer(user):
                return {"Authorization": f"Bearer {tokens[user]}"}

            def session(user):
                return {"Cookie": cookies[user]}

            scenarios = [
                ("API /me (floor: token check, 1 query)", "coordinator", "/api/v1/me", bearer("coordinator"), "floor"),
                ("API members, region, 100/page", "coordinator", f"/api/v1/members?region={region}&page_size=100",
                 bearer("coordinator"), "api"),
                ("API members, region, 100/page", "admin", f"/api/v1/members?region={region}&page_size=100",
                 bearer("admin"), "api"),
                (f"API members, region + q={args.q}", "coordinator",
                 f"/api/v1/members?region={region}&q={q}&page_size=100", bearer("coordinator"), "api_q"),
                (f"API members, q={args.q} (national)", "admin", f"/api/v1/members?q={q}&page_size=100",
                 bearer("admin"), "api_q"),
                ("Page /registry/ (tree)", "admin", "/registry/", session("admin"), "page"),
                ("Page /registry/ (tree)", "coordinator", "/registry/", session("coordinator"), "page"),
                ("Page /registry/members/?region", "coordinator", f"/registry/members/?region={region}",
                 session("coordinator"), "page"),
                ("Page /registry/members/?region", "admin", f"/registry/members/?region={region}",
                 session("admin"), "page"),
                (f"Page /registry/c/<id>/ ({tec.code}, TEC)", "coordinator", f"/registry/c/{tec.pk}/",
                 session("coordinator"), "page"),
            ]
            http_results = measure_scenarios(base, scenarios, requests=args.requests, threads=args.threads,
                                             warmup=args.warmup)
            server.stop()
            server = None
        results["http"] = http_results

        import_results = []
        if not args.skip_import:
            runs: dict[str, list[dict]] = {}
            for run in range(args.import_runs):
                for index, suffix in enumerate((".xlsx", ".csv")):
                    kind = suffix[1:].upper()
                    path = workdir / f"new-members-{run + 1}{suffix}"
                    # Different seeds each time: every first import brings 10,000 people never seen before.
                    write_import_file(path, import_file_rows(IMPORT_ROWS, seed=args.seed + 2 * run + index))
                    connection.close()
                    log(f"import_members, run {run + 1}/{args.import_runs}: {IMPORT_ROWS} new people, {kind}")
                    first = time_import(env, path)
                    log(f"  {first['seconds']} s {first['summary']}")
                    log(f"import_members, run {run + 1}/{args.import_runs}: the same {kind} file again")
                    again = time_import(env, path)
                    log(f"  {again['seconds']} s {again['summary']}")
                    problems = []
                    if first["summary"].get("new_people") != IMPORT_ROWS:
                        problems.append(f"first import of the {kind} file: {first['summary']}")
                    if again["summary"].get("unchanged") != IMPORT_ROWS:
                        problems.append(f"re-import of the {kind} file was not a no-op: {again['summary']}")
                    if problems:
                        raise SystemExit("\n".join(problems))
                    runs.setdefault(f"{IMPORT_ROWS:,} new people, {kind}", []).append(
                        {**first, "format": kind, "bytes": path.stat().st_size})
                    runs.setdefault(f"same {kind} again (no changes)", []).append(
                        {**again, "format": kind, "bytes": path.stat().st_size})
            for name, items in runs.items():
                seconds = [item["seconds"] for item in items]
                import_results.append({
                    "name": name, "format": items[0]["format"], "rows": IMPORT_ROWS, "bytes": items[0]["bytes"],
                    "seconds": round(statistics.median(seconds), 2), "runs": seconds,
                    "summary": items[-1]["summary"],
                })
        results["import"] = import_results
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
    rows = []
    for item in results.get("http", []):
        if item["kind"] in ("api", "page"):
            rows.append({
                "target": f"{item['name']} as {item['user']}: p95 ≤ {TARGET_MS:.0f} ms (sequential)",
                "value": item["sequential"]["p95_ms"], "unit": "ms", "limit": TARGET_MS,
                "pass": item["sequential"]["p95_ms"] <= TARGET_MS,
            })
    for item in results.get("import", []):
        rows.append({
            "target": f"import_members, {item['name']}: ≤ {IMPORT_TARGET_S:.0f} s (median of {len(item['runs'])})",
            "value": item["seconds"], "unit": "s", "limit": IMPORT_TARGET_S, "pass": item["seconds"] <= IMPORT_TARGET_S,
        })
    demo = results["demo"]
    for key, label in (("load_seconds", "demo --size national"), ("reset_seconds", "demo --size national --reset")):
        if demo.get(key) is not None and results["settings"]["size"] == "national":
            rows.append({"target": f"{label}: < 5 min", "value": demo[key], "unit": "s", "limit": DEMO_TARGET_S,
                         "pass": demo[key] < DEMO_TARGET_S})
    return rows


def report(results: dict) -> str:
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"## Registry benchmark — {results['date']}",
        "",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m.get('django')}, PostgreSQL {results.get('postgresql')}. "
        f"Server: gunicorn, {s['web_concurrency']} sync workers. "
        f"Load average at start: {m['loadavg_at_start']}, at the end: {m.get('loadavg_at_end')}.",
        "",
        f"Data: {results['demo']['commissions']:,} commissions ({results['demo']['precincts']:,} precincts), "
        f"{results['demo']['people']:,} people, {results['demo']['current_memberships']:,} current memberships "
        f"(before the imports).",
        "",
    ]
    if results.get("http"):
        lines += http_table(results["http"], s)
    lines += ["| operation | seconds (median) | runs | result |", "|---|--:|---|---|"]
    demo = results["demo"]
    if demo.get("load_seconds") is not None:
        lines.append(f"| demo --size {s['size']} (empty database) | {demo['load_seconds']} | 1 | |")
    if demo.get("reset_seconds") is not None:
        lines.append(f"| demo --size {s['size']} --reset | {demo['reset_seconds']} | 1 | |")
    for item in results.get("import", []):
        summary = item["summary"]
        text = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items() if k != "rows")
        runs = ", ".join(str(x) for x in item["runs"])
        lines.append(f"| import_members: {item['name']} | {item['seconds']} | {runs} | {text} |")
    lines += ["", "| target | value | pass |", "|---|--:|---|"]
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
    parser.add_argument("--region", default="KZ-19", help="region of the coordinator scenarios (default KZ-19)")
    parser.add_argument("--q", default="Ахм", help="surname prefix searched for (default Ахм)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated import files")
    parser.add_argument("--skip-reset", action="store_true", help="do not time demo --reset")
    parser.add_argument("--skip-import", action="store_true", help="do not time the imports")
    parser.add_argument("--import-runs", type=int, default=3,
                        help="times each import is repeated with new people; the median is reported (default 3)")
    parser.add_argument("--skip-http", action="store_true", help="do not start the server or time requests")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench" / "registry.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (import files, server log)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_on_postgres(__file__, parse_args, main_inner))
