"""Analytics on small inputs with answers computed by hand."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.weights import W, lat2W

from analytics.collaboration import collaboration_matrix, cross_regional_share, flow_edges, region_activity
from analytics.concentration import concentration, concentration_trend, gini, hhi, shares, top_k
from analytics.coverage import count_by, province_counts, technology_counts
from analytics.filters import Filters, apply_filters
from analytics.gaps import duplication, gap_matrix, uncovered_and_thin
from analytics.spatial import lisa, moran, province_weights
from analytics.specialisation import location_quotients
from etl.reference import load_reference

from .conftest import frame


def test_location_quotients_3_provinces_2_sectors():
    # A: S1 S1 S2 · B: S1 S2 S2 · C: S1 S1 S1  (N = 9, S1 = 6, S2 = 3)
    pairs = pd.DataFrame({"province": list("AAABBBCCC"), "sector": ["S1", "S1", "S2", "S1", "S2", "S2", "S1", "S1", "S1"]})
    lq = location_quotients(pairs).set_index(["province", "sector"])
    expected = {("A", "S1"): 1.0, ("A", "S2"): 1.0, ("B", "S1"): 0.5, ("B", "S2"): 2.0, ("C", "S1"): 1.5, ("C", "S2"): 0.0}
    for key, value in expected.items():
        assert lq.loc[key, "lq"] == pytest.approx(value)
    assert list(lq["low_base"]) == [True, True, True, True, False, True]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["S1", "S2", "S3"])), min_size=1, max_size=60))
def test_lq_weighted_sums_recover_the_national_total(rows):
    pairs = pd.DataFrame(rows, columns=["province", "sector"])
    lq = location_quotients(pairs)
    n_i = pairs.groupby("province").size()
    total = len(pairs)
    for sector, group in lq.groupby("sector"):
        assert (group["lq"] * group["province"].map(n_i)).sum() == pytest.approx(total)


def test_hhi_gini_top6_by_hand():
    counts = {"a": 2, "b": 1, "c": 1}
    assert hhi(counts) == pytest.approx(0.375)
    assert gini(counts.values()) == pytest.approx(1 / 6)
    assert gini([0, 0, 0, 5]) == pytest.approx(0.75) and gini([3, 3, 3]) == 0
    ties = {"330000": 2, "110000": 2, "310000": 5, "120000": 1, "130000": 1, "140000": 1, "150000": 1}
    assert top_k(ties, 6) == (["310000", "110000", "330000", "120000", "130000", "140000"], pytest.approx(12 / 13))
    c = concentration(counts)
    assert c["top6"] == ["a", "b", "c"] and c["top6_share"] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), min_size=1, max_size=30))
def test_shares_sum_to_one_and_hhi_bounds(counts):
    if sum(counts.values()) == 0:
        return
    assert sum(shares(counts).values()) == pytest.approx(1.0)
    assert 1 / len(counts) - 1e-12 <= hhi(counts) <= 1 + 1e-12
    assert 0 <= gini(counts.values()) <= 1


def test_moran_on_a_line_by_hand():
    # a-b-c-d, values 1..4, row-standardised: I = 2 / 5 = 0.4 (see the derivation in the test name)
    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]})
    w.transform = "r"
    result = moran({"a": 1, "b": 2, "c": 3, "d": 4}, w, permutations=99)
    assert result["moran_i"] == pytest.approx(0.4)
    assert result == moran({"a": 1, "b": 2, "c": 3, "d": 4}, w, permutations=99)  # seeded: same p


def test_lisa_finds_a_planted_hot_spot():
    w = lat2W(7, 7, rook=False)
    w.transform = "r"
    hot = {8, 9, 10, 15, 16, 17, 22, 23, 24}  # a 3x3 block in the upper left
    values = {i: (10.0 if i in hot else 0.0) for i in range(49)}
    result = lisa(values, w).set_index("code")
    assert result.loc[16, "cluster"] == "hh"  # the block's centre
    assert set(result.index[result["cluster"] == "hh"]) <= hot
    assert result.loc[48, "quadrant"] == "ll"


def test_province_weights_follow_the_contract():
    w = province_weights()
    assert len(w.id_order) == 34 and not w.islands
    assert w.neighbors["460000"] and w.neighbors["710000"]  # islands joined to their nearest neighbour
    assert set(w.neighbors["110000"]) == {"120000", "130000"}
    for i in w.id_order:
        assert sum(w.weights[i]) == pytest.approx(1.0)


def test_province_counts_and_technology_counts(three):
    consortia, members, technologies = three
    extra = frame([(4, None, "S1", 2022, "national", 0), (5, None, "S2", 2022, "region", 4)])
    all_ = pd.concat([consortia, extra])
    counts = province_counts(all_, ["310000", "320000", "330000"])
    assert counts == {"310000": 0, "320000": 1, "330000": 2, "national": 1, "regional": 1}
    assert technology_counts(technologies, ["T01", "T02", "T03"]) == {"T01": 1, "T02": 2, "T03": 0}


def test_count_by_dimensions(three):
    consortia, members, technologies = three
    ref = load_reference()
    by = count_by(consortia, technologies, ["province", "technology"], ref)
    assert by.values.tolist() == [["320000", "T02", 1], ["330000", "T01", 1], ["330000", "T02", 1]]
    by_group = count_by(consortia, technologies, ["region_group"], ref)
    assert by_group.values.tolist() == [["东部", 3]]
    by_region = count_by(consortia, technologies, ["region"], ref).set_index("region")["count"]
    assert by_region["R01"] == 3 and by_region["R05"] == 1  # 长三角 all three, 沿沪宁 only 江苏
    with pytest.raises(ValueError):
        count_by(consortia, technologies, ["colour"], ref)


def test_gaps(three):
    consortia, members, technologies = three
    counts = {"T01": 0, "T02": 2, "T03": 3, "T04": 1}
    assert uncovered_and_thin(counts) == {"uncovered": ["T01"], "thin": ["T02", "T04"]}
    long = technologies.rename(columns={"consortium_id": "id"}).merge(consortia[["id", "province"]], on="id")
    m = gap_matrix(long, ["T01", "T02", "T03"], "province", ["320000", "330000"])
    assert m.values.tolist() == [[0, 1], [1, 1], [0, 0]]
    dup = duplication(long, min_provinces=2)
    assert dup.values.tolist() == [["T02", 2, 2]]


def test_uncovered_kpi_leaves_the_technology_filter_out(three):
    from analytics.views import Frames, kpis

    consortia, members, technologies = three
    frames, ref = Frames(consortia, technologies, members), load_reference()
    n = len(ref.technology_codes)
    assert kpis(frames, Filters(), ref)["uncovered"] == n - 2  # T01 and T02 are covered
    # under T02 the two consortia on it still cover T01 too: 34 gaps, not 35
    picked = kpis(frames, Filters(technology=("T02",)), ref)
    assert (picked["total"], picked["uncovered"]) == (2, n - 2) and "T01" not in picked["uncovered_codes"]
    assert kpis(frames, Filters(sector=("S3",)), ref)["uncovered"] == n  # the other filters still count


def test_collaboration_matrix_on_three_consortia(three):
    consortia, members, technologies = three
    codes = ["310000", "320000", "330000"]
    m = collaboration_matrix(consortia, members, codes)
    # rows lead, columns member: 330000 leads #1 (330000, 320000) and #2 (330000); 320000 leads #3 (310000, 330000)
    assert m.values.tolist() == [[0, 0, 0], [1, 0, 1], [0, 1, 2]]
    edges = flow_edges(m)
    assert edges.values.tolist() == [["320000", "310000", 1], ["320000", "330000", 1], ["330000", "320000", 1]]
    assert cross_regional_share(consortia) == pytest.approx(2 / 3)
    activity = region_activity(consortia, members, load_reference()).set_index("region")
    assert activity.loc["R01", "consortia"] == 3 and activity.loc["R01", "internal_collaboration"] == 2
    assert activity.loc["R05", "consortia"] == 1 and activity.loc["R05", "internal_collaboration"] == 1


def test_concentration_trend(three):
    consortia, *_ = three
    trend = concentration_trend(consortia, ["320000", "330000"]).set_index(["year", "basis"])
    assert trend.loc[(2020, "year"), "hhi"] == 1.0
    assert trend.loc[(2021, "year"), "hhi"] == pytest.approx(0.5)
    assert trend.loc[(2021, "cumulative"), "hhi"] == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)


def test_filters_apply_and_round_trip_through_the_url(three):
    consortia, members, technologies = three
    f = Filters(sector=("S1",), technology=("T02",), province="330000")
    c, t, m = apply_filters(consortia, technologies, members, f)
    assert list(c["id"]) == [1] and sorted(t["technology"]) == ["T01", "T02"] and len(m) == 2
    assert Filters.from_query("?" + f.to_query()) == f
    assert f.to_query(lang="en") == "sector=S1&technology=T02&province=330000&lang=en"
    years = Filters(year_from=2021, year_to=2021)
    assert list(apply_filters(consortia, technologies, members, years)[0]["id"]) == [2, 3]
    assert Filters.from_query("year_from=abc&level=scope:cross_regional").level == ("scope:cross_regional",)
    consortia.loc[1, "scope"] = "cross_regional"
    scoped = apply_filters(consortia, technologies, members, Filters(level=("scope:cross_regional",)))[0]
    assert list(scoped["id"]) == [1]


def test_moran_of_constant_values_is_zero_without_error():
    assert moran({code: 1 for code in province_weights().id_order})["p_value"] == 1.0
    assert np.isfinite(moran({"110000": 5})["moran_i"])


def test_per_capita_uses_the_latest_population(three):
    consortia, members, technologies = three
    from analytics import views
    indicators = pd.DataFrame({"province": ["330000", "320000", "330000"], "year": [2020, 2020, 2021],
                               "indicator": "population", "value": [5e7, 8e7, 6e7]})
    frames = views.Frames(consortia, technologies, members)
    values = views.overview(frames, Filters(), load_reference(), "per_capita", indicators)["values"]
    # 浙江 2 consortia / 60 million (2021, the latest) * 10 million; 江苏 1 / 80 million * 10 million
    assert values == {"330000": pytest.approx(2 / 6), "320000": pytest.approx(0.125)}


def test_trends_by_region_group_with_the_year_filter_left_out(three):
    from analytics import views
    from figures.narrative import trend_reading

    consortia, members, technologies = three
    extra = frame([(4, None, "S1", 2023, "national", 1), (5, "230000", "S3", None, "province", 1)])
    consortia = pd.concat([consortia, extra])
    frames = views.Frames(consortia, technologies, members)
    ref = load_reference()
    result = views.trends(frames, Filters(year_from=2021, sector=("S1",)), ref)
    table = result["by_year"]
    # S1: 2020 浙江 (东部), 2021 江苏 (东部), 2023 national; 2022 has none but keeps its row.
    assert list(table.index) == [2020, 2021, 2022, 2023]
    assert table["东部"].tolist() == [1, 1, 0, 0] and table["national"].tolist() == [0, 0, 0, 1]
    assert int(table.to_numpy().sum()) == 3 and result["undated"] == 0
    # cumulative top-six share of the located ones: both located consortia are in the top six
    assert result["top6_share"] == {2020: 1.0, 2021: 1.0}
    everything = views.trends(frames, Filters(), ref)
    assert everything["undated"] == 1 and int(everything["by_year"].to_numpy().sum()) == 4
    # two located consortia, so the top six hold 100% throughout: nothing to compare
    # a tie names every year of it (2022 formed none, so not "every year")
    assert trend_reading(result, "zh") == "2020–2023 年共组建 3 家，2020、2021、2023 年最多（各 1 家）。"
    assert trend_reading(result, "en") == "3 consortia formed in 2020–2023; most in 2020, 2021, 2023 (1 each)."
    even = {**result, "by_year": table.loc[[2020, 2021]], "top6_share": {}}
    assert trend_reading(even, "zh") == "2020–2021 年共组建 2 家，每年 1 家。"
    # a share that did not move says so, not "from 75% to 75%"
    level = {"by_year": pd.DataFrame({"东部": [10, 10]}, index=[2020, 2021]), "undated": 0,
             "top6_share": {2020: 0.75, 2021: 0.75}}
    assert trend_reading(level, "zh") == "2020–2021 年共组建 20 家，每年 10 家；前六省份累计占比 2020–2021 年保持 75%。"
    # the share is compared from the first year with ten formed in all (2018's 3 say nothing)
    moving = {"by_year": pd.DataFrame({"东部": [3, 9, 0, 10]}, index=[2018, 2019, 2020, 2021]), "undated": 0,
              "top6_share": {2018: 1.0, 2019: 0.9, 2021: 0.7}}
    assert trend_reading(moving, "zh") == (
        "2018–2021 年共组建 22 家，2021 年最多（10 家）；前六省份累计占比由 2019 年的 90% 变为 2021 年的 70%。")
    assert trend_reading({**everything, "top6_share": {}}, "en") == (
        "4 consortia formed in 2020–2023 (1 more without a year); most in 2021 (2).")
    one_year = {**result, "by_year": table.loc[[2021]], "undated": 0, "top6_share": {}}
    assert trend_reading(one_year, "zh") == "2021 年共组建 1 家。"
    assert trend_reading(one_year, "en") == "1 consortium formed in 2021."


def test_concentration_reading_names_only_provinces_that_have_consortia():
    from figures.narrative import concentration_reading, overview_reading

    ref = load_reference()
    # With two provinces holding any, the top six of the counts still lists six; zeros are not named.
    counts = {"320000": 3, "420000": 1, "110000": 0, "120000": 0, "130000": 0, "140000": 0}
    top = concentration(counts)["top6"]
    assert len(top) == 6
    assert concentration_reading(top, 1.0, counts, ref, "zh") == "江苏、湖北两省合计占有所在省份的联合体的 100%"
    assert concentration_reading(top, 1.0, counts, ref, "en") == "The top 2 (Jiangsu, Hubei) hold 100% of located consortia"
    assert concentration_reading(top, 1.0, {"320000": 2}, ref, "zh") == "有省份的联合体全部位于江苏"
    # Nothing located: one clause, no stop of its own, so the joined reading has no doubled punctuation.
    nothing = {"concentration": {"top6": [], "top6_share": 0.0}, "counts": {},
               "kpis": {"uncovered_codes": ["T01"]}, "cross_regional_share": 0.0}
    assert overview_reading(nothing, ref, "zh") == (
        "当前筛选下没有落在具体省份的联合体；光刻机 1 项卡脖子技术尚无联合体覆盖；跨省协作的联合体占 0%。")


def test_the_gaps_reading_says_whose_count_it_is_and_ends_once():
    from figures.narrative import gaps_reading, overview_reading

    ref = load_reference()
    assert gaps_reading(["T05", "T36", "T01"], ref, "zh") == "光刻机、航空发动机等 3 项卡脖子技术尚无联合体覆盖"
    # under a province filter the KPI counts that province's gaps: the reading names it
    assert gaps_reading(["T01"], ref, "zh", where="江西") == "江西：光刻机 1 项卡脖子技术尚无联合体覆盖"
    assert gaps_reading(["T01"], ref, "en", where="Jiangxi") == (
        "in Jiangxi, 1 bottleneck technology has no consortium: Lithography machines")  # read after a "; "
    assert gaps_reading([], ref, "en", where="Jiangxi") == "Every bottleneck technology has at least one consortium in Jiangxi"
    every = {"concentration": {"top6": [], "top6_share": 0.0}, "counts": {},
             "kpis": {"uncovered_codes": []}, "cross_regional_share": 0.5}
    assert overview_reading(every, ref, "zh", province="360000") == (
        "当前筛选下没有落在具体省份的联合体（全国）；江西：每项卡脖子技术都已有联合体覆盖；跨省协作的联合体占 50%（全国）。")


def test_an_address_naming_several_provinces_keeps_the_first_and_says_so():
    from callbacks.common import url_filters

    f, note = url_filters("?province=330000,320000", "zh")
    assert f.province == "330000" and "省份一次只能选一个，已用 330000" in note
    f, note = url_filters("?province=江西、浙江&lang=en", "en")
    assert f.province == "360000" and "one province at a time, so 江西 is used" in note
    assert url_filters("?province=江西", "zh") == (Filters(province="360000"), "")


def test_an_insignificant_global_moran_does_not_deny_local_clusters():
    from figures.narrative import moran_reading

    zh, en = moran_reading(0.135, 0.104, "zh"), moran_reading(0.135, 0.104, "en")
    assert "全国整体上未见显著的空间集聚" in zh and "并不相邻" not in zh  # the LISA map may show 高-高 neighbours
    assert "across the country as a whole" in en and "not neighbours" not in en
    assert "显著的空间集聚：联合体多的省份彼此相邻" in moran_reading(0.4, 0.01, "zh")


def test_the_overview_counts_the_undated_consortia_a_year_range_leaves_out(three):
    from analytics.views import Frames, overview

    consortia, members, technologies = three
    consortia = pd.concat([consortia, frame([(4, "330000", "S1", None, "province", 1)])])
    frames, ref = Frames(consortia, technologies, members), load_reference()
    assert overview(frames, Filters(), ref)["undated_left_out"] == 0  # no range, nothing left out
    ranged = overview(frames, Filters(year_from=2021), ref)
    assert ranged["kpis"]["total"] == 2 and ranged["undated_left_out"] == 1
    assert overview(frames, Filters(year_to=2021, sector=("S3",)), ref)["undated_left_out"] == 0  # not an S3 one


def test_records_carry_the_lists_own_words_and_members_and_are_searched_by_them():
    from analytics.views import Frames, records
    from exports.data import records_frame

    consortia = pd.DataFrame({
        "id": [1, 2], "name": ["甲联合体", "乙联合体"], "lead_org": ["甲公司", "乙公司"], "lead_type": ["private", None],
        "province": ["320000", "330000"], "city": [None, None], "sector": ["S3", "S1"], "sector_raw": ["新材料", "芯片"],
        "technologies_raw": ["固态电池；隔膜", "存储芯片"], "year": [2024, None], "level": ["provincial", None],
        "scope": ["provincial", "provincial"], "operating_model": [None, None], "synthetic": [False, False],
        "source": ["s", "s"], "source_url": ["https://a.cn", ""], "publisher": ["江苏科技厅", ""],
        "published": ["2024-05-01", ""], "grade": ["A", ""], "inferred": ["", ""], "place_kind": ["province"] * 2})
    members = pd.DataFrame({"consortium_id": [1, 1], "name": ["南京大学", "东南大学"], "province": ["320000"] * 2})
    technologies = pd.DataFrame({"consortium_id": [2], "technology": ["T02"]})
    frames, ref = Frames(consortia, technologies, members), load_reference()
    found = records(frames, Filters(), ref, search="固态电池")  # in the list's words only, not in a tag
    assert list(found["name"]) == ["甲联合体"] and found.iloc[0]["members"] == "南京大学、东南大学"
    # what the grid shows is searched too: a tagged technology by its name (乙's own words say 存储芯片, not
    # 芯片 alone: 甲 is not tagged), in either language, and a member
    consortia = consortia.set_index(consortia["id"].rename(None))  # indexed by id, as the store's frames are
    consortia.loc[2, ["technologies_raw", "sector_raw"]] = ["存储", "电子"]
    frames = Frames(consortia, technologies, members)
    assert list(records(frames, Filters(), ref, search="芯片")["name"]) == ["乙联合体"]
    assert list(records(frames, Filters(), ref, search="chip")["name"]) == ["乙联合体"]
    assert list(records(frames, Filters(), ref, search="东南大学")["name"]) == ["甲联合体"]
    table = records_frame(records(frames, Filters(), ref), "zh")
    row = table[table["名称"] == "甲联合体"].iloc[0]
    assert (row["技术（名录原文）"], row["成员单位"], row["级别"], row["来源日期"]) == (
        "固态电池；隔膜", "南京大学、东南大学", "省级", "2024-05-01")


def test_an_empty_trend_says_whether_anything_is_there_and_draws_no_negative_axes():
    from figures.charts import build_trend_chart
    from figures.narrative import trend_reading

    empty = pd.DataFrame(columns=["东部"], dtype=int)
    assert trend_reading({"by_year": empty, "undated": 0, "top6_share": {}}, "zh") == "当前筛选下没有联合体。"
    assert trend_reading({"by_year": empty, "undated": 1, "top6_share": {}}, "en") == (
        "None of the 1 consortium under these filters gives its year.")
    fig = build_trend_chart(empty, "zh")
    assert fig.layout.xaxis.visible is False and list(fig.layout.yaxis.range) == [0, 1]
    small = build_trend_chart(pd.DataFrame({"东部": [1, 2]}, index=[2021, 2022]), "zh")
    assert small.layout.yaxis.dtick == 1  # whole consortia on a short scale
