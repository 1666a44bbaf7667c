"""Technology chains: whole systems (the lithography machine, the aero-engine …) split into components,
and which consortia, in which provinces, work on each component.

A consortium is tagged with a component when its name, sector text or
technology text names one of the component's aliases (the same longest-first
alias matching as technologies), or when it targets the component's T code.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

import config
from etl.normalise import AliasIndex
from etl.reference import Term, _split


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


def component_tags(consortia: pd.DataFrame, technologies: pd.DataFrame, chain: Chain) -> pd.DataFrame:
    """consortium_id, component: every consortium working on each component of ``chain``."""
    index = AliasIndex.build({t.code: t for t in chain.components})
    text = (consortia["name"].fillna("") + " | " + consortia["sector_raw"].fillna("") + " | "
            + consortia.get("technologies_raw", pd.Series("", index=consortia.index)).fillna(""))
    pairs = [(cid, code) for cid, t in zip(consortia["id"], text) for code in index.find_all(t)]
    by_code = {t.sector: t.code for t in chain.components if t.sector}
    tagged = technologies[technologies["technology"].isin(list(by_code))]
    pairs += [(cid, by_code[t]) for cid, t in zip(tagged["consortium_id"], tagged["technology"])]
    return pd.DataFrame(pairs, columns=["consortium_id", "component"]).drop_duplicates()


def chain_coverage(consortia: pd.DataFrame, technologies: pd.DataFrame, chain: Chain) -> list[dict]:
    """Per component, in order: code, name, name_en, technology, consortia, provinces (most first)."""
    tags = component_tags(consortia, technologies, chain)
    lead = tags.merge(consortia[["id", "province"]], left_on="consortium_id", right_on="id")
    out = []
    for term in chain.components:
        on = lead[lead["component"] == term.code]
        provinces = on["province"].dropna().value_counts()
        out.append({"code": term.code, "name": term.name, "name_en": term.name_en, "technology": term.sector,
                    "consortia": int(on["consortium_id"].nunique()),
                    "provinces": sorted(provinces.index, key=lambda c: (-provinces[c], c))})
    return out


def all_chains(consortia: pd.DataFrame, technologies: pd.DataFrame) -> dict[str, dict]:
    """The contract's `chains --json` object: every chain with its components' coverage."""
    return {key: {"name": chain.name, "name_en": chain.name_en,
                  "components": chain_coverage(consortia, technologies, chain)}
            for key, chain in load_chains().items()}
