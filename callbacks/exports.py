"""Export buttons -> a file download (chart image, briefing pack, records)."""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, no_update

from analytics.filters import Filters
from exports import service
from layouts import ids

from . import state
from .common import FILTER_STATES, YEAR_BOUNDS, read_filters

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_stem(kind: str, f: Filters, lang: str, sid: str) -> str:
    """'brief-360000-S3-2020-2023-en-<snapshot>': what a file holds, in its name, so that a planner's
    downloads of several provinces or languages do not all read brief-<snapshot>."""
    years = "" if f.year_from is None and f.year_to is None else f"{f.year_from or ''}-{f.year_to or ''}"
    parts = [kind, f.province, *f.sector, *f.technology, *f.lead_type, *f.level, *f.grade, years,
             "en" if lang == "en" else "", sid]
    return "-".join(p.replace(":", "") for p in parts if p)


class Progress:
    """Tells the page, through the background callback's set_progress, how far an export is:
    renders done out of those expected, or the place in the queue for a Chromium render."""

    def __init__(self, set_progress, total: int, lang: str):
        self.set_progress, self.total, self.done, self.zh = set_progress, max(1, total), 0, lang == "zh"

    def waiting(self, position: int) -> None:
        self.set_progress((str(self.done), str(self.total), {"display": "inline-block"},
                           f"排队等候渲染：第 {position} 位" if self.zh else f"Waiting to render: {position} in line"))

    def rendered(self) -> None:
        self.done = min(self.done + 1, self.total)
        self.set_progress((str(self.done), str(self.total), {"display": "inline-block"},
                           f"正在生成：{self.done} / {self.total}" if self.zh else
                           f"Rendering: {self.done} of {self.total}"))


SHOWN, HIDDEN = {"display": "inline-block"}, {"display": "none"}
BUTTONS = (ids.EXPORT_CHART_BUTTON, ids.EXPORT_BRIEF_PPTX, ids.EXPORT_BRIEF_PDF, ids.EXPORT_DATA_CSV,
           ids.EXPORT_DATA_XLSX)


# cancel -> the status says so (the stopped job sends no more progress)
@callback(Output(ids.EXPORT_STATUS, "children", allow_duplicate=True), Input(ids.EXPORT_CANCEL, "n_clicks"),
          State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def export_cancelled(_, lang):
    return "已取消导出" if (lang or "zh") == "zh" else "Export cancelled"


# export buttons, filters -> download; in the background (a web worker stays free), with progress,
# the place in the render queue, and a cancel button
@callback(Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_STATUS, "children"),
          Input(ids.EXPORT_CHART_BUTTON, "n_clicks"), Input(ids.EXPORT_BRIEF_PPTX, "n_clicks"),
          Input(ids.EXPORT_BRIEF_PDF, "n_clicks"), Input(ids.EXPORT_DATA_CSV, "n_clicks"),
          Input(ids.EXPORT_DATA_XLSX, "n_clicks"), State(ids.EXPORT_CHART, "value"),
          State(ids.EXPORT_FORMAT, "value"), *FILTER_STATES, State(ids.MAP_METRIC, "value"),
          State(ids.MAP_CITY_LAYER, "value"), State(ids.SNAPSHOT, "data"),
          State(ids.PAGE_LANG, "data"), *YEAR_BOUNDS, prevent_initial_call=True, background=True,
          # the language switch waits too: it draws the page anew, and the new page would not show the job
          running=[*[(Output(b, "disabled"), True, False) for b in BUTTONS + (ids.LANG_TOGGLE,)],
                   (Output(ids.EXPORT_CANCEL, "style"), SHOWN, HIDDEN),
                   (Output(ids.EXPORT_PROGRESS, "style"), SHOWN, HIDDEN)],
          progress=[Output(ids.EXPORT_PROGRESS, "value"), Output(ids.EXPORT_PROGRESS, "max"),
                    Output(ids.EXPORT_PROGRESS, "style"), Output(ids.EXPORT_STATUS, "children")],
          cancel=[Input(ids.EXPORT_CANCEL, "n_clicks")])
def export(set_progress, _c, _bp, _bf, _dc, _dx, chart, fmt, sector, technology, lead_type, level, years, province,
           grade, metric, city_layer, sid, lang, ymin, ymax):
    from exports.brief import BRIEF_CHARTS, pdf_pages
    from exports.render import REPORTER

    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    snap = state.snapshot(sid)
    if snap is None:
        return no_update, "no data"
    trigger = ctx.triggered_id
    renders = {ids.EXPORT_CHART_BUTTON: 1, ids.EXPORT_BRIEF_PPTX: len(BRIEF_CHARTS)}.get(trigger, 0)
    if trigger == ids.EXPORT_BRIEF_PDF:
        from etl.store import get_engine, previous_snapshot_id
        renders = pdf_pages(previous_snapshot_id(get_engine(), snap.id) is not None)
    REPORTER.set(Progress(set_progress, renders, lang))
    # The status line still names the last file exported: say at once that this one is under way.
    set_progress(("0", str(max(1, renders)), SHOWN, "正在准备…" if lang == "zh" else "Preparing…"))
    if trigger == ids.EXPORT_CHART_BUTTON:
        data, ext = service.chart_bytes(chart, fmt, f, lang, snap, metric=metric or "count",
                                        city="city" in (city_layer or [])), fmt
        kind = chart
    elif trigger in (ids.EXPORT_BRIEF_PPTX, ids.EXPORT_BRIEF_PDF):
        ext = "pptx" if trigger == ids.EXPORT_BRIEF_PPTX else "pdf"
        data = service.brief_bytes(ext, f, lang, snap)
        kind = "brief"
    else:
        ext = "csv" if trigger == ids.EXPORT_DATA_CSV else "xlsx"
        data = service.data_bytes(ext, f, lang, snap)
        kind = "consortia"
    name = f"{export_stem(kind, f, lang, snap.id)}.{ext}"
    return dcc.send_bytes(data, name, type=MIME[ext]), name
