"""filters, search -> the records table."""
from __future__ import annotations

from dash import Input, Output, State, callback

from analytics import views
from etl.reference import load_reference
from figures.text import fmt_int, t
from layouts import ids

from . import state
from .common import FILTER_STATES, YEAR_BOUNDS, read_filters

MAX_ROWS = 2000  # the grid shows the first rows; the CSV/XLSX download carries them all


def display_rows(frame, lang: str) -> list[dict]:
    """Records with codes turned into labels in ``lang``."""
    ref = load_reference()
    rows = []
    for r in frame.head(MAX_ROWS).itertuples():
        rows.append({
            "name": r.name, "lead_org": r.lead_org or "",
            "lead_type": ref.term_label("lead_type", r.lead_type, lang) if r.lead_type else "",
            "province": ref.province_label(r.province, lang) if r.province else t(
                "national" if r.scope == "national" else "regional", lang),
            "city": (ref.cities[r.city].short_name if lang == "zh" else ref.cities[r.city].name_en)
            if r.city in ref.cities else "",
            "sector": ref.term_label("sector", r.sector, lang),
            "technologies": "、".join(ref.term_label("technology", c, lang) for c in r.technologies.split(",") if c)
            if lang == "zh" else ", ".join(ref.term_label("technology", c, lang) for c in r.technologies.split(",") if c),
            "year": int(r.year) if r.year == r.year and r.year is not None else None,
            "scope": t(r.scope, lang),
            "operating_model": ref.term_label("operating_model", r.operating_model, lang) if r.operating_model else "",
            "source": (r.source or "") + ((" · " + t("synthetic", lang)) if r.synthetic else ""),
        })
    return rows


# filters, search -> grid rows and count
@callback(Output(ids.RECORDS_GRID, "rowData"), Output(ids.RECORDS_COUNT, "children"),
          Input(ids.OVERVIEW_DONE, "data"), *FILTER_STATES, Input(ids.RECORDS_SEARCH, "value"),
          State(ids.SNAPSHOT, "data"), State(ids.PAGE_LANG, "data"), *YEAR_BOUNDS)
def update_records(_, sector, technology, lead_type, level, years, province, search, sid, lang, ymin, ymax):
    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, ymin, ymax)
    sid, frames = state.frames(sid)
    table = views.records(frames, f, load_reference(), search or "")
    n = len(table)
    note = (f"共 {fmt_int(n)} 条" if lang == "zh" else f"{fmt_int(n)} consortia")
    if n > MAX_ROWS:
        note += (f"，表中显示前 {fmt_int(MAX_ROWS)} 条" if lang == "zh" else f", first {fmt_int(MAX_ROWS)} shown")
    return display_rows(table, lang), note
