"""filters, search -> the records table."""
from __future__ import annotations

from dash import Input, Output, State, callback

from analytics import views
from exports.data import display_rows
from etl.reference import load_reference
from figures.text import fmt_int, n_consortia
from layouts import ids

from . import state
from .common import FILTER_STATES, YEAR_BOUNDS, read_filters

MAX_ROWS = 2000  # the grid shows the first rows; the CSV/XLSX download carries them all


# filters, search -> grid rows and count
@callback(Output(ids.RECORDS_GRID, "rowData"), Output(ids.RECORDS_COUNT, "children"),
          Input(ids.OVERVIEW_DONE, "data"), *FILTER_STATES, Input(ids.RECORDS_SEARCH, "value"),
          State(ids.SNAPSHOT, "data"), State(ids.PAGE_LANG, "data"), *YEAR_BOUNDS)
def update_records(_, sector, technology, lead_type, level, years, province, grade, search, sid, lang, ymin, ymax):
    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, frames = state.frames(sid)
    table = views.records(frames, f, load_reference(), search or "", limit=MAX_ROWS)
    n = table.attrs["total"]
    note = f"共 {fmt_int(n)} 条" if lang == "zh" else n_consortia(n, lang)
    if n > MAX_ROWS:
        note += (f"，表中显示前 {fmt_int(MAX_ROWS)} 条" if lang == "zh" else f", first {fmt_int(MAX_ROWS)} shown")
    return display_rows(table, lang), note
