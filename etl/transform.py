"""Transform: raw rows -> validated, tagged, de-duplicated consortium records.

Nothing is dropped silently: a row without a name or a resolvable place is a
rejection (file, row, field, reason); a bad optional value is a warning and
the value is left empty; unmapped sector and technology texts are counted.
"""
from __future__ import annotations

import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from .extract import RawRow, Table
from .normalise import (Member, Place, clean, clean_cell, clean_texts, infer_lead_type, match_technologies, match_term,
                        members_from_text, name_keys, parse_members, parse_year, resolve_city, resolve_place)
from .reference import Reference, load_reference

SCOPES = ("national", "cross_regional", "provincial", "municipal")
GRADES = ("A", "B", "C")  # source grades of the public list (contract §5)
NAME_MAX = 500  # characters; longer is a pasted paragraph or a hostile cell, not a name


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
    technologies_raw: str = ""  # the technology text as written (technology chains are tagged from it)
    lead_org: str = ""
    lead_type: str = ""
    year: int | None = None
    level: str = ""
    operating_model: str = ""
    source: str = ""
    source_url: str = ""
    publisher: str = ""
    published: str = ""
    grade: str = ""
    inferred: str = ""  # fields whose value was inferred, not stated by the source ("year;lead_type")
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


def _show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return clean(value)


def _distinct_plain(values: list) -> dict | None:
    """The distinct values of a column (as dict keys), when every one is text or None or a tuple of text,
    which compare equal only when they are the same; else None (JSON arrays, numbers from a spreadsheet)."""
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # JSON arrays among the values
        return None
    return distinct if _all_plain(distinct) else None


def _nearly_all_differ(sample: list) -> bool:
    """Whether at least nine in ten of the cells of ``sample`` (the first of a column) differ."""
    try:
        return len(set(sample)) * 10 >= len(sample) * 9
    except TypeError:  # JSON arrays among the values
        return False


def _show_text(value) -> str:
    """A cleaned cell as plain text: a JSON array where text belongs reads as clean() shows it."""
    return value if value.__class__ is str else clean(value)


def _truthy(value) -> bool:
    return clean(value).lower() in ("1", "true", "yes", "是", "y")


def _plain(value) -> bool:
    return value is None or value.__class__ is str or (
        value.__class__ is tuple and all(v.__class__ is str for v in value))


def _all_plain(values) -> bool:
    """Whether every value is _plain(), with one C-level pass over the types in the usual case."""
    types = set(map(type, values))
    if types <= _TEXT_TYPES:
        return True
    return types <= _TEXT_TYPES | {tuple} and all(_plain(v) for v in values if v.__class__ is tuple)


_TEXT_TYPES = frozenset((str, type(None)))


def per_value(fn, values: list) -> list:
    """``[fn(v) for v in values]`` computing ``fn`` once per distinct value.

    Lists repeat a handful of provinces, sectors and years thousands of times;
    JSON arrays (unhashable) are computed one by one. Other than text, keys
    carry the type, so 1, 1.0 and True stay apart."""
    distinct = _distinct_plain(values)
    if distinct is not None:
        results = {v: fn(v) for v in distinct}
        return list(map(results.__getitem__, values))
    cache: dict = {}
    out = []
    for v in values:
        if isinstance(v, (list, dict)):
            out.append(fn(v))
            continue
        key = (v.__class__, v)
        if key not in cache:
            cache[key] = fn(v)
        out.append(cache[key])
    return out


Finding = tuple[str, str, str]  # (field, value, reason) of a rejection or warning


@dataclass(frozen=True)
class _PlaceResult:
    place: Place | None
    city: str = ""
    note: str = ""
    rejection: Finding | None = None
    warnings: tuple[Finding, ...] = ()


def _place_of(place_text: str, city_text: str, ref: Reference) -> _PlaceResult:
    """Where a record sits, from its province and city cells; a rejection when nowhere."""
    place = resolve_place(place_text, ref) if place_text else None
    city, city_note = resolve_city(city_text, place.province if place else "", ref) if city_text else ("", "")
    if place is None and city:
        place = resolve_place(city, ref)
    if place is None:
        if place_text:
            return _PlaceResult(None, rejection=(
                "province", place_text, f"province {place_text!r} is not a known province, city, region or 全国"))
        if city_text:
            return _PlaceResult(None, rejection=(
                "city", city_text, f"city {city_text!r} is not a known prefecture-level city"))
        return _PlaceResult(None, rejection=("province", "", "no province, city or region given"))
    warnings = []
    if city_text and not city:
        warnings.append(("city", city_text, "unknown city; left empty"))
    if city and place.province and ref.cities[city].province_code != place.province:
        warnings.append(("city", city_text, "city lies in another province; left empty"))
        city = ""
    note = "; ".join(n for n in (place.note, city_note) if n)
    return _PlaceResult(place, city or place.city, note, None, tuple(warnings))


def _sector_of(sector_raw: str, ref: Reference) -> tuple[str, bool, Finding | None]:
    """(sector code, unmapped?, warning): an empty or unmapped text falls into S0."""
    sector = match_term("sector", sector_raw, ref) if sector_raw else ""
    if sector:
        return sector, False, None
    if sector_raw:
        return "S0", True, None
    return "S0", False, ("sector", "", "sector is empty; counted under S0")


def _year_of(value) -> tuple[int | None, Finding | None]:
    text = clean(value)
    if not text:
        return None, None
    year = parse_year(text)
    if year is None:
        return None, ("year", text, "year is not a year between 1949 and next year; left empty")
    return year, None


def _coded(fld: str, ref: Reference):
    def code_of(value) -> tuple[str, Finding | None]:
        text = clean(value)
        code = match_term(fld, text, ref) if text else ""
        if text and not code:
            return "", (fld, text, f"unknown {fld.replace('_', ' ')}; left empty")
        return code, None
    return code_of


def _members_of(value, ref: Reference, places: dict) -> tuple[list[Member], tuple[Finding, ...]]:
    """A cell's members (a list the caller copies: equal cells share it) and a warning per unresolved place."""
    members, unresolved = (members_from_text(value, ref, places) if isinstance(value, str)
                           else parse_members(value, ref))
    if not unresolved:
        return members, ()
    return members, tuple(("members", text, "member's province not recognised; kept without province")
                          for text in unresolved)


def to_consortia(table: Table, ref: Reference, rejections: list[Issue], warnings: list[Issue],
                 unmapped: Counter) -> list[Consortium]:
    """Every record of ``table`` as a Consortium, or a rejection saying why not; in file order.

    Each column is normalised as a whole (once per distinct value where values
    repeat); the loop over records only puts the pieces together."""
    columns = table.columns

    def col(fld, fn):  # fn of each cleaned value: once per distinct value where values repeat, else cell by cell
        if fld not in columns:
            return [fn("")] * len(table)
        if _nearly_all_differ(columns[fld][:1000]):  # members: collecting the distinct cells would only add time
            return list(map(fn, clean_texts(columns[fld])))
        distinct = _distinct_plain(columns[fld])
        if distinct is not None and len(distinct) * 4 <= len(table):  # a few provinces, sectors, years …
            results = {v: fn(clean_cell(v)) for v in distinct}  # … each cleaned once, not once a cell
            return list(map(results.__getitem__, columns[fld]))
        return per_value(fn, clean_texts(columns[fld]))

    def text(fld):  # a plain-text field; a JSON array where text belongs reads as clean() shows it
        if fld not in columns:
            return [""] * len(table)
        values = clean_texts(columns[fld])
        return values if set(map(type, values)) <= {str} else list(map(_show_text, values))

    names = text("name")
    keys = name_keys(names)
    if "city" in columns:
        places = per_value(lambda pair: _place_of(*pair, ref), list(zip(col("province", _show_text),
                                                                        col("city", _show_text))))
    else:  # most lists: the province cell alone, without pairing it with an empty city
        places = col("province", lambda v: _place_of(_show_text(v), "", ref))
    sectors = col("sector", lambda v: (_show(v), *_sector_of(_show(v), ref)))  # (text, code, unmapped?, warning)
    technologies = col("technologies", lambda v: (_show(v), tuple(map(tuple, match_technologies(v, ref)))))
    member_places: dict = {}  # member place text -> province, shared by every cell
    members = col("members", lambda v: _members_of(v, ref, member_places))
    years = col("year", _year_of)
    coded = [col(fld, _coded(fld, ref)) for fld in ("lead_type", "level", "operating_model")]
    lead_orgs, sources, urls = text("lead_org"), text("source"), text("source_url")
    publishers, published, grades, inferred = text("publisher"), text("published"), text("grade"), text("inferred")
    guesses: dict[str, str] = {}  # lead text -> inferred type, only for rows that state none
    synthetic = col("synthetic", _truthy)

    out = []
    rows = zip(table.files, table.rows, names, keys, places, sectors, technologies, members, years, *coded,
               lead_orgs, sources, urls, publishers, published, grades, inferred, synthetic)
    for (file, row, name, key, where, (sector_raw, sector, unmapped_sector, sector_warning),
         (technologies_raw, (codes, unknown)), (member_list, member_warnings), (year, year_warning), (lead_type, w1),
         (level, w2), (operating_model, w3), lead_org, source, url, publisher, published_on, grade, inferred_text,
         is_synthetic) in rows:
        if not name:
            rejections.append(Issue(file, row, "name", "", "name is empty"))
            continue
        if len(name) > NAME_MAX:
            rejections.append(Issue(file, row, "name", name[:60] + "…",
                                    f"name is {len(name):,} characters long; a consortium name has at most {NAME_MAX}"))
            continue
        if where.place is None:
            rejections.append(Issue(file, row, *where.rejection))
            continue
        found = [w for w in (*where.warnings, sector_warning, *member_warnings, year_warning, w1, w2, w3) if w]
        if unmapped_sector:
            unmapped[("sector", sector_raw)] += 1
        for item in unknown:
            unmapped[("technology", item)] += 1
        inferred_fields = [f for f in inferred_text.replace("；", ";").split(";") if f.strip()] if inferred_text else []
        if not lead_type and lead_org:
            if lead_org not in guesses:
                guesses[lead_org] = infer_lead_type(lead_org, ref)
            if guesses[lead_org]:
                lead_type = guesses[lead_org]
                inferred_fields.append("lead_type")
        if grade:
            if grade.upper() in GRADES:
                grade = grade.upper()
            else:
                found.append(("grade", grade, "grade is not A, B or C; left empty"))
                grade = ""
        if found:
            warnings += [Issue(file, row, fld, value, reason) for fld, value, reason in found]
        place = where.place
        # The fields in their declared order: keyword arguments cost 0.1 s more on 100k records.
        out.append(Consortium(
            name, key, place.kind, place.province, where.city, place.region, where.note,  # name … place_note
            sector, sector_raw, list(codes), list(member_list), technologies_raw,  # sector … technologies_raw
            lead_org, lead_type, year, level, operating_model,  # lead_org … operating_model
            source or file, url, publisher, published_on, grade,  # source … grade
            ";".join(dict.fromkeys(f.strip() for f in inferred_fields)) if inferred_fields else "",  # inferred
            is_synthetic, [f"{file}:{row}"]))  # synthetic, files
    return out


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
    # The level (or the list that named it) decides, never the mere presence of a city:
    # 北京 and 上海 are cities, and provincial lists name the city of each consortium.
    if c.level == "municipal":
        return "municipal", span
    return "provincial", span


def _merge(into: Consortium, other: Consortium) -> None:
    for fld in ("city", "lead_org", "lead_type", "year", "level", "operating_model", "source_url",
                "place_note", "region", "publisher", "published", "grade", "inferred"):
        if not getattr(into, fld) and getattr(other, fld):
            setattr(into, fld, getattr(other, fld))
    if into.sector == "S0" and other.sector != "S0":
        into.sector, into.sector_raw = other.sector, other.sector_raw
    into.technologies += [t for t in other.technologies if t not in into.technologies]
    if other.technologies_raw and other.technologies_raw not in into.technologies_raw:
        into.technologies_raw = "; ".join(filter(None, (into.technologies_raw, other.technologies_raw)))
    seen = {(m.name, m.province) for m in into.members}
    into.members += [m for m in other.members if (m.name, m.province) not in seen]
    into.files += other.files
    if other.source and other.source not in into.source.split("; "):
        into.source = f"{into.source}; {other.source}" if into.source else other.source
    into.synthetic = into.synthetic and other.synthetic


def place_key(c: Consortium) -> str:
    return c.province or (f"region:{c.region}" if c.place_kind == "region" else c.place_kind)


@contextmanager
def no_gc_pauses():
    """Pause the cyclic garbage collector while building many small acyclic objects.

    A 100k-row list makes millions of tuples, strings and records; with the
    collector on, it walks the growing heap again and again (half the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def transform(records: Table | list[RawRow], ref: Reference | None = None) -> Batch:
    """Validate, tag and merge raw records from any number of files into one batch."""
    with no_gc_pauses():
        return _transform(records, ref or load_reference())


def _transform(records: Table | list[RawRow], ref: Reference) -> Batch:
    table = records if isinstance(records, Table) else Table.from_rows(records)
    rejections: list[Issue] = []
    warnings: list[Issue] = []
    unmapped: Counter = Counter()
    merged: dict[tuple[str, str], Consortium] = {}
    duplicates = 0
    for c in to_consortia(table, ref, rejections, warnings, unmapped):
        k = (c.key, place_key(c))
        if k in merged:
            _merge(merged[k], c)
            duplicates += 1
        else:
            merged[k] = c
    consortia = list(merged.values())
    for c in consortia:
        c.scope, c.span = derive_scope(c, ref)
    return Batch(consortia, rejections, warnings, duplicates, unmapped, len(table))


__all__ = ["Batch", "Consortium", "Issue", "SCOPES", "derive_scope", "transform"]
