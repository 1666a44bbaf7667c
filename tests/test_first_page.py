"""The first page arrives whole: the layout carries the map, KPIs and the state the callbacks start from,
so the first map is drawn without a callback round trip (issue 13, speed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import config
from tests.conftest import run_cli

ROWS = """name,province,city,sector,technologies
甲联合体,浙江省,杭州市,新材料,
乙联合体,浙江,宁波市,新材料,
丙联合体,江西省,南昌市,电子信息,
"""

# Fetches the index and two layouts (overview, and filtered to S3) through the app's Flask test client.
CLIENT = """
import json, app
c = app.server.test_client()
index = c.get('/').get_data(as_text=True)
whole = c.get('/_dash-layout', headers={'Referer': 'http://localhost/'}).get_json()
s3 = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?sector=S3&lang=en'}).get_json()
zj = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?province=330000'}).get_json()
zj_s3 = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?sector=S3&province=330000&lang=en'}).get_json()
jx = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?province=%E6%B1%9F%E8%A5%BF'}).get_json()
mars = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?province=999999&lang=en'}).get_json()
odd = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?sector=ZZZ,S3&grade=B,A&year_from=1800&lang=en'}
            ).get_json()
lq = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?metric=lq&lang=en'}).get_json()
bogus = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?metric=bogus&layer=x'}).get_json()
norange = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?year_from=2024&year_to=2020'}).get_json()
bare = c.get('/_dash-layout').get_json()
grid = c.get('/_dash-component-suites/dash_ag_grid/dash_ag_grid.min.js')
print(json.dumps({'index': index, 'whole': whole, 's3': s3, 'zj': zj, 'zj_s3': zj_s3, 'jx': jx, 'mars': mars,
                  'odd': odd, 'norange': norange, 'lq': lq, 'bogus': bogus, 'bare': bare,
                  'grid': [grid.status_code, len(grid.get_data())]}))
"""


def find(node, id_):
    """The props of the component with this id in a Dash layout (JSON), or None."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == id_:
            return props
        for value in list(props.values()) + [v for k, v in node.items() if k != "props"]:
            found = find(value, id_)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = find(item, id_)
            if found is not None:
                return found
    return None


def z_of(figure: dict, code: str) -> float:
    main = figure["data"][0]
    return main["z"][main["locations"].index(code)]


def run_app_script(script: str, tmp_path, rows: str | None = ROWS) -> dict:
    """The JSON a script prints from the app's own process, on a store of ``rows`` (an empty store for None)."""
    env = {"ATLAS_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    if rows is not None:
        data = tmp_path / "list.csv"
        data.write_text(rows, encoding="utf-8")
        assert run_cli("ingest", str(data), env=env).returncode == 0
    done = subprocess.run([sys.executable, "-c", script], cwd=config.ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_layout_carries_the_first_map_kpis_and_starting_state(tmp_path):
    pages = run_app_script(CLIENT, tmp_path)
    whole, s3 = pages["whole"], pages["s3"]

    # all three consortia, in two provinces; the map's values are the counts per province
    assert find(whole, "kpi-total")["children"] == "3" and find(whole, "kpi-provinces")["children"] == "2"
    figure = find(whole, "province-map")["figure"]
    assert z_of(figure, "330000") == 2 and z_of(figure, "360000") == 1 and z_of(figure, "110000") == 0
    # filtered by the URL (new materials: the two in Zhejiang), in English
    assert find(s3, "kpi-total")["children"] == "2" and find(s3, "kpi-provinces")["children"] == "1"
    figure = find(s3, "province-map")["figure"]
    assert z_of(figure, "330000") == 2 and z_of(figure, "360000") == 0
    assert figure["data"][0]["colorbar"]["title"]["text"] == "Consortia"
    assert (figure["data"][0]["colorbar"]["tick0"], figure["data"][0]["colorbar"]["dtick"]) == (0, 1)  # 0, 1, 2

    # the side panel's fixed elements carry their texts: nothing outside a province, all three provincial;
    # the profile link is empty (hidden) until a province is picked
    assert find(whole, "map-side-outside")["children"] == "全国性：0\n区域性（长三角等）：0"
    assert find(whole, "map-side-scopes")["children"] == "全国性：0\n跨区域：0\n单省：3\n单省（市级名录）：0"
    assert find(s3, "map-side-scopes")["children"] == (
        "National: 0\nCross-regional: 0\nWithin one province: 2\nWithin one province (a city's list): 0")
    assert find(whole, "map-profile-link")["children"] == ""
    # signing in comes back to this page, its whole address encoded into ?next=
    assert find(whole, "sign-in-out")["href"] == "/login?next=/"
    assert find(s3, "sign-in-out")["href"] == "/login?next=/%3Fsector%3DS3%26lang%3Den"
    link = find(pages["zj"], "map-profile-link")
    assert link["children"] == "查看浙江省份画像 →" and link["href"] == "?view=profile&province=330000"
    # under a picked province the counts by scope are its own (two of the three), not the whole country's
    assert find(pages["zj"], "map-side-scopes")["children"] == "浙江牵头：\n全国性：0\n跨区域：0\n单省：2\n单省（市级名录）：0"
    assert find(pages["jx"], "map-side-scopes")["children"] == "江西牵头：\n全国性：0\n跨区域：0\n单省：1\n单省（市级名录）：0"
    link = find(pages["zj_s3"], "map-profile-link")  # the profile opens under the overview's other filters
    assert link["children"] == "Open the profile of Zhejiang →"
    assert link["href"] == "?view=profile&sector=S3&province=330000&lang=en"
    # a province named as the planner views take it (江西) is that province; one that is none is left out, saying so
    assert find(pages["jx"], "filter-province")["value"] == "360000" and find(pages["jx"], "kpi-total")["children"] == "1"
    assert find(pages["jx"], "url-note") is None
    assert find(pages["mars"], "filter-province")["value"] is None and find(pages["mars"], "kpi-total")["children"] == "3"
    assert find(pages["mars"], "url-note")["children"] == (
        "Some filters in the address could not be used: unknown province: 999999 (try 360000, 江西 or Jiangxi); "
        "showing all of China.")
    # codes no dropdown offers, several values for a one-value dropdown, years outside the data's (none are
    # dated here, so 2015–2026) or no range at all: what the page shows is what it counts, and a note says why
    odd = pages["odd"]
    assert find(odd, "filter-sector")["value"] == "S3" and find(odd, "filter-grade")["value"] == "B"
    assert find(odd, "filter-year")["value"] == [2015, 2026]
    assert find(odd, "url-note")["children"] == (
        "Some filters in the address could not be used: unknown sector code ZZZ; one grade at a time, so B is "
        "used; year 1800 is outside the data's years (2015–2026), so it was brought inside them.")
    assert find(pages["norange"], "kpi-total")["children"] == "3"
    # map settings the map cannot show: a note in the reading (no sector for a location quotient) or the address's
    assert find(pages["lq"], "map-metric")["value"] == "lq"
    assert find(pages["lq"], "overview-reading")["children"].startswith(
        "The location quotient needs a sector or technology to be chosen first")
    texts = [a["text"] for a in find(pages["lq"], "province-map")["figure"]["layout"]["annotations"]]
    assert "Choose a sector or technology to see its location quotient" in texts  # on the map itself too
    plain = find(whole, "province-map")["figure"]["layout"]["annotations"]
    assert not any("Choose a sector" in a["text"] for a in plain)
    bogus = pages["bogus"]
    assert find(bogus, "map-metric")["value"] == "count" and find(bogus, "map-city-layer")["value"] == []
    assert find(bogus, "url-note")["children"] == (
        "地址中的部分设置未能使用：地图指标 bogus 不可用，已显示联合体数量；未知图层 x，已显示省级地图。")
    assert find(pages["norange"], "url-note")["children"] == "地址中的部分筛选未能使用：年份范围 2024–2020 无效，已显示全部年份。"

    # the callbacks start from what the layout shows: the snapshot, the done marker, the drawn key
    snapshot = find(whole, "snapshot-id")["data"]
    assert snapshot and find(whole, "overview-done")["data"].startswith(snapshot)
    assert find(s3, "overview-done")["data"].endswith("&lang=en") and "S3" in find(s3, "overview-done")["data"]
    assert find(whole, "map-drawn")["data"] == f"{snapshot}|zh|province"
    # the data banner too, in the page's language (its callback runs on a new snapshot or language only)
    assert f"数据快照 {snapshot}" in find(whole, "data-banner")["children"]
    assert f"Snapshot {snapshot}" in find(s3, "data-banner")["children"]
    # the sections under the map are not in it: they come once the map is drawn (or the fallback fires)
    below = find(whole, "below-map")
    assert find(below, "sector-heatmap") is None and find(whole, "below-map-fallback") is not None
    assert find(whole, "below-map-filled")["data"] is False

    # a layout asked for without a page URL is the bare shell; the page callback fills it
    assert find(pages["bare"], "kpi-total") is None and find(pages["bare"], "page") is not None


WARM = """
import json, app
from callbacks.overview import whole_province_map
from callbacks.state import warm_up
warm_up()
warmed = whole_province_map.cache_info()
c = app.server.test_client()
zh = c.get('/_dash-layout', headers={'Referer': 'http://localhost/'}).get_json()
en = c.get('/_dash-layout', headers={'Referer': 'http://localhost/?lang=en'}).get_json()
served = whole_province_map.cache_info()
print(json.dumps({'warmed': [warmed.hits, warmed.misses], 'served': [served.hits, served.misses], 'zh': zh, 'en': en}))
"""


def test_the_warm_up_builds_the_first_pages_map_in_both_languages_before_any_visitor(tmp_path):
    out = run_app_script(WARM, tmp_path)
    assert out["warmed"] == [0, 2]  # the Chinese and the English map, built by the warm-up
    assert out["served"] == [2, 2]  # both first pages then took their map from it, building nothing
    for page, title in ((out["zh"], "联合体数量"), (out["en"], "Consortia")):
        figure = find(page, "province-map")["figure"]
        assert z_of(figure, "330000") == 2 and figure["data"][0]["colorbar"]["title"]["text"] == title


def test_the_page_loads_its_first_chunks_up_front_the_grid_later_and_no_polyfill_beside_the_bundle(tmp_path):
    page = run_app_script(CLIENT, tmp_path, rows=None)
    index = page["index"]
    for chunk in ("async-graph", "async-dropdown", "async-slider"):
        assert f"dcc/{chunk}." in index
    assert "async-datepicker" not in index and "async-upload" not in index  # the rest stay lazy
    assert "dash_table/bundle" not in index  # Dash lists it for every app; the atlas draws no DataTable
    assert "plotly-geo-assets.js" in index
    # the records grid's script is not among the page's: assets/records-grid.js fetches it after the map
    assert "dash_ag_grid/dash_ag_grid" not in index and "records-grid.js" in index
    status, size = page["grid"]
    assert status == 200 and size > 100_000
    bundle = config.ASSETS_DIR / "plotly-atlas.min.js"
    if bundle.exists():  # the bundle carries regeneratorRuntime, the one thing Dash takes from the polyfill
        assert "polyfill@" not in index and "regeneratorRuntime" in bundle.read_text(encoding="utf-8")
    else:
        assert "polyfill@" in index


def test_the_sections_under_the_map_start_with_axis_less_charts():
    from dash import dcc

    from layouts.page import create_below

    graphs = [c for section in create_below("en") for c in section._traverse() if isinstance(c, dcc.Graph)]
    ids = {g.id for g in graphs}
    assert {"sector-heatmap", "technology-gaps", "clustering-map", "trends-chart"} <= ids
    for g in graphs:  # an empty plot with axes would make the browser measure tick labels for nothing
        assert g.figure["data"] == [] and g.figure["layout"]["xaxis"]["visible"] is False
