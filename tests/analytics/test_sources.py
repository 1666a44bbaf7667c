"""Sources, grades and list coverage of the public baseline, on three-row frames."""
import pandas as pd

from analytics.filters import Filters, filter_ids
from analytics.sources import sources_as_of, sources_by_grade
from etl.reference import load_reference
from figures.narrative import coverage_caveat
from figures.text import fmt_source_date, public_note


def frame():
    return pd.DataFrame({
        "grade": ["A", "C", "A", None],
        "source_url": ["https://a.gov.cn/1 ; https://b.cn/2", "http://c.com/3", "https://a.gov.cn/1", None],
        "publisher": ["省科技厅", "某站", "省科技厅", None],
        "published": ["2024-05-01", "2025-02", None, "2023-12-31"],
    }, index=[1, 2, 3, 4])


def test_sources_by_grade_counts_consortia_pages_and_publishers():
    table = sources_by_grade(frame())
    assert table.to_dict("records") == [
        {"grade": "A", "consortia": 2, "pages": 2, "publishers": 1},  # a.gov.cn/1 counted once
        {"grade": "B", "consortia": 0, "pages": 0, "publishers": 0},
        {"grade": "C", "consortia": 1, "pages": 1, "publishers": 1},
        {"grade": "", "consortia": 1, "pages": 0, "publishers": 0},
    ]


def test_sources_as_of_is_the_newest_source_date():
    assert sources_as_of(frame()) == "2025-02"
    assert sources_as_of(frame().drop(index=2)) == "2024-05-01"
    assert sources_as_of(pd.DataFrame({"published": [None]})) == ""


def test_public_note_in_both_languages():
    assert public_note(121, "2026-02-13", "zh") == "公开名录 · 121 个联合体 · 来源截至 2026年2月13日"
    assert public_note(1234, "2026-02", "en") == "Public list · 1,234 consortia · sources up to Feb 2026"
    assert fmt_source_date("2026-02-13", "en") == "13 Feb 2026"


def test_grade_filter_and_its_url():
    consortia = pd.DataFrame({"grade": ["A", "B", None], "sector": ["S1", "S1", "S1"]}, index=[1, 2, 3])
    tags = pd.DataFrame({"consortium_id": [], "technology": []})
    f = Filters.from_query("grade=A,B&sector=S1")
    assert f.grade == ("A", "B") and "grade=A,B" in f.to_query()
    assert list(filter_ids(consortia, tags, f)) == [1, 2]
    assert list(filter_ids(consortia, tags, Filters(grade=("C",)))) == []


def test_coverage_caveat_says_how_far_the_lists_go():
    ref = load_reference()
    coverage = {"330000": "none_found", "360000": "partial", "220000": "complete", "central_soe": "partial"}
    assert coverage_caveat(coverage, ref, "zh").startswith("1 个省份名录不完整、1 个未找到名录")
    assert "未找到浙江的名录" in coverage_caveat(coverage, ref, "zh", "330000")
    assert "partial" in coverage_caveat(coverage, ref, "en", "360000")
    assert coverage_caveat(coverage, ref, "zh", "220000") == ""
    assert coverage_caveat({}, ref, "zh") == ""


def test_a_caveat_that_opens_a_note_starts_with_a_capital():
    from figures.narrative import coverage_caveat
    from figures.text import sentence

    ref = load_reference()
    clause = coverage_caveat({"330000": "none_found"}, ref, "en", "330000")
    assert clause.startswith("no list was found for Zhejiang")  # written to follow "; "
    assert sentence(clause).startswith("No list was found for Zhejiang") and sentence("") == ""
    assert sentence("未找到浙江的名录") == "未找到浙江的名录"
