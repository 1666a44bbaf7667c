"""One entry point for every export, used by the CLI and the dashboard alike."""
from __future__ import annotations

from analytics import views
from analytics.filters import Filters
from analytics.sources import is_public, sources_as_of
from etl.reference import load_reference
from etl.store import Snapshot, get_engine, load_snapshot, snapshot_info

from . import brief as briefs
from .charts import build_chart
from .data import records_frame, to_csv_bytes, to_xlsx_bytes
from .render import render_figure


def _context(snap: Snapshot | None = None):
    snap = snap or load_snapshot(get_engine())
    if snap is None:
        raise LookupError("the store has no snapshot yet; run python -m etl demo or python -m etl ingest FILE…")
    info = dict(snap.info)
    full = snapshot_info(get_engine(), snap.id)
    info["source_names"] = [s["name"] for s in full["sources"]] if full else []
    if is_public(info):
        from etl.public import load_coverage
        info["public"] = {"count": len(snap.consortia), "as_of": sources_as_of(snap.consortia)}
        info["coverage"] = dict(zip(load_coverage()["code"], load_coverage()["completeness"]))
    return snap, views.Frames(snap.consortia, snap.technologies, snap.members), info


def chart_bytes(name: str, fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None,
                scale: float = 2.0) -> bytes:
    """One decorated chart as PNG (2×), SVG or PDF."""
    snap, frames, info = _context(snap)
    fig = build_chart(name, frames, f, load_reference(), info, lang)
    return render_figure(fig, fmt, fig.layout.width, fig.layout.height, scale=scale if fmt == "png" else 1)


def brief_bytes(fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None) -> bytes:
    """The briefing pack as PPTX or PDF."""
    snap, frames, info = _context(snap)
    pack = briefs.compose(frames, f, load_reference(), info, lang)
    if fmt == "pptx":
        return briefs.to_pptx(pack)
    if fmt == "pdf":
        return briefs.to_pdf(pack)
    raise ValueError("a briefing pack is .pptx or .pdf")


def data_bytes(fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None) -> bytes:
    """The filtered records as CSV (UTF-8 with BOM) or XLSX, formula-like text neutralised."""
    snap, frames, _ = _context(snap)
    frame = records_frame(views.records(frames, f, load_reference()), lang)
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "xlsx":
        return to_xlsx_bytes(frame)
    raise ValueError("data downloads are .csv or .xlsx")
