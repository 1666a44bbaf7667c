"""Indicator table (population, GDP, R&D spending …) for normalising counts.

``python -m etl indicators FILE.csv`` loads rows of province, year, indicator,
value (province in any form the place normaliser accepts). Indicators are not
part of a snapshot: they describe provinces, not consortia.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from .extract import SourceError, decode_text
from .normalise import resolve_place
from .store import indicator_table


def load_indicators(engine: Engine, path: Path) -> tuple[int, list[str]]:
    """Replace the indicators named in ``path``; return (rows loaded, problems with row numbers)."""
    text = decode_text(path, Path(path).read_bytes())
    rows, problems = [], []
    for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        place = resolve_place(row.get("province", ""))
        try:
            year, value = int(row["year"]), float(row["value"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{Path(path).name} row {i}: year and value must be numbers")
            continue
        if place is None or not place.province or place.city:
            problems.append(f"{Path(path).name} row {i}: province {row.get('province')!r} not recognised")
            continue
        rows.append(dict(province=place.province, year=year, indicator=row["indicator"].strip(), value=value))
    if not rows:
        raise SourceError(path, "no usable indicator rows (columns: province, year, indicator, value)")
    names = {r["indicator"] for r in rows}
    with engine.begin() as con:
        con.execute(delete(indicator_table).where(indicator_table.c.indicator.in_(names)))
        con.execute(insert(indicator_table), rows)
    return len(rows), problems
