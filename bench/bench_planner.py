"""Planner views for one province or pair of snapshots at 10k consortia, beside the overview in the same run.

Target (issue 12): each view <= 100 ms of server time at 10k consortia. Printed, never asserted.
"""
from __future__ import annotations

import numpy as np

from bench_analytics import synthetic_frames
from common import best_of

from analytics import planner, views
from analytics.chains import all_chains, chain_coverage, load_chains
from analytics.filters import Filters
from etl.reference import load_reference


def main() -> None:
    from analytics.spatial import province_weights

    province_weights()
    ref = load_reference()
    print("planner views at 10k consortia (best of 5), server time of the analytics each view calls")
    frames = synthetic_frames(10_000)
    c, t, m = frames.consortia, frames.technologies, frames.members
    c = c.assign(name_key=c["name"], sector_raw="", technologies_raw="",
                 lead_org=[f"企业{i % 700}" for i in range(len(c))], grade=None, source_url=None)
    m = m.assign(name=[f"单位{i % 1500}" for i in range(len(m))])
    rng = np.random.default_rng(3)
    changed = c.sample(frac=0.9, random_state=3).assign(sector=lambda d: rng.choice(ref.sector_codes, len(d)))

    def overview():
        frames._subsets.clear()
        views.overview(frames, Filters(), ref)

    runs = {
        "overview (for scale)": overview,
        "profile 330000": lambda: planner.province_profile(c, t, m, "330000", ref),
        "compare 10 provinces": lambda: planner.compare(c, t, m, list(ref.province_codes[:10]), ref),
        "chain view (lithography)": lambda: chain_coverage(c, t, load_chains()["lithography"]),
        "chains --json (all four)": lambda: all_chains(c, t),
        "diff of two snapshots": lambda: planner.diff_snapshots(("a", c, t, m), ("b", changed, t, m), ref),
    }
    base = None
    for name, fn in runs.items():
        fn()
        seconds = best_of(fn, 5)
        base = base or seconds
        print(f"  {name:24} {seconds * 1000:7.1f} ms   ({seconds / base:4.1f}x the overview)")


if __name__ == "__main__":
    main()
