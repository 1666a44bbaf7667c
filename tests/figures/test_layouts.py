"""Small pieces of the page layout, on hand-written inputs."""
from layouts.planner import site_of


def test_a_source_link_is_named_by_its_site():
    assert site_of("https://www.gov.cn/zhengce/content/2023-01/01/x.htm") == "gov.cn"
    assert site_of("http://m.ccin.com.cn:8080/detail/abc") == "ccin.com.cn:8080"
    assert site_of("http://kjt.jl.gov.cn/a?b=1") == "kjt.jl.gov.cn"
    assert site_of("HTTPS://WWW.Example.org#top") == "Example.org"


def test_the_year_slider_always_labels_the_first_and_last_year():
    from layouts.page import year_marks

    assert year_marks(2016, 2026) == {2016: "2016", 2019: "2019", 2022: "2022", 2026: "2026"}  # 2025 gave way
    assert list(year_marks(2018, 2025)) == [2018, 2020, 2022, 2025]
    assert year_marks(2020, 2020) == {2020: "2020"}


def test_a_year_range_says_how_many_undated_consortia_it_leaves_out():
    from callbacks.overview import undated_note

    assert undated_note(25, "zh") == "年份筛选不含 25 个未注明组建年份的联合体。"
    assert undated_note(0, "en") == ""


def test_reasons_and_field_names_read_in_chinese_on_the_chinese_page():
    from figures.text import field_text, reason_text

    assert reason_text("province '火星' is not a known province, city, region or 全国", "zh") == (
        "省份 '火星' 不是已知的省份、城市、区域或“全国”")
    assert reason_text("year is not a year between 1949 and next year; left empty", "zh") == (
        "年份不在 1949 年至明年之间；留空")
    assert reason_text("name is 1,204 characters long; a consortium name has at most 500", "zh") == (
        "名称长达 1,204 个字符；联合体名称最多 500 个")
    assert reason_text("name is empty", "en") == "name is empty"  # English stays as the ETL says it
    assert reason_text("something new", "zh") == "something new"  # unknown: shown as it is
    assert (field_text("lead_org", "zh"), field_text("source_url", "en")) == ("牵头单位", "source url")


def test_the_map_metric_note_asks_for_a_sector_then_warns_of_small_bases():
    from analytics.filters import Filters
    from callbacks.overview import metric_note

    assert metric_note(Filters(), "lq", False, "zh").startswith("区位熵需要先选择一个领域或技术")
    assert metric_note(Filters(sector=("S3",)), "lq", False, "zh") == "区位熵在联合体少于 3 个的省份参考意义有限。"
    assert metric_note(Filters(sector=("S3",)), "count", False, "en") == ""
