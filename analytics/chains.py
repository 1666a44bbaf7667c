"""Technology chains: whole systems (the lithography machine, the aero-engine …) split into components,
and which consortia, in which provinces, work on each component.

A consortium is tagged with a component when its name, sector text or
technology text names one of the component's aliases (the same longest-first
alias matching as technologies), or when it targets the component's T code.
"""
from __future__ import annotations

import bisect
import csv
import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

import config
from etl.normalise import ASCII_WORD, _folded
from etl.reference import Term, _split, load_reference


class UnknownChain(LookupError):
    """A chain name that data/reference/chains.csv does not define."""


@dataclass(frozen=True)
class Chain:
    key: str
    name: str
    name_en: str
    components: tuple[Term, ...]  # Term.sector holds the component's T code ('' when none)


@lru_cache(maxsize=4)
def load_chains(path: str | None = None) -> dict[str, Chain]:
    """The chains of data/reference/chains.csv, in file order."""
    rows = list(csv.DictReader(open(Path(path) if path else config.REFERENCE_DIR / "chains.csv",
                                    encoding="utf-8-sig", newline="")))
    chains: dict[str, list] = {}
    heads: dict[str, tuple[str, str]] = {}
    for r in rows:
        heads.setdefault(r["chain"], (r["chain_name"], r["chain_name_en"]))
        # Only the aliases tag: a component's short name (光源, 整机) is too general to match on its own.
        chains.setdefault(r["chain"], []).append(Term(r["code"], r["name"], r["name_en"],
                                                      tuple(_split(r["aliases"])), r["technology"] or ""))
    return {k: Chain(k, *heads[k], tuple(v)) for k, v in chains.items()}


@lru_cache(maxsize=16)
def _aliases(chain: Chain) -> tuple[tuple[str, str, bool], ...]:
    """(folded alias, component code, must stand as a word), longest first, as the technology tagger orders them."""
    codes: dict[str, str] = {}
    for term in chain.components:
        for alias in term.aliases:
            codes.setdefault(unicodedata.normalize("NFKC", alias).lower(), term.code)
    return tuple((a, codes[a], bool(ASCII_WORD.match(a))) for a in sorted(codes, key=lambda a: (-len(a), a)))


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def component_tags(consortia: pd.DataFrame, technologies: pd.DataFrame, chain: Chain) -> pd.DataFrame:
    """consortium_id, component: every consortium working on each component of ``chain``.

    Text is matched as the technology tagger matches it: case- and width-folded, longest alias first,
    a matched span not matched again, ASCII aliases only as whole words. All records are searched at
    once, joined by NULs (no alias holds one), with str.find: far faster than a search per record."""
    text = (consortia["name"].fillna("") + " | " + consortia["sector_raw"].fillna("") + " | "
            + consortia.get("technologies_raw", pd.Series("", index=consortia.index)).fillna(""))
    folded = [unicodedata.normalize("NFKC", t).lower() for t in text]
    starts = list(itertools.accumulate((len(t) + 1 for t in folded[:-1]), initial=0))
    joined = "\0".join(folded)
    taken = bytearray(len(joined))
    ids = consortia["id"].to_numpy()
    pairs = []
    for alias, code, word in _aliases(chain):
        at = joined.find(alias)
        while at != -1:
            end = at + len(alias)
            free = not any(taken[at:end])
            if free and word:
                free = not (at and _is_word_char(joined[at - 1])) and not (
                    end < len(joined) and _is_word_char(joined[end]))
            if free:
                taken[at:end] = b"\1" * len(alias)
                pairs.append((ids[bisect.bisect_right(starts, at) - 1], code))
            at = joined.find(alias, end if free else at + 1)
    # a component keyed to a technology ignores the texts that technology's tagger ignores (基因芯片 is no chip)
    unless = {t.code: _folded(load_reference().technology_unless.get(t.sector, ())) for t in chain.components}
    if any(unless.values()):
        row_of = {cid: i for i, cid in enumerate(ids)}
        pairs = [(cid, code) for cid, code in pairs
                 if not any(w in folded[row_of[cid]] for w in unless[code])]
    by_code = {t.sector: t.code for t in chain.components if t.sector}
    tagged = technologies[technologies["technology"].isin(list(by_code))]
    pairs += [(cid, by_code[t]) for cid, t in zip(tagged["consortium_id"], tagged["technology"])]
    return pd.DataFrame(pairs, columns=["consortium_id", "component"]).drop_duplicates()


def chain_coverage(consortia: pd.DataFrame, technologies: pd.DataFrame, chain: Chain) -> list[dict]:
    """Per component, in order: code, name, name_en, technology, consortia, provinces (most first),
    ``coded`` (of those, the ones tagged with the component's T code, which is what the gap matrix counts;
    the rest name the component in their texts) and ``unplaced`` (led from no single province:
    national lists such as the central SOEs', or a region such as 长三角)."""
    tags = component_tags(consortia, technologies, chain)
    lead = tags.merge(consortia[["id", "province"]], left_on="consortium_id", right_on="id")
    out = []
    for term in chain.components:
        on = lead[lead["component"] == term.code]
        provinces = on["province"].dropna().value_counts()
        ids = set(on["consortium_id"])
        coded = technologies[(technologies["technology"] == term.sector)
                             & technologies["consortium_id"].isin(ids)]["consortium_id"].nunique() if term.sector else 0
        out.append({"code": term.code, "name": term.name, "name_en": term.name_en, "technology": term.sector,
                    "consortia": len(ids), "coded": int(coded),
                    "unplaced": int(on.drop_duplicates("consortium_id")["province"].isna().sum()),
                    "provinces": sorted(provinces.index, key=lambda c: (-provinces[c], c))})
    return out


def all_chains(consortia: pd.DataFrame, technologies: pd.DataFrame) -> dict[str, dict]:
    """The contract's `chains --json` object: every chain with its components' coverage."""
    return {key: {"name": chain.name, "name_en": chain.name_en,
                  "components": chain_coverage(consortia, technologies, chain)}
            for key, chain in load_chains().items()}
