"""Validation, tagging, scope and duplicate merging on three-row inputs."""
import pytest

from etl.extract import RawRow
from etl.transform import transform


def rows(*dicts, file="f.csv"):
    return [RawRow(file, i + 2, d) for i, d in enumerate(dicts)]


def test_rejections_keep_file_row_field_and_reason():
    batch = transform(rows({"name": "", "province": "浙江", "sector": "S3"},
                           {"name": "甲", "province": "火星", "sector": "S3"},
                           {"name": "乙", "sector": "S3"}))
    assert batch.consortia == []
    assert [(r.file, r.row, r.field) for r in batch.rejections] == [("f.csv", 2, "name"), ("f.csv", 3, "province"),
                                                                   ("f.csv", 4, "province")]
    assert "火星" in batch.rejections[1].reason


def test_bad_optional_values_are_warnings_and_left_empty():
    batch = transform(rows({"name": "甲", "province": "浙江", "sector": "S3", "year": "待定", "lead_type": "外星企业",
                            "level": "宇宙级"}))
    c = batch.consortia[0]
    assert (c.year, c.lead_type, c.level) == (None, "", "")
    assert sorted(w.field for w in batch.warnings) == ["lead_type", "level", "year"]


def test_unmapped_sector_falls_into_s0_and_is_counted():
    batch = transform(rows({"name": "甲", "province": "浙江", "sector": "星际旅行", "technologies": "光刻机；暗物质"}))
    assert batch.consortia[0].sector == "S0"
    assert batch.consortia[0].technologies == ["T01"]
    assert dict(batch.unmapped) == {("sector", "星际旅行"): 1, ("technology", "暗物质"): 1}


def test_city_alone_gives_the_province():
    batch = transform(rows({"name": "甲", "city": "苏州市", "sector": "S1"}))
    c = batch.consortia[0]
    assert (c.province, c.city, c.scope) == ("320000", "320500", "provincial")  # a city alone says no level


def test_duplicates_merge_across_files_by_name_and_province():
    batch = transform(rows({"name": "甲 联合体", "province": "浙江", "sector": "S3", "technologies": "光刻机",
                            "members": "A（浙江）"}, file="a.csv")
                      + rows({"name": "甲联合体", "province": "Zhejiang", "sector": "New materials",
                              "technologies": "光刻胶", "members": "B (Jiangsu)", "year": "2022"}, file="b.csv")
                      + rows({"name": "甲联合体", "province": "江苏", "sector": "S3"}, file="c.csv"))
    assert batch.duplicates == 1
    merged = batch.consortia[0]
    assert merged.technologies == ["T01", "T21"] and merged.year == 2022
    assert [m.province for m in merged.members] == ["330000", "320000"]
    assert merged.files == ["a.csv:2", "b.csv:2"] and merged.scope == "cross_regional" and merged.span == 2
    assert len(batch.consortia) == 2  # same name in 江苏 is another consortium


def test_scopes():
    batch = transform(rows(
        {"name": "国", "province": "全国", "sector": "S1", "members": "甲（北京）；乙（上海）"},
        {"name": "区", "province": "长三角", "sector": "S1"},
        {"name": "省", "province": "浙江", "sector": "S1", "members": "甲（浙江）"},
        {"name": "市", "province": "浙江", "city": "杭州", "level": "市级", "sector": "S1"},
        {"name": "城市无级别", "province": "浙江", "city": "杭州", "sector": "S1"},
        {"name": "省级带城市", "province": "浙江", "city": "杭州", "level": "省级", "sector": "S1"},
        {"name": "京", "province": "北京", "city": "北京", "sector": "S1"},
        {"name": "注", "province": "上海市(跨省:沿沪宁)", "sector": "S1"},
    ))
    # The level decides, never the mere presence of a city (北京 is a city too).
    assert [(c.name, c.scope, c.span) for c in batch.consortia] == [
        ("国", "national", 2), ("区", "cross_regional", 4), ("省", "provincial", 1), ("市", "municipal", 1),
        ("城市无级别", "provincial", 1), ("省级带城市", "provincial", 1), ("京", "provincial", 1),
        ("注", "cross_regional", 1)]


def test_city_in_another_province_is_a_warning():
    batch = transform(rows({"name": "甲", "province": "浙江", "city": "南京", "sector": "S1"}))
    assert batch.consortia[0].city == "" and batch.warnings[0].field == "city"


def test_per_value_computes_each_distinct_value_once_and_keeps_types_apart():
    from etl.transform import per_value
    calls = []

    def fn(v):
        calls.append(v)
        return repr(v)

    assert per_value(fn, ["a", "b", "a", None, "a"]) == ["'a'", "'b'", "'a'", "None", "'a'"]
    assert sorted(map(repr, calls)) == ["'a'", "'b'", "None"]
    calls.clear()
    assert per_value(fn, [1, 1.0, True, [1], [1], 1]) == ["1", "1.0", "True", "[1]", "[1]", "1"]
    assert len(calls) == 5  # 1, 1.0, True once each; the unhashable list twice


def test_a_table_and_its_rows_give_the_same_batch():
    from etl.extract import Table
    records = rows({"name": "甲", "province": "浙江", "sector": "S3", "members": "A（江苏）"},
                   {"name": "乙", "city": "苏州", "sector": "生物", "year": "2021"}, file="a.csv")
    records += rows({"name": "甲", "province": "浙江省", "sector": "S3", "technologies": ["光刻机"]}, file="b.json")
    table = Table.concat([Table.from_rows(records[:2]), Table.from_rows(records[2:])])
    assert table.files == ["a.csv", "a.csv", "b.json"] and table.rows == [2, 3, 2]
    assert table.column("city") == [None, "苏州", None]
    by_rows, by_table = transform(records), transform(table)
    assert [vars(c) for c in by_rows.consortia] == [vars(c) for c in by_table.consortia]
    assert by_table.duplicates == 1 and by_table.consortia[0].technologies == ["T01"]
    assert by_table.consortia[0].files == ["a.csv:2", "b.json:2"]


def test_a_repetitive_column_is_cleaned_once_per_distinct_value_with_the_same_result():
    # Eight rows, two distinct raw values in each column but the names, which clean() makes one: these columns
    # take the per-distinct path; the names, all different, take clean_texts'.
    from etl.extract import Table
    from etl.transform import _distinct_plain
    n = 8
    table = Table(["f.csv"] * n, list(range(2, n + 2)), [""] * n, {
        "name": [f"　甲{i} " for i in range(n)],
        "province": ["浙江", " 浙江 "] * 4,
        "sector": ["新材料", "\u3000新材料"] * 4,
        "year": ["２０２１", "2021 "] * 4,
        "lead_type": ["高校", "待定"] * 4,
        "members": ["乙（江苏）", " 乙(江苏)"] * 4,
    })
    assert len(_distinct_plain(table.columns["province"])) * 4 <= n  # the path under test
    batch = transform(table)
    assert [c.name for c in batch.consortia] == [f"甲{i}" for i in range(n)]
    assert {(c.province, c.sector, c.sector_raw, c.year) for c in batch.consortia} == {("330000", "S3", "新材料", 2021)}
    assert {tuple(c.members) for c in batch.consortia} == {(("乙", "320000", "乙(江苏)"),)}
    assert [(w.row, w.field, w.value) for w in batch.warnings] == [(r, "lead_type", "待定") for r in range(3, n + 2, 2)]
    # Numbers from a spreadsheet are not "plain": 2021 and 2021.0 stay apart, and clean_texts reads them.
    assert _distinct_plain([2021, 2021.0] * 4) is None
    years = transform(Table(["f.xlsx"] * n, list(range(2, n + 2)), [""] * n, {
        "name": [f"乙{i}" for i in range(n)], "province": ["浙江"] * n, "year": [2021, 2021.0] * 4}))
    assert [c.year for c in years.consortia] == [2021] * n


def test_a_records_warnings_come_in_the_order_of_its_fields():
    batch = transform(rows({"name": "甲", "province": "浙江", "city": "南京", "sector": "", "members": "乙（火星）",
                            "year": "待定", "lead_type": "外星企业", "level": "宇宙级", "operating_model": "随便",
                            "grade": "z"}))
    assert [(w.field, w.value) for w in batch.warnings] == [
        ("city", "南京"), ("sector", ""), ("members", "乙(火星)"), ("year", "待定"), ("lead_type", "外星企业"),
        ("level", "宇宙级"), ("operating_model", "随便"), ("grade", "z")]


def test_json_arrays_where_text_belongs_do_not_break_a_record():
    batch = transform(rows({"name": ["甲", "乙"], "province": ["浙江"], "sector": ["新材料", "生物"],
                            "year": [2021], "lead_org": {"name": "某公司"}}))
    c = batch.consortia[0]
    assert isinstance(c.name, str) and "甲" in c.name and c.province == "330000" and c.sector == "S3"
    assert isinstance(c.lead_org, str) and c.year == 2021


@pytest.mark.parametrize("lead, expected", [
    ("中国石油天然气集团有限公司", "central_soe"),     # on SASAC's list (central_soes.csv)
    ("中车株洲电力机车研究所有限公司", "central_soe"),  # a subsidiary named after its group
    ("西南石油大学", "university"),
    ("中国科学院金属研究所", "institute"),          # 科学院 is no 学院
    ("山东省港口集团有限公司", "local_soe"),
    # a firm's name does not say who owns it (江西铜业, 酒钢 and 金川 are provincial SOEs): no guess
    ("宁德时代新能源科技股份有限公司", ""),
    ("金川集团股份有限公司", ""),
    ("中国石油；西南石油大学", "joint"),
    ("某市科技局", ""),                          # no rule says what a government office is
])
def test_lead_type_inferred_from_the_lead_name(lead, expected):
    from etl.normalise import infer_lead_type
    assert infer_lead_type(lead) == expected


def test_inferred_lead_type_is_marked_and_a_stated_one_is_kept():
    batch = transform(rows(
        {"name": "甲", "province": "浙江", "sector": "S1", "lead_org": "浙江大学", "inferred": "year"},
        {"name": "乙", "province": "浙江", "sector": "S1", "lead_org": "浙江大学", "lead_type": "央企"},
        {"name": "丙", "province": "浙江", "sector": "S1", "grade": "a", "publisher": "浙江省科学技术厅",
         "published": "2023-05"},
        {"name": "丁", "province": "浙江", "sector": "S1", "grade": "Z"},
    ))
    a, b, c, d = batch.consortia
    assert (a.lead_type, a.inferred) == ("university", "year;lead_type")
    assert (b.lead_type, b.inferred) == ("central_soe", "")
    assert (c.grade, c.publisher, c.published) == ("A", "浙江省科学技术厅", "2023-05")
    assert d.grade == "" and [(w.field, w.value) for w in batch.warnings] == [("grade", "Z")]


@pytest.mark.parametrize("text, sector", [
    ("新型显示", "S1"), ("激光装备", "S2"), ("低空经济", "S2"), ("钢铁新材料", "S3"),  # the longest alias wins
    ("钢铁", "S0"), ("纺织服装", "S0"), ("中药制造", "S4"), ("动力电池", "S5"), ("新型储能", "S6"),
    ("智能锅炉", "S7"), ("数字融合出版", "S8"), ("科技成果转移转化", "S9"),
])
def test_sector_words_of_real_lists(text, sector):
    batch = transform(rows({"name": "甲", "province": "浙江", "sector": text}))
    assert batch.consortia[0].sector == sector and not batch.unmapped
