"""All analytics for one filter state at 10k and 100k consortia (printed with peak memory)."""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from common import best_of, peak_rss_mb

from analytics import views
from analytics.filters import Filters
from analytics.summary import summarise
from etl.reference import load_reference


def synthetic_frames(n: int, seed: int = 1) -> views.Frames:
    rng = np.random.default_rng(seed)
    ref = load_reference()
    provinces = np.array(ref.province_codes)
    weights = rng.random(len(provinces)) ** 3
    weights /= weights.sum()
    prov = rng.choice(provinces, size=n, p=weights)
    kind = np.where(rng.random(n) < 0.05, "national", "province")
    prov = np.where(kind == "national", None, prov)
    consortia = pd.DataFrame({
        "id": np.arange(1, n + 1), "name": [f"c{i}" for i in range(n)], "lead_org": "x",
        "lead_type": rng.choice(["central_soe", "private", "university"], n), "place_kind": kind,
        "province": prov, "city": None, "region": None, "scope": rng.choice(["provincial", "cross_regional"], n),
        "span": rng.integers(1, 4, n), "sector": rng.choice(ref.sector_codes, n), "year": rng.integers(2015, 2026, n),
        "level": "provincial", "operating_model": None, "source": "bench", "synthetic": True})
    consortia.index = consortia["id"].to_numpy()
    k = rng.integers(0, 3, n)
    tech = pd.DataFrame({"consortium_id": np.repeat(consortia["id"], k),
                         "technology": rng.choice(ref.technology_codes[2:-1], k.sum())})
    m = rng.integers(1, 5, n)
    members = pd.DataFrame({"consortium_id": np.repeat(consortia["id"], m), "name": "m",
                            "province": rng.choice(provinces, m.sum()), "raw": ""})
    return views.Frames(consortia, tech.drop_duplicates(), members)


def everything(frames: views.Frames, f: Filters) -> None:
    """Every view for one filter state, from scratch: the filtering is paid once per call."""
    ref = load_reference()
    frames._subsets.clear()
    views.overview(frames, f, ref)
    views.sector_matrix(frames, f, ref)
    views.sector_matrix(frames, f, ref, "lq")
    views.technology_gap_matrix(frames, f, ref)
    views.clustering(frames, f, ref)
    views.collaboration(frames, f, ref)
    views.records(frames, f, ref)


def main() -> None:
    from analytics.spatial import province_weights

    province_weights()
    f = Filters(sector=("S3",), year_from=2018)
    print("all dashboard analytics for one filter state (best of 3; weights built once beforehand)")
    for n in (10_000, 100_000):
        frames = synthetic_frames(n)
        everything(frames, f)
        seconds = best_of(lambda: everything(frames, f), 3)
        tracemalloc.start()  # a separate pass: tracing slows Python several-fold
        everything(frames, f)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        plain = best_of(lambda: frames.consortia.groupby("province").size(), 3)
        print(f"  {n:>7} consortia: {seconds * 1000:7.0f} ms, traced peak {peak / 2**20:6.1f} MB "
              f"(a bare groupby of the same frame: {plain * 1000:.1f} ms)")
        t = time.perf_counter()
        summarise("bench", {"published_at": "", "report": {}}, frames.consortia, frames.technologies,
                  load_reference())
        print(f"           summary --json body: {(time.perf_counter() - t) * 1000:7.0f} ms")
    print(f"  process peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
