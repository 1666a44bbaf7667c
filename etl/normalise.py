"""Normalisers: messy cell text in, reference codes out.

One place for each concern: places, coded terms (sectors, technologies, lead
types, levels, operating models), members, years. Every function is pure and
cached on its input text, since real lists repeat the same values many times.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .reference import _PUNCT, NATIONAL_NAMES, Reference, Term, load_reference, text_key

LIST_SEPARATORS = re.compile(r"[;；、|,，/\n]+")
_BRACKETS = re.compile(r"[\(\[【〔]([^\)\]】〕]*)[\)\]】〕]")
_CODE6 = re.compile(r"^\d{6}(?:\.0+)?$")
ASCII_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .+\-]*$")


def clean(value) -> str:
    """Cell value as stripped NFKC text; None, NaN and blanks become ''."""
    if value.__class__ is str:  # the common case, kept cheap: it runs millions of times
        if value.isascii() or unicodedata.is_normalized("NFKC", value):
            return value.strip()
        return unicodedata.normalize("NFKC", value).strip()
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


# Characters whose NFKC form is one ASCII character (so replacing them first leaves
# NFKC's result unchanged): the full-width brackets and punctuation of Chinese lists.
_FOLD_FIRST = tuple((c, unicodedata.normalize("NFKC", c)) for c in "（）；，：！？［］｜　")


def clean_texts(values: list) -> list:
    """``clean()`` of every value of a column; JSON arrays and objects pass through as they are.

    A column of text (every CSV column) is normalised in one NFKC pass over all
    its cells joined by NUL, which no cell of a text file holds. Full-width
    brackets and punctuation, the bulk of what Chinese lists need folded, are
    first replaced by their ASCII forms at memchr speed (_FOLD_FIRST); NFKC
    then runs only if something else is left for it."""
    if values and set(map(type, values)) == {str}:
        joined = "\x00".join(values)
        if joined.count("\x00") == len(values) - 1:
            if not (joined.isascii() or unicodedata.is_normalized("NFKC", joined)):
                for wide, narrow in _FOLD_FIRST:
                    if wide in joined:
                        joined = joined.replace(wide, narrow)
                if not unicodedata.is_normalized("NFKC", joined):
                    joined = unicodedata.normalize("NFKC", joined)
            return [v.strip() for v in joined.split("\x00")]
    return list(map(clean_cell, values))


def clean_cell(value):
    """``clean()`` of one cell as clean_texts() treats it: JSON arrays and objects pass through as they are."""
    return value if isinstance(value, (list, tuple, dict)) else clean(value)


def split_annotation(text: str) -> tuple[str, str]:
    """('上海市', '跨省:沿沪宁') from '上海市（跨省：沿沪宁）': the place and its bracketed notes."""
    text = clean(text)
    notes = [n.strip() for n in _BRACKETS.findall(text) if n.strip()]
    core = _BRACKETS.sub("", text).strip()
    return core, "; ".join(notes)


@dataclass(frozen=True)
class Place:
    """A resolved place: exactly one of national, region or province is set."""

    kind: str  # "national" | "region" | "province"
    province: str = ""
    city: str = ""
    region: str = ""
    note: str = ""


def _lookup_code(ref: Reference, core: str) -> Place | None:
    code = core.split(".")[0]
    if code in ref.provinces:
        return Place("province", province=code)
    if code in ref.cities:
        return Place("province", province=ref.cities[code].province_code, city=code)
    city = code[:4] + "00"
    if city in ref.cities:  # a county-level code: its city and province
        return Place("province", province=ref.cities[city].province_code, city=city)
    return None


def _city_in(ref: Reference, key: str, province: str = "") -> str:
    codes = ref.city_keys.get(key, [])
    if province:
        codes = [c for c in codes if ref.cities[c].province_code == province]
    return codes[0] if len(codes) == 1 or (codes and province) else ""


def _resolve_core(ref: Reference, core: str) -> Place | None:
    if not core:
        return None
    if _CODE6.match(core):
        return _lookup_code(ref, core)
    key = text_key(core)
    if not key:
        return None
    if key in _NATIONAL_KEYS:
        return Place("national")
    if key in ref.province_keys:
        return Place("province", province=ref.province_keys[key])
    if key in ref.region_keys:
        return Place("region", region=ref.region_keys[key])
    city = _city_in(ref, key)
    if city:
        return Place("province", province=ref.cities[city].province_code, city=city)
    # "浙江杭州", "浙江省杭州市余杭区": the longest province name that starts the text,
    # then the longest city name of that province that starts the rest.
    for n in range(min(len(key), 12), 1, -1):
        prov = ref.province_keys.get(key[:n])
        if prov and len(key[:n]) > 1:
            rest = key[n:]
            for m in range(len(rest), 1, -1):
                city = _city_in(ref, rest[:m], prov)
                if city:
                    return Place("province", province=prov, city=city)
            return Place("province", province=prov)
    for m in range(len(key) - 1, 1, -1):
        city = _city_in(ref, key[:m])
        if city:
            return Place("province", province=ref.cities[city].province_code, city=city)
    return None


_NATIONAL_KEYS = frozenset(text_key(n) for n in NATIONAL_NAMES)


@lru_cache(maxsize=65536)
def _resolve_place_cached(text: str, refdir: str | None) -> Place | None:
    ref = load_reference(refdir)
    core, note = split_annotation(text)
    place = _resolve_core(ref, core)
    if place is None and not core and note:  # "(长三角)" alone
        place, note = _resolve_core(ref, note), ""
    if place is None:
        return None
    region = place.region
    if not region and note:  # 上海市(跨省:沿沪宁): the place stays, the region is noted
        for part in re.split(r"[:;,，、\s]+", note):
            region = ref.region_keys.get(text_key(part), "")
            if region:
                break
    return Place(place.kind, place.province, place.city, region, note)


def resolve_place(text, ref: Reference | None = None) -> Place | None:
    """Province, city, named region or national scope from any common form, or None."""
    return _resolve_place_cached(clean(text), _refdir(ref))


def province_code(text, ref: Reference | None = None) -> str | None:
    """The provincial unit ``text`` names (360000, 江西, Jiangxi …), or None when it names none."""
    place = resolve_place(text, ref) if text else None
    return place.province if place is not None and place.kind == "province" and place.province else None


def resolve_city(text, province: str = "", ref: Reference | None = None) -> tuple[str, str]:
    """(city code, note) for a city cell, preferring cities of ``province``."""
    ref = ref or load_reference()
    core, note = split_annotation(clean(text))
    if not core:
        return "", note
    if _CODE6.match(core):
        code = core.split(".")[0]
        return (code if code in ref.cities else ""), note
    key = text_key(core)
    city = _city_in(ref, key, province) or _city_in(ref, key)
    if not city:
        place = _resolve_core(ref, core)
        city = place.city if place else ""
    return city, note


def _refdir(ref: Reference | None) -> str | None:
    return ref.directory if ref is not None else None


# ---------------------------------------------------------------- coded terms

@dataclass(frozen=True)
class AliasIndex:
    """Aliases of coded terms, longest first, for tagging free text."""

    entries: tuple[tuple[str, str, bool], ...]  # (alias key, code, must stand as a word)
    exact: dict

    @classmethod
    def build(cls, terms: dict[str, Term]) -> "AliasIndex":
        entries, exact = [], {}
        for code, term in terms.items():
            exact.setdefault(text_key(code), code)
            for alias in term.aliases:
                folded = unicodedata.normalize("NFKC", alias).lower()
                exact.setdefault(text_key(alias), code)
                # ASCII aliases (IC, CT, RF) must stand as words: "electric" is no IC.
                entries.append((folded, code, bool(ASCII_WORD.match(folded))))
        entries.sort(key=lambda e: (-len(e[0]), e[0]))
        return cls(tuple(entries), exact)

    def find_all(self, text: str) -> list[str]:
        """Codes named in ``text``, longest alias first; a matched span is not matched again."""
        folded = unicodedata.normalize("NFKC", text).lower()
        if not folded:
            return []
        exact = self.exact.get(text_key(folded))
        if exact:
            return [exact]
        found: dict[str, int] = {}  # code -> first position, so codes come in reading order
        current = folded  # matched spans are blanked out with NULs
        for alias, code, word in self.entries:
            if alias not in current:
                continue
            spans = ([m.span() for m in _word_pattern(alias).finditer(current)] if word
                     else [(i, i + len(alias)) for i in _find_all(current, alias)])
            if not spans:
                continue
            for a, b in spans:
                current = current[:a] + "\0" * (b - a) + current[b:]
            found[code] = min(found.get(code, spans[0][0]), spans[0][0])
        return sorted(found, key=found.get)

    def best(self, text: str) -> str:
        """The code of the longest alias in ``text`` (the most specific term), '' when none."""
        folded = unicodedata.normalize("NFKC", text).lower()
        if not folded:
            return ""
        exact = self.exact.get(text_key(folded))
        if exact:
            return exact
        for alias, code, word in self.entries:
            if alias in folded and (not word or _word_pattern(alias).search(folded)):
                return code
        return ""


@lru_cache(maxsize=4096)
def _word_pattern(alias: str) -> re.Pattern:
    """``alias`` standing as a word, compiled the first time the text holds it."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(alias) + r"(?![a-z0-9])")


def _find_all(text: str, sub: str):
    start = text.find(sub)
    while start != -1:
        yield start
        start = text.find(sub, start + len(sub))


@lru_cache(maxsize=16)
def _index(kind: str, refdir: str | None) -> AliasIndex:
    ref = load_reference(refdir)
    terms = {"sector": ref.sectors, "technology": ref.technologies}.get(kind)
    return AliasIndex.build(terms if terms is not None else ref.vocabulary[kind])


@lru_cache(maxsize=65536)
def _match_term(kind: str, text: str, refdir: str | None) -> str:
    return _index(kind, refdir).best(text)


def match_term(kind: str, text, ref: Reference | None = None) -> str:
    """Code of a sector / lead_type / level / operating_model text, '' when unknown."""
    return _match_term(kind, clean(text), _refdir(ref))


@lru_cache(maxsize=65536)
def _technology_token(token: str, refdir: str | None) -> tuple[str, ...]:
    found = _index("technology", refdir).find_all(token)
    unless = load_reference(refdir).technology_unless
    if unless and any(code in unless for code in found):  # e.g. 基因芯片 / 育种芯片 is no semiconductor chip
        folded = unicodedata.normalize("NFKC", token).lower()
        found = [c for c in found if not any(w in folded for w in _folded(unless.get(c, ())))]
    return tuple(found)


@lru_cache(maxsize=256)
def _folded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFKC", w).lower() for w in words)


def split_list(value) -> list[str]:
    """Items of a list cell: a JSON array, or text separated by ; ； 、 , ， | /."""
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value if clean(v)]
    return [t.strip() for t in LIST_SEPARATORS.split(clean(value)) if t.strip()]


def match_technologies(value, ref: Reference | None = None) -> tuple[list[str], list[str]]:
    """(technology codes, unmapped items) of a technologies cell; several codes per item allowed."""
    codes: list[str] = []
    unmapped: list[str] = []
    for token in split_list(value):
        found = _technology_token(token, _refdir(ref))
        if not found:
            unmapped.append(token)
        for code in found:
            if code not in codes:
                codes.append(code)
    return codes, unmapped


# ---------------------------------------------------------------- members

class Member(NamedTuple):
    name: str
    province: str  # '' when the member's place is unknown
    raw: str


# Split on the separators alone and strip each part: a pattern with blanks around the separators
# (\s*[;…]+\s*) rescans a run of blanks from each of its positions, quadratic on a hostile cell.
_MEMBER_SEPARATORS = re.compile(r"[;；、|\n]+")
_OPENERS = re.compile(r"[(\[【]")
_CLOSERS = ")]】"


def parse_members(value, ref: Reference | None = None) -> tuple[list[Member], list[str]]:
    """Members from `单位（省份）` / `Org (Province)` lists or JSON arrays; also returns unresolved places."""
    if not isinstance(value, (list, tuple)):
        return members_from_text(clean(value), ref)
    items: list[tuple[str, str, str]] = []
    for item in value:
        if isinstance(item, dict):
            name = clean(item.get("name") or item.get("名称") or item.get("单位"))
            place = clean(item.get("province") or item.get("省份") or item.get("地区"))
            items.append((name, place, f"{name}({place})" if place else name))
        elif clean(item):
            items.append((*_split_member(clean(item)), clean(item)))
    return _members(items, ref)


def members_from_text(text: str, ref: Reference | None = None,
                      places: dict | None = None) -> tuple[list[Member], list[str]]:
    """parse_members() of a cell that clean() has already normalised.

    ``places`` caches each place text's province across calls (a list names a
    few dozen places thousands of times). A cell of plain `单位（省份）` or bare
    names, the usual case, is read with one regex pass; anything else goes
    part by part (_members_by_parts), with the same result. The commonest cell of all, `名称(省份);…`
    without blanks or other brackets, is read with string methods alone (_unspaced_members)."""
    if places is None:
        places = {}
    if not _SPACED_OR_ODD.search(text):
        found = _unspaced_members(text, ref, places)
        if found is not None:
            return found
    if not _SIMPLE_MEMBERS.fullmatch(text):
        return _members_by_parts(text, ref)
    members, unresolved = [], []
    for raw, name, place_text in _SIMPLE_MEMBER.findall(text):  # place_text is "" without a bracket
        province = places.get(place_text, _MISSING)
        if province is _MISSING:
            province = _member_province(place_text, ref, places)
        if province is None:  # a place no reference table knows
            unresolved.append(raw)
            province = ""
        members.append(Member(name, province, raw))
    return members, unresolved


def _member_province(place_text: str, ref: Reference | None, places: dict) -> str | None:
    """The province of a member's place text not yet in ``places`` ('' for none given, None for a place no
    table knows), kept there. Callers look in ``places`` first: a list names a few dozen places thousands of
    times, and the lookup alone is cheaper than this call."""
    place = resolve_place(place_text, ref) if place_text.strip() else _NOWHERE
    province = places[place_text] = None if place is None else place.province
    return province


def _unspaced_members(text: str, ref: Reference | None, places: dict) -> tuple[list[Member], list[str]] | None:
    """Members of a cell that holds no blank and no separator or bracket but ``;`` ``(`` ``)``, when each
    item is a bare name or `名称(地方)`; None for any other item (the caller then reads the cell by regex).

    On a 100k-row list, where most cells look like this, its members column takes 0.30 s against 0.38 s."""
    members, unresolved = [], []
    for raw in text.split(";"):
        if not raw:  # ";;" or a separator at an end: no item, as in _members_by_parts
            continue
        opener = raw.find("(")
        if opener == -1:
            if ")" in raw:
                return None
            name, place_text = raw, ""
        elif opener == 0 or raw[-1] != ")" or raw.count("(") != 1 or raw.count(")") != 1:
            return None
        else:
            name, place_text = raw[:opener], raw[opener + 1:-1]
        province = places.get(place_text, _MISSING)
        if province is _MISSING:
            province = _member_province(place_text, ref, places)
        if province is None:
            unresolved.append(raw)
            province = ""
        members.append(_new_tuple(Member, (name, province, raw)))  # Member(…) without its Python-level __new__
    return members, unresolved


_new_tuple = tuple.__new__
_SPACED_OR_ODD = re.compile(r"[\s；、|\[\]【】]")  # what _unspaced_members leaves to the regex


_MISSING = object()
_NOWHERE = Place("national")  # an empty bracket or none: no province, and nothing to report
# The one-pass form: names are runs of non-blank characters joined by blanks (never by a
# line break, which separates members), so every character is read once: no backtracking,
# even over a hostile 10 MB cell.
_TEXT = r"[^;；、|\n()\[\]【】]"
_WORD = r"[^\s;；、|()\[\]【】]"
_BLANK = r"[^\S\n]"
_NAME = rf"{_WORD}+(?:{_BLANK}+{_WORD}+)*"
_PLACE = rf"{_BLANK}*[(\[【]{{}}{_TEXT}*{{}}[)\]】]"  # the place, captured or not
_SIMPLE_MEMBER = re.compile(rf"(({_NAME})(?:{_PLACE.format('(', ')')})?)")
_ITEM = rf"{_NAME}(?:{_PLACE.format('', '')})?"
_SIMPLE_MEMBERS = re.compile(rf"{_ITEM}(?:\s*[;；、|\n]+\s*{_ITEM})*")


def _members_by_parts(text: str, ref: Reference | None) -> tuple[list[Member], list[str]]:
    items = []
    for part in map(str.strip, _MEMBER_SEPARATORS.split(text)):
        if part:
            items.append((*_split_member(part), part))
    return _members(items, ref)


def _members(items: list[tuple[str, str, str]], ref: Reference | None) -> tuple[list[Member], list[str]]:
    members, unresolved = [], []
    for name, place_text, raw in items:
        province = ""
        if place_text:
            place = resolve_place(place_text, ref)
            if place is None:
                unresolved.append(raw)
            else:  # a member placed at 全国 or a region has no single province
                province = place.province
        members.append(Member(name or raw, province, raw))
    return members, unresolved


def _split_member(text: str) -> tuple[str, str]:
    """(name, place) of `名称（地方）`, the place being the bracket that closes the text and
    holds no closing bracket; (text, "") when there is none. 中科院（上海）微系统所（上海）
    gives 中科院(上海)微系统所 and 上海. Read with string searches, so a hostile 10 MB cell
    costs one pass (the regex this replaces backtracked quadratically over runs of blanks)."""
    body = text.rstrip()
    if not body or body[-1] not in _CLOSERS:
        return text, ""
    end = len(body) - 1
    after = max(body.rfind(c, 0, end) for c in _CLOSERS) + 1  # the place holds no closing bracket
    opener = _OPENERS.search(body, after, end)
    if opener is None or "\n" in body[:opener.start()]:  # a name is one line
        return text, ""
    return body[:opener.start()].strip(), body[opener.start() + 1:end].strip()


# ---------------------------------------------------------------- years

def parse_year(value, today: dt.date | None = None) -> int | None:
    """Year of formation in 1949 .. next year, or None when absent or implausible."""
    return _parse_year(clean(value), (today or dt.date.today()).year + 1)


@lru_cache(maxsize=4096)
def _parse_year(text: str, last: int) -> int | None:
    m = _YEAR.search(text)
    if not m:
        return None
    year = int(m.group(1))
    return year if 1949 <= year <= last else None


_YEAR = re.compile(r"(\d{4})")


def name_key(name: str) -> str:
    """The normalised name used to recognise one consortium across files (``text_key``
    of a name that clean() has already NFKC-normalised)."""
    return _PUNCT.sub("", name.lower())


_PUNCT_BUT_NUL = re.compile(r"(?:[^\w\x00]|_)+")  # _PUNCT ([\s\W_]+) leaving NUL, the joint below


def name_keys(names: list[str]) -> list[str]:
    """[name_key(n) for n in names] in one pass over the names joined by NUL. NUL is neither
    cased nor case-ignorable, so lower() treats each name as it would alone (a final Σ too)."""
    joined = "\x00".join(names)
    if joined.count("\x00") != len(names) - 1:  # a name holding NUL: one by one
        return list(map(name_key, names))
    return _PUNCT_BUT_NUL.sub("", joined.lower()).split("\x00") if names else []


_LEAD_SEPARATORS = re.compile(r"[;；、]+")  # no blanks around: see _MEMBER_SEPARATORS


def infer_lead_type(lead_org: str, ref: Reference | None = None) -> str:
    """A lead type read from the lead organisations' names (data/reference/lead_type_rules.csv), or "".

    The first rule whose words a name contains gives that lead's type; leads of
    different types make a joint lead. Used only where the list states no type."""
    ref = ref or load_reference()
    types = []
    for lead in filter(None, map(str.strip, _LEAD_SEPARATORS.split(lead_org or ""))):
        key = text_key(lead)
        found = next((rule.lead_type for rule in ref.lead_type_rules if rule.matches(key)), "")
        if found and found not in types:
            types.append(found)
    if len(types) > 1:
        return "joint"
    return types[0] if types else ""
