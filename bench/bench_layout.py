"""The first page's layout on the server: milliseconds per /_dash-layout for the public list, with the map's
figure kept as JSON per view (callbacks.overview.whole_province_map), against the same request building the
figure again each time (the cache cleared before every request), measured in the same run (printed, not
asserted). Run in a fresh process with its own store:

  python bench/bench_layout.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import ROOT

CHILD = r"""
import statistics, sys, time
sys.path.insert(0, {root!r})
from app import app
from callbacks.overview import whole_province_map

client = app.server.test_client()
headers = {{"Referer": "http://localhost/", "Accept-Encoding": "br"}}
for _ in range(5):
    client.get("/_dash-layout", headers=headers)  # warm: snapshot, frames and views loaded


def per_request(clear: bool, n: int = 40) -> float:
    times = []
    for _ in range(n):
        if clear:
            whole_province_map.cache_clear()
        t = time.perf_counter()
        response = client.get("/_dash-layout", headers=headers)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200
    return statistics.median(times) * 1000


rounds = [(per_request(False), per_request(True)) for _ in range(3)]  # alternated: a noisy machine's drift
kept = statistics.median(r[0] for r in rounds)
built = statistics.median(r[1] for r in rounds)
print(f"/_dash-layout, public list, median of 3 × 40 requests: map kept as JSON {{kept:.1f}} ms, "
      f"built each time {{built:.1f}} ms ({{built / kept:.1f}}×)")
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ATLAS_DATA_DIR": tmp, "DATABASE_URL": ""}
        subprocess.run([sys.executable, "-m", "etl", "public"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT))], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
