"""Trends: consortia formed per year, overall and by region group."""
from __future__ import annotations

import pandas as pd

from etl.reference import Reference


def formations_by_year(consortia: pd.DataFrame, ref: Reference, by_group: bool = False) -> pd.DataFrame:
    """Columns year, [region_group], count; consortia without a year are left out."""
    frame = consortia.dropna(subset=["year"]).copy()
    frame["year"] = frame["year"].astype(int)
    if not by_group:
        return frame.groupby("year").size().rename("count").reset_index()
    groups = {c: p.region_group for c, p in ref.provinces.items()}
    frame["region_group"] = frame["province"].map(groups).fillna("national_or_regional")
    return frame.groupby(["year", "region_group"]).size().rename("count").reset_index()
