"""Coverage: how many consortia, where, in which sectors and technologies."""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from etl.reference import Reference

DIMENSIONS = ("province", "city", "region", "region_group", "sector", "technology", "lead_type", "level",
              "scope", "year")


def province_counts(consortia: pd.DataFrame, province_codes: Iterable[str]) -> dict[str, int]:
    """Each consortium once under its lead's province; national-scope under 'national',
    those placed only at a named multi-province region under 'regional'."""
    counts = {code: 0 for code in province_codes}
    located = consortia["province"].dropna().value_counts()
    for code, n in located.items():
        if code in counts:
            counts[code] = int(n)
    kind = consortia["place_kind"]
    counts["national"] = int((kind == "national").sum())
    counts["regional"] = int(((kind == "region") & consortia["province"].isna()).sum())
    return counts


def code_counts(values: pd.Series, codes: Iterable[str]) -> dict[str, int]:
    """Counts of ``values`` for every code in ``codes``, zeros included."""
    vc = values.value_counts()
    return {c: int(vc.get(c, 0)) for c in codes}


def technology_counts(technologies: pd.DataFrame, codes: Iterable[str]) -> dict[str, int]:
    """Consortia targeting each technology code (a consortium counts once per code)."""
    return code_counts(technologies.drop_duplicates(["consortium_id", "technology"])["technology"], codes)


def long_frame(consortia: pd.DataFrame, technologies: pd.DataFrame, dims: Iterable[str],
               ref: Reference) -> pd.DataFrame:
    """One row per consortium and value of each multi-valued dimension (technology, region)."""
    dims = list(dims)
    frame = consortia[["id", "province", "city", "sector", "lead_type", "level", "scope", "year", "region",
                       "place_kind"]].copy()
    if "region_group" in dims:
        groups = {c: p.region_group for c, p in ref.provinces.items()}
        frame["region_group"] = frame["province"].map(groups)
    if "region" in dims:
        rows = [(r.code, p) for r in ref.regions.values() for p in r.provinces]
        membership = pd.DataFrame(rows, columns=["named_region", "province"])
        by_province = frame.merge(membership, on="province", how="inner")
        placed = frame[frame["place_kind"] == "region"].assign(named_region=lambda d: d["region"])
        frame = pd.concat([by_province, placed]).drop_duplicates(["id", "named_region"])
        frame = frame.drop(columns=["region"]).rename(columns={"named_region": "region"})
    if "technology" in dims:
        frame = frame.merge(technologies.rename(columns={"consortium_id": "id"}), on="id", how="inner")
    return frame


def count_by(consortia: pd.DataFrame, technologies: pd.DataFrame, dims: Iterable[str],
             ref: Reference) -> pd.DataFrame:
    """Consortium counts by any combination of DIMENSIONS, as a tidy frame with a 'count' column."""
    dims = list(dims)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(unknown)}")
    frame = long_frame(consortia, technologies, dims, ref)
    if not dims:
        return pd.DataFrame({"count": [frame["id"].nunique()]})
    return (frame.dropna(subset=dims).groupby(dims, observed=True)["id"].nunique()
            .rename("count").reset_index())


def normalise_by_indicator(counts: pd.DataFrame, indicators: pd.DataFrame, indicator: str,
                           per: float = 1.0, year: int | None = None) -> pd.DataFrame:
    """Province counts divided by an indicator (population, GDP, R&D …) times ``per``.

    ``indicators`` has columns province, year, indicator, value; the latest year
    (or ``year``) is used. Provinces without the indicator get NaN, not zero.
    """
    ind = indicators[indicators["indicator"] == indicator]
    if year is not None:
        ind = ind[ind["year"] == year]
    latest = ind.sort_values("year").groupby("province")["value"].last()
    out = counts.copy()
    out["value"] = out["count"] / out["province"].map(latest) * per
    return out
