"""Reference tables (places, regions, sectors, technologies, vocabularies).

Loaded lazily from data/reference/*.csv and cached per directory, so planners
extend the CSV files and never the code.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import config

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def text_key(text: str) -> str:
    """Case-, width-, space- and punctuation-insensitive key for matching names."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text)).lower())


def _split(cell: str) -> list[str]:
    return [a.strip() for a in (cell or "").split("|") if a.strip()]


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    short_name: str
    name_en: str
    region_group: str


@dataclass(frozen=True)
class City:
    code: str
    province_code: str
    name: str
    short_name: str
    name_en: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """A coded term (sector, technology, lead type …) with its aliases."""

    code: str
    name: str
    name_en: str
    aliases: tuple[str, ...]
    sector: str = ""


@dataclass(frozen=True)
class LeadRule:
    """Infer a lead type when a lead organisation's name contains one of ``contains`` and none of ``unless``."""

    lead_type: str
    contains: tuple[str, ...]  # text_key()s
    unless: tuple[str, ...] = ()

    @cached_property  # a frozen dataclass still has a __dict__ for this
    def _patterns(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        """One regular expression per word list: a single C-speed scan instead of a Python loop over
        hundreds of central-SOE names for every lead."""
        def compiled(words):
            return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None
        return compiled(self.contains), compiled(self.unless)

    def matches(self, key: str) -> bool:
        contains, unless = self._patterns
        return bool(contains and contains.search(key)) and not (unless and unless.search(key))


def _lead_rules(d: Path) -> tuple[LeadRule, ...]:
    """lead_type_rules.csv in its order; ``@file.csv`` in ``contains`` means every name and alias in that file."""
    if not (d / "lead_type_rules.csv").exists():
        return ()
    rules = []
    for r in sorted(_rows(d / "lead_type_rules.csv"), key=lambda r: int(r["order"])):
        words = []
        for item in _split(r["contains"]):
            if item.startswith("@"):
                words += [n for row in _rows(d / item[1:]) for n in (row["name"], *_split(row["aliases"]))]
            else:
                words.append(item)
        rules.append(LeadRule(r["lead_type"], tuple(dict.fromkeys(text_key(w) for w in words if text_key(w))),
                              tuple(text_key(w) for w in _split(r["unless"]))))
    return tuple(rules)


@dataclass(frozen=True)
class PolicyDoc:
    """A province's policy on forming consortia: a document a stored page names (title, issuer, year,
    url, grade A/B/C, inferred fields), or the policy brief's statement that one was issued (title empty).
    ``title_en`` and ``issuer_en`` are this project's translations, shown beside the original in English."""
    title: str
    issuer: str
    year: str
    url: str
    grade: str
    inferred: str
    title_en: str = ""
    issuer_en: str = ""


@dataclass
class Reference:
    provinces: dict[str, Province]
    cities: dict[str, City]
    regions: dict[str, Region]
    sectors: dict[str, Term]
    technologies: dict[str, Term]
    vocabulary: dict[str, dict[str, Term]]
    policy_provinces: tuple[str, ...]
    lead_type_rules: tuple["LeadRule", ...] = ()
    province_keys: dict[str, str] = field(default_factory=dict)
    city_keys: dict[str, list[str]] = field(default_factory=dict)
    region_keys: dict[str, str] = field(default_factory=dict)
    directory: str | None = None
    policies: dict[str, tuple[PolicyDoc, ...]] = field(default_factory=dict)  # code -> its documents
    # technology code -> words that, in the same item, mean the alias names something else (基因芯片 is no chip)
    technology_unless: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def digest(self) -> str:
        """sha256 of the tables this reference was read from (each CSV of its folder, with its name), stored with
        every snapshot, so one tagged by other tables can be told apart (``python -m etl public --if-stale``)."""
        h = hashlib.sha256()
        for f in sorted(Path(self.directory or config.REFERENCE_DIR).glob("*.csv")):
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        return h.hexdigest()

    @property
    def province_codes(self) -> list[str]:
        return sorted(self.provinces)

    @property
    def technology_codes(self) -> list[str]:
        return sorted(self.technologies, key=_code_order)

    @property
    def sector_codes(self) -> list[str]:
        """S1 … S9, then S0 ('other') last, as the contract lists them."""
        return sorted(self.sectors, key=lambda c: (c == "S0", _code_order(c)))

    def province_label(self, code: str, lang: str = "zh") -> str:
        p = self.provinces.get(code)
        if p is None:
            return code
        return p.short_name if lang == "zh" else p.name_en

    def technology_names(self, codes, lang: str = "zh") -> str:
        """'光刻机、航空发动机' for ['T01', 'T36']: technologies named, never left as bare codes; '—' for none."""
        return ("、" if lang == "zh" else ", ").join(self.term_label("technology", c, lang) for c in codes) or "—"

    def term_label(self, kind: str, code: str, lang: str = "zh") -> str:
        table = {"sector": self.sectors, "technology": self.technologies}.get(kind)
        term = table.get(code) if table is not None else self.vocabulary.get(kind, {}).get(code)
        if term is None:
            return code
        return term.name if lang == "zh" else term.name_en


def _code_order(code: str) -> tuple[str, int]:
    m = re.match(r"([A-Za-z]+)(\d+)$", code)
    return (m.group(1), int(m.group(2))) if m else (code, 0)


# Place names that mean "the whole country": a national-scope consortium.
NATIONAL_NAMES = ("全国", "全国性", "全国范围", "中国", "中华人民共和国", "national", "nationwide",
                  "china", "全国（央企）", "nationallevel")


@lru_cache(maxsize=4)
def load_reference(directory: str | None = None) -> Reference:
    """All reference tables of ``directory`` (default data/reference), with lookup keys."""
    d = Path(directory) if directory else config.REFERENCE_DIR
    provinces = {r["code"]: Province(r["code"], r["name"], r["short_name"], r["name_en"], r["region_group"])
                 for r in _rows(d / "provinces.csv")}
    province_keys: dict[str, str] = {}
    for r in _rows(d / "provinces.csv"):
        en = r["name_en"]
        names = [r["code"], r["name"], r["short_name"], en, f"{en} province", f"{en} sheng",
                 f"{en} municipality", f"{en} shi", f"{en} autonomous region", f"{en} sar",
                 f"{en} special administrative region", *_split(r["aliases"])]
        if r["abbr"]:
            names.append(r["abbr"])
        for n in names:
            province_keys.setdefault(text_key(n), r["code"])

    cities: dict[str, City] = {}
    city_keys: dict[str, list[str]] = {}
    for r in _rows(d / "cities.csv"):
        c = City(r["code"], r["province_code"], r["name"], r["short_name"], r["name_en"])
        cities[c.code] = c
        for n in {c.code, c.name, c.short_name, c.name_en, f"{c.name_en} city", *_split(r["aliases"])}:
            keys = city_keys.setdefault(text_key(n), [])
            if c.code not in keys:
                keys.append(c.code)

    regions: dict[str, Region] = {}
    region_keys: dict[str, str] = {}
    for r in _rows(d / "regions.csv"):
        reg = Region(r["code"], r["name"], r["name_en"], tuple(_split(r["provinces"])))
        regions[reg.code] = reg
        for n in (reg.code, reg.name, reg.name_en, *_split(r["aliases"])):
            region_keys.setdefault(text_key(n), reg.code)

    def terms(rows: list[dict[str, str]]) -> dict[str, Term]:
        return {r["code"]: Term(r["code"], r["name"], r["name_en"],
                                tuple(dict.fromkeys([r["name"], r["name_en"], *_split(r["aliases"])])),
                                r.get("sector", "") or "")
                for r in rows}

    technology_rows = _rows(d / "technologies.csv")  # read once: its terms, and its `unless` words

    vocabulary: dict[str, dict[str, Term]] = {}
    for r in _rows(d / "vocabulary.csv"):
        vocabulary.setdefault(r["field"], {})[r["code"]] = Term(
            r["code"], r["name"], r["name_en"],
            tuple(dict.fromkeys([r["name"], r["name_en"], *_split(r["aliases"])])))

    policies: dict[str, list[PolicyDoc]] = {}
    for r in _rows(d / "policy_provinces.csv"):
        docs = policies.setdefault(r["code"], [])
        if r.get("title"):
            docs.append(PolicyDoc(r["title"], r["issuer"], r["year"], r["url"], r["grade"], r["inferred"],
                                  r.get("title_en") or "", r.get("issuer_en") or ""))

    return Reference(
        provinces=provinces, cities=cities, regions=regions,
        sectors=terms(_rows(d / "sectors.csv")), technologies=terms(technology_rows),
        vocabulary=vocabulary,
        policy_provinces=tuple(policies), policies={c: tuple(docs) for c, docs in policies.items()},
        technology_unless={r["code"]: tuple(_split(r["unless"])) for r in technology_rows if r.get("unless")},
        lead_type_rules=_lead_rules(d),
        province_keys=province_keys, city_keys=city_keys, region_keys=region_keys,
        directory=directory,
    )
