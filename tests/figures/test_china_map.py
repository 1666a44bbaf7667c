"""The China map builder: inset, dashes, values-only updates, offline rendering."""
import io

import pytest

from figures.china_map import INSET_TRACE, MAIN_TRACE, build_city_map, build_province_map, map_trace_values

VALUES = {"110000": 30, "310000": 25, "330000": 22, "710000": 0}


def test_two_geo_subplots_main_and_inset():
    fig = build_province_map(VALUES, title="t", legend_label="数量")
    assert fig.data[MAIN_TRACE].geo == "geo" and fig.data[INSET_TRACE].geo == "geo2"
    assert list(fig.layout.geo.lataxis.range) == [18.0, 54.0]
    inset = fig.layout.geo2
    assert inset.domain.x[0] > 0.8 and inset.domain.y[1] <= 0.31 and inset.showframe
    assert inset.lataxis.range[0] < 5  # down to the Nansha islands
    assert any(a.text == "南海诸岛" for a in fig.layout.annotations)
    dashes = [t for t in fig.data if t.name == "maritime"]
    assert len(dashes) == 1 and dashes[0].geo == "geo2" and len(dashes[0].lon) > 20


def test_values_by_code_with_zeros_for_missing():
    fig = build_province_map(VALUES)
    z = dict(zip(fig.data[MAIN_TRACE].locations, fig.data[MAIN_TRACE].z))
    assert len(z) == 34 and z["110000"] == 30 and z["650000"] == 0
    assert list(fig.data[INSET_TRACE].z) == list(fig.data[MAIN_TRACE].z)


def test_no_base_layers_nothing_to_fetch():
    fig = build_province_map(VALUES)
    for geo in (fig.layout.geo, fig.layout.geo2):
        assert geo.visible is False


def test_url_geometry_keeps_the_figure_small():
    inline = build_province_map(VALUES, geometry="inline").to_json()
    url = build_province_map(VALUES, geometry="url")
    assert url.data[MAIN_TRACE].geojson == "/boundaries/provinces.geojson"
    assert len(url.to_json()) < 30_000 < len(inline) <= 600_000


def test_english_labels_and_selected_outline():
    fig = build_province_map(VALUES, lang="en", selected="330000")
    labels = [t for t in fig.data if t.name == "labels"][0]
    assert "Zhejiang" in labels.text
    assert [t for t in fig.data if t.name == "selected"][0].locations == ("330000",)
    assert any(a.text == "South China Sea Islands" for a in fig.layout.annotations)


def test_the_outline_always_holds_one_province_drawn_at_no_width_when_none_is_picked():
    picked = [t for t in build_province_map(VALUES, selected="330000").data if t.name == "selected"][0]
    none = [t for t in build_province_map(VALUES).data if t.name == "selected"][0]
    assert picked.locations == ("330000",) and picked.marker.line.width == 2.5
    assert none.locations == ("110000",) and none.marker.line.width == 0
    inline = [t for t in build_province_map(VALUES, geometry="inline").data if t.name == "selected"][0]
    assert [f["id"] for f in inline.geojson["features"]] == ["110000"]  # the one feature it draws round


@pytest.mark.parametrize("metric", ["count", "per_capita", "lq"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filter_change_sends_what_the_whole_map_would_draw(metric, lang):
    import json

    from plotly.io.json import to_json_plotly

    from analytics.filters import Filters
    from callbacks.overview import province_map_values
    from figures.china_map import SELECTED_TRACE, metric_style

    values = {"110000": 3, "330000": 1} if metric == "count" else {"110000": 1.5, "330000": 0.4, "320000": 2.0}
    sent = province_map_values(values, Filters(province="330000"), metric, lang)
    whole = build_province_map(values, lang=lang, selected="330000", missing_as_zero=metric == "count",
                               **metric_style(metric, lang)).to_plotly_json()["data"]
    assert sent["traces"] == [MAIN_TRACE, INSET_TRACE]
    def wire(v):  # as the browser gets it (no value: null)
        return json.loads(to_json_plotly(v))

    for i in sent["traces"]:
        for key in ("z", "text", "zmin", "zmax", "colorscale"):
            assert wire(sent[key]) == wire(whole[i][key])
    bar = whole[MAIN_TRACE]["colorbar"]
    assert sent["colorbar"]["title"]["text"] == bar["title"]["text"]
    assert (sent["colorbar"]["tick0"], sent["colorbar"]["dtick"]) == (bar.get("tick0"), bar.get("dtick"))
    outline = whole[SELECTED_TRACE]
    assert sent["outline"] == {"trace": SELECTED_TRACE, "locations": list(outline["locations"]),
                               "width": outline["marker"]["line"]["width"]}
    # by hand: a count map's top is its largest count, with whole ticks over that short range
    if metric == "count":
        assert sent["zmax"] == 3 and sent["colorbar"]["dtick"] == 1 and sum(sent["z"]) == 4


def test_city_bubbles_on_the_same_frame():
    fig = build_city_map({"330100": 5, "320500": 2, "999999": 3})
    bubbles = [t for t in fig.data if t.name == "cities-geo"]
    assert len(bubbles) == 1 and len(bubbles[0].lon) == 2


@pytest.mark.slow
def test_rendered_png_is_not_blank_and_shows_the_inset():
    from PIL import Image

    from exports.render import render_figure
    png = render_figure(build_province_map(VALUES, title="创新联合体数量"), "png", width=1000, height=640, scale=1)
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.size == (1000, 640)
    hist = img.histogram()
    assert sum(hist[:250]) > 0.25 * img.size[0] * img.size[1]  # land covers the frame: not blank
    assert sum(hist[:120]) > 200  # the dark provinces (北京, 上海) and the text are drawn
    # the inset frame and the islands sit in the lower right corner
    corner = img.crop((850, 450, 1000, 640))
    darkest = next(level for level, count in enumerate(corner.histogram()) if count)
    assert darkest < 200


def test_a_diverging_scale_puts_its_middle_colour_at_zmid():
    # LQ from 0 to 6 around 1: plotly.js ignores zmid once zmin and zmax are set, so white must sit at 1/6
    props = map_trace_values({"330000": 6.0, "110000": 0.5}, zmid=1.0, value_format="float")
    assert (props["zmin"], props["zmax"]) == (0, 6.0)
    assert [round(p, 4) for p, _ in props["colorscale"]] == [0.0, 0.0833, 0.1667, 0.5833, 1.0]
    assert props["colorscale"][2][1] == "#f7f7f7"
    # a range of 0..2 is symmetric already: the scale is unchanged
    assert [p for p, _ in map_trace_values({"330000": 1.5}, zmid=1.0)["colorscale"]] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_the_lq_heatmap_puts_its_neutral_colour_at_1():
    import pandas as pd

    from etl.reference import load_reference
    from figures.charts import build_sector_heatmap

    lq = pd.DataFrame({"S3": [4.0, 0.5]}, index=["330000", "110000"])
    lq.attrs["counts"] = pd.DataFrame({"S3": [8, 1]}, index=lq.index)
    fig = build_sector_heatmap(lq, load_reference(), mode="lq")
    trace = fig.data[0]
    assert (trace.zmin, trace.zmax) == (0, 4.0)
    assert [round(p, 3) for p, _ in trace.colorscale] == [0.0, 0.125, 0.25, 0.625, 1.0]  # white at 1 of 0..4
    assert trace.colorscale[2][1] == "#f7f7f7"


def test_a_short_count_scale_ticks_whole_consortia_only():
    few = build_province_map({"330000": 2, "320000": 1})  # e.g. under a province or a rare technology
    bar = few.data[MAIN_TRACE].colorbar
    assert (bar.tick0, bar.dtick) == (0, 1)  # 0, 1, 2: never 0.5 of a consortium
    assert build_province_map(VALUES).data[MAIN_TRACE].colorbar.dtick is None  # 0–30: plotly's own steps
    lq = build_province_map({"330000": 1.4}, zmid=1.0, value_format="float")
    assert lq.data[MAIN_TRACE].colorbar.dtick is None  # a ratio keeps its fractional ticks


def test_province_names_carry_a_white_outline_to_stay_legible_on_dark_fill():
    labels = next(t for t in build_province_map(VALUES).data if t.name == "labels")
    assert labels.textfont.color == "#222" and "#fff" in labels.textfont.shadow
