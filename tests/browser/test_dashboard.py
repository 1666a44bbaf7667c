"""The dashboard in headless Chromium, on the generated messy lists (answers in their expected.json)."""
import json
import re
import time

import pytest

from tests.conftest import SAMPLES, run_cli

pytestmark = pytest.mark.browser
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
PROVINCES = EXPECTED["by_province"]


def search_the_first_record(page) -> str:
    """Type the records grid's first name into its search and wait for that one record; the name."""
    page.page.locator("#records-grid").scroll_into_view_if_needed()
    cell = "#records-grid .ag-center-cols-container .ag-row[row-index='0'] [col-id='name']"
    page.page.wait_for_function(f"() => document.querySelector(\"{cell}\")?.innerText.trim()", timeout=20000)
    name = page.text(cell).strip()
    page.page.fill("#records-search", name)  # no Enter: the search runs as one types (after a pause)
    page.page.wait_for_function("() => document.querySelector('#records-count').innerText === '共 1 条'",
                                timeout=20000)
    return name


def test_first_load_shows_the_numbers_of_the_data(app_server, page):
    url, env, _ = app_server
    # The current snapshot now: a test of the views publishes and then republishes the lists.
    current = json.loads(run_cli("summary", "--json", env=env).stdout)["snapshot"]
    page.open(url + "/")
    assert page.kpi("total") == EXPECTED["total"]
    assert page.kpi("provinces") == sum(1 for n in PROVINCES.values() if n)
    assert page.kpi("uncovered") == sum(1 for n in EXPECTED["by_technology"].values() if n == 0)
    banner = page.text("#data-banner")
    assert current in banner and "发布于" in banner and "演示" not in banner
    for element in ("sector-heatmap", "technology-gaps", "province-map"):
        assert page.page.query_selector(f"#{element} .main-svg")
    assert page.errors == []


def test_no_request_leaves_the_machine(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    page.page.mouse.wheel(0, 6000)
    page.wait_idle()
    outside = [r for r in page.requests if not r.startswith(url) and not r.startswith("data:")]
    assert outside == []
    assert any("/boundaries/provinces.geojson" in r for r in page.requests)


@pytest.mark.parametrize("dropdown, label, query, count", [
    ("filter-sector", "新材料", "sector=S3", EXPECTED["by_sector"]["S3"]),
    ("filter-technology", "燃料电池", "technology=T27", EXPECTED["by_technology"]["T27"]),
    ("filter-technology", "T30", "technology=T30", EXPECTED["by_technology"]["T30"]),
])
def test_filters_by_typing_a_label_and_enter(app_server, page, dropdown, label, query, count):
    url, _, _ = app_server
    page.open(url + "/")
    page.choose(dropdown, label, query)
    assert page.kpi("total") == count


def test_back_and_forward_show_the_filters_of_the_address(app_server, page):
    """The browser's history steps through filter states: the page follows the address bar, both ways."""
    from etl.store import get_engine, load_snapshot

    url, env, _ = app_server
    snap = load_snapshot(get_engine(f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db"))
    fuel_cells = snap.technologies.loc[snap.technologies["technology"] == "T27", "consortium_id"]
    both = int((snap.consortia["sector"].eq("S3") & snap.consortia["id"].isin(fuel_cells)).sum())
    page.open(url + "/")
    history_requests = []  # requests for the history callback (its outputs are the filters themselves)
    page.page.on("request", lambda r: history_requests.append(r) if "/_dash-update-component" in r.url and json.loads(
        r.post_data or "{}").get("output", "").startswith("..filter-sector.value") else None)
    page.choose("filter-sector", "新材料", "sector=S3")
    page.choose("filter-technology", "燃料电池", "technology=T27")
    assert page.kpi("total") == both
    assert history_requests == []  # a filter change writes the address, and the server is not asked about it
    # the links to the views carry the filters as they change
    page.page.wait_for_function("() => document.querySelector('#view-link-profile').getAttribute('href') === "
                                "'?view=profile&sector=S3&technology=T27'", timeout=10000)
    assert page.page.get_attribute("#view-link-chains", "href") == "?view=chains&sector=S3&technology=T27"
    steps = [("go_back", "sector=S3", EXPECTED["by_sector"]["S3"]), ("go_back", "", EXPECTED["total"]),
             ("go_forward", "sector=S3", EXPECTED["by_sector"]["S3"])]
    for step, query, total in steps:
        getattr(page.page, step)()
        page.page.wait_for_function("q => location.search === q", arg="?" + query if query else "")
        page.wait_idle()
        page.page.wait_for_function("n => document.querySelector('#kpi-total').innerText === String(n)", arg=total,
                                    timeout=10000)
        assert "T27" not in page.page.url
    assert len(history_requests) == 3  # one for each step through the history
    assert page.errors == []


def test_lead_type_and_level_filters(app_server, page):
    from tests.browser.conftest import direct_counts
    url, env, _ = app_server
    consortia = direct_counts(env)
    page.open(url + "/")
    page.choose("filter-lead-type", "央企", "lead_type=central_soe")
    central = consortia[consortia["lead_type"] == "central_soe"]
    assert page.kpi("total") == len(central) > 0
    assert page.kpi("provinces") == central["province"].nunique()
    page.choose("filter-level", "跨区域", "level=scope")
    assert page.kpi("total") == int((central["scope"] == "cross_regional").sum())


def test_map_click_filters_to_the_province_and_clicking_again_clears(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    heilongjiang = page.page.locator("#province-map .choroplethlayer path.choroplethlocation").nth(
        sorted(PROVINCES).index("230000"))
    heilongjiang.click(force=True)
    page.wait_idle()
    assert page.kpi("total") == PROVINCES["230000"] and "province=230000" in page.page.url
    assert "黑龙江" in page.text("#filter-province")  # the province filter shows what the map picked
    heilongjiang.click(force=True)
    page.wait_idle()
    assert page.kpi("total") == EXPECTED["total"] and "province" not in page.page.url
    assert "黑龙江" not in page.text("#filter-province")


def test_the_province_filter_works_from_the_keyboard_alone(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    for _ in range(40):  # Tab through the page until the province filter has the focus
        page.page.keyboard.press("Tab")
        if page.page.evaluate("document.activeElement?.id") == "filter-province":
            break
    assert page.page.evaluate("document.activeElement?.id") == "filter-province"
    page.page.keyboard.press("Enter")  # opens it, as a keyboard user does
    page.page.wait_for_function("() => document.activeElement?.matches('.dash-dropdown-search')", timeout=10000)
    page.page.keyboard.type("江西")
    page.page.get_by_role("option").filter(has_text="江西").first.wait_for(timeout=10000)
    page.page.keyboard.press("Enter")
    page.page.wait_for_url("**province=360000**", timeout=10000)
    page.wait_idle()
    assert page.kpi("total") == PROVINCES["360000"]


def test_heatmap_click_filters_to_province_and_sector(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    # Sorted by total, the first row is 黑龙江 (the generator gives it the most); click its first non-empty sector.
    columns = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S0"]
    assert max(PROVINCES, key=PROVINCES.get) == "230000" and sorted(PROVINCES.values())[-2] < PROVINCES["230000"]
    sector = next(s for s in columns if EXPECTED["by_province_sector"].get(f"230000|{s}"))
    graph = page.page.locator("#sector-heatmap .nsewdrag").first
    graph.scroll_into_view_if_needed()
    box = graph.bounding_box()
    x = box["width"] * (columns.index(sector) + 0.5) / len(columns)
    y = box["height"] * 0.5 / 34
    graph.click(position={"x": x, "y": y}, force=True)
    page.wait_idle()
    assert f"sector={sector}" in page.page.url and "province=230000" in page.page.url
    assert page.kpi("total") == EXPECTED["by_province_sector"][f"230000|{sector}"]


def test_url_round_trip_reopens_the_same_view(app_server, page):
    url, _, _ = app_server
    page.open(url + "/?sector=S3&province=130000")
    assert page.kpi("total") == EXPECTED["by_province_sector"].get("130000|S3", 0)
    assert "S3" in page.text("#filter-sector") and "河北" in page.text("#filter-province")
    page.page.click("#filter-reset")
    page.wait_idle()
    assert page.kpi("total") == EXPECTED["total"]
    assert "sector" not in page.page.url and "province" not in page.page.url


def test_language_switch_and_english_link(app_server, page):
    url, _, _ = app_server
    page.open(url + "/?sector=S3")
    page.page.click("#lang-toggle")
    page.page.wait_for_selector("text=Consortium Atlas")
    page.wait_idle()
    assert "lang=en" in page.page.url and "sector=S3" in page.page.url
    assert page.kpi("total") == EXPECTED["by_sector"]["S3"]
    assert "Snapshot" in page.text("#data-banner") and page.text("#lang-toggle") == "中文"
    assert "New materials" in page.text("#filter-sector")
    english = page.page.eval_on_selector_all("#province-map text", "els => els.map(e => e.textContent)")
    assert "Heilongjiang" in english and "黑龙江" not in english
    page.open(url + "/?lang=en")
    assert re.search(r"Uncovered bottleneck technologies", page.text("body"))
    assert page.errors == []


def test_switching_language_keeps_the_map_and_chart_settings(app_server, page):
    """The map's metric is in the address (a copied link shows it, Back undoes it); the heatmap's, the
    export's and the records' settings stay while the page is drawn again in English."""
    url, _, _ = app_server
    page.open(url + "/?sector=S3")
    legend = "() => document.querySelector('#province-map .cbtitle')?.textContent"
    page.page.check("#map-metric input[value=lq]")
    page.page.wait_for_function(f"() => ({legend})() === '区位熵'", timeout=20000)
    assert page.page.url.endswith("?sector=S3&metric=lq")
    page.page.locator("#records-grid").scroll_into_view_if_needed()
    page.page.wait_for_selector("#heatmap-sort input[value=region]", timeout=30000)
    page.page.check("#heatmap-sort input[value=region]")
    page.page.check("#export-format input[value=svg]")
    name = search_the_first_record(page)
    page.wait_idle()
    page.page.click("#lang-toggle")
    page.page.wait_for_function(f"() => ({legend})() === 'Location quotient'", timeout=20000)
    assert page.page.url.endswith("?sector=S3&metric=lq&lang=en")
    assert page.page.is_checked("#map-metric input[value=lq]") and page.kpi("total") == EXPECTED["by_sector"]["S3"]
    page.page.locator("#records-grid").scroll_into_view_if_needed()
    page.page.wait_for_function("() => /^1 /.test(document.querySelector('#records-count')?.innerText || '')",
                                timeout=30000)
    assert page.page.input_value("#records-search") == name
    assert page.page.is_checked("#heatmap-sort input[value=region]")
    assert page.page.is_checked("#export-format input[value=svg]")
    # Back to Chinese, then Back in history: the metric follows the address.
    page.page.click("#lang-toggle")
    page.page.wait_for_function(f"() => ({legend})() === '区位熵'", timeout=20000)
    page.page.check("#map-metric input[value=count]")
    page.page.wait_for_function(f"() => ({legend})() === '联合体数量'", timeout=20000)
    assert page.page.url.endswith("?sector=S3")
    page.page.go_back()
    page.page.wait_for_function(f"() => ({legend})() === '区位熵'", timeout=20000)
    assert page.page.is_checked("#map-metric input[value=lq]")
    assert page.errors == []


def test_back_after_switching_language_goes_back_once(app_server, page):
    url, _, _ = app_server
    page.open(url + "/?lang=en")
    page.page.click("#lang-toggle")
    page.page.wait_for_selector("#lang-toggle:has-text('English')")
    page.wait_idle()
    steps = page.page.evaluate("history.length")
    page.page.go_back()
    page.page.wait_for_selector("#lang-toggle:has-text('中文')")
    page.wait_idle()
    time.sleep(1)  # before, the new header's button fired the switch again: the address flipped back and forth
    assert page.page.url == url + "/?lang=en" and page.page.evaluate("history.length") == steps
    assert page.errors == []


def test_year_range_from_the_url(app_server, page):
    url, _, _ = app_server
    from tests.browser.conftest import direct_counts
    consortia = direct_counts(app_server[1])
    page.open(url + "/?year_from=2024")
    assert page.kpi("total") == int((consortia["year"] >= 2024).sum()) > 0
    assert page.page.locator("#filter-year .rc-slider-handle, #filter-year [role=slider]").count() >= 2


def test_new_snapshot_shows_without_restart(app_server, page, tmp_path):
    url, env, _ = app_server
    page.open(url + "/")
    before = page.text("#data-banner")
    extra = tmp_path / "one.json"
    extra.write_text('[{"name": "新联合体", "province": "浙江", "sector": "S3"}]', encoding="utf-8")
    try:
        assert run_cli("ingest", str(extra), env=env).returncode == 0
        page.page.wait_for_function(f"() => document.querySelector('#data-banner').innerText !== {before!r}",
                                    timeout=60000)
        page.wait_idle()
        assert page.kpi("total") == 1
    finally:
        prev = run_cli("snapshots", env=env).stdout.split()
        sid = [w for w in prev if re.match(r"\d{8}T", w)][1]
        run_cli("rebuild", sid, env=env)  # the original samples again for the other tests
        time.sleep(3)


@pytest.mark.slow
def test_export_button_downloads_the_chart(app_server, page):
    url, _, _ = app_server
    page.open(url + "/?sector=S3")
    page.page.click("#export-format label:has-text('SVG')")
    with page.page.expect_download(timeout=60000) as download:
        page.page.click("#export-chart-button")
    path = download.value.path()
    svg = open(path, encoding="utf-8").read()
    assert download.value.suggested_filename.startswith("province-map-") and svg.lstrip().startswith("<svg")
    assert "领域：新材料产业" in svg
    with page.page.expect_download(timeout=60000) as download:
        page.page.click("#export-data-csv")
    assert open(download.value.path(), "rb").read()[:3] == b"\xef\xbb\xbf"


def test_views_below_the_map_show_the_numbers_of_the_data(app_server, page):
    url, _, summary = app_server
    page.open(url + "/")
    page.page.mouse.wheel(0, 6000)
    page.wait_idle()
    # Clustering: the same Moran's I and p as `summary --json` (unfiltered).
    reading = page.text("#clustering-reading")
    assert f"I = {summary['spatial']['moran_i']:.3f}" in reading
    assert f"p = {summary['spatial']['p_value']:.3f}" in reading
    # Gaps: every uncovered technology listed, with lithography machines named first.
    uncovered = [c for c, n in EXPECTED["by_technology"].items() if n == 0]
    gaps = page.text("#gaps-uncovered-list")
    assert f"{len(uncovered)} 项" in gaps and all(code in gaps for code in uncovered) and "光刻机" in gaps
    # Collaboration: the cross-regional share of the hand-counted answer.
    assert f"（{EXPECTED['cross_regional']} / {EXPECTED['total']}）" in page.text("#collaboration-reading")
    # Status: the snapshot and each rejected row with its file, row and reason.
    status = page.text("#status-panel")
    assert summary["snapshot"] in status and f"被拒记录（{EXPECTED['rejected']}）" in status
    assert "Atlantis" in status and "火星省" in status and "名称为空" in status and "name is empty" not in status
    assert page.page.locator("#status-rejections-button").is_visible()
    assert page.errors == []


def test_records_follow_the_filters_and_the_search(app_server, page):
    url, _, _ = app_server
    page.open(url + "/?sector=S3")
    count = EXPECTED["by_sector"]["S3"]
    page.page.wait_for_function(f"() => document.querySelector('#records-count').innerText === '共 {count} 条'",
                                timeout=20000)
    rows = page.page.locator("#records-grid .ag-center-cols-container .ag-row")
    assert rows.count() == count
    pager = page.page.eval_on_selector("#records-grid .ag-paging-panel", "e => e.textContent")
    assert "每页" in pager and "Page" not in pager  # the grid's own words in the page's language
    name = search_the_first_record(page)
    assert rows.count() == 1 and name in rows.first.inner_text()


def test_year_slider_filters_by_dragging_a_handle(app_server, page):
    from tests.browser.conftest import direct_counts
    url, env, _ = app_server
    consortia = direct_counts(env)
    page.open(url + "/")
    handle = page.page.locator("#filter-year [role=slider]").first
    lo = int(handle.get_attribute("aria-valuenow"))
    handle.focus()
    page.page.keyboard.press("ArrowRight")  # the lower bound moves up one year
    page.page.wait_for_url(f"**year_from={lo + 1}**", timeout=10000)
    page.wait_idle()
    assert page.kpi("total") == int((consortia["year"] >= lo + 1).sum())


def test_trends_count_formations_by_year_and_shade_the_chosen_years(app_server, page):
    from tests.browser.conftest import direct_counts
    url, env, _ = app_server
    consortia = direct_counts(env)
    s3 = consortia[consortia["sector"] == "S3"]
    page.open(url + "/?sector=S3&year_from=2021")
    page.page.locator("#trends-chart").scroll_into_view_if_needed()
    page.wait_idle()
    dated = s3["year"].dropna()  # the year filter is shaded, not applied, in this view
    reading = page.text("#trends-reading")
    assert reading.startswith(f"{int(dated.min())}–{int(dated.max())} 年共组建 {len(dated)} 家")
    if s3["year"].isna().any():
        assert f"另有 {int(s3['year'].isna().sum())} 家未注明年份" in reading
    bars = page.page.locator("#trends-chart .barlayer .point")
    assert bars.count() > 0
    assert page.page.locator("#trends-chart .shapelayer path, #trends-chart .layer-below path").count() >= 1


@pytest.mark.slow
def test_a_briefing_pack_runs_in_the_background_with_progress_and_can_be_cancelled(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    page.page.click("#export-brief-pdf")
    page.page.wait_for_selector("#export-cancel", state="visible", timeout=20000)
    assert page.page.is_visible("#export-progress") and page.page.is_disabled("#export-brief-pptx")
    assert page.page.is_disabled("#lang-toggle")  # switching would draw a page that no longer shows the job
    page.page.click("#export-cancel")
    page.page.wait_for_selector("#export-cancel", state="hidden", timeout=20000)
    assert not page.page.is_disabled("#export-brief-pdf") and not page.page.is_disabled("#lang-toggle")
    page.page.wait_for_function("() => document.querySelector('#export-status').textContent === '已取消导出'",
                                timeout=10000)
    page.page.evaluate("""() => { window.statuses = [];
        new MutationObserver(() => window.statuses.push(document.querySelector('#export-status').textContent))
            .observe(document.querySelector('#export-status'), {childList: true, subtree: true,
                                                                characterData: true}); }""")
    with page.page.expect_download(timeout=120000) as download:
        page.page.click("#export-brief-pptx")
    assert download.value.suggested_filename.endswith(".pptx")
    statuses = page.page.evaluate("() => window.statuses")
    assert any("正在生成" in s and "/" in s for s in statuses), statuses  # "正在生成：k / n" while it renders
    # from the first change on it speaks of this export, never of the cancelled one
    assert statuses[0] == "正在准备…" or statuses[0].startswith("正在生成："), statuses
