"""Ingest: files -> extract -> transform -> publish one snapshot, with a report.

A file that cannot be read is named in one line and contributes nothing;
when no file could be read, nothing is published and the previous snapshot
stays current (``IngestResult.published`` is False).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

import config

from .extract import SourceError, Table, extract, size_problem
from .store import SourceFile, publish_snapshot
from .transform import Batch, no_gc_pauses, transform


@dataclass
class IngestResult:
    snapshot_id: str | None
    report: dict
    errors: list[str] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.snapshot_id is not None


def build_report(batch: Batch, errors: list[str], per_file: dict[str, int], notes: list[str]) -> dict:
    """The ingest report: counts, every rejection and warning, unmapped texts, file errors."""
    unmapped: dict[str, dict[str, int]] = {"sector": {}, "technology": {}}
    for (kind, text), n in sorted(batch.unmapped.items()):
        unmapped.setdefault(kind, {})[text] = n
    return {
        "files": per_file,
        "rows_read": batch.rows_read,
        "accepted": len(batch.consortia),
        "rejected": len(batch.rejections),
        "warnings": len(batch.warnings),
        "duplicates": batch.duplicates,
        "rejections": [vars(r) for r in batch.rejections],
        "warning_list": [vars(w) for w in batch.warnings],
        "unmapped": unmapped,
        "errors": errors,
        "notes": notes,
    }


def ingest_sources(engine: Engine, sources: list[SourceFile], kind: str = "ingest",
                   max_bytes: int | None = None, strict: bool = False) -> IngestResult:
    """Read every source, publish the readable ones as one new current snapshot.

    With ``strict`` a single unreadable source publishes nothing (refreshes use
    this, so a scheduled run never replaces live data with part of it)."""
    with no_gc_pauses():
        return _ingest(engine, sources, kind, max_bytes or config.max_file_bytes(), strict)


def _ingest(engine: Engine, sources: list[SourceFile], kind: str, max_bytes: int, strict: bool) -> IngestResult:
    tables, errors, notes, readable = [], [], [], []
    per_file: dict[str, int] = {}
    for src in sources:
        try:
            extracted, _ = extract(Path(src.name), max_bytes, data=src.content)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        tables.append(extracted.table)
        notes += [f"{src.name}: {n}" for n in extracted.notes]
        per_file[src.name] = len(extracted.table)
        readable.append(src)
    if not readable or (strict and errors):
        what = "a source could not be read" if readable else "no file could be read"
        errors.append(f"nothing published: {what}; the previous snapshot stays current")
        return IngestResult(None, {"errors": errors}, errors)
    from .accounts import effective_reference
    from .faults import checkpoint

    checkpoint("tagging")
    # The archive's copies are deflated on another core while this one tags the records.
    packer = threading.Thread(target=lambda: [s.deflated for s in readable], name="deflate-sources", daemon=True)
    packer.start()
    # The shipped reference tables plus every alias a steward added in the browser.
    ref = effective_reference(engine)
    batch = transform(Table.concat(tables), ref)
    report = build_report(batch, errors, per_file, notes)
    # The stored report keeps counts and rejections (every warning is in the warnings table),
    # and which reference tables tagged the records.
    stored = {k: v for k, v in report.items() if k != "warning_list"} | {"reference": ref.digest}
    packer.join()
    sid = publish_snapshot(engine, batch, readable, kind, stored)
    return IngestResult(sid, report, errors)


def load_paths(paths: list[str | Path], max_bytes: int | None = None) -> tuple[list[SourceFile], list[str]]:
    """Source files from disk, refusing oversize or missing ones before reading them."""
    max_bytes = max_bytes or config.max_file_bytes()
    sources, errors = [], []
    for p in map(Path, paths):
        try:
            size = p.stat().st_size
        except OSError as exc:
            errors.append(f"{p.name}: cannot open ({exc.strerror})")
            continue
        if p.is_dir():
            errors.append(f"{p.name}: is a folder, not a file")
            continue
        if size_problem(size, max_bytes):
            errors.append(f"{p.name}: {size_problem(size, max_bytes)}")
            continue
        sources.append(SourceFile(p.name, p.read_bytes(), str(p.resolve())))
    return sources, errors


def ingest_paths(engine: Engine, paths: list[str | Path], kind: str = "ingest") -> IngestResult:
    sources, errors = load_paths(paths)
    result = ingest_sources(engine, sources, kind)
    result.errors[:0] = errors
    result.report.setdefault("errors", [])[:0] = errors
    return result
