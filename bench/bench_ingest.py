"""Ingest of 1k, 10k and 100k rows vs plain pandas reading the same file (printed, not asserted).

Both sides run in a fresh process and count their imports (pandas' own
import is part of "reading a file with pandas"). "write s" is what any
ingest into this schema must spend on the store: the same snapshot rows
written again with a bare sqlite3 executemany into an empty copy of the
store, nothing else. The floor is pandas' whole read plus that write, and
the last column is the ingest's whole time as a multiple of it (issue 13's
goal for the 100k CSV: at most 1.5).
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, write_list

CHILD = r"""
import json, sys, time, resource
t = time.perf_counter()
sys.path.insert(0, {root!r})
mode, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "pandas":
    import pandas as pd
    t_import = time.perf_counter()
    if path.endswith(".xlsx"):
        pd.read_excel(path, dtype=str, header=1)
    elif path.endswith(".json"):
        pd.read_json(path, dtype=str)
    else:
        pd.read_csv(path, dtype=str, encoding="utf-8-sig")
else:
    from etl.ingest import ingest_paths
    from etl.store import get_engine
    engine = get_engine(db if "://" in db else "sqlite:///" + db)
    t_import = time.perf_counter()
    r = ingest_paths(engine, [path])
    assert r.published
end = time.perf_counter()
print(json.dumps({{"seconds": end - t, "work": end - t_import,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(mode: str, path: Path, db: Path | str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), mode, str(path), str(db)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def store_floor(db: Path, tmp: Path, attempt: int = 0) -> tuple[float, int]:
    """Seconds to write the snapshot's rows again with bare executemany into an empty copy of the schema."""
    src = sqlite3.connect(db)
    schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    tables = ["consortia", "members", "technology_tags", "rejections", "warnings", "unmapped"]
    data = {t: src.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    src.close()
    copy = tmp / f"floor-{db.stem}-{attempt}.db"
    dst = sqlite3.connect(copy)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    for sql in schema:
        dst.execute(sql)
    dst.commit()
    t = time.perf_counter()
    with dst:
        for table, rows in data.items():
            if rows:
                dst.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(rows[0]))})', rows)
    seconds = time.perf_counter() - t
    dst.close()
    return seconds, sum(map(len, data.values()))


PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"


def postgres_row(path: Path, pandas_all: float, pandas_work: float) -> None:
    """The 100k CSV into a fresh PostgreSQL database, when the server is up (shared deployments)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(text("DROP DATABASE IF EXISTS atlas_bench"))
            con.execute(text("CREATE DATABASE atlas_bench"))
    except Exception as exc:  # no server: say so and go on
        print(f"   (PostgreSQL not reachable: {type(exc).__name__}; no PostgreSQL row)")
        return
    try:
        r = run("ingest", path, f"{PG}/atlas_bench")
        print(f"{'pg':>5} {100_000:>8} {pandas_all:>10.3f} {r['seconds']:>10.3f} {r['seconds'] / pandas_all:>6.1f} "
              f"{pandas_work:>11.3f} {r['work']:>11.3f} {r['work'] / pandas_work:>6.1f} {r['peak_mb']:>8.0f}")
    finally:
        with admin.connect() as con:
            con.execute(text("DROP DATABASE IF EXISTS atlas_bench WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    only_csv = "--csv100k" in sys.argv[1:]  # the one case issue 13 sets a goal for, quickly
    cases = [(".csv", 100_000)] if only_csv else (
        [(".csv", n) for n in (1_000, 10_000, 100_000)] + [(".xlsx", 100_000), (".json", 100_000)])
    print("ingest into SQLite (the last row: PostgreSQL), fresh process each, best of 3 (1 for XLSX and JSON); "
          "'all' counts imports, 'work' does not")
    print(f"{'file':>5} {'rows':>8} {'pandas all':>10} {'ingest all':>10} {'ratio':>6} {'pandas work':>11} "
          f"{'ingest work':>11} {'ratio':>6} {'peak MB':>8} {'db rows':>8} {'write s':>8} {'× floor':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for suffix, n in cases:
            path = write_list(tmp / f"list{n}{suffix}", n)
            repeat = 3 if suffix == ".csv" else 1
            pandas = [run("pandas", path, tmp / "x.db") for _ in range(repeat)]
            dbs = [tmp / f"db{n}{suffix}-{i}.db" for i in range(repeat)]
            runs = [run("ingest", path, db) for db in dbs]
            p_all, p_work = min(r["seconds"] for r in pandas), min(r["work"] for r in pandas)
            i_all, i_work = min(r["seconds"] for r in runs), min(r["work"] for r in runs)
            floor = min(store_floor(dbs[0], tmp, i)[0] for i in range(repeat))
            rows = store_floor(dbs[0], tmp, repeat)[1]
            print(f"{suffix[1:]:>5} {n:>8} {p_all:>10.3f} {i_all:>10.3f} {i_all / p_all:>6.1f} {p_work:>11.3f} {i_work:>11.3f} "
                  f"{i_work / p_work:>6.1f} {max(r['peak_mb'] for r in runs):>8.0f} {rows:>8} {floor:>8.3f} "
                  f"{i_all / (p_all + floor):>8.2f}")
            if suffix == ".csv" and n == 100_000:
                csv100k = (path, p_all, p_work)
        if not only_csv:
            postgres_row(*csv100k)


if __name__ == "__main__":
    main()
