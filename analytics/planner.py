"""A provincial planner's questions: how does my province stand, against whom should we benchmark,
whom could we work with on our gaps, and what changed since the last briefing.

Pure functions over a snapshot's frames (analytics.views.Frames); the CLI, the
dashboard views and the exports call these and only format what comes back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
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


def location_quotients(by_sector: dict[str, int], national: dict[str, int]) -> dict[str, float | None]:
    """LQ of each sector: (province's share in that sector) / (nation's share); None when undefined."""
    total, national_total = sum(by_sector.values()), sum(national.values())
    out = {}
    for sector, n in by_sector.items():
        base = national.get(sector, 0) / national_total if national_total else 0
        out[sector] = round(n / total / base, 6) if total and base else None
    return out


def collaboration_pairs(consortia: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """consortium_id, province (a member's), lead (the consortium's province): one row per consortium and
    member province, where the member sits in another province than the lead."""
    pairs = members.assign(lead=members["consortium_id"].map(consortia["province"]))
    pairs = pairs.dropna(subset=["province", "lead"])
    return pairs[pairs["province"] != pairs["lead"]].drop_duplicates(["consortium_id", "province"])[
        ["consortium_id", "province", "lead"]]


def _ordered(series: pd.Series) -> dict[str, int]:
    return dict(sorted(((k, int(v)) for k, v in series.items()), key=lambda kv: (-kv[1], kv[0])))


def collaboration(pairs: pd.DataFrame, code: str) -> dict[str, dict[str, int]]:
    """out: provinces whose organisations take part in this province's consortia (consortia per province);
    in: provinces leading consortia that this province's organisations take part in."""
    out = pairs[pairs["lead"] == code].groupby("province")["consortium_id"].nunique()
    into = pairs[pairs["province"] == code].groupby("lead")["consortium_id"].nunique()
    return {"out": _ordered(out), "in": _ordered(into)}


PartnerTables = tuple[dict[str, list[tuple]], dict[str, list[tuple]]]
ORGANISATIONS_KEPT = 40  # per technology, most first: enough to show ten after leaving one province out


def partner_tables(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame) -> PartnerTables:
    """Who works on each technology, computed once for all of them, most first:
    ({technology: [(province, consortia it leads on it)]},
     {technology: [(organisation, province, consortia it leads or joins on it)]})."""
    tags = technologies.drop_duplicates(["consortium_id", "technology"])
    lead = consortia[["id", "province", "lead_org"]].rename(columns={"id": "consortium_id"})
    tagged = tags.merge(lead, on="consortium_id")
    leaders = (tagged.dropna(subset=["province"]).groupby(["technology", "province"]).size()
               .rename("consortia").reset_index().sort_values(["consortia", "province"], ascending=[False, True]))
    leads = tagged.assign(name=tagged["lead_org"].fillna("").str.replace("；", ";").str.split(";")).explode("name")
    leads["name"] = leads["name"].str.strip()
    joined = tags.merge(members[["consortium_id", "name", "province"]], on="consortium_id")
    columns = ["technology", "consortium_id", "name", "province"]
    both = pd.concat([leads[columns].assign(leads=True), joined[columns].assign(leads=False)])
    both = both[both["name"].fillna("") != ""].assign(province=lambda d: d["province"].fillna(""))
    # most consortia first; of equals, those that lead one before those that only take part
    organisations = (both.groupby(["technology", "name", "province"])
                     .agg(consortia=("consortium_id", "nunique"), leads=("leads", "any")).reset_index()
                     .sort_values(["consortia", "leads", "province", "name"], ascending=[False, False, True, True])
                     .groupby("technology", sort=False).head(ORGANISATIONS_KEPT))
    by_leader: dict[str, list[tuple]] = {}
    for tech, province, n in zip(*(leaders[c].to_numpy() for c in ("technology", "province", "consortia"))):
        by_leader.setdefault(tech, []).append((province, int(n)))
    by_org: dict[str, list[tuple]] = {}
    for tech, name, province, n in zip(*(organisations[c].to_numpy()
                                         for c in ("technology", "name", "province", "consortia"))):
        by_org.setdefault(tech, []).append((name, province, int(n)))
    return by_leader, by_org


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


@dataclass(frozen=True, eq=False)
class Context:
    """What every province's numbers are read from, computed once per snapshot (and filter state)."""

    consortia: pd.DataFrame
    counts: dict[str, int]                   # consortia led from each of the 34
    national_sectors: dict[str, int]         # located consortia per sector
    pairs: pd.DataFrame                      # collaboration_pairs()
    tech_by_province: pd.DataFrame           # province, technology, consortia
    partners: PartnerTables | None = None    # partner_tables(), when partner suggestions are wanted


def context(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame, ref: Reference,
            with_partners: bool = True) -> Context:
    """The shared part of every profile (see Context)."""
    located = consortia[consortia["province"].isin(list(ref.provinces))]
    tagged = technologies.drop_duplicates(["consortium_id", "technology"]).merge(
        located[["id", "province"]], left_on="consortium_id", right_on="id")
    return Context(
        consortia=consortia,
        counts=_province_counts(consortia, ref),
        national_sectors={s: int(n) for s, n in located["sector"].value_counts().reindex(
            ref.sector_codes, fill_value=0).items()},
        pairs=collaboration_pairs(consortia, members),
        tech_by_province=tagged.groupby(["province", "technology"]).size().rename("consortia").reset_index(),
        partners=partner_tables(consortia, technologies, members) if with_partners else None)


def province_profile(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame, code: str,
                     ref: Reference, ctx: Context | None = None) -> dict:
    """Everything the profile view shows for one province, in the contract's shape plus detail.

    ``ctx`` (from context()) is reused across provinces; without partner tables in it, the
    partner keys are left out."""
    if code not in ref.provinces:
        raise UnknownProvince(code)
    ctx = ctx or context(consortia, technologies, members, ref)
    counts = ctx.counts
    led = _led(ctx.consortia, code)
    mine = ctx.tech_by_province[ctx.tech_by_province["province"] == code]
    per_tech = dict(zip(mine["technology"], mine["consortia"]))
    covered = [t for t in ref.technology_codes if per_tech.get(t, 0) > 0]
    uncovered = [t for t in ref.technology_codes if per_tech.get(t, 0) == 0]
    thin = [t for t in covered if per_tech[t] <= THIN_MAX]
    sectors = led["sector"].value_counts()
    by_sector = {s: int(sectors.get(s, 0)) for s in ref.sector_codes}
    collab = collaboration(ctx.pairs, code)
    years = led["year"].dropna().astype(int).value_counts().sort_index()
    located_total = sum(counts.values())
    profile = {
        "province": code,
        "total": int(counts[code]),
        "rank": rank_of(counts, code),
        "of": len(counts),
        "share": counts[code] / located_total if located_total else 0.0,
        "by_sector": by_sector,
        "lq": location_quotients(by_sector, ctx.national_sectors),
        "few": counts[code] < 3,  # LQs of a province with under 3 consortia say little
        "covered": covered,
        "uncovered": uncovered,
        "thin": thin,
        "collaboration": collab,
        "by_year": {int(y): int(n) for y, n in years.items()},
        "undated": int(led["year"].isna().sum()),
        "policy": code in ref.policy_provinces,
        "policy_docs": [asdict(d) for d in ref.policies.get(code, ())],  # the documents a page names
        "consortia": [int(i) for i in led["id"]],
    }
    if ctx.partners is not None:
        collaborators = set(collab["out"]) | set(collab["in"])
        partners, thin_partners, organisations = {}, {}, {}
        for tech in uncovered + thin:
            provinces, orgs = technology_partners(ctx.partners, tech, code, ref, collaborators)
            (partners if tech in uncovered else thin_partners)[tech] = provinces
            organisations[tech] = orgs[:10]
        profile.update(partners=partners, partners_thin=thin_partners, partner_organisations=organisations)
    return profile


def compare(consortia: pd.DataFrame, technologies: pd.DataFrame, members: pd.DataFrame, codes: list[str],
            ref: Reference, ctx: Context | None = None) -> dict:
    """The same indicators for up to ten provinces side by side (rows in the order given)."""
    if len(codes) > MAX_COMPARE:
        raise ValueError(f"at most {MAX_COMPARE} provinces can be compared; {len(codes)} were given")
    ctx = ctx or context(consortia, technologies, members, ref, with_partners=False)
    profiles = [province_profile(consortia, technologies, members, c, ref, ctx) for c in codes]
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


def _hashes(values) -> np.ndarray:
    """One 64-bit hash per value, missing values hashing as the empty text."""
    series = pd.Series(values)
    text = series.astype(object).where(series.notna(), "").astype(str)
    return pd.util.hash_array(text.to_numpy(dtype=object))


def _set_digests(ids: pd.Series, hashes: np.ndarray) -> pd.Series:
    """id -> a digest of its set of hashed values (their sum): equal sets, equal digests."""
    frame = pd.DataFrame({"id": ids.to_numpy(), "h": hashes}).drop_duplicates()
    return frame.groupby("id")["h"].sum()


def _fingerprints(consortia: pd.DataFrame, technologies: pd.DataFrame,
                  members: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(identity hash, one hash per DIFF_FIELDS column, name) of every consortium, all vectorised.

    The identity is the normalised name and the place (province, or the named region, or the place
    kind), as duplicates are merged; technologies and members are compared as sets."""
    region = consortia["region"].where(consortia["place_kind"] == "region", "")
    keys = pd.util.hash_pandas_object(pd.DataFrame({
        "name": consortia["name_key"].fillna(""), "province": consortia["province"].fillna(""),
        "region": region.fillna(""), "kind": consortia["place_kind"].fillna("")}), index=False).to_numpy()
    techs = _set_digests(technologies["consortium_id"], _hashes(technologies["technology"]))
    member_hashes = _hashes(members["name"]) * np.uint64(1000003) + _hashes(members["province"])
    mems = _set_digests(members["consortium_id"], member_hashes)
    ids = consortia["id"]
    columns = []
    for f in DIFF_FIELDS:
        if f == "technologies":
            columns.append(ids.map(techs).fillna(0).astype("uint64").to_numpy())
        elif f == "members":
            columns.append(ids.map(mems).fillna(0).astype("uint64").to_numpy())
        elif f == "year":
            columns.append(_hashes(pd.to_numeric(consortia["year"], errors="coerce").astype("Int64")))
        else:
            columns.append(_hashes(consortia[f]) if f in consortia else np.zeros(len(consortia), dtype="uint64"))
    return keys, np.column_stack(columns) if columns else np.zeros((len(consortia), 0)), consortia["name"].tolist()


def diff_snapshots(a: tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame],
                   b: tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame], ref: Reference) -> dict:
    """What changed from snapshot ``a`` to ``b`` (each (id, consortia, technology tags, members))."""
    (id_a, ca, ta, ma), (id_b, cb, tb, mb) = a, b
    key_a, fields_a, names_a = _fingerprints(ca, ta, ma)
    key_b, fields_b, names_b = _fingerprints(cb, tb, mb)
    in_a = pd.Index(key_a).drop_duplicates().get_indexer(key_b)  # -1: not in a
    in_b = pd.Index(key_b).drop_duplicates().get_indexer(key_a)
    added = [names_b[i] for i in np.flatnonzero(in_a < 0)]
    removed = [names_a[i] for i in np.flatnonzero(in_b < 0)]
    common = np.flatnonzero(in_a >= 0)
    differs = fields_a[in_a[common]] != fields_b[common]
    changed = [{"name": names_b[common[i]], "fields": [f for f, d in zip(DIFF_FIELDS, differs[i]) if d]}
               for i in np.flatnonzero(differs.any(axis=1))]
    tech_a = set(ta["technology"]) & set(ref.technologies)
    tech_b = set(tb["technology"]) & set(ref.technologies)
    all_a, all_b = province_counts(ca, ref.province_codes), province_counts(cb, ref.province_codes)
    delta = {c: all_b[c] - all_a[c] for c in all_a if all_b[c] != all_a[c]}
    counts_a = {c: n for c, n in all_a.items() if c in ref.provinces}
    counts_b = {c: n for c, n in all_b.items() if c in ref.provinces}
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
        # every province whose count or rank moved (a neighbour's change can move a rank alone), and the
        # national and regional counts that changed; a rank is None where the count is 0 (nothing to rank)
        "provinces": [{"code": c, "delta": all_b[c] - all_a[c], "count_from": all_a[c], "count_to": all_b[c],
                       "rank_from": ranks[c][0] if c in ranks and all_a[c] else None,
                       "rank_to": ranks[c][1] if c in ranks and all_b[c] else None}
                      for c in all_a if c in delta or (c in ranks and ranks[c][0] != ranks[c][1]
                                                       and (all_a[c] or all_b[c]))],
        "top6": {"from": top_a, "to": top_b, "share_from": share_a, "share_to": share_b},
        "total": {"from": int(len(ca)), "to": int(len(cb))},
    }
