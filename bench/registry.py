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
import http.cookiejar
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INNER_FLAG = "SAYLAU_BENCH_INNER"
DEMO_PASSWORD = "demo12345"
TARGET_MS = 100.0
IMPORT_TARGET_S = 10.0
DEMO_TARGET_S = 300.0
IMPORT_ROWS = 10_000


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


# --- Machine ------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, ValueError, subprocess.CalledProcessError):
        nproc = os.cpu_count()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "nproc": nproc, "cpu_model": cpu_model, "ram_gib": ram_gib, "kernel": platform.release(),
        "python": platform.python_version(), "loadavg_at_start": load,
    }


# --- Measuring ------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (k - lower)


def summarise(latencies: list[float], wall: float) -> dict:
    values = sorted(latencies)
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
        "max_ms": round(values[-1] * 1000, 1),
        "rps": round(len(values) / wall, 1),
    }


class RequestFailed(Exception):
    pass


def fetch(url: str, headers: dict[str, str], timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def timed_fetch(url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    status, body = fetch(url, headers)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RequestFailed(f"GET {url} → {status}: {body[:300]!r}")
    return elapsed


def run_sequential(url: str, headers: dict[str, str], n: int) -> dict:
    latencies = []
    started = time.perf_counter()
    for _ in range(n):
        latencies.append(timed_fetch(url, headers))
    return summarise(latencies, time.perf_counter() - started)


def run_concurrent(url: str, headers: dict[str, str], n: int, threads: int) -> dict:
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    per_thread = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(count: int) -> None:
        mine = []
        barrier.wait()
        try:
            for _ in range(count):
                mine.append(timed_fetch(url, headers))
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(count,), daemon=True) for count in per_thread]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RequestFailed(str(errors[0]))
    return {**summarise(latencies, wall), "threads": threads}


# --- The server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """scripts/serve (gunicorn + background worker) in its own process group."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _body = fetch(self.base + "/accounts/login/", {}, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script created: serve, gunicorn, worker
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def api_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(base + "/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def session_cookie(base: str, username: str) -> str:
    """Log in through the login form as a browser would; returns the Cookie header for later requests."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    form = urllib.parse.urlencode({
        "csrfmiddlewaretoken": match.group(1), "username": username, "password": DEMO_PASSWORD,
    }).encode()
    opener.open(urllib.request.Request(base + "/accounts/login/", data=form,
                                       headers={"Referer": base + "/accounts/login/"}), timeout=30).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"logging in as {username} failed")
    return f"sessionid={cookies['sessionid']}"


# --- Django in this process (data look-ups, the import files) ------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return version


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


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([python(), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


IMPORT_SUMMARY = re.compile(
    r"(?P<rows>\d+) rows; (?P<new_people>\d+) new people, (?P<changed_people>\d+) updated, "
    r"(?P<new_memberships>\d+) new memberships, (?P<closed_memberships>\d+) ended, (?P<unchanged>\d+) unchanged"
)


def time_import(env: dict[str, str], path: Path) -> dict:
    seconds, output = manage(env, "import_members", str(path))
    match = IMPORT_SUMMARY.search(output)
    summary = {k: int(v) for k, v in match.groupdict().items()} if match else {"output": output.strip()}
    return {"seconds": round(seconds, 2), "summary": summary}


def fmt_ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def main_inner(args: argparse.Namespace) -> int:
    started_at = datetime.datetime.now(datetime.UTC).astimezone()
    results: dict = {
        "date": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"requests": args.requests, "threads": args.threads, "warmup": args.warmup,
                     "import_runs": args.import_runs,
                     "size": args.size, "web_concurrency": args.workers},
    }
    workdir = Path(tempfile.mkdtemp(prefix="saylau-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(workdir / "var"),  # static files, logs: nothing under the project's var/ but the report
        "LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    server = None
    try:
        log(f"work directory {workdir}")
        log("migrate, createcachetable, collectstatic")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "collectstatic", "--noinput", "-v", "0")
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
        log("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            # What autovacuum does within a minute or so of a bulk load (statistics, visibility map); the
            # figures should not depend on whether it has got round to it yet.
            cursor.execute("VACUUM ANALYZE")
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
            for name, user, path, headers, kind in scenarios:
                url = base + path
                status, body = fetch(url, headers)
                if status != 200:
                    raise RequestFailed(f"GET {path} as {user} → {status}: {body[:300]!r}")
                info = {}
                if kind.startswith("api"):
                    payload = json.loads(body)
                    info = {"count": payload["count"], "items": len(payload["items"])}
                else:
                    info = {"bytes": len(body)}
                for _ in range(args.warmup):
                    timed_fetch(url, headers)
                load = round(os.getloadavg()[0], 2)
                log(f"{name} as {user}: {args.requests} sequential (load average {load})")
                sequential = run_sequential(url, headers, args.requests)
                log(f"  p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms; "
                    f"{args.requests} over {args.threads} threads")
                concurrent = run_concurrent(url, headers, args.requests, args.threads)
                log(f"  p50 {concurrent['p50_ms']} ms, p95 {concurrent['p95_ms']} ms, {concurrent['rps']} req/s")
                http_results.append({"name": name, "user": user, "path": path, "kind": kind, "response": info,
                                     "loadavg_1min": load, "sequential": sequential, "concurrent": concurrent})
            floor = http_results[0]["sequential"]["p50_ms"]
            for item in http_results:
                item["sequential"]["p50_over_floor"] = round(item["sequential"]["p50_ms"] / floor, 1) if floor else None
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
        results["finished"] = datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds")
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

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(report(results))
    print(f"\nJSON: {out}")
    missed = [t for t in results["targets"] if t["pass"] is False]
    return 1 if args.strict and missed else 0


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
        lines += [
            f"| request | as | seq p50 | seq p95 | seq p99 | seq req/s | p50 ÷ floor | {s['threads']} thr p50 "
            f"| {s['threads']} thr p95 | {s['threads']} thr p99 | {s['threads']} thr req/s | load |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for item in results["http"]:
            a, b = item["sequential"], item["concurrent"]
            lines.append(
                f"| {item['name']} | {item['user']} | {fmt_ms(a['p50_ms'])} | {fmt_ms(a['p95_ms'])} "
                f"| {fmt_ms(a['p99_ms'])} | {a['rps']} | {a['p50_over_floor']} | {fmt_ms(b['p50_ms'])} "
                f"| {fmt_ms(b['p95_ms'])} | {fmt_ms(b['p99_ms'])} | {b['rps']} | {item['loadavg_1min']} |"
            )
        lines += ["", f"Latencies in ms; {s['requests']} requests per run after {s['warmup']} warm-up requests; "
                  f"\"{s['threads']} thr\": the same number of requests from {s['threads']} threads at once; "
                  "load: 1-minute load average when the scenario started.", ""]
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


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


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


def main() -> int:
    argv = sys.argv[1:]
    args = parse_args(argv)
    if args.database_url or os.environ.get(INNER_FLAG) == "1":
        return main_inner(args)
    # Re-execute under a throwaway PostgreSQL cluster; it sets DATABASE_URL and removes the cluster after.
    env = {**os.environ, INNER_FLAG: "1"}
    command = [python(), str(ROOT / "scripts" / "with_postgres.py"), "--", python(), str(Path(__file__).resolve()),
               *argv]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
