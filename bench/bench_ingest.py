"""Ingest of 1k, 10k and 100k rows vs plain pandas reading the same file (printed, not asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, write_list

CHILD = r"""
import json, sys, time, resource
sys.path.insert(0, {root!r})
mode, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if mode == "pandas":
    import pandas as pd
    pd.read_csv(path, dtype=str, encoding="utf-8-sig")
else:
    from etl.ingest import ingest_paths
    from etl.store import get_engine
    r = ingest_paths(get_engine("sqlite:///" + db), [path])
    assert r.published
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(mode: str, path: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), mode, str(path), str(db)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    print("ingest (fresh process each; seconds exclude interpreter start and imports are inside)")
    print(f"{'rows':>8} {'pandas s':>9} {'ingest s':>9} {'ratio':>6} {'ingest peak MB':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1_000, 10_000, 100_000):
            path = write_list(Path(tmp) / f"list{n}.csv", n)
            pandas = min(run("pandas", path, Path(tmp) / "x.db")["seconds"] for _ in range(3))
            runs = [run("ingest", path, Path(tmp) / f"db{n}-{i}.db") for i in range(3 if n < 100_000 else 1)]
            ingest = min(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            print(f"{n:>8} {pandas:>9.3f} {ingest:>9.3f} {ingest / pandas:>6.1f} {peak:>15.0f}")


if __name__ == "__main__":
    main()
