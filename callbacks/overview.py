"""filters, metric, city layer -> province map (its values only, where it is drawn), KPIs, reading, side panel texts."""
from __future__ import annotations

from functools import lru_cache

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from analytics.filters import Filters
from analytics.sources import list_missing, unlisted
from etl.reference import load_reference
from figures.china_map import (INSET_TRACE, MAIN_TRACE, SELECTED_TRACE, build_city_map, build_province_map,
                                colorbar_ticks, map_trace_values, metric_style, outline_values)
from figures.narrative import overview_reading
from figures.text import fmt_int, n_consortia, scope_text, t
from layouts import ids
from layouts.page import view_href

from . import state
from .common import FILTER_INPUTS, YEAR_BOUNDS, read_filters, view_search


def side_texts(view: dict, lang: str, f: Filters, name: str = "") -> tuple[str, str, str, str]:
    """The side panel's changing texts: the profile link to ``f``'s province (labelled ``name``; empty, and
    so hidden, with no province picked) under the other filters, the counts placed at no single province,
    and the counts by scope, one per line.

    Plain strings into the panel's fixed elements (layouts.page.side_panel), so a filter change mounts no
    new components in the page."""
    zh = lang == "zh"
    colon = "：" if zh else ": "

    def line(key: str, value) -> str:
        return f"{t(key, lang)}{colon}{fmt_int(value)}"

    link = href = ""
    if f.province:
        link = f"查看{name}省份画像 →" if zh else f"Open the profile of {name} →"
        href = view_href("profile", f.to_query(), lang)  # the profile under the same filters
    outside = "\n".join(line(k, view[k]) for k in ("national", "regional"))
    scopes = "\n".join(f"{scope_text(k, lang)}{colon}{fmt_int(v)}" for k, v in view["scopes"].items())
    if f.province:  # the counts by scope are the picked province's own
        scopes = (f"{name}牵头：" if zh else f"Led from {name}:") + "\n" + scopes
    return link, href, outside, scopes


# The names create_body() takes overview_outputs()' values by (its ``first``), in their order.
OUTPUT_NAMES = ("figure", "map_values", "total", "provinces", "uncovered", "reading", "link", "link_href", "outside",
                "scopes", "done", "drawn")


def metric_note(f, metric: str | None, city: bool, lang: str) -> str:
    """What the map cannot show for this metric: the city layer counts consortia only, and a location
    quotient needs a sector or technology to be chosen (before the reading, so it is read first)."""
    zh = lang == "zh"
    if city and metric not in (None, "count"):
        return "城市层只显示联合体数量。" if zh else "The city layer shows counts only. "
    if metric == "lq" and not (f.sector or f.technology):
        return ("区位熵需要先选择一个领域或技术，地图才有数值。" if zh else
                "The location quotient needs a sector or technology to be chosen first; the map has no values "
                "until then. ")
    if metric == "lq" and not city:  # one consortium in a small province can make it the reddest
        return ("区位熵在联合体少于 3 个的省份参考意义有限。" if zh else
                "In a province with under 3 consortia the location quotient says little. ")
    return ""


def undated_note(n: int, lang: str) -> str:
    """What a year range leaves out: the consortia whose list gives no year."""
    if not n:
        return ""
    return (f"年份筛选不含 {fmt_int(n)} 个未注明组建年份的联合体。" if lang == "zh" else
            f"The year range leaves out {n_consortia(n, lang)} whose year is not given. ")


def awaits_choice(f, metric: str | None, city: bool) -> bool:
    """A location quotient with nothing chosen to compare: the map has no values, and says so on itself."""
    return metric == "lq" and not city and not (f.sector or f.technology)


@lru_cache(maxsize=64)
def whole_province_map(sid: str, f, metric: str, lang: str) -> dict:
    """The province map for one view, built once and kept as plain JSON: plotly's figure objects take most
    of a first page's layout time (about 30 of 40 ms), and a page's first view is usually one of a few."""
    view = state.overview(sid, f, metric)
    figure = build_province_map(view["values"], lang=lang, geometry="url", selected=f.province or None,
                                missing_as_zero=metric == "count", unlisted=unlisted(state.list_coverage(sid)),
                                height=None, **metric_style(metric, lang))
    if awaits_choice(f, metric, city=False):
        figure.add_annotation(text="请先选择一个领域或卡脖子技术，再看区位熵" if lang == "zh" else
                              "Choose a sector or technology to see its location quotient",
                              x=0.5, y=0.55, xref="paper", yref="paper", showarrow=False,
                              bgcolor="rgba(255,255,255,0.9)", borderpad=6, font=dict(size=14))
    return figure.to_plotly_json()


def province_map_values(values: dict, f, metric: str | None, lang: str) -> dict:
    """What a filter change alters on a drawn province map of the same key: the main and inset choropleths'
    values, text and colour range, the colour bar's title and ticks, and the outline (figures.china_map's
    own pieces). assets/map-values.js applies them to the drawn map, or redraws it from them."""
    style = metric_style(metric or "count", lang)
    props = map_trace_values(values, lang=lang, missing_as_zero=metric in (None, "count"), **style)
    colorbar = {"title": {"text": style["legend_label"]}, **colorbar_ticks(props, style["value_format"])}
    return {"traces": [MAIN_TRACE, INSET_TRACE], **props, "colorbar": colorbar,
            "outline": {"trace": SELECTED_TRACE, **outline_values(f.province or None)}}


def overview_outputs(f, metric: str | None, city: bool, sid: str | None, lang: str, drawn: str | None) -> tuple:
    """The map figure whole, or its values alone (province_map_values) when ``drawn`` says this map is on
    the page; then KPIs, reading, side panel, the done marker and the drawn key, for one filter state.

    The page's first layout carries these for its URL (see callbacks.page.page_body), so the first
    map is drawn with the layout, not after a round trip; the callback runs on changes only."""
    ref = load_reference()
    sid, _ = state.frames(sid)
    # the map that waits for a choice is drawn whole: its key differs, so neither entering nor leaving that
    # state is a mere change of values
    key = f"{sid}|{lang}|{'city' if city else 'province'}" + ("|choose" if awaits_choice(f, metric, city) else "")
    done = f"{sid}?{f.to_query()}&lang={lang}"
    view = state.overview(sid, f, metric or "count")
    map_values = no_update
    # Values alone need a drawn province map of the same language and snapshot; otherwise draw it whole.
    # height=None: the map fills its box, which the page's style sizes (shorter on a phone, where a 560-pixel
    # box left a band of white above and below a map the width of the screen)
    if city:
        figure = build_city_map(state.city_counts(sid, f), legend_label=t("consortia", lang), lang=lang,
                                geometry="url", height=None)
    elif drawn != key:
        figure = whole_province_map(sid, f, metric or "count", lang)
    else:  # only values changed: send z, text, the colour range and the outline, never the geometry
        figure = no_update
        map_values = province_map_values(view["values"], f, metric, lang)
    k = view["kpis"]
    coverage = state.list_coverage(sid)
    name = ref.province_label(f.province, lang) if f.province else ""
    reading = metric_note(f, metric, city, lang) + undated_note(view["undated_left_out"], lang) + overview_reading(
        view, ref, lang, coverage, f.province)
    # a province whose list was not found has no gaps to count: "—", as its reading says no gap either
    uncovered = "—" if list_missing(coverage, f.province, k["total"]) else str(k["uncovered"])
    return (figure, map_values, str(k["total"]), str(k["provinces"]), uncovered, reading,
            *side_texts(view, lang, f, name), done, key)


# what the address keeps: a change of any of these writes it (see common.view_search)
SETTING_IDS = {i.component_id for i in FILTER_INPUTS} | {ids.MAP_METRIC, ids.MAP_CITY_LAYER}


# filters, metric, city layer, snapshot, language -> map, KPIs, reading, side panel, and the
# address bar's query (so a copied link reopens the view): one request per filter change, not two
@callback(Output(ids.PROVINCE_MAP, "figure"), Output(ids.MAP_VALUES, "data"), Output(ids.KPI_TOTAL, "children"),
          Output(ids.KPI_PROVINCES, "children"), Output(ids.KPI_UNCOVERED, "children"),
          Output(ids.OVERVIEW_READING, "children"), Output(ids.MAP_PROFILE_LINK, "children"),
          Output(ids.MAP_PROFILE_LINK, "href"), Output(ids.MAP_SIDE_OUTSIDE, "children"),
          Output(ids.MAP_SIDE_SCOPES, "children"),
          Output(ids.OVERVIEW_DONE, "data"),
          Output(ids.MAP_DRAWN, "data"), Output(ids.FILTER_URL, "search"), Output(ids.FILTER_URL_WRITTEN, "data"),
          *FILTER_INPUTS, Input(ids.MAP_METRIC, "value"), Input(ids.MAP_CITY_LAYER, "value"),
          Input(ids.SNAPSHOT, "data"), Input(ids.PAGE_LANG, "data"), State(ids.MAP_DRAWN, "data"), *YEAR_BOUNDS,
          prevent_initial_call=True)
def update_overview(sector, technology, lead_type, level, years, province, grade, metric, city_layer, sid, lang,
                    drawn, ymin, ymax):
    f = read_filters(sector, technology, lead_type, level, years, province, grade, ymin, ymax)
    outputs = overview_outputs(f, metric, "city" in (city_layer or []), sid, lang or "zh", drawn)
    if SETTING_IDS.isdisjoint(ctx.triggered_prop_ids.values()):
        return (*outputs, no_update, no_update)  # a new snapshot or language: the address stays
    search = view_search(f, metric, "city" in (city_layer or []), lang or "zh")
    return (*outputs, search, search)


# a drawn map's new values -> recoloured in place (assets/map-values.js), or redrawn from them; in the browser
clientside_callback(ClientsideFunction("atlas", "map_values"), Output(ids.PROVINCE_MAP, "figure", allow_duplicate=True),
                    Input(ids.MAP_VALUES, "data"), State(ids.PROVINCE_MAP, "figure"), prevent_initial_call=True)
