"""The planner views in headless Chromium: from their URLs, from a click, in both languages, and bad input."""
import json
import re
import time

import pytest

from tests.conftest import SAMPLES, run_cli

pytestmark = pytest.mark.browser
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
PROVINCES = EXPECTED["by_province"]


def open_view(page, url: str, selector: str):
    page.page.goto(url)
    page.page.wait_for_selector(selector, timeout=30000)
    page.wait_idle()


def test_profile_from_its_url_matches_the_command(app_server, page):
    url, env, _ = app_server
    expected = json.loads(run_cli("profile", "230000", "--json", env=env).stdout)
    open_view(page, url + "/?view=profile&province=230000", "#profile-total")
    assert int(page.text("#profile-total")) == expected["total"] == PROVINCES["230000"]
    assert int(page.text("#profile-rank")) == expected["rank"] == 1
    assert "黑龙江" in page.text("h2") and page.page.locator("#profile-sectors .main-svg").count() >= 1
    assert page.errors == []


def test_profile_from_a_click_on_the_map(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    province = "230000"
    index = sorted(PROVINCES).index(province)
    page.page.locator("#province-map .choroplethlayer path.choroplethlocation").nth(index).click(force=True)
    page.wait_idle()
    page.page.click("#map-profile-link")
    page.page.wait_for_selector("#profile-total", timeout=30000)
    assert f"province={province}" in page.page.url
    assert int(page.text("#profile-total")) == PROVINCES[province]


def test_compare_defaults_to_region_peers_and_takes_a_list(app_server, page):
    url, env, _ = app_server
    # a province named again is one row; so ten provinces plus two repeats are not "twelve"
    ten = sorted(PROVINCES)[:10]
    open_view(page, url + "/?view=compare&provinces=" + ",".join(ten + ten[:2]), "#compare-table")
    assert page.page.locator("#compare-table tbody tr").count() == 10
    open_view(page, url + "/?view=compare&provinces=230000,420000,500000", "#compare-table")
    rows = page.page.locator("#compare-table tbody tr")
    assert rows.count() == 3
    totals = [int(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(3)]
    assert totals == [PROVINCES["230000"], PROVINCES["420000"], PROVINCES["500000"]]
    open_view(page, url + "/?view=compare&province=230000", "#compare-table")
    assert page.page.locator("#compare-table tbody tr").count() == 3  # 东北: 黑龙江, 辽宁, 吉林
    # the table's links open each profile under the same filters and language
    open_view(page, url + "/?view=compare&provinces=230000,420000&sector=S3&lang=en", "#compare-table")
    assert page.page.get_attribute("#compare-table tbody tr a >> nth=0", "href") == (
        "?view=profile&province=230000&sector=S3&lang=en")
    assert page.page.get_attribute("#view-link-overview", "href") == "/?sector=S3&lang=en"  # back, same filters
    assert page.text("#view-scope") == "Counted under the filters: Sector: New materials"  # said, not implied


def test_chain_tree_and_language_switch(app_server, page):
    url, env, _ = app_server
    chains = json.loads(run_cli("chains", "--json", env=env).stdout)
    open_view(page, url + "/?view=chains&chain=aero_engine", "#chain-tree .main-svg")
    uncovered = sum(1 for c in chains["aero_engine"]["components"] if c["consortia"] == 0)
    total = len(chains["aero_engine"]["components"])
    assert f"{total} 个环节中 {uncovered} 个尚无联合体攻关" in page.text("body")
    page.page.click("#lang-toggle")
    page.page.wait_for_selector("text=Technology chain: Aero-engine", timeout=20000)
    assert "lang=en" in page.page.url and "view=chains" in page.page.url
    assert f"{uncovered} of {total} components have no consortium" in page.text("body")
    assert page.errors == []


def test_changes_since_the_previous_snapshot(app_server, page, tmp_path):
    url, env, _ = app_server
    extra = tmp_path / "extra.json"
    extra.write_text('[{"name": "新联合体", "province": "浙江", "sector": "S3"}]', encoding="utf-8")
    try:
        assert run_cli("ingest", str(extra), env=env).returncode == 0
        diff = json.loads(run_cli("diff", "previous", "current", "--json", env=env).stdout)
        time.sleep(2.5)  # the app's poll interval in these tests
        open_view(page, url + "/?view=changes", "#changes-summary")
        summary = page.text("#changes-summary")
        assert f"新增 {len(diff['added'])} 个、移除 {len(diff['removed'])} 个" in summary
        assert diff["added"] == ["新联合体"] and len(diff["removed"]) == EXPECTED["total"]
    finally:
        sid = [w for w in run_cli("snapshots", env=env).stdout.split() if re.match(r"\d{8}T", w)][1]
        run_cli("rebuild", sid, env=env)  # the messy lists again for the other tests
        time.sleep(3)


@pytest.mark.parametrize("query, message", [
    ("view=profile&province=火星", "未知省份：火星"),
    ("view=chains&chain=rocket", "未知技术链：rocket"),
    ("view=changes&from=nope&to=current", "快照不存在或已清理：nope"),
    ("view=compare&provinces=" + ",".join(sorted(PROVINCES)[:11]), "最多对比 10 个省份"),
])
def test_bad_view_input_is_a_clear_message(app_server, page, query, message):
    url, _, _ = app_server
    open_view(page, url + "/?" + query, "#view-error")
    assert message in page.text("#view-error")
    assert page.errors == []


@pytest.mark.slow
def test_profile_export_downloads_a_one_page_pdf(app_server, page):
    url, _, _ = app_server
    open_view(page, url + "/?view=profile&province=230000", "#profile-export-pdf")
    with page.page.expect_download(timeout=90000) as download:
        page.page.click("#profile-export-pdf")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and download.value.suggested_filename == "profile-230000.pdf"
    import io

    from pypdf import PdfReader
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_each_view_from_the_links_under_the_title(app_server, page):
    url, _, _ = app_server
    page.open(url + "/")
    page.page.click("#view-nav a:has-text('技术链')")
    page.page.wait_for_selector("#chain-tree .main-svg", timeout=30000)
    page.page.click("#view-nav a:has-text('省份画像')")
    page.page.click(".province-picker a:has-text('黑龙江')")
    page.page.wait_for_selector("#profile-total", timeout=30000)
    assert int(page.text("#profile-total")) == PROVINCES["230000"]
    page.page.click("text=与同区域省份对比")
    page.page.wait_for_selector("#compare-table", timeout=30000)
    assert page.page.locator("#compare-table tbody tr").count() == 3
    page.page.click("#view-nav a:has-text('变化')")
    page.page.wait_for_selector("#changes-summary, #view-error", timeout=30000)
    page.page.click("#view-nav a:has-text('总览')")
    page.page.wait_for_selector("#province-map .choroplethlayer path", timeout=30000)
    assert page.errors == []


def test_provinces_to_compare_are_ticked_in_a_form_and_changed_from_the_compare_page(app_server, page):
    url, _, _ = app_server
    open_view(page, url + "/?view=compare&sector=S3", "#compare-form")
    for code in ("370000", "320000"):  # 山东, 江苏: ticked with the keyboard's space, as with the mouse
        page.page.focus(f"#compare-pick input[value='{code}']")
        page.page.keyboard.press("Space")
    page.page.click("#compare-submit")
    page.page.wait_for_selector("#compare-table", timeout=30000)
    assert "provinces=370000,320000" in page.page.url and "sector=S3" in page.page.url
    first_cells = "els => els.map(e => e.textContent)"
    assert page.page.eval_on_selector_all("#compare-table tbody tr td:first-child a", first_cells) == ["山东", "江苏"]
    # on the compare page the same form starts from the provinces compared; one unticked, one more ticked
    page.page.click("#compare-form-toggle")
    assert page.page.is_checked("#compare-pick input[value='370000']")
    page.page.uncheck("#compare-pick input[value='370000']")
    page.page.check("#compare-pick input[value='340000']")
    page.page.click("#compare-submit")
    page.page.wait_for_url("**provinces=320000,340000**", timeout=30000)
    page.page.wait_for_function("() => document.querySelector('#compare-table tbody tr td a')?.textContent === '江苏'",
                                timeout=30000)
    assert page.page.eval_on_selector_all("#compare-table tbody tr td:first-child a", first_cells) == ["江苏", "安徽"]
    assert page.errors == []
