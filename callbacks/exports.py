"""Export buttons -> a file download (chart image, briefing pack, records)."""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, no_update

from exports import service
from layouts import ids

from . import state
from .common import FILTER_STATES, YEAR_BOUNDS, read_filters

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# export buttons, filters -> download
@callback(Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_STATUS, "children"),
          Input(ids.EXPORT_CHART_BUTTON, "n_clicks"), Input(ids.EXPORT_BRIEF_PPTX, "n_clicks"),
          Input(ids.EXPORT_BRIEF_PDF, "n_clicks"), Input(ids.EXPORT_DATA_CSV, "n_clicks"),
          Input(ids.EXPORT_DATA_XLSX, "n_clicks"), State(ids.EXPORT_CHART, "value"),
          State(ids.EXPORT_FORMAT, "value"), *FILTER_STATES, State(ids.SNAPSHOT, "data"),
          State(ids.PAGE_LANG, "data"), *YEAR_BOUNDS, prevent_initial_call=True)
def export(_c, _bp, _bf, _dc, _dx, chart, fmt, sector, technology, lead_type, level, years, province, grade, sid, lang,
           ymin, ymax):
    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    snap = state.snapshot(sid)
    if snap is None:
        return no_update, "no data"
    trigger = ctx.triggered_id
    stem = f"consortium-atlas-{snap.id}"
    if trigger == ids.EXPORT_CHART_BUTTON:
        data, ext = service.chart_bytes(chart, fmt, f, lang, snap), fmt
        stem = f"{chart}-{snap.id}"
    elif trigger in (ids.EXPORT_BRIEF_PPTX, ids.EXPORT_BRIEF_PDF):
        ext = "pptx" if trigger == ids.EXPORT_BRIEF_PPTX else "pdf"
        data = service.brief_bytes(ext, f, lang, snap)
        stem = f"brief-{snap.id}"
    else:
        ext = "csv" if trigger == ids.EXPORT_DATA_CSV else "xlsx"
        data = service.data_bytes(ext, f, lang, snap)
        stem = f"consortia-{snap.id}"
    name = f"{stem}.{ext}"
    return dcc.send_bytes(data, name, type=MIME[ext]), name
