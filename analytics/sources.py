"""Sources of a snapshot: the public list's grades, its date, and how complete each province's list is."""
from __future__ import annotations

import pandas as pd

GRADES = ("A", "B", "C")


def is_public(info: dict) -> bool:
    """The snapshot is the shipped public baseline (``python -m etl public``)."""
    return info.get("kind") == "public"


def unlisted(coverage: dict[str, str]) -> list[str]:
    """The provinces whose list was not found (``coverage``: code -> completeness, as etl.public gives it):
    greyed on maps, never read as having no consortium."""
    return [code for code, status in coverage.items() if status == "none_found"]


def list_missing(coverage: dict[str, str], province: str, total: int) -> bool:
    """A province with no list found and no consortium in view: its counts say nothing about gaps, so no
    gap is read from it (the overview, its KPI, the profile and the exports all ask this)."""
    return bool(province) and coverage.get(province) == "none_found" and not total


def sources_as_of(consortia: pd.DataFrame) -> str:
    """The date of the newest source ('YYYY-MM-DD' or 'YYYY-MM'), '' when none is dated."""
    if "published" not in consortia:
        return ""
    dates = consortia["published"].dropna().astype(str)
    dates = dates[dates.str.match(r"^\d{4}-\d{2}")]
    return max(dates, key=lambda d: (d[:7], len(d), d)) if len(dates) else ""


def source_urls(cell) -> list[str]:
    """The http(s) URLs of a record's source_url cell (' ; '-separated)."""
    return [u.strip() for u in str(cell or "").split(" ; ") if u.strip().startswith(("http://", "https://"))]


def sources_by_grade(consortia: pd.DataFrame) -> pd.DataFrame:
    """One row per grade (A, B, C, then ungraded): consortia, distinct source pages, distinct publishers."""
    rows = []
    grades = consortia["grade"].fillna("") if "grade" in consortia else pd.Series("", index=consortia.index)
    for grade in (*GRADES, ""):
        part = consortia[grades == grade]
        if grade == "" and part.empty:
            continue
        urls = {u for cell in part.get("source_url", pd.Series(dtype=object)) for u in source_urls(cell)}
        publishers = part["publisher"].dropna() if "publisher" in part else pd.Series(dtype=object)
        rows.append({"grade": grade, "consortia": len(part), "pages": len(urls),
                     "publishers": publishers[publishers != ""].nunique()})
    return pd.DataFrame(rows, columns=["grade", "consortia", "pages", "publishers"])

