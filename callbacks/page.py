"""The page shell: URL <-> filters, language, snapshot polling, banner, map/heatmap clicks, reset."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from analytics.filters import Filters
from etl.reference import load_reference
from analytics.sources import is_public, sources_as_of
from figures.text import fmt_datetime, public_note, t
from layouts import ids
from layouts.page import create_below, create_body, create_header, filter_values

from . import state
from .common import FILTER_INPUTS, FILTER_STATES, YEAR_BOUNDS, lang_of, read_filters, url_filters, url_settings
from .planner import view_body, view_key


def is_steward_path(path: str | None) -> bool:
    return (path or "/").rstrip("/").endswith("/steward")


def page_body(search: str, path: str = "/") -> tuple[list, str, str, str | None]:
    """The body for a page URL (path and query), its language, its view key and the snapshot current when
    it was rendered: the overview with the URL's filters, a planner view (?view=profile|compare|chains|
    changes), or the steward's page."""
    from server.auth import current_user_name, form_token

    lang, user, sid = lang_of(search), current_user_name(), state.current_id()
    token = form_token() if user else ""
    banner = banner_text(sid, lang)
    here = "/" + (path or "/").lstrip("/") + (f"?{search.lstrip('?')}" if (search or "").lstrip("?") else "")
    if is_steward_path(path):
        from .steward import steward_body
        header = create_header(lang, "steward", user, form_token=token, here=here, banner=banner)
        return [header, *steward_body(lang)], lang, "steward", sid
    key = view_key(search)
    if key:
        view = parse_qs((search or "").lstrip("?"))["view"][0]
        query = Filters.from_query(search or "").to_query()
        return [create_header(lang, view, user, query, token, here, banner), *view_body(search, lang)], lang, key, sid
    years, population = state.year_bounds(sid), state.has_population()
    f, note = url_filters(search, lang, years)
    metric, city, settings_note = url_settings(search, population, lang)
    note = " ".join(n for n in (note, settings_note) if n)
    first = None
    if sid is not None:  # the map, KPIs and reading come with the layout (see overview.overview_outputs)
        from .overview import OUTPUT_NAMES, overview_outputs

        first = dict(zip(OUTPUT_NAMES, overview_outputs(f, metric, city, sid, lang, None)))
    body = create_body(lang, f, load_reference(), years, population,
                       has_snapshot=sid is not None, user=user, first=first, note=note, form_token=token,
                       map_settings=(metric, city), here=here, banner=banner)
    return body, lang, key, sid


def serve_layout():
    """The whole first page in one response: the layout request's Referer is the page URL,
    so the body comes with the URL's language and filters, without a callback round trip."""
    from urllib.parse import urlparse

    from flask import has_request_context, request

    from layouts.page import create_layout

    if not has_request_context() or not request.referrer:
        return create_layout()
    url = urlparse(request.referrer)
    # The snapshot store starts at the one the body shows, so the poll notices any newer one.
    return create_layout(*page_body(url.query, url.path))


# url -> page body (when the language or the view changes, or when the layout came without one)
@callback(Output(ids.PAGE, "children"), Output(ids.PAGE_LANG, "data"), Output(ids.PAGE_VIEW, "data"),
          Input(ids.URL, "search"), Input(ids.URL, "pathname"), State(ids.PAGE_LANG, "data"),
          State(ids.PAGE_VIEW, "data"))
def render_page(search, path, rendered_lang, rendered_view):
    key = "steward" if is_steward_path(path) else view_key(search)
    if rendered_lang == lang_of(search) and (rendered_view or "") == key:
        return no_update, no_update, no_update
    return page_body(search, path)[:3]


# lang-toggle -> url (the body re-renders in the other language, filters kept)
@callback(Output(ids.URL, "search", allow_duplicate=True), Input(ids.LANG_TOGGLE, "n_clicks"),
          State(ids.URL, "search"), prevent_initial_call=True)
def toggle_language(clicks, search):
    if not clicks:  # a new header's button (the page drawn again after Back), never a click
        return no_update
    params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    if lang_of(search) == "en":
        params.pop("lang", None)
    else:
        params["lang"] = "en"
    return "?" + urlencode(params, safe=",") if params else ""


# province-map click -> province filter (a second click on the same province clears it)
@callback(Output(ids.FILTER_PROVINCE, "value", allow_duplicate=True), Input(ids.PROVINCE_MAP, "clickData"),
          State(ids.FILTER_PROVINCE, "value"), prevent_initial_call=True)
def map_click(click, current):
    try:
        code = click["points"][0]["location"]
    except (TypeError, KeyError, IndexError):
        return no_update
    return None if code == current else code


# sector-heatmap click -> province and sector filters
@callback(Output(ids.FILTER_PROVINCE, "value", allow_duplicate=True),
          Output(ids.FILTER_SECTOR, "value", allow_duplicate=True),
          Input(ids.SECTOR_HEATMAP, "clickData"), prevent_initial_call=True)
def heatmap_click(click):
    cell = heatmap_cell(click)
    return cell if cell else (no_update, no_update)


def heatmap_cell(click) -> tuple[str, str] | None:
    """(province code, sector code) of a clicked heatmap cell, from its customdata or, where the
    browser leaves that out, from the axis labels ('S4 生物', '北京' / 'Beijing')."""
    try:
        point = click["points"][0]
    except (TypeError, KeyError, IndexError):
        return None
    if isinstance(point.get("customdata"), (list, tuple)) and len(point["customdata"]) == 2:
        return tuple(point["customdata"])
    ref = load_reference()
    sector = str(point.get("x", "")).split(" ")[0]
    names = {ref.province_label(c, lang): c for c in ref.provinces for lang in ("zh", "en")}
    label = str(point.get("y", "")).replace("（未找到名录）", "").replace(" (no list found)", "")
    province = names.get(label)
    return (province, sector) if province and sector in ref.sectors else None


# technology-gaps click -> technology filter
@callback(Output(ids.FILTER_TECHNOLOGY, "value", allow_duplicate=True),
          Input(ids.TECHNOLOGY_GAPS, "clickData"), prevent_initial_call=True)
def gaps_click(click):
    try:
        label = str(click["points"][0]["y"])  # 'T01 光刻机' or '<b>T01 光刻机 ✕</b>'
    except (TypeError, KeyError, IndexError):
        return no_update
    code = label.replace("<b>", "").split(" ")[0]
    return code if code in load_reference().technologies else no_update


FILTER_OUTPUTS = [Output(i.component_id, i.component_property, allow_duplicate=True) for i in FILTER_INPUTS]


# reset -> the national picture
@callback(*FILTER_OUTPUTS, Input(ids.FILTER_RESET, "n_clicks"), *YEAR_BOUNDS, prevent_initial_call=True)
def reset(_, ymin, ymax):
    return filter_values(Filters(), ymin, ymax)


# the address bar changed -> passed on only when the overview did not write it itself (a filter change writes
# it with every change), so the server hears of the browser's back and forward alone; in the browser
clientside_callback(ClientsideFunction("atlas", "history_search"), Output(ids.HISTORY_SEARCH, "data"),
                    Input(ids.URL, "search"), State(ids.FILTER_URL_WRITTEN, "data"), prevent_initial_call=True)


# an address from the browser's back or forward -> the filters and map settings it names
@callback(*FILTER_OUTPUTS, Output(ids.MAP_METRIC, "value", allow_duplicate=True),
          Output(ids.MAP_CITY_LAYER, "value", allow_duplicate=True), Input(ids.HISTORY_SEARCH, "data"),
          *FILTER_STATES, State(ids.MAP_METRIC, "value"), State(ids.MAP_CITY_LAYER, "value"), *YEAR_BOUNDS,
          prevent_initial_call=True)
def follow_history(came, *values):
    search = (came or {}).get("search", "")
    *current, metric, layer, ymin, ymax = values
    wanted, _ = url_filters(search, lang_of(search), (ymin, ymax))
    now = (*filter_values(read_filters(*current, ymin, ymax), ymin, ymax), metric, layer or [])
    want_metric, want_city, _ = url_settings(search, state.has_population())
    shown = (*filter_values(wanted, ymin, ymax), want_metric, ["city"] if want_city else [])
    return tuple(no_update if a == b else a for a, b in zip(shown, now))


# the overview's filters (as it writes them into the address) -> the links to the views carry them, in the browser
clientside_callback(ClientsideFunction("atlas", "nav_links"),
                    *[Output(ids.VIEW_LINK.format(key), "href") for key in ("profile", "compare", "chains", "changes")],
                    Input(ids.FILTER_URL, "search"), prevent_initial_call=True)


# the map drawn (its first relayout event, or the fallback timer) -> the records grid's script, in the browser
# (assets/records-grid.js; the page itself comes without it, see app.defer_the_records_grid)
clientside_callback(ClientsideFunction("atlas", "load_records_grid"), Output(ids.GRID_LOADED, "data"),
                    Input(ids.PROVINCE_MAP, "relayoutData"), Input(ids.BELOW_FALLBACK, "n_intervals"),
                    prevent_initial_call=True)


# the grid's script loaded -> the sections under the map, once (and the fallback timer stops)
@callback(Output(ids.BELOW_MAP, "children"), Output(ids.BELOW_FILLED, "data"), Output(ids.BELOW_FALLBACK, "disabled"),
          Input(ids.GRID_LOADED, "data"), State(ids.BELOW_FILLED, "data"), State(ids.PAGE_LANG, "data"),
          prevent_initial_call=True)
def fill_below(_, filled, lang):
    if filled:
        return no_update, no_update, no_update
    return create_below(lang or "zh"), True, True


# poll -> snapshot id (open pages pick up a new snapshot without a restart; the page starts with the id its
# body was rendered from, so the first look is the timer's first tick, not a request as the page opens)
@callback(Output(ids.SNAPSHOT, "data"), Input(ids.SNAPSHOT_POLL, "n_intervals"), State(ids.SNAPSHOT, "data"),
          prevent_initial_call=True)
def poll_snapshot(_, known):
    sid = state.current_id()
    return no_update if sid == known else sid


def banner_text(sid: str | None, lang: str) -> tuple[str, str]:
    """The data banner's text and class for snapshot ``sid``: which snapshot, when published, and whether the
    data are synthetic or the public list (with its consortia and how recent its sources are)."""
    snap = state.snapshot(sid)
    if snap is None:
        return ("尚无数据" if lang == "zh" else "No data yet"), "banner"
    info = snap.info
    parts = [f"{t('snapshot', lang)} {snap.id}", f"{t('published', lang)} {fmt_datetime(info['published_at'], lang)}"]
    if info["synthetic"]:
        parts.append(t("synthetic", lang))
    elif is_public(info):
        parts.insert(0, public_note(len(snap.consortia), sources_as_of(snap.consortia), lang))
    return " · ".join(parts), "banner synthetic" if info["synthetic"] else "banner"


# a new snapshot -> data-banner (a page's header comes with it, in a new language too: page_body)
@callback(Output(ids.DATA_BANNER, "children"), Output(ids.DATA_BANNER, "className"),
          Input(ids.SNAPSHOT, "data"), State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def banner(sid, lang):
    return banner_text(sid, lang or "zh")
