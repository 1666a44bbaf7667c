"""Charts on hand-made tables."""
import pandas as pd

from etl.reference import load_reference
from figures.charts import build_gap_matrix


def test_a_gap_column_whose_lists_were_all_not_found_is_grey_not_red():
    ref = load_reference()
    groups = sorted({p.region_group for p in ref.provinces.values()})
    table = pd.DataFrame(0, index=["T01", "T02"], columns=groups)
    table.loc["T02", groups[0]] = 3
    table["total"] = table.sum(axis=1)
    hidden = groups[-1]
    coverage = {c: "none_found" for c, p in ref.provinces.items() if p.region_group == hidden}
    trace = build_gap_matrix(table, ref, "zh", coverage=coverage).data[0]
    last = len(groups) - 1
    assert trace.x[last].endswith("（未找到名录）") and not trace.x[0].endswith("（未找到名录）")
    assert [row[last] for row in trace.z] == [4, 4]  # grey in both rows, not red (0) for the uncovered T01
    assert trace.z[0][0] == 0 and trace.z[1][0] == 3  # elsewhere unchanged: T01 uncovered, T02 covered
    # a thin technology (1–2 consortia) is orange only where its consortia are; its empty cells stay white
    thin = pd.DataFrame(0, index=["T09"], columns=groups)
    thin.loc["T09", groups[0]] = 1
    thin["total"] = thin.sum(axis=1)
    row = build_gap_matrix(thin, ref, "zh").data[0]
    assert row.z[0][0] == 1 and set(row.z[0][1:]) == {2}
    assert row.customdata[0][1][2] == "0 个联合体" and row.customdata[0][0][2] == "1 个联合体"
    assert build_gap_matrix(thin, ref, "en").data[0].customdata[0][0][2] == "1 consortium"
    # one province with a list in the group is enough to read its blanks as blanks
    partly = dict(list(coverage.items())[:-1])
    assert build_gap_matrix(table, ref, "zh", coverage=partly).data[0].z[0][last] == 0


def test_a_heatmap_row_of_a_province_without_a_list_is_blank_and_labelled():
    import math

    from figures.charts import build_sector_heatmap
    ref = load_reference()
    matrix = pd.DataFrame(0, index=["330000", "360000"], columns=["S1", "S3"])
    matrix.loc["360000", "S3"] = 2
    trace = build_sector_heatmap(matrix, ref, "zh", coverage={"330000": "none_found"}).data[0]
    rows = dict(zip(trace.y, trace.z))
    assert list(rows) == ["江西", "浙江（未找到名录）"]
    assert all(math.isnan(v) for v in rows["浙江（未找到名录）"]) and list(rows["江西"]) == [0, 2]
    # the page leaves such rows out (naming them under the chart), and the chart's height follows its rows
    dropped = build_sector_heatmap(matrix, ref, "zh", coverage={"330000": "none_found"}, drop_unlisted=True)
    assert list(dropped.data[0].y) == ["江西"] and dropped.layout.height == 320
    # a province without a list that still counts a consortium (a steward's upload) keeps its row
    matrix.loc["330000", "S1"] = 1
    kept = build_sector_heatmap(matrix, ref, "zh", coverage={"330000": "none_found"}, drop_unlisted=True)
    assert list(kept.data[0].y) == ["江西", "浙江"]


def test_the_lisa_map_greys_provinces_without_a_list_instead_of_classing_them():
    from figures.charts import build_lisa_map
    clusters = pd.DataFrame({"code": ["330000", "360000"], "cluster": ["lh", "hh"], "p_value": [0.01, 0.02],
                             "value": [0, 9]})
    fig = build_lisa_map(clusters, "zh", unlisted=["330000"])
    main = fig.data[0]
    assert dict(zip(main.locations, main.z)).get("360000") == 0  # hh, the first class
    z = dict(zip(main.locations, main.z)).get("330000")
    assert z is None or z != z  # no class (0 would be the high-high colour)
    greyed = next(trace for trace in fig.data if trace.name == "unlisted")
    assert list(greyed.locations) == ["330000"]


def test_count_colour_bars_tick_whole_consortia_on_a_short_scale():
    from figures.charts import build_collaboration_matrix, build_sector_heatmap

    ref = load_reference()
    pair = pd.DataFrame(0, index=["330000", "360000"], columns=["330000", "360000"])
    pair.loc["330000", "360000"] = 2
    bar = build_collaboration_matrix(pair, ref, "zh").data[0].colorbar
    assert (bar.tick0, bar.dtick) == (0, 1)  # 0, 1, 2: never 0.5
    many = pd.DataFrame(0, index=["330000", "360000"], columns=["S1", "S3"])
    many.loc["360000", "S3"] = 40
    assert build_sector_heatmap(many, ref, "zh").data[0].colorbar.dtick is None  # a long scale chooses freely


def test_the_location_quotient_heatmap_leaves_empty_cells_blank_and_stops_its_scale_at_4():
    import math

    from figures.charts import build_sector_heatmap

    ref = load_reference()
    counts = pd.DataFrame({"S1": [1, 9], "S3": [0, 10]}, index=["430000", "320000"])
    lq = pd.DataFrame({"S1": [24.7, 0.9], "S3": [0.0, 1.05]}, index=counts.index)
    lq.attrs["counts"] = counts
    trace = build_sector_heatmap(lq, ref, "zh", mode="lq").data[0]
    rows = dict(zip(trace.y, zip(trace.z, trace.text)))
    (z_hn, text_hn) = rows["湖南"]
    assert z_hn[0] == 24.7 and math.isnan(z_hn[1]) and list(text_hn) == ["24.7*", ""]  # blank, not a deep-blue 0
    assert trace.zmax == 4 and list(trace.colorbar.ticktext) == ["0", "1", "2", "3", "≥4"]


def test_the_heatmap_grouped_by_region_names_each_group():
    from figures.charts import build_sector_heatmap

    ref = load_reference()
    counts = pd.DataFrame({"S1": [3, 1, 2]}, index=["360000", "320000", "610000"])  # 中部, 东部, 西部
    trace = build_sector_heatmap(counts, ref, "zh", sort="region").data[0]
    groups, names = (list(level) for level in trace.y)
    assert names == ["江苏", "江西", "陕西"] and groups == ["东部", "中部", "西部"]
    assert list(build_sector_heatmap(counts, ref, "zh").data[0].y) == ["江西", "陕西", "江苏"]  # by total: flat
