"""Filter state shared by every view, and the one function that applies it."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qs, urlencode

import pandas as pd


@dataclass(frozen=True)
class Filters:
    """The planner's current selection; empty means 'all'."""

    sector: tuple[str, ...] = ()
    technology: tuple[str, ...] = ()
    lead_type: tuple[str, ...] = ()
    level: tuple[str, ...] = ()  # levels (national/provincial/municipal) or scopes (cross_regional …)
    year_from: int | None = None
    year_to: int | None = None
    province: str = ""
    grade: tuple[str, ...] = ()  # source grades A/B/C of the public list

    def to_query(self, **extra) -> str:
        """URL query string, e.g. 'sector=S3&technology=T01&province=330000'."""
        params: dict[str, str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                if v:
                    params[f.name] = ",".join(v)
            elif v not in (None, ""):
                params[f.name] = str(v)
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params, safe=",")

    @classmethod
    def from_query(cls, query: str) -> "Filters":
        """The inverse of to_query; unknown keys are ignored, bad years dropped."""
        q = parse_qs(query.lstrip("?"))

        def many(key: str) -> tuple[str, ...]:
            return tuple(x for v in q.get(key, []) for x in v.split(",") if x)

        def year(key: str) -> int | None:
            try:
                return int(q[key][0])
            except (KeyError, ValueError, IndexError):
                return None

        return cls(sector=many("sector"), technology=many("technology"), lead_type=many("lead_type"),
                   level=many("level"), year_from=year("year_from"), year_to=year("year_to"),
                   province=(q.get("province") or [""])[0], grade=many("grade"))

    def without_province(self) -> "Filters":
        return replace(self, province="")


# filter-level offers levels (national, provincial, municipal) and derived scopes,
# the latter as 'scope:cross_regional' and the like.
SCOPE_PREFIX = "scope:"


def filter_ids(consortia: pd.DataFrame, technologies: pd.DataFrame, f: Filters) -> pd.Index:
    """Ids of the consortia that pass ``f``."""
    mask = pd.Series(True, index=consortia.index)
    if f.sector:
        mask &= consortia["sector"].isin(f.sector)
    if f.lead_type:
        mask &= consortia["lead_type"].isin(f.lead_type)
    if f.level:
        levels = [v for v in f.level if not v.startswith(SCOPE_PREFIX)]
        scopes = [v.removeprefix(SCOPE_PREFIX) for v in f.level if v.startswith(SCOPE_PREFIX)]
        mask &= consortia["level"].isin(levels) | consortia["scope"].isin(scopes)
    if f.year_from is not None:
        mask &= consortia["year"].ge(f.year_from).fillna(False).astype(bool)
    if f.year_to is not None:
        mask &= consortia["year"].le(f.year_to).fillna(False).astype(bool)
    if f.province:
        mask &= consortia["province"].eq(f.province).fillna(False).astype(bool)
    if f.grade and "grade" in consortia:
        mask &= consortia["grade"].isin(f.grade)
    ids = consortia.index[mask.to_numpy()]
    if f.technology:
        tagged = technologies.loc[technologies["technology"].isin(f.technology), "consortium_id"].unique()
        ids = ids.intersection(pd.Index(tagged))
    return ids


def apply_filters(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame,
                  f: Filters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(consortia, technology tags, members) restricted to the consortia that pass ``f``."""
    ids = filter_ids(consortia, technologies, f)
    return (consortia.loc[ids],
            technologies[technologies["consortium_id"].isin(ids)],
            members[members["consortium_id"].isin(ids)])
