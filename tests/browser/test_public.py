"""A new user's first page: the public list with its sources, grades and the provinces whose list is missing."""
import csv
import re

import pytest

from etl.public import CONSORTIA_FILE, COVERAGE_FILE

pytestmark = pytest.mark.browser

with open(CONSORTIA_FILE, encoding="utf-8", newline="") as fh:
    ROWS = list(csv.DictReader(fh))
with open(COVERAGE_FILE, encoding="utf-8", newline="") as fh:
    NONE_FOUND = sorted(r["code"] for r in csv.DictReader(fh) if r["completeness"] == "none_found"
                        and r["code"] != "central_soe")
NEWEST = max((r["published"] for r in ROWS if r["published"]), key=lambda d: (d[:7], len(d)))


def test_a_fresh_store_shows_the_public_list_with_its_banner(public_server, page):
    url, _ = public_server
    page.open(url + "/")
    y, m, *d = (int(x) for x in NEWEST.split("-"))
    date = f"{y}年{m}月" + (f"{d[0]}日" if d else "")
    banner = page.text("#data-banner")
    assert banner.startswith(f"公开名录 · {len(ROWS)} 个联合体 · 来源截至 {date}") and "演示" not in banner
    assert page.kpi("total") == len(ROWS)
    page.page.click("#lang-toggle")
    page.page.wait_for_selector("text=Consortium Atlas")
    page.wait_idle()
    assert page.text("#data-banner").startswith(f"Public list · {len(ROWS)} consortia · sources up to ")
    assert page.errors == []


def test_grade_filter_changes_the_count(public_server, page):
    url, _ = public_server
    page.open(url + "/")
    page.choose("filter-grade", "政府或官方媒体原文", "grade=A")
    graded_a = sum(1 for r in ROWS if r["grade"] == "A")
    assert page.kpi("total") == graded_a < len(ROWS)
    page.page.click("#filter-reset")
    page.wait_idle()
    assert page.kpi("total") == len(ROWS) and "grade" not in page.page.url


def test_provinces_without_a_list_are_greyed_with_a_note(public_server, page):
    url, _ = public_server
    page.open(url + "/")
    unlisted = page.page.evaluate(
        "() => document.querySelector('#province-map .js-plotly-plot').data.find(t => t.name === 'unlisted')")
    assert sorted(unlisted["locations"]) == NONE_FOUND
    assert "未找到该省名录" in page.text("#province-map")
    assert re.search(r"\d+ 个省份名录不完整、\d+ 个未找到名录", page.text("#overview-reading"))
    # the heatmap leaves their blank rows out and names them under it
    page.page.wait_for_function("() => document.querySelector('#heatmap-unlisted')?.innerText.includes('浙江')",
                                timeout=30000)
    rows = page.page.evaluate("() => document.querySelector('#sector-heatmap .js-plotly-plot').data[0].y")
    assert "浙江" not in " ".join(rows) and "江西" in rows
    assert f"未列入本图的省份（{len(NONE_FOUND)} 个）" in page.text("#heatmap-unlisted")  # none counts a consortium
    page.open(url + "/?province=330000")  # 浙江: no list found, so an empty view says so
    assert page.kpi("total") == 0 and "未找到浙江的名录" in page.text("#overview-reading")
    assert "尚无联合体覆盖" not in page.text("#overview-reading")  # and reads no gaps from the missing list
    assert page.text("#kpi-uncovered") == "—"  # nor counts them
    page.open(url + "/?province=360000")  # 江西: a list, so its gaps are counted
    assert page.text("#kpi-uncovered").isdigit()


def test_a_province_without_a_list_gets_no_gaps_and_no_partners_in_the_planner_views(public_server, page):
    url, _ = public_server
    assert "330000" in NONE_FOUND
    page.page.goto(url + "/?view=profile&province=330000")
    page.page.wait_for_selector("#profile-total", timeout=30000)
    body = page.text("body")
    assert "未找到本省名录：无法判断哪些卡脖子技术是空白" in body and "未覆盖（" not in body
    assert page.page.locator("#profile-partners").count() == 0 and page.page.locator(".tag.none").count() == 0
    page.page.goto(url + "/?view=compare&provinces=360000,330000")
    page.page.wait_for_selector("#compare-table", timeout=30000)
    zhejiang = page.page.locator("#compare-table tbody tr").nth(1).inner_text()
    assert "浙江（未找到名录）" in zhejiang and zhejiang.split("\t")[1:6] == ["—"] * 5
    assert "未找到浙江的名录" in page.text("body")
    assert page.errors == []


def test_records_show_grade_publisher_and_links_that_open_safely(public_server, page):
    url, _ = public_server
    page.open(url + "/?grade=A")
    grid = page.page.locator("#records-grid")
    grid.scroll_into_view_if_needed()
    page.page.wait_for_selector("#records-grid a.source-link", timeout=20000)
    links = page.page.eval_on_selector_all(
        "#records-grid a.source-link", "els => els.map(e => [e.href, e.target, e.rel, e.textContent])")
    assert links and all(h.startswith(("http://", "https://")) and t == "_blank" and r == "noopener noreferrer"
                         for h, t, r, _ in links)
    # each link names its site, so where it goes is seen before it is opened
    from layouts.planner import site_of
    assert all(text == site_of(h) and text in h for h, _, _, text in links)
    cells = "#records-grid .ag-center-cols-container [col-id='grade']"
    page.page.wait_for_function(  # textContent: the grid may keep cells out of view, where innerText is empty
        f"() => [...document.querySelectorAll(\"{cells}\")].some(e => e.textContent.trim())", timeout=20000)
    grades = page.page.eval_on_selector_all(cells, "els => els.map(e => e.textContent.trim())")
    assert grades and set(grades) == {"A"}
    page.page.mouse.wheel(0, 20000)
    page.wait_idle()
    status = page.text("#status-panel")
    assert "来源等级" in status and f"A 政府或官方媒体原文\t{sum(1 for r in ROWS if r['grade'] == 'A')}" in status
    # every unmapped text counted, the first 20 shown with a note; kinds and snapshot kinds in Chinese
    unmapped = int(re.search(r"未映射文本（(\d+)）", status).group(1))
    assert unmapped > 20 and "显示最常见的 20 条" in status
    assert "技术\t" in status and "technology\t" not in status and "公开名录" in status and "\tpublic\t" not in status
    assert "类型\t公开名录" in status and "\tpublic" not in status  # the panel's own facts too
    assert not page.page.locator("#status-rejections-button").is_visible()  # nothing rejected, nothing to download
    assert page.errors == []
