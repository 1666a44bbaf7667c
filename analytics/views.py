"""What each dashboard view shows, for one snapshot and one filter state.

Pure functions over the snapshot's frames; the callbacks only call these and
hand the results to figures/. Views whose axes are a filter's own dimension
(the map's provinces, the heatmap's sectors, the gap matrix's technologies)
leave that filter out and highlight the pick instead, so the planner keeps
the national picture while drilling down.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from etl.reference import Reference

from .collaboration import collaboration_matrix, cross_regional_share, flow_edges
from .concentration import concentration, concentration_trend
from .coverage import code_counts, long_frame, normalise_by_indicator, province_counts, technology_counts
from .filters import Filters, apply_filters
from .gaps import gap_matrix, uncovered_and_thin
from .spatial import lisa, moran
from .specialisation import location_quotients

GAP_COLUMNS = ("东部", "中部", "西部", "东北", "港澳台", "national", "regional")


@dataclass(frozen=True, eq=False)
class Frames:
    consortia: pd.DataFrame
    technologies: pd.DataFrame
    members: pd.DataFrame
    _subsets: dict = field(default_factory=dict, repr=False)

    def filtered(self, f: Filters) -> "Frames":
        """The frames under ``f``; each filter state is applied once, then reused by every view."""
        hit = self._subsets.get(f)
        if hit is None:
            if len(self._subsets) > 64:
                self._subsets.clear()
            hit = self._subsets[f] = Frames(*apply_filters(self.consortia, self.technologies, self.members, f))
        return hit


# The filters each chart sets aside, because it shows what they would pick among the rest (the map and the
# heatmap outline the picked province or cell; the gap matrix every technology; the trend every year).
SET_ASIDE = {"province-map": ("province",), "sector-heatmap": ("sector", "province"),
             "technology-gaps": ("technology", "province"), "clustering-map": ("province",),
             "collaboration-flows": ("province",), "collaboration-matrix": ("province",), "trends-chart": ("year",)}


def set_aside(chart: str, f: Filters) -> tuple[str, ...]:
    """Those of ``chart``'s set-aside filters that ``f`` actually sets."""
    active = {"sector": bool(f.sector), "technology": bool(f.technology), "province": bool(f.province),
              "year": f.year_from is not None or f.year_to is not None}
    return tuple(k for k in SET_ASIDE.get(chart, ()) if active[k])


def kpis(frames: Frames, f: Filters, ref: Reference) -> dict:
    """kpi-total, kpi-provinces, kpi-uncovered under every filter, the province included; the uncovered
    technologies leave the technology filter out (under it, every other technology would read as a gap)."""
    sel = frames.filtered(f)
    tech = technology_counts(frames.filtered(replace(f, technology=())).technologies if f.technology else
                             sel.technologies, ref.technology_codes)
    gaps = uncovered_and_thin(tech)
    provinces = sel.consortia["province"].dropna()
    return {"total": int(len(sel.consortia)),
            "provinces": int(provinces[provinces.isin(list(ref.provinces))].nunique()),
            "uncovered": len(gaps["uncovered"]), "uncovered_codes": gaps["uncovered"],
            "thin_codes": gaps["thin"]}


def overview(frames: Frames, f: Filters, ref: Reference, metric: str = "count",
             indicators: pd.DataFrame | None = None) -> dict:
    """Province values for the map (count, per_capita or lq), national/regional counts beside it,
    concentration and the KPIs."""
    base = frames.filtered(f.without_province())
    counts = province_counts(base.consortia, ref.province_codes)
    located = {c: counts[c] for c in ref.province_codes}
    values: dict[str, float] = dict(located)
    if metric == "per_capita" and indicators is not None and len(indicators):
        # per 10 million residents; provinces without a population figure are left out (NaN)
        table = pd.DataFrame({"province": list(located), "count": list(located.values())})
        per = normalise_by_indicator(table, indicators, "population", per=1e7).dropna(subset=["value"])
        values = dict(zip(per["province"], per["value"]))
    elif metric == "lq":
        values = province_lq(frames, f, ref)
    # by scope under every filter, the province included (as the KPIs): a picked province's own mix
    scopes = code_counts(frames.filtered(f).consortia["scope"], ("national", "cross_regional", "provincial",
                                                                 "municipal"))
    undated = 0
    if f.year_from is not None or f.year_to is not None:  # a year range leaves the undated out: count them
        undated = int(frames.filtered(replace(f, year_from=None, year_to=None)).consortia["year"].isna().sum())
    return {
        "undated_left_out": undated,
        "values": values, "counts": located, "national": counts["national"], "regional": counts["regional"],
        "scopes": scopes, "concentration": concentration(located),
        "cross_regional_share": cross_regional_share(base.consortia),
        "kpis": kpis(frames, f, ref),
    }


def province_lq(frames: Frames, f: Filters, ref: Reference) -> dict[str, float]:
    """Location quotient of each province in the chosen sector (or technology); {} when none is chosen."""
    if not f.sector and not f.technology:
        return {}
    context = frames.filtered(replace(f, sector=(), technology=(), province=""))
    located = context.consortia.dropna(subset=["province"])
    if f.technology:
        tags = context.technologies.merge(located[["id", "province"]].rename(columns={"id": "consortium_id"}),
                                          on="consortium_id")
        pairs = tags.assign(category=tags["technology"].isin(f.technology).map({True: "pick", False: "other"}))
        pairs = pairs.drop_duplicates(["consortium_id", "category"])
    else:
        pairs = located.assign(category=located["sector"].isin(f.sector).map({True: "pick", False: "other"}))
    if pairs.empty:
        return {}
    lq = location_quotients(pairs, "province", "category")
    picked = lq[lq["category"] == "pick"]
    return {p: float(v) for p, v in zip(picked["province"], picked["lq"])}


def city_counts(frames: Frames, f: Filters) -> dict[str, int]:
    sel = frames.filtered(f.without_province())
    return {c: int(n) for c, n in sel.consortia["city"].dropna().value_counts().items()}


def sector_matrix(frames: Frames, f: Filters, ref: Reference, mode: str = "count") -> pd.DataFrame:
    """Province x sector: counts, or location quotients with a 'low_base' companion frame in attrs."""
    base = frames.filtered(replace(f, sector=(), province=""))
    located = base.consortia.dropna(subset=["province"])
    counts = (located.groupby(["province", "sector"]).size().unstack(fill_value=0)
              .reindex(index=ref.province_codes, columns=ref.sector_codes, fill_value=0).astype(int))
    if mode != "lq":
        return counts
    lq = location_quotients(located[["province", "sector"]])
    table = (lq.pivot(index="province", columns="sector", values="lq")
             .reindex(index=ref.province_codes, columns=ref.sector_codes))
    table.attrs["counts"] = counts
    return table


def technology_gap_matrix(frames: Frames, f: Filters, ref: Reference) -> pd.DataFrame:
    """Technology x region group (+ national, regional) consortium counts under the filters but technology."""
    base = frames.filtered(replace(f, technology=(), province=""))
    long = long_frame(base.consortia, base.technologies, ["technology", "region_group"], ref)
    long["column"] = long["region_group"]
    long.loc[long["place_kind"] == "national", "column"] = "national"
    long.loc[long["place_kind"] == "region", "column"] = "regional"
    table = gap_matrix(long, ref.technology_codes, "column", GAP_COLUMNS)
    table["total"] = long.groupby("technology")["id"].nunique().reindex(table.index, fill_value=0)
    return table


def clustering(frames: Frames, f: Filters, ref: Reference) -> dict:
    """Global Moran's I and LISA clusters of province counts under the filters."""
    base = frames.filtered(f.without_province())
    counts = province_counts(base.consortia, ref.province_codes)
    located = {c: counts[c] for c in ref.province_codes}
    return {"moran": moran(located), "lisa": lisa(located)}


def collaboration(frames: Frames, f: Filters, ref: Reference) -> dict:
    base = frames.filtered(f.without_province())
    matrix = collaboration_matrix(base.consortia, base.members, ref.province_codes)
    return {"matrix": matrix, "edges": flow_edges(matrix),
            "cross_regional_share": cross_regional_share(base.consortia),
            "cross_regional": int((base.consortia["span"] >= 2).sum()), "total": int(len(base.consortia))}


def trends(frames: Frames, f: Filters, ref: Reference) -> dict:
    """Consortia formed per year by region group, and the top six provinces' cumulative share.

    The year filter is the axis here, so it is left out (the chart highlights
    the chosen range); every other filter applies."""
    base = frames.filtered(replace(f, year_from=None, year_to=None)).consortia
    dated = base.dropna(subset=["year"])
    groups = {code: p.region_group for code, p in ref.provinces.items()}
    column = dated["place_kind"].map({"national": "national", "region": "regional"}).fillna(
        dated["province"].map(groups))
    table = pd.crosstab(dated["year"].astype(int), column).reindex(columns=list(GAP_COLUMNS), fill_value=0)
    if len(table):
        table = table.reindex(range(table.index.min(), table.index.max() + 1), fill_value=0)
    table = table.rename_axis(index="year", columns=None).astype(int)
    cumulative = concentration_trend(base, ref.province_codes)
    cumulative = cumulative[cumulative["basis"] == "cumulative"]
    return {"by_year": table, "undated": int(base["year"].isna().sum()),
            "top6_share": dict(zip(cumulative["year"].astype(int), cumulative["top6_share"]))}


RECORD_COLUMNS = ("name", "lead_org", "lead_type", "province", "city", "sector", "technologies", "technologies_raw",
                  "members", "year", "level", "scope", "operating_model", "synthetic", "source", "source_url",
                  "publisher", "published", "grade", "inferred")


def records(frames: Frames, f: Filters, ref: Reference, search: str = "", limit: int | None = None) -> pd.DataFrame:
    """The filtered consortia (the first ``limit`` of them) as display rows, codes kept."""
    sel = frames.filtered(f)
    out = sel.consortia
    if search:
        needle = search.strip().lower()
        # what the grid shows (the tagged technologies by name, the members) and the list's own words too
        # (固态电池, 肉羊)
        labels = {code: f"{term.name} {term.name_en}" for code, term in ref.technologies.items()}
        tagged = sel.technologies.assign(label=sel.technologies["technology"].map(labels).fillna("")) \
            .groupby("consortium_id")["label"].agg(" ".join)
        members = sel.members.groupby("consortium_id")["name"].agg(lambda n: " ".join(filter(None, n)))
        hay = (out["name"].fillna("") + " " + out["lead_org"].fillna("") + " " + out["source"].fillna("") + " "
               + out["publisher"].fillna("") + " " + out["technologies_raw"].fillna("") + " "
               + out["sector_raw"].fillna("") + " " + out["id"].map(tagged).fillna("") + " "
               + out["id"].map(members).fillna("")).str.lower()
        out = out[hay.str.contains(needle, regex=False)]
    total = len(out)
    if limit is not None:
        out = out.head(limit)
    tags = sel.technologies[sel.technologies["consortium_id"].isin(out["id"])]
    techs = tags.sort_values("technology").groupby("consortium_id")["technology"].agg(",".join)
    people = sel.members[sel.members["consortium_id"].isin(out["id"])]
    # each member as its list wrote it (华东理工大学（上海）), so a downloaded list keeps the members' places
    listed = people["raw"].where(people["raw"].fillna("") != "", people["name"]) if "raw" in people else people["name"]
    names = listed.groupby(people["consortium_id"], sort=False).agg(lambda n: "、".join(filter(None, n)))
    region = ["region"] if "region" in out else []  # names a regional consortium's place (长三角)
    out = out.assign(technologies=out["id"].map(techs).fillna(""),
                     members=out["id"].map(names).fillna(""))[["id", *RECORD_COLUMNS, *region]]
    out.attrs["total"] = total
    return out
