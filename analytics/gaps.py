"""Gaps and overlaps in bottleneck technologies."""
from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

THIN_MAX = 2


def uncovered_and_thin(tech_counts: Mapping[str, int], thin_max: int = THIN_MAX) -> dict[str, list[str]]:
    """{'uncovered': codes with no consortium, 'thin': codes with 1..thin_max}, in code order."""
    codes = list(tech_counts)
    return {"uncovered": [c for c in codes if tech_counts[c] == 0],
            "thin": [c for c in codes if 0 < tech_counts[c] <= thin_max]}


def gap_matrix(long: pd.DataFrame, technology_codes: Iterable[str], column: str,
               column_values: Iterable[str]) -> pd.DataFrame:
    """Technology x ``column`` (region group, named region, province …) consortium counts, zeros kept.

    ``long`` is one row per consortium and technology with the column present
    (analytics.coverage.long_frame)."""
    counts = long.dropna(subset=[column]).groupby(["technology", column])["id"].nunique()
    table = counts.unstack(fill_value=0) if len(counts) else pd.DataFrame()
    return table.reindex(index=list(technology_codes), columns=list(column_values), fill_value=0).astype(int)


def duplication(tags_with_province: pd.DataFrame, min_provinces: int = 5) -> pd.DataFrame:
    """Technologies targeted by consortia in at least ``min_provinces`` provinces at once.

    Columns technology, provinces, consortia; most provinces first."""
    g = tags_with_province.dropna(subset=["province"]).groupby("technology")
    out = pd.DataFrame({"provinces": g["province"].nunique(), "consortia": g["id"].nunique()}).reset_index()
    out = out[out["provinces"] >= min_provinces]
    return out.sort_values(["provinces", "consortia", "technology"], ascending=[False, False, True],
                           ignore_index=True)
