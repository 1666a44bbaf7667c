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


@lru_cache(maxsize=1)
def load_coverage() -> pd.DataFrame:
    """code, lists_found, completeness: one row per provincial unit and one for the central-SOE lists."""
    return pd.read_csv(COVERAGE_FILE, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def coverage_status() -> dict[str, str]:
    """code -> complete / partial / none_found (read-only: shared by every caller)."""
    coverage = load_coverage()
    return dict(zip(coverage["code"], coverage["completeness"]))


def lists_found(code: str) -> str:
    """What was found of a province's (or central_soe's) lists, in words; '' when the table does not say."""
    return load_coverage().set_index("code")["lists_found"].get(code, "")
