"""A provincial planner's questions: how does my province stand, against whom should we benchmark,
whom could we work with on our gaps, and what changed since the last briefing.

Pure functions over a snapshot's frames (analytics.views.Frames); the CLI, the
dashboard views and the exports call these and only format what comes back.
"""
from __future__ import annotations

import math

import pandas as pd

from etl.reference import Reference

from .concentration import top_k
from .coverage import province_counts

MAX_COMPARE = 10
THIN_MAX = 2  # a technology covered by one or two consortia of a province is covered thinly


class UnknownProvince(LookupError):
    """A province text that names none of the 34 provincial units."""


def rank_of(counts: dict[str, int], code: str) -> int:
    """Competition rank by count (1 = most; ties share a rank and the next rank is skipped)."""
    return 1 + sum(1 for other, n in counts.items() if n > counts.get(code, 0))


def _province_counts(consortia: pd.DataFrame, ref: Reference) -> dict[str, int]:
    """Consortia led from each of the 34 provincial units (national and regional ones left out)."""
    return {c: n for c, n in province_counts(consortia, ref.province_codes).items() if c in ref.provinces}


def _led(consortia: pd.DataFrame, code: str) -> pd.DataFrame:
    return consortia[consortia["province"].eq(code).fillna(False).astype(bool)]


def _tags_of(technologies: pd.DataFrame, ids) -> pd.DataFrame:
    return technologies[technologies["consortium_id"].isin(ids)]


def location_quotients(by_sector: dict[str, int], national: dict[str, int]) -> dict[str, float | None]:
    """LQ of each sector: (province's share in that sector) / (nation's share); None when undefined."""
    total, national_total = sum(by_sector.values()), sum(national.values())
    out = {}
    for sector, n in by_sector.items():
        base = national.get(sector, 0) / national_total if national_total else 0
        out[sector] = round(n / total / base, 6) if total and base else None
    return out


def collaboration(consortia: pd.DataFrame, members: pd.DataFrame, code: str) -> dict[str, dict[str, int]]:
    """out: provinces whose organisations take part in this province's consortia (consortia per province);
    in: provinces leading consortia that this province's organisations take part in."""
    lead_of = consortia["province"]
    pairs = members.assign(lead=members["consortium_id"].map(lead_of)).dropna(subset=["province", "lead"])
    pairs = pairs[pairs["province"] != pairs["lead"]].drop_duplicates(["consortium_id", "province"])
    out = pairs[pairs["lead"] == code].groupby("province")["consortium_id"].nunique()
    into = pairs[pairs["province"] == code].groupby("lead")["consortium_id"].nunique()
    order = lambda s: dict(sorted(((k, int(v)) for k, v in s.items()), key=lambda kv: (-kv[1], kv[0])))  # noqa: E731
    return {"out": order(out), "in": order(into)}


PartnerTables = tuple[dict[str, list[tuple]], dict[str, list[tuple]]]


def partner_tables(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame) -> PartnerTables:
    """Who works on each technology, computed once for all of them, most first:
    ({technology: [(province, consortia it leads on it)]},
     {technology: [(organisation, province, consortia it leads or joins on it)]})."""
    tags = technologies.drop_duplicates(["consortium_id", "technology"])
    lead = consortia[["id", "province", "lead_org"]].rename(columns={"id": "consortium_id"})
    tagged = tags.merge(lead, on="consortium_id")
    leaders = (tagged.dropna(subset=["province"]).groupby(["technology", "province"]).size()
               .rename("consortia").reset_index())
    leads = tagged.assign(name=tagged["lead_org"].fillna("").str.replace("；", ";").str.split(";")).explode("name")
    leads["name"] = leads["name"].str.strip()
    joined = tags.merge(members[["consortium_id", "name", "province"]], on="consortium_id")
    both = pd.concat([leads[["technology", "consortium_id", "name", "province"]],
                      joined[["technology", "consortium_id", "name", "province"]]])
    both = both[both["name"].fillna("") != ""].assign(province=lambda d: d["province"].fillna(""))
    organisations = (both.groupby(["technology", "name", "province"])["consortium_id"].nunique()
                     .rename("consortia").reset_index())
    by_tech: tuple[dict, dict] = ({}, {})
    for r in leaders.sort_values(["consortia", "province"], ascending=[False, True]).itertuples(index=False):
        by_tech[0].setdefault(r.technology, []).append((r.province, int(r.consortia)))
    for r in organisations.sort_values(["consortia", "province", "name"],
                                       ascending=[False, True, True]).itertuples(index=False):
        by_tech[1].setdefault(r.technology, []).append((r.name, r.province, int(r.consortia)))
    return by_tech


def technology_partners(tables: PartnerTables, technology: str, exclude: str, ref: Reference,
                        collaborators: set[str] = frozenset()) -> tuple[list[dict], list[dict]]:
    """(provinces, organisations) leading or taking part in consortia on ``technology``, most first,
    outside the province ``exclude``; each with its region group and whether it already works with it."""
    leaders, organisations = tables
    group = {c: p.region_group for c, p in ref.provinces.items()}
    provinces = [{"province": code, "consortia": n, "group": group[code], "collaborates": code in collaborators}
                 for code, n in leaders.get(technology, []) if code != exclude and code in group]
    orgs = [{"name": name, "province": code, "consortia": n, "group": group.get(code, ""),
             "collaborates": code in collaborators}
            for name, code, n in organisations.get(technology, []) if code != exclude]
    return provinces, orgs


def province_profile(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame, code: str,
                     ref: Reference) -> dict:
    """Everything the profile view shows for one province, in the contract's shape plus detail."""
    if code not in ref.provinces:
        raise UnknownProvince(code)
    counts = _province_counts(consortia, ref)
    led = _led(consortia, code)
    tags = _tags_of(technologies, led["id"])
    per_tech = tags["technology"].value_counts()
    all_techs = [t for t in ref.technology_codes]
    covered = [t for t in all_techs if per_tech.get(t, 0) > 0]
    uncovered = [t for t in all_techs if per_tech.get(t, 0) == 0]
    thin = [t for t in covered if per_tech[t] <= THIN_MAX]
    by_sector = {s: int((led["sector"] == s).sum()) for s in ref.sector_codes}
    located = consortia[consortia["province"].isin(list(ref.provinces))]
    national = {s: int((located["sector"] == s).sum()) for s in ref.sector_codes}
    collab = collaboration(consortia, members, code)
    collaborators = set(collab["out"]) | set(collab["in"])
    partners, thin_partners, organisations = {}, {}, {}
    tables = partner_tables(consortia, technologies, members)
    for tech in uncovered + thin:
        provinces, orgs = technology_partners(tables, tech, code, ref, collaborators)
        (partners if tech in uncovered else thin_partners)[tech] = provinces
        organisations[tech] = orgs[:10]
    years = led["year"].dropna().astype(int).value_counts().sort_index()
    located_total = sum(counts.values())
    return {
        "province": code,
        "total": int(counts[code]),
        "rank": rank_of(counts, code),
        "of": len(counts),
        "share": counts[code] / located_total if located_total else 0.0,
        "by_sector": by_sector,
        "lq": location_quotients(by_sector, national),
        "few": counts[code] < 3,  # LQs of a province with under 3 consortia say little
        "covered": covered,
        "uncovered": uncovered,
        "thin": thin,
        "collaboration": collab,
        "by_year": {int(y): int(n) for y, n in years.items()},
        "undated": int(led["year"].isna().sum()),
        "policy": code in ref.policy_provinces,
        "consortia": [int(i) for i in led["id"]],
        "partners": partners,
        "partners_thin": thin_partners,
        "partner_organisations": organisations,
    }


def compare(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame, codes: list[str],
            ref: Reference) -> dict:
    """The same indicators for up to ten provinces side by side (rows in the order given)."""
    if len(codes) > MAX_COMPARE:
        raise ValueError(f"at most {MAX_COMPARE} provinces can be compared; {len(codes)} were given")
    profiles = [province_profile(consortia, technologies, members, c, ref) for c in codes]
    table = pd.DataFrame([{
        "province": p["province"], "total": p["total"], "rank": p["rank"], "share": p["share"],
        "covered": len(p["covered"]), "uncovered": len(p["uncovered"]),
        "collaborating_provinces": len(set(p["collaboration"]["out"]) | set(p["collaboration"]["in"])),
        "policy": p["policy"]} for p in profiles])
    sectors = pd.DataFrame([p["by_sector"] for p in profiles], index=codes)
    coverage = pd.DataFrame([{t: (t in p["covered"]) for t in ref.technology_codes} for p in profiles], index=codes)
    return {"table": table, "sectors": sectors, "coverage": coverage, "profiles": profiles}


def peers(code: str, ref: Reference, limit: int = MAX_COMPARE) -> list[str]:
    """The province and the others of its region group (东部, 中部 …), at most ``limit``."""
    group = ref.provinces[code].region_group
    same = [c for c in ref.province_codes if c != code and ref.provinces[c].region_group == group]
    return [code, *same][:limit]


# Fields compared between two snapshots' versions of one consortium.
DIFF_FIELDS = ("lead_org", "lead_type", "city", "sector", "year", "level", "operating_model", "scope",
               "technologies", "members", "source_url", "grade")


def consortium_keys(consortia: pd.DataFrame) -> pd.Series:
    """The identity of a consortium across snapshots: normalised name and place, as duplicates are merged."""
    place = consortia["province"].where(consortia["province"].notna(), None)
    region = "region:" + consortia["region"].fillna("")
    place = place.fillna(region.where(consortia["place_kind"] == "region", consortia["place_kind"]))
    return consortia["name_key"] + "|" + place


def _value(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _records(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame) -> dict[str, dict]:
    techs = technologies.groupby("consortium_id")["technology"].agg(lambda s: tuple(sorted(s)))
    mems = members.assign(pair=list(zip(members["name"].fillna(""), members["province"].fillna(""))))
    mems = mems.groupby("consortium_id")["pair"].agg(lambda s: tuple(sorted(s)))
    out = {}
    keys = consortium_keys(consortia)
    for key, row in zip(keys, consortia.to_dict("records")):
        rec = {f: _value(row.get(f)) for f in DIFF_FIELDS if f not in ("technologies", "members")}
        rec["technologies"] = techs.get(row["id"], ())
        rec["members"] = mems.get(row["id"], ())
        rec["name"], rec["province"] = row["name"], _value(row.get("province"))
        out[key] = rec
    return out


def diff_snapshots(a: tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame],
                   b: tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame], ref: Reference) -> dict:
    """What changed from snapshot ``a`` to ``b`` (each (id, consortia, technology tags, members))."""
    (id_a, ca, ta, ma), (id_b, cb, tb, mb) = a, b
    ra, rb = _records(ca, ta, ma), _records(cb, tb, mb)
    added = [rb[k]["name"] for k in rb if k not in ra]
    removed = [ra[k]["name"] for k in ra if k not in rb]
    changed = []
    for k in rb:
        if k in ra:
            fields = [f for f in DIFF_FIELDS if ra[k][f] != rb[k][f]]
            if fields:
                changed.append({"name": rb[k]["name"], "fields": fields})
    tech_a = set(ta["technology"]) & set(ref.technologies)
    tech_b = set(tb["technology"]) & set(ref.technologies)
    all_a, all_b = province_counts(ca, ref.province_codes), province_counts(cb, ref.province_codes)
    delta = {c: all_b[c] - all_a[c] for c in all_a if all_b[c] != all_a[c]}
    counts_a, counts_b = _province_counts(ca, ref), _province_counts(cb, ref)
    ranks = {c: (rank_of(counts_a, c), rank_of(counts_b, c)) for c in ref.province_codes}
    top_a, share_a = top_k(counts_a)
    top_b, share_b = top_k(counts_b)
    order = ref.technology_codes
    return {
        "from": id_a, "to": id_b,
        "added": sorted(added), "removed": sorted(removed),
        "changed": sorted(changed, key=lambda c: c["name"]),
        "newly_covered": [t for t in order if t in tech_b and t not in tech_a],
        "newly_uncovered": [t for t in order if t in tech_a and t not in tech_b],
        "by_province_delta": delta,
        "rank_moves": {c: {"from": r[0], "to": r[1]} for c, r in ranks.items() if r[0] != r[1]},
        "top6": {"from": top_a, "to": top_b, "share_from": share_a, "share_to": share_b},
        "total": {"from": int(len(ca)), "to": int(len(cb))},
    }
