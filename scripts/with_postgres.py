#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster: initdb, pg_ctl start, run, pg_ctl stop, delete.

    python scripts/with_postgres.py -- pytest ...

The cluster listens on a Unix socket only, in a temporary directory, with trust authentication; the
command gets DATABASE_URL pointing at it. PostgreSQL refuses to run as root, so as root the server
runs as the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile


def pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install Debian's postgresql package (apt-get install postgresql)")
    return found


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    as_root = os.geteuid() == 0
    workdir = tempfile.mkdtemp(prefix="saylau-pg-")
    datadir = os.path.join(workdir, "data")
    socketdir = workdir
    prefix: list[str] = []
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(workdir, owner.pw_uid, owner.pw_gid)
        os.chmod(workdir, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(
            [*prefix, pg_bin("initdb"), "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            check=True, stdout=subprocess.DEVNULL, env=env,
        )
        options = (
            f"-k {socketdir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            [*prefix, pg_bin("pg_ctl"), "-D", datadir, "-o", options, "-l", os.path.join(workdir, "log"),
             "-w", "start"],
            check=True, stdout=subprocess.DEVNULL, env=env,
        )
        url = f"postgres://postgres@/postgres?host={socketdir}"
        print(f"PostgreSQL test cluster at {socketdir}", flush=True)
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}).returncode
    finally:
        subprocess.run([*prefix, pg_bin("pg_ctl"), "-D", datadir, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
