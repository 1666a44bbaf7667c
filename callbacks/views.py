"""filters -> sector heatmap, technology gaps, clustering, collaboration, trends."""
from __future__ import annotations

from dash import Input, Output, State, callback, html

from analytics.sources import unlisted
from analytics.views import set_aside
from etl.reference import load_reference
from figures.charts import (build_collaboration_matrix, build_flow_map, build_gap_matrix, build_lisa_map,
                            build_sector_heatmap, build_trend_chart, unlisted_rows)
from figures.narrative import (coverage_caveats, cross_regional_reading, gaps_reading, moran_reading, set_aside_note,
                               trend_reading, unlisted_note)
from figures.text import fmt_int, sentence
from figures.theme import MUTED
from layouts import ids

from . import state
from .common import FILTER_STATES, YEAR_BOUNDS, read_filters

# The secondary views follow the overview (its 'done' marker changes with every filter,
# snapshot or language change), so the map and KPIs never wait behind them.
COMMON = [Input(ids.OVERVIEW_DONE, "data"), *FILTER_STATES, State(ids.SNAPSHOT, "data"), State(ids.PAGE_LANG, "data")]


# filters, mode, sort -> sector heatmap
@callback(Output(ids.SECTOR_HEATMAP, "figure"), Output(ids.HEATMAP_UNLISTED, "children"), *COMMON,
          Input(ids.HEATMAP_MODE, "value"), Input(ids.HEATMAP_SORT, "value"), *YEAR_BOUNDS)
def update_heatmap(_, sector, technology, lead_type, level, years, province, grade, sid, lang, mode, sort, ymin, ymax):
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, _ = state.frames(sid)
    ref = load_reference()
    matrix = state.sector_matrix(sid, f, mode or "count")
    pick = (f.province, f.sector[0]) if f.province and f.sector else None
    coverage = state.list_coverage(sid)
    # Blank rows of provinces without a list would take half the chart (and a phone's width): named below it.
    fig = build_sector_heatmap(matrix, ref, lang or "zh", mode or "count", sort or "total",
                               selected=pick, coverage=coverage, drop_unlisted=True)
    left_out = unlisted_note(unlisted_rows(matrix, coverage), ref, lang or "zh")
    note = set_aside_note(set_aside("sector-heatmap", f), lang or "zh")
    if note:  # every sector and province stays in view; the picked cell is outlined
        fig.add_annotation(text=note.strip(" ()（）"), x=0, y=1, yshift=30, xref="paper", yref="paper",
                           xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=12, color=MUTED))
    return fig, left_out


# filters -> technology-gap matrix and the list of uncovered technologies
@callback(Output(ids.TECHNOLOGY_GAPS, "figure"), Output(ids.GAPS_LIST, "children"), *COMMON, *YEAR_BOUNDS)
def update_gaps(_, sector, technology, lead_type, level, years, province, grade, sid, lang, ymin, ymax):
    lang = lang or "zh"
    ref = load_reference()
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, _ = state.frames(sid)
    table = state.gap_matrix(sid, f)
    uncovered = [c for c in table.index if table.loc[c, "total"] == 0]
    reading = gaps_reading(uncovered, ref, lang, show=2)
    # The matrix shows every technology in every region, so its count differs from the KPI's: say how.
    if uncovered and f.technology:
        reading += "（不计技术筛选）" if lang == "zh" else " (with every technology, not only the chosen one)"
    if f.province:
        reading += "（全国，不限于所选省份）" if lang == "zh" else " (all of China, not only the chosen province)"
    if uncovered and (f.sector or f.lead_type or f.level or f.grade or f.year_from is not None
                      or f.year_to is not None):  # the other filters do narrow it: a gap here may be covered elsewhere
        reading += ("（仅计所选领域、类型、级别、年份或来源等级内的联合体）" if lang == "zh" else
                    " (counting only the consortia under the chosen sector, type, level, years or grade)")
    # Chinese introduces the list of tags with a colon; the English reading already ends on its own list
    head = html.P(reading + ("：" if lang == "zh" and uncovered else "。" if lang == "zh" else "."))
    tags = [html.Span(f"{c} {ref.term_label('technology', c, lang)}", className="tag") for c in uncovered]
    coverage = state.list_coverage(sid)
    caveats = coverage_caveats(coverage, ref, lang, f.province)
    caveat = [html.P(sentence(("；" if lang == "zh" else "; ").join(caveats)) + ("。" if lang == "zh" else "."),
                     className="note", id=ids.GAPS_CAVEAT)] if caveats else []
    return (build_gap_matrix(table, ref, lang, selected=f.technology[0] if f.technology else None,
                             coverage=coverage),
            [head, html.Div(tags), *caveat])


# filters -> LISA cluster map and Moran's I
@callback(Output(ids.CLUSTERING_MAP, "figure"), Output(ids.CLUSTERING_READING, "children"), *COMMON, *YEAR_BOUNDS)
def update_clustering(_, sector, technology, lead_type, level, years, province, grade, sid, lang, ymin, ymax):
    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, _ = state.frames(sid)
    result = state.clustering(sid, f)
    m = result["moran"]
    return (build_lisa_map(result["lisa"], lang, geometry="url", unlisted=unlisted(state.list_coverage(sid))),
            moran_reading(m["moran_i"], m["p_value"], lang) + set_aside_note(set_aside("clustering-map", f), lang))


# filters -> flow map, lead x member matrix
@callback(Output(ids.COLLABORATION_FLOWS, "figure"), Output(ids.COLLABORATION_MATRIX, "figure"),
          Output(ids.COLLABORATION_READING, "children"), *COMMON, *YEAR_BOUNDS)
def update_collaboration(_, sector, technology, lead_type, level, years, province, grade, sid, lang, ymin, ymax):
    lang = lang or "zh"
    ref = load_reference()
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, _ = state.frames(sid)
    result = state.collaboration(sid, f)
    text = cross_regional_reading(result["cross_regional_share"], lang)
    text += (f"（{fmt_int(result['cross_regional'])} / {fmt_int(result['total'])}）。" if lang == "zh" else
             f" ({fmt_int(result['cross_regional'])} of {fmt_int(result['total'])}).")
    text += set_aside_note(set_aside("collaboration-flows", f), lang)
    return (build_flow_map(result["edges"], lang, geometry="url"),
            build_collaboration_matrix(result["matrix"], ref, lang), text)


# filters -> formations per year by region group, and its reading
@callback(Output(ids.TRENDS_CHART, "figure"), Output(ids.TRENDS_READING, "children"), *COMMON, *YEAR_BOUNDS)
def update_trends(_, sector, technology, lead_type, level, years, province, grade, sid, lang, ymin, ymax):
    lang = lang or "zh"
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    sid, _ = state.frames(sid)
    result = state.trends(sid, f)
    return (build_trend_chart(result["by_year"], lang, years=(f.year_from, f.year_to)),
            trend_reading(result, lang) + set_aside_note(set_aside("trends-chart", f), lang))
