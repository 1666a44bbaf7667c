"""Transform: raw rows -> validated, tagged, de-duplicated consortium records.

Nothing is dropped silently: a row without a name or a resolvable place is a
rejection (file, row, field, reason); a bad optional value is a warning and
the value is left empty; unmapped sector and technology texts are counted.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .extract import RawRow
from .normalise import (Member, clean, match_technologies, match_term, name_key, parse_members,
                        parse_year, resolve_city, resolve_place)
from .reference import Reference, load_reference

SCOPES = ("national", "cross_regional", "provincial", "municipal")


@dataclass
class Consortium:
    name: str
    key: str
    place_kind: str  # national | region | province
    province: str
    city: str
    region: str
    place_note: str
    sector: str
    sector_raw: str
    technologies: list[str]
    members: list[Member]
    lead_org: str = ""
    lead_type: str = ""
    year: int | None = None
    level: str = ""
    operating_model: str = ""
    source: str = ""
    source_url: str = ""
    synthetic: bool = False
    files: list[str] = field(default_factory=list)
    scope: str = ""
    span: int = 0  # provinces spanned by lead place and members


@dataclass
class Issue:
    file: str
    row: int
    field: str
    value: str
    reason: str


@dataclass
class Batch:
    consortia: list[Consortium]
    rejections: list[Issue]
    warnings: list[Issue]
    duplicates: int
    unmapped: Counter  # (kind, text) -> count
    rows_read: int


def _warn(warnings: list[Issue], raw: RawRow, fld: str, value, reason: str) -> None:
    warnings.append(Issue(raw.file, raw.row, fld, _show(value), reason))


def _show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return clean(value)


def _truthy(value) -> bool:
    return clean(value).lower() in ("1", "true", "yes", "是", "y")


def to_consortium(raw: RawRow, ref: Reference, rejections: list[Issue], warnings: list[Issue],
                  unmapped: Counter) -> Consortium | None:
    """One raw row as a Consortium, or None after recording why it was rejected."""
    v = raw.values
    name = clean(v.get("name"))
    if not name:
        rejections.append(Issue(raw.file, raw.row, "name", "", "name is empty"))
        return None
    place_text = clean(v.get("province"))
    city_text = clean(v.get("city"))
    place = resolve_place(place_text, ref) if place_text else None
    city, city_note = resolve_city(city_text, place.province if place else "", ref) if city_text else ("", "")
    if place is None and city:
        place = resolve_place(city, ref)
    if place is None:
        if place_text:
            reason = f"province {place_text!r} is not a known province, city, region or 全国"
            fld, value = "province", place_text
        elif city_text:
            reason, fld, value = f"city {city_text!r} is not a known prefecture-level city", "city", city_text
        else:
            reason, fld, value = "no province, city or region given", "province", ""
        rejections.append(Issue(raw.file, raw.row, fld, value, reason))
        return None
    if city_text and not city:
        _warn(warnings, raw, "city", city_text, "unknown city; left empty")
    if city and place.province and ref.cities[city].province_code != place.province:
        _warn(warnings, raw, "city", city_text, "city lies in another province; left empty")
        city = ""
    city = city or place.city
    note = "; ".join(n for n in (place.note, city_note) if n)

    sector_raw = _show(v.get("sector"))
    sector = match_term("sector", sector_raw, ref) if sector_raw else ""
    if not sector:
        if sector_raw:
            unmapped[("sector", sector_raw)] += 1
        else:
            _warn(warnings, raw, "sector", "", "sector is empty; counted under S0")
        sector = "S0"

    technologies, unknown = match_technologies(v.get("technologies"), ref)
    for text in unknown:
        unmapped[("technology", text)] += 1

    members, unresolved = parse_members(v.get("members"), ref)
    for text in unresolved:
        _warn(warnings, raw, "members", text, "member's province not recognised; kept without province")

    year = None
    year_text = clean(v.get("year"))
    if year_text:
        year = parse_year(year_text)
        if year is None:
            _warn(warnings, raw, "year", year_text, "year is not a year between 1949 and next year; left empty")

    coded = {}
    for fld in ("lead_type", "level", "operating_model"):
        text = clean(v.get(fld))
        coded[fld] = match_term(fld, text, ref) if text else ""
        if text and not coded[fld]:
            _warn(warnings, raw, fld, text, f"unknown {fld.replace('_', ' ')}; left empty")

    return Consortium(
        name=name, key=name_key(name), place_kind=place.kind, province=place.province,
        city=city, region=place.region, place_note=note, sector=sector, sector_raw=sector_raw,
        technologies=technologies, members=members, lead_org=clean(v.get("lead_org")),
        lead_type=coded["lead_type"], year=year, level=coded["level"],
        operating_model=coded["operating_model"], source=clean(v.get("source")) or raw.file,
        source_url=clean(v.get("source_url")), synthetic=_truthy(v.get("synthetic")),
        files=[f"{raw.file}:{raw.row}"],
    )


def derive_scope(c: Consortium, ref: Reference) -> tuple[str, int]:
    """(scope, provinces spanned): national, cross-regional, provincial or municipal."""
    provinces = {m.province for m in c.members if m.province}
    if c.province:
        provinces.add(c.province)
    if c.place_kind == "region" and c.region:
        provinces.update(ref.regions[c.region].provinces)
    span = len(provinces)
    if c.place_kind == "national":
        return "national", span
    if c.place_kind == "region" or c.region or span >= 2:
        return "cross_regional", span
    if c.level == "municipal" or (c.city and not c.level):
        return "municipal", span
    return "provincial", span


def _merge(into: Consortium, other: Consortium) -> None:
    for fld in ("city", "lead_org", "lead_type", "year", "level", "operating_model", "source_url",
                "place_note", "region"):
        if not getattr(into, fld) and getattr(other, fld):
            setattr(into, fld, getattr(other, fld))
    if into.sector == "S0" and other.sector != "S0":
        into.sector, into.sector_raw = other.sector, other.sector_raw
    into.technologies += [t for t in other.technologies if t not in into.technologies]
    seen = {(m.name, m.province) for m in into.members}
    into.members += [m for m in other.members if (m.name, m.province) not in seen]
    into.files += other.files
    if other.source and other.source not in into.source.split("; "):
        into.source = f"{into.source}; {other.source}" if into.source else other.source
    into.synthetic = into.synthetic and other.synthetic


def place_key(c: Consortium) -> str:
    return c.province or (f"region:{c.region}" if c.place_kind == "region" else c.place_kind)


def transform(raw_rows: list[RawRow], ref: Reference | None = None) -> Batch:
    """Validate, tag and merge raw rows from any number of files into one batch."""
    ref = ref or load_reference()
    rejections: list[Issue] = []
    warnings: list[Issue] = []
    unmapped: Counter = Counter()
    merged: dict[tuple[str, str], Consortium] = {}
    duplicates = 0
    for raw in raw_rows:
        c = to_consortium(raw, ref, rejections, warnings, unmapped)
        if c is None:
            continue
        k = (c.key, place_key(c))
        if k in merged:
            _merge(merged[k], c)
            duplicates += 1
        else:
            merged[k] = c
    consortia = list(merged.values())
    for c in consortia:
        c.scope, c.span = derive_scope(c, ref)
    return Batch(consortia, rejections, warnings, duplicates, unmapped, len(raw_rows))


__all__ = ["Batch", "Consortium", "Issue", "SCOPES", "derive_scope", "transform"]
