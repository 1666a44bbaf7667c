"""The public baseline list (data/public): real consortia compiled from public announcements.

``public_sources()`` gives the list as a source file for the ordinary ingest
path, so it is read, checked and tagged like any other list; ``load_coverage()``
says per province which lists were found and how complete they are.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

import config

from .store import SourceFile

PUBLIC_DIR = config.ROOT / "data" / "public"
CONSORTIA_FILE = PUBLIC_DIR / "consortia.csv"
COVERAGE_FILE = PUBLIC_DIR / "coverage.csv"
COMPLETENESS = ("complete", "partial", "none_found")


def public_sources() -> list[SourceFile]:
    """The public list as one source file (archived with the snapshot like any ingest)."""
    return [SourceFile(CONSORTIA_FILE.name, CONSORTIA_FILE.read_bytes(), "data/public/consortia.csv")]


def stale_public(engine, current: dict, sources: list[SourceFile]) -> str:
    """Why the current snapshot (``snapshot_info()``) is an out-of-date copy of the bundled public list
    (``public_sources()``), in words ("from an earlier file", "tagged by other reference tables"); "" when it
    is up to date or is not the public list at all (a steward's or a refresh's data is never replaced by it)."""
    if current.get("kind") != "public":
        return ""
    if {s.sha256 for s in sources} - {s["sha256"] for s in current.get("sources", [])}:
        return "from an earlier file"
    from .accounts import effective_reference

    if current.get("report", {}).get("reference") != effective_reference(engine).digest:
        return "tagged by other reference tables"
    return ""


@lru_cache(maxsize=1)
def load_coverage() -> pd.DataFrame:
    """code, lists_found, completeness, lists_found_en: one row per provincial unit and one for the
    central-SOE lists."""
    return pd.read_csv(COVERAGE_FILE, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def coverage_status() -> dict[str, str]:
    """code -> complete / partial / none_found (read-only: shared by every caller)."""
    coverage = load_coverage()
    return dict(zip(coverage["code"], coverage["completeness"]))


def lists_found(code: str, lang: str = "zh") -> str:
    """What was found of a province's (or central_soe's) lists, in words (in English: the project's
    translation, ``lists_found_en``); '' when the table does not say."""
    coverage = load_coverage().set_index("code")
    if code not in coverage.index:
        return ""
    return (lang == "en" and coverage.at[code, "lists_found_en"]) or coverage.at[code, "lists_found"]


@lru_cache(maxsize=1)
def public_name_keys() -> frozenset[str]:
    """The public list's consortia by name key (as the store keys them)."""
    from .normalise import clean_texts, name_keys

    names = pd.read_csv(CONSORTIA_FILE, dtype=str, keep_default_na=False)["name"].tolist()
    return frozenset(name_keys(clean_texts(names)))


CARRIED = 0.8  # the share of the public list a snapshot must hold to carry its caveats


def snapshot_coverage(kind: str, consortia: pd.DataFrame) -> dict[str, str]:
    """How complete each province's list is, for a snapshot: the public list's coverage for the public list,
    and for a steward's list built on it (holding most of its consortia, as the staged report asks), with
    a province whose list was not found but which now leads consortia counted as partial; {} for any other
    list, of which nothing is known."""
    if kind == "public":
        return dict(coverage_status())
    keys = public_name_keys()
    held = keys & set(consortia["name_key"].dropna()) if "name_key" in consortia else set()
    if not keys or len(held) < CARRIED * len(keys):
        return {}
    leads = consortia["province"].value_counts()
    return {code: "partial" if status == "none_found" and leads.get(code, 0) else status
            for code, status in coverage_status().items()}
