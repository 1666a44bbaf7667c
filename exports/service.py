"""One entry point for every export, used by the CLI and the dashboard alike."""
from __future__ import annotations

from analytics import planner, views
from analytics.filters import Filters
from analytics.sources import is_public, list_missing, sources_as_of
from etl.reference import load_reference
from etl.store import Snapshot, get_engine, load_snapshot, snapshot_info

from . import brief as briefs
from .charts import build_chart, filters_in_words
from .data import records_frame, to_csv_bytes, to_xlsx_bytes
from .render import render_figure


def _context(snap: Snapshot | None = None):
    snap = snap or load_snapshot(get_engine())
    if snap is None:
        raise LookupError("the store has no snapshot yet; run python -m etl demo or python -m etl ingest FILE…")
    info = dict(snap.info)
    full = snapshot_info(get_engine(), snap.id)
    info["source_names"] = [s["name"] for s in full["sources"]] if full else []
    from etl.public import snapshot_coverage
    if is_public(info):
        info["public"] = {"count": len(snap.consortia), "as_of": sources_as_of(snap.consortia)}
    info["coverage"] = snapshot_coverage(info.get("kind", ""), snap.consortia)
    return snap, views.Frames(snap.consortia, snap.technologies, snap.members), info


def chart_bytes(name: str, fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None,
                scale: float = 2.0, metric: str = "count", city: bool = False) -> bytes:
    """One decorated chart as PNG (2×), SVG or PDF; the province map with the page's ``metric`` or city layer."""
    snap, frames, info = _context(snap)
    indicators = _indicators() if metric == "per_capita" else None
    fig = build_chart(name, frames, f, load_reference(), info, lang, metric, city, indicators)
    return render_figure(fig, fmt, fig.layout.width, fig.layout.height, scale=scale if fmt == "png" else 1)


def _indicators():
    """The province indicators in the store (population for per-capita maps), or None."""
    import pandas as pd
    from sqlalchemy import select

    from etl.indicators import indicator_table
    with get_engine().connect() as con:
        frame = pd.read_sql(select(indicator_table), con)
    return frame if len(frame) else None


def previous_snapshot(snap: Snapshot) -> Snapshot | None:
    """The kept snapshot published just before ``snap``, if any."""
    from etl.store import previous_snapshot_id

    sid = previous_snapshot_id(get_engine(), snap.id)
    return load_snapshot(get_engine(), sid) if sid else None


def brief_bytes(fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None) -> bytes:
    """The briefing pack as PPTX or PDF, with a "what changed" page when the snapshot has a predecessor."""
    snap, frames, info = _context(snap)
    ref = load_reference()
    before = previous_snapshot(snap)
    diff = planner.diff_snapshots((before.id, before.consortia, before.technologies, before.members),
                                  (snap.id, snap.consortia, snap.technologies, snap.members), ref) if before else None
    pack = briefs.compose(frames, f, ref, info, lang, diff)
    if fmt == "pptx":
        return briefs.to_pptx(pack)
    if fmt == "pdf":
        return briefs.to_pdf(pack)
    raise ValueError("a briefing pack is .pptx or .pdf")


def profile_bytes(province: str, fmt: str, lang: str = "zh", snap: Snapshot | None = None,
                  f: Filters | None = None) -> bytes:
    """The one-page profile of ``province`` (a GB/T code) under the filters ``f`` (its own province filter
    aside), as the profile view shows it: a vector PDF page or a one-slide PPTX."""
    if fmt not in ("pdf", "pptx"):
        raise ValueError("a profile is .pdf or .pptx")
    if fmt == "pdf":
        return render_figure(profile_figure(province, lang, snap, f), "pdf", 1400, 900, scale=1)
    from figures.planner import build_profile_charts, profile_lines, profile_title

    # the slide's title, lines and source are its own text, to edit in place; the charts are a picture
    profile, ref, lang, source, caveat, no_list = profile_parts(province, lang, snap, f)
    lines = [line.replace("<br>", "\n") for line in profile_lines(profile, ref, lang, caveat, no_list)]
    return briefs.profile_slide_pptx(
        profile_title(ref.province_label(province, lang), lang), lines, source,
        lambda w, h: render_figure(build_profile_charts(profile, ref, lang, no_list, w, h), "png", w, h, scale=2))


def profile_figure(province: str, lang: str = "zh", snap: Snapshot | None = None, f: Filters | None = None):
    """The one-page profile as a figure (see profile_bytes)."""
    from figures.planner import build_profile_page

    return build_profile_page(*profile_parts(province, lang, snap, f))


def profile_parts(province: str, lang: str = "zh", snap: Snapshot | None = None, f: Filters | None = None):
    """What the one-page profile says: (profile, reference, language, source line, caveat, no list found)."""
    from figures.narrative import coverage_caveat
    from figures.text import fmt_datetime, public_note, sentence

    snap, frames, info = _context(snap)
    ref = load_reference()
    f = (f or Filters()).without_province()
    sel = frames.filtered(f)
    profile = planner.province_profile(sel.consortia, sel.technologies, sel.members, province, ref)
    zh = lang == "zh"
    source = [("数据快照 " if zh else "Snapshot ") + f"{snap.id} · {fmt_datetime(info['published_at'], lang)}"]
    if f != Filters():
        source.insert(0, ("范围：" if zh else "Scope: ") + filters_in_words(f, ref, lang))
    if info.get("public"):
        source.append(public_note(info["public"]["count"], info["public"]["as_of"], lang))
    elif info.get("synthetic"):
        source.append("演示数据（合成），非真实名单" if zh else "Synthetic demo data, not a real list")
    caveat = sentence(coverage_caveat(info.get("coverage", {}), ref, lang, province))
    no_list = list_missing(info.get("coverage", {}), province, profile["total"])
    return profile, ref, lang, " · ".join(source), caveat, no_list


def data_bytes(fmt: str, f: Filters, lang: str = "zh", snap: Snapshot | None = None) -> bytes:
    """The filtered records as CSV (UTF-8 with BOM) or XLSX, formula-like text neutralised."""
    snap, frames, _ = _context(snap)
    frame = records_frame(views.records(frames, f, load_reference()), lang)
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "xlsx":
        return to_xlsx_bytes(frame)
    raise ValueError("data downloads are .csv or .xlsx")
