"""Concentration over provinces: HHI, Gini, top-six share, and their trend."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd


def shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = float(sum(counts.values()))
    return {k: (v / total if total else 0.0) for k, v in counts.items()}


def hhi(counts: Mapping[str, float]) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares (1/n .. 1)."""
    return float(sum(s * s for s in shares(counts).values()))


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal, (n-1)/n = all in one)."""
    x = np.sort(np.asarray(list(values), dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum()) / (n * total) - (n + 1) / n)


def top_k(counts: Mapping[str, float], k: int = 6) -> tuple[list[str], float]:
    """The k largest codes (ties broken by code) and their share of the total."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    total = float(sum(counts.values()))
    return [c for c, _ in ranked], (sum(v for _, v in ranked) / total if total else 0.0)


def concentration(counts: Mapping[str, float], k: int = 6) -> dict:
    """{'hhi', 'gini', 'top6', 'top6_share'} of province counts."""
    top, share = top_k(counts, k)
    return {"hhi": hhi(counts), "gini": gini(counts.values()), "top6": top, "top6_share": share}


def concentration_trend(consortia: pd.DataFrame, province_codes, k: int = 6) -> pd.DataFrame:
    """Per year of formation: HHI, Gini and top-six share of the consortia formed that year
    and of all consortia formed up to that year (cumulative)."""
    located = consortia.dropna(subset=["year", "province"])
    located = located[located["province"].isin(list(province_codes))]
    rows = []
    for year in sorted(located["year"].unique()):
        for basis, frame in (("year", located[located["year"] == year]),
                             ("cumulative", located[located["year"] <= year])):
            counts = {c: 0 for c in province_codes} | frame["province"].value_counts().to_dict()
            c = concentration(counts, k)
            rows.append({"year": int(year), "basis": basis, "consortia": len(frame), "hhi": c["hhi"],
                         "gini": c["gini"], "top6_share": c["top6_share"]})
    return pd.DataFrame(rows, columns=["year", "basis", "consortia", "hhi", "gini", "top6_share"])
