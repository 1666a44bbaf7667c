"""Load: 25, 50 and 100 simulated planners (bench/locustfile.py) against gunicorn with 4 workers on
PostgreSQL and Redis, serving the public list. Prints p50/p95 and failures per request; never asserts.

Target (issue 13): 50 planners with p95 <= 500 ms for a filter change and zero failures.
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432"
USERS = [int(n) for n in os.environ.get("LOAD_USERS", "25,50,100").split(",")]
SECONDS = int(os.environ.get("LOAD_SECONDS", "45"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text("DROP DATABASE IF EXISTS atlas_load WITH (FORCE)"))
        con.execute(text("CREATE DATABASE atlas_load"))
    work = Path(tempfile.mkdtemp(prefix="atlas-load-"))
    env = {**os.environ, "DATABASE_URL": f"{PG}/atlas_load", "REDIS_URL": "redis://127.0.0.1:6379/14",
           "ATLAS_DATA_DIR": str(work), "WEB_CONCURRENCY": "4", "PORT": str(free_port())}
    subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True)
    subprocess.run([sys.executable, "-m", "etl", "public"], cwd=ROOT, env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{env['PORT']}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "app:server"],
                              cwd=ROOT, env=env, stdout=open(work / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    # Exports run as background jobs: with REDIS_URL, on a Celery worker beside the web workers.
    worker = subprocess.Popen([str(Path(sys.executable).parent / "celery"), "-A", "app:celery_app", "worker",
                               "--concurrency", "2", "--loglevel", "WARNING"], cwd=ROOT, env=env,
                              stdout=open(work / "celery.log", "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        print(f"gunicorn, 4 workers, PostgreSQL + Redis, public list; {SECONDS} s per level, 127.0.0.1 only")
        print(f"{'planners':>8}  {'request':34} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'failures':>8}")
        for users in USERS:
            prefix = work / f"u{users}"
            subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                            "--headless", "-u", str(users), "-r", str(max(1, users // 5)), "--run-time",
                            f"{SECONDS}s", "--host", url, "--csv", str(prefix), "--only-summary"],
                           cwd=ROOT / "bench", env=env, capture_output=True, timeout=SECONDS + 120)
            with open(f"{prefix}_stats.csv", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["Name"] in ("Aggregated", "healthz", "open page: dependencies", "export chart: poll"):
                        continue
                    print(f"{users:>8}  {row['Name']:34} {row['Request Count']:>6} {row['50%']:>7} {row['95%']:>7} "
                          f"{row['Failure Count']:>8}")
    finally:
        for proc in (server, worker):
            proc.terminate()
            proc.wait(timeout=60)
        with admin.connect() as con:
            con.execute(text("DROP DATABASE IF EXISTS atlas_load WITH (FORCE)"))


if __name__ == "__main__":
    main()
