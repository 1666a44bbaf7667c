"""Planner figures and readings name technologies and sectors, never bare codes (T01, S1)."""
import pandas as pd

from etl.reference import load_reference
from figures.narrative import changes_reading
from figures.planner import build_chain_tree, build_compare_sectors, build_coverage_grid

REF = load_reference()


def test_the_changes_reading_names_technologies():
    diff = {"from": "a", "to": "b", "added": [1], "removed": [], "changed": [], "total": {"from": 1, "to": 2},
            "top6": {"share_from": 0.5, "share_to": 0.5}, "newly_covered": ["T01", "T36"], "newly_uncovered": []}
    zh, en = changes_reading(diff, REF, "zh"), changes_reading(diff, REF, "en")
    assert "新覆盖 光刻机、航空发动机" in zh and "T01" not in zh and "不再覆盖" not in zh
    assert "newly covered Lithography machines, " in en and "T36" not in en
    assert "前六省份占比保持 50%" in zh and "the top six provinces' share stayed at 50%" in en  # not "50% to 50%"
    moved = changes_reading({**diff, "top6": {"share_from": 0.5, "share_to": 0.6}}, REF, "zh")
    assert "前六省份占比由 50% 变为 60%" in moved
    assert REF.technology_names([], "zh") == "—"


def test_compare_charts_label_sectors_and_technologies_by_name():
    sectors = pd.DataFrame([{s: 1 for s in REF.sector_codes}], index=["330000"])
    assert build_compare_sectors(sectors, REF, "zh").data[0].y[0] == "新一代信息技术产业"
    grid = build_coverage_grid(pd.DataFrame([{"T01": True, "T02": False}], index=["330000"]), REF, "en").layout.xaxis
    assert list(grid.ticktext) == ["Lithography machines", "Chips"]


def test_chain_labels_use_the_brackets_of_the_language():
    parts = [{"name": "光源", "name_en": "Light source", "technology": "T01", "consortia": 0, "provinces": []},
             {"name": "整机", "name_en": "Whole machine", "technology": "", "consortia": 3, "provinces": ["330000"]}]
    assert list(build_chain_tree("光刻机", parts, REF, "zh").data[0].labels) == ["光刻机", "光源（T01）", "整机"]
    assert list(build_chain_tree("Lithography", parts, REF, "en").data[0].labels)[1] == "Light source (T01)"


def test_a_province_without_consortia_gets_no_negative_axes():
    from figures.planner import build_profile_sectors, build_year_bars

    empty = {"by_sector": {s: 0 for s in REF.sector_codes}, "lq": {}, "few": True}
    sectors = build_profile_sectors(empty, REF, "zh")
    assert list(sectors.layout.xaxis.range) == [0, 1] and any("暂无联合体" in a.text for a in sectors.layout.annotations)
    years = build_year_bars({}, "en")
    assert years.layout.yaxis.visible is False
    assert years.layout.annotations[0].text == "No consortium here gives its year"
    # a province whose list was not found says that, not "no consortium"
    unknown = build_profile_sectors(empty, REF, "zh", no_list=True)
    assert [a.text for a in unknown.layout.annotations] == ["未找到本省名录，无从统计"]
    assert build_year_bars({}, "zh", no_list=True).layout.annotations[0].text == "未找到本省名录"


def test_a_profile_location_quotient_from_under_3_consortia_is_starred():
    from figures.planner import build_profile_sectors, build_year_bars

    by_sector = {s: 0 for s in REF.sector_codes}
    by_sector.update(S1=2, S3=5)
    fig = build_profile_sectors({"by_sector": by_sector, "lq": {"S1": 6.19, "S3": 1.5}, "few": False}, REF, "zh")
    text = dict(zip([y.split(" ")[0] for y in fig.data[0].y], fig.data[0].text))
    assert text["S1"] == "6.19*" and text["S3"] == "1.50" and text["S2"] == ""
    assert "* 该领域联合体少于 3 个" in fig.layout.annotations[0].text
    assert build_year_bars({2024: 2}, "zh").layout.yaxis.rangemode == "nonnegative"


def test_compare_multiples_share_one_scale_across_rows():
    codes = ["370000", "320000", "610000", "360000", "620000", "410000"]  # six: a second row
    sectors = pd.DataFrame([{s: i + 1 for s in REF.sector_codes} for i in range(6)], index=codes)
    fig = build_compare_sectors(sectors, REF, "zh")
    axes = [a for a in fig.layout if a.startswith("xaxis")]
    assert len(axes) >= 6 and all(fig.layout[a].matches == "x" for a in axes if a != "xaxis")
    legend = " ".join(a.text for a in build_compare_sectors(sectors, REF, "en").layout.annotations)
    assert "East" in legend and "West" in legend  # the bars' colours explained


def test_the_compare_coverage_grid_counts_each_province_and_greys_a_missing_list():
    coverage = pd.DataFrame([{"T01": True, "T02": True}, {"T01": False, "T02": False}, {"T01": False, "T02": False}],
                            index=["370000", "360000", "330000"])
    fig = build_coverage_grid(coverage, REF, "zh", missing=frozenset({"330000"}))
    trace = fig.data[0]
    assert list(trace.y) == ["山东（2 项）", "江西（0 项）", "浙江（未找到名录）"]
    assert [list(r) for r in trace.z] == [[1, 1], [0, 0], [2, 2]]
    assert "已覆盖" in fig.layout.annotations[0].text and "未找到名录" in fig.layout.annotations[0].text
