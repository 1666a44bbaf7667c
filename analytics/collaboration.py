"""Collaboration: who works with whom across provincial borders."""
from __future__ import annotations

import pandas as pd

from etl.reference import Reference


def lead_member_pairs(consortia: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Distinct (consortium, lead province, member province) rows."""
    lead = consortia[["id", "province"]].dropna().rename(columns={"province": "lead"})
    mem = members[["consortium_id", "province"]].dropna().rename(
        columns={"consortium_id": "id", "province": "member"})
    return lead.merge(mem, on="id").drop_duplicates(["id", "lead", "member"])


def collaboration_matrix(consortia: pd.DataFrame, members: pd.DataFrame, province_codes) -> pd.DataFrame:
    """Lead province (rows) x member province (columns): consortia led in the row province
    that have at least one member in the column province. The diagonal counts home members."""
    pairs = lead_member_pairs(consortia, members)
    codes = list(province_codes)
    table = pd.crosstab(pairs["lead"], pairs["member"]) if len(pairs) else pd.DataFrame()
    return table.reindex(index=codes, columns=codes, fill_value=0).astype(int)


def flow_edges(matrix: pd.DataFrame, min_weight: int = 1) -> pd.DataFrame:
    """Off-diagonal cells of the matrix as edges source, target, weight (heaviest first)."""
    stacked = matrix.stack()
    stacked.index.names = ["source", "target"]
    edges = stacked.rename("weight").reset_index()
    edges = edges[(edges["source"] != edges["target"]) & (edges["weight"] >= min_weight)]
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], ignore_index=True)


def cross_regional_share(consortia: pd.DataFrame) -> float:
    """Share of consortia whose lead place and members span two or more provinces."""
    return float((consortia["span"] >= 2).mean()) if len(consortia) else 0.0


def region_activity(consortia: pd.DataFrame, members: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Per named region: consortia located there (led from a member province or placed at the
    region) and those with lead or members in two or more of its provinces (internal collaboration)."""
    places = pd.concat([
        consortia[["id", "province"]].dropna(),
        members[["consortium_id", "province"]].rename(columns={"consortium_id": "id"}).dropna(),
    ]).drop_duplicates()
    rows = []
    for r in ref.regions.values():
        located = consortia["province"].isin(r.provinces) | (consortia["region"] == r.code)
        inside = places[places["province"].isin(r.provinces)].groupby("id").size()
        spanning = consortia["id"].isin(inside.index[inside >= 2])
        rows.append({"region": r.code, "name": r.name, "name_en": r.name_en,
                     "consortia": int(located.sum()), "internal_collaboration": int((located & spanning).sum())})
    return pd.DataFrame(rows)
