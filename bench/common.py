"""What the benchmarks share (bench/registry.py, bench/training.py): the machine, the throwaway PostgreSQL,
the production server, logging in, timing requests and percentiles, the markdown table.

Only the standard library on the client side (urllib + threading + time.perf_counter), so that what is
measured is the server, not a client library.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INNER_FLAG = "SAYLAU_BENCH_INNER"
DEMO_PASSWORD = "demo12345"


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


def run_in_threads(shares: list[list], call) -> tuple[list, float]:
    """``call(item)`` for every item, each share in its own thread, all started together; the results (in no
    particular order) and the wall time. The first error in any thread is raised after all have finished."""
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(shares) + 1)

    def worker(share: list) -> None:
        mine = []
        barrier.wait()
        try:
            for item in share:
                mine.append(call(item))
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=worker, args=(share,), daemon=True) for share in shares]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RequestFailed(str(errors[0]))
    return results, wall


def run_concurrent(url: str, headers: dict[str, str], n: int, threads: int) -> dict:
    shares = [[None] * (n // threads + (1 if i < n % threads else 0)) for i in range(threads)]
    latencies, wall = run_in_threads(shares, lambda _item: timed_fetch(url, headers))
    return {**summarise(latencies, wall), "threads": threads}


# --- The server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """scripts/serve (gunicorn + background worker) in its own process group. Subclasses change ``command``
    and the request that tells it is ready."""

    name = "the server"
    ready_path, ready_status = "/accounts/login/", 200

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        self.port, self.workers, self.log_path = port, workers, log_path
        self.base = f"http://127.0.0.1:{port}"
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [str(ROOT / "scripts" / "serve")]

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _body = fetch(self.base + self.ready_path, {}, timeout=5)
                if status == self.ready_status:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

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


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([python(), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def fmt_ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


# --- Running a benchmark ----------------------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds")


def bench_env(workdir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of manage.py and of the server: production settings, nothing written under var/."""
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
    if database_url:
        env["DATABASE_URL"] = database_url
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    return env


def prepare_database(env: dict[str, str]) -> None:
    """migrate, createcachetable, collectstatic (the server serves static files through whitenoise)."""
    log("migrate, createcachetable, collectstatic")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def vacuum_analyze() -> None:
    """What autovacuum does within a minute or so of a bulk load (statistics, visibility map); the figures
    should not depend on whether it has got round to it yet."""
    from django.db import connection

    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reexec_under_postgres(script: str, argv: list[str]) -> int:
    """Run ``script argv`` again under a throwaway PostgreSQL cluster (scripts/with_postgres.py sets
    DATABASE_URL and removes the cluster afterwards)."""
    env = {**os.environ, INNER_FLAG: "1"}
    command = [python(), str(ROOT / "scripts" / "with_postgres.py"), "--", python(), str(Path(script).resolve()), *argv]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def is_inner() -> bool:
    return os.environ.get(INNER_FLAG) == "1"


def run_on_postgres(script: str, parse_args: Callable, main_inner: Callable) -> int:
    """A benchmark's entry point: with ``--database-url`` (or once re-executed) run ``main_inner``; else run the
    script again under a throwaway PostgreSQL cluster."""
    argv = sys.argv[1:]
    args = parse_args(argv)
    if args.database_url or is_inner():
        return main_inner(args)
    return reexec_under_postgres(script, argv)


def response_info(body: bytes) -> dict:
    """What the report says about a response: count and items of an API page, else its size."""
    try:
        payload = json.loads(body)
    except ValueError:
        return {"bytes": len(body)}
    if isinstance(payload, dict) and "count" in payload and "items" in payload:
        return {"count": payload["count"], "items": len(payload["items"])}
    return {"bytes": len(body)}


def measure_scenarios(base: str, scenarios: list[tuple], *, requests: int, threads: int, warmup: int,
                      info: Callable[[bytes], dict] = response_info) -> list[dict]:
    """Each scenario ``(name, user, path, headers, kind)``: one checked request, ``warmup`` requests, then
    ``requests`` sequential requests and the same number spread over ``threads`` threads. The first scenario
    is the floor: every sequential p50 is also given divided by its p50."""
    results = []
    for name, user, path, headers, kind in scenarios:
        url = base + path
        status, body = fetch(url, headers)
        if status != 200:
            raise RequestFailed(f"GET {path} as {user} → {status}: {body[:300]!r}")
        details = info(body)
        for _ in range(warmup):
            timed_fetch(url, headers)
        load = round(os.getloadavg()[0], 2)
        log(f"{name} as {user}: {requests} sequential (load average {load})")
        sequential = run_sequential(url, headers, requests)
        log(f"  p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms; {requests} over {threads} threads")
        concurrent = run_concurrent(url, headers, requests, threads)
        log(f"  p50 {concurrent['p50_ms']} ms, p95 {concurrent['p95_ms']} ms, {concurrent['rps']} req/s")
        results.append({"name": name, "user": user, "path": path, "kind": kind, "response": details,
                        "loadavg_1min": load, "sequential": sequential, "concurrent": concurrent})
    floor = results[0]["sequential"]["p50_ms"] if results else None
    for item in results:
        item["sequential"]["p50_over_floor"] = round(item["sequential"]["p50_ms"] / floor, 1) if floor else None
    return results


def http_table(http_results: list[dict], settings: dict) -> list[str]:
    """The markdown table of measure_scenarios' results, with its legend."""
    threads = settings["threads"]
    lines = [
        f"| request | as | seq p50 | seq p95 | seq p99 | seq req/s | p50 ÷ floor | {threads} thr p50 "
        f"| {threads} thr p95 | {threads} thr p99 | {threads} thr req/s | load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for item in http_results:
        a, b = item["sequential"], item["concurrent"]
        lines.append(
            f"| {item['name']} | {item['user']} | {fmt_ms(a['p50_ms'])} | {fmt_ms(a['p95_ms'])} "
            f"| {fmt_ms(a['p99_ms'])} | {a['rps']} | {a['p50_over_floor']} | {fmt_ms(b['p50_ms'])} "
            f"| {fmt_ms(b['p95_ms'])} | {fmt_ms(b['p99_ms'])} | {b['rps']} | {item['loadavg_1min']} |"
        )
    lines += ["", f"Latencies in ms; {settings['requests']} requests per run after {settings['warmup']} warm-up requests; "
              f"\"{threads} thr\": the same number of requests from {threads} threads at once; "
              "load: 1-minute load average when the scenario started.", ""]
    return lines


def write_report(results: dict, output: str, report_text: str, *, strict: bool) -> int:
    """Write the figures as JSON and print the report; exit status 1 when ``strict`` and a target was missed."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(report_text)
    print(f"\nJSON: {out}")
    missed = [target for target in results.get("targets", []) if target["pass"] is False]
    return 1 if strict and missed else 0



def login_headers(base: str, users) -> tuple:
    """For each of ``users`` (demo logins), a token and a session: ``bearer(user)`` and ``session(user)`` give the
    headers of a request as that user."""
    tokens = {user: api_token(base, user) for user in users}
    cookies = {user: session_cookie(base, user) for user in users}

    def bearer(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[user]}"}

    def session(user: str) -> dict[str, str]:
        return {"Cookie": cookies[user]}

    return bearer, session
