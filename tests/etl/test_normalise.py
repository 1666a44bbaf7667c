"""Normalisers on small hand-made messy inputs."""
import pytest

from hypothesis import given
from hypothesis import strategies as st

from etl.normalise import (Member, _members_by_parts, _unspaced_members, clean, clean_texts, match_technologies,
                           match_term, members_from_text, name_key, name_keys, parse_members, parse_year, resolve_city,
                           resolve_place, split_annotation, split_list)


@pytest.mark.parametrize("text, province", [
    ("浙江省", "330000"), ("浙江", "330000"), ("Zhejiang", "330000"), ("330000", "330000"),
    ("ZHEJIANG PROVINCE", "330000"), ("浙", "330000"), ("330000.0", "330000"),
    ("广西壮族自治区", "450000"), ("广西", "450000"), ("Guangxi Zhuang Autonomous Region", "450000"),
    ("内蒙古", "150000"), ("Inner Mongolia", "150000"), ("Shaanxi", "610000"), ("Shanxi", "140000"),
    ("香港特别行政区", "810000"), ("Hong Kong", "810000"), ("HKSAR", "810000"), ("Macao", "820000"),
    ("台湾省", "710000"), ("Tibet", "540000"), ("Xizang", "540000"), ("  上海市 ", "310000"),
    ("北京市 ", "110000"),
])
def test_province_forms(text, province):
    place = resolve_place(text)
    assert place is not None and place.kind == "province" and place.province == province


@pytest.mark.parametrize("text, province, city", [
    ("杭州", "330000", "330100"), ("杭州市", "330000", "330100"), ("Hangzhou", "330000", "330100"),
    ("330100", "330000", "330100"), ("浙江杭州", "330000", "330100"), ("浙江省杭州市余杭区", "330000", "330100"),
    ("330110", "330000", "330100"),  # a district code keeps its city
    ("苏州市", "320000", "320500"), ("恩施", "420000", "422800"), ("Harbin", "230000", "230100"),
])
def test_city_forms_give_province_and_city(text, province, city):
    place = resolve_place(text)
    assert (place.province, place.city) == (province, city)


@pytest.mark.parametrize("text, region", [
    ("长三角", "R01"), ("长江三角洲", "R01"), ("Yangtze River Delta", "R01"), ("京津冀", "R02"),
    ("粤港澳大湾区", "R03"), ("Greater Bay Area", "R03"), ("成渝", "R04"), ("沿沪宁", "R05"),
])
def test_named_regions(text, region):
    place = resolve_place(text)
    assert place.kind == "region" and place.region == region and place.province == ""


@pytest.mark.parametrize("text", ["全国", "National", "nationwide", "全国（央企）"])
def test_national(text):
    assert resolve_place(text).kind == "national"


def test_bracketed_annotation_keeps_place_and_notes_the_rest():
    for text in ("上海市(跨省:沿沪宁)", "上海市（跨省：沿沪宁）", "上海市【跨省:沿沪宁】"):
        place = resolve_place(text)
        assert place.province == "310000"
        assert place.note == "跨省:沿沪宁"
        assert place.region == "R05"  # the annotation names a region: noted for scope


def test_split_annotation_full_width():
    assert split_annotation("杭州（筹）") == ("杭州", "筹")
    assert split_annotation("浙江") == ("浙江", "")


@pytest.mark.parametrize("text", ["火星省", "Atlantis", "", "123456", "   "])
def test_unknown_places(text):
    assert resolve_place(text) is None


def test_city_prefers_the_given_province():
    assert resolve_city("朝阳", "210000") == ("211300", "")
    assert resolve_city("苏州（工业园区）", "320000") == ("320500", "工业园区")


@pytest.mark.parametrize("text, code", [
    ("新材料产业", "S3"), ("新材料", "S3"), ("New materials", "S3"), ("S3", "S3"), ("s3", "S3"),
    ("新能源汽车产业", "S5"),  # longest alias first: not S6 新能源
    ("新能源产业", "S6"), ("Biotechnology", "S4"), ("高端装备", "S2"), ("生物医药与医疗器械", "S4"),
    ("Energy saving and environmental protection", "S7"), ("Digital creative", "S8"), ("相关服务业", "S9"),
    ("电子化学品", "S3"), ("中医药", "S4"),
])
def test_sectors(text, code):
    assert match_term("sector", text) == code


def test_unknown_sector_is_empty():
    assert match_term("sector", "宇宙航行学") == ""


@pytest.mark.parametrize("text, codes", [
    ("光刻机", ["T01"]), ("EUV lithography", ["T01"]), ("光刻胶", ["T21"]),  # not T01
    ("车规级芯片", ["T02"]), ("MCU、SoC", ["T02"]), ("集成电路", ["T02"]), ("射频芯片", ["T07"]),
    ("航空发动机短舱", ["T04"]),  # not also T36
    ("航空发动机", ["T36"]), ("CAD/CAE/EDA", ["T13"]), ("BIM", ["T13"]), ("航空设计软件", ["T20"]),
    ("CT球管", ["T30"]), ("MRI超导磁体", ["T30"]), ("超声探头", ["T30"]),
    ("盾构机主轴承", ["T24"]), ("轴承钢", ["T18"]), ("T05", ["T05"]), ("t05", ["T05"]),
    ("燃料电池关键材料|锂电池隔膜", ["T27", "T29"]),
    (["ITO靶材", "环氧树脂"], ["T14", "T32"]),
    ("芯片与操作系统", ["T02", "T03"]),  # several per item
])
def test_technologies(text, codes):
    found, unmapped = match_technologies(text)
    assert found == codes and unmapped == []


def test_ascii_aliases_match_whole_words_only():
    # 'electric' contains 'ic', 'comfort' contains 'cmp'? no — but 'scanner' must not be 'CT'
    found, unmapped = match_technologies("electric scooters")
    assert found == [] and unmapped == ["electric scooters"]


def test_unmapped_technology_text_is_reported():
    found, unmapped = match_technologies("光刻机；量子引力")
    assert found == ["T01"] and unmapped == ["量子引力"]


@pytest.mark.parametrize("text, code", [
    ("央企", "central_soe"), ("Central SOE", "central_soe"), ("地方国企", "local_soe"), ("Local SOE", "local_soe"),
    ("民营企业", "private"), ("Private enterprise", "private"), ("高校", "university"), ("University", "university"),
    ("科研院所", "institute"), ("Research institute", "institute"), ("联合牵头", "joint"),
])
def test_lead_types(text, code):
    assert match_term("lead_type", text) == code


def test_levels_and_models():
    assert match_term("level", "国家级") == "national"
    assert match_term("level", "市级") == "municipal"
    assert match_term("operating_model", "实体化公司") == "entity_company"
    assert match_term("operating_model", "核心层+紧密合作层+一般协作层") == "tiered"


def test_members_chinese_list_with_mixed_separators():
    members, unresolved = parse_members("成员单位1（广东省）；成员单位2(陕西)、某大学 (Zhejiang)| 研究院（火星）")
    assert [(m.name, m.province) for m in members] == [
        ("成员单位1", "440000"), ("成员单位2", "610000"), ("某大学", "330000"), ("研究院", "")]
    assert unresolved == ["研究院(火星)"]  # as written, width-normalised


def test_members_json_array():
    members, unresolved = parse_members([{"name": "甲", "province": "北京市"}, {"name": "乙", "province": "Hubei"}])
    assert [(m.name, m.province) for m in members] == [("甲", "110000"), ("乙", "420000")]
    assert unresolved == []


def test_member_at_national_level_has_no_province_and_no_warning():
    members, unresolved = parse_members("中国石油（全国）")
    assert members[0].province == "" and unresolved == []


@pytest.mark.parametrize("value, year", [
    ("2021", 2021), (2021.0, 2021), ("2021年", 2021), ("2021-05", 2021), ("待定", None), ("1850", None),
    ("", None), (None, None), ("2999", None),
])
def test_years(value, year):
    import datetime as dt
    assert parse_year(value, today=dt.date(2026, 11, 27)) == year


def test_year_next_year_allowed():
    import datetime as dt
    assert parse_year("2027", today=dt.date(2026, 11, 27)) == 2027


def test_split_list_separators():
    assert split_list("a、b;c；d,e，f|g/h") == list("abcdefgh")
    assert split_list(["a", "", " b "]) == ["a", "b"]


def test_clean():
    assert clean(float("nan")) == "" and clean(2021.0) == "2021" and clean("（Ａ）") == "(A)"


def test_members_with_brackets_in_the_name_and_spaces():
    members, _ = parse_members(" 中科院（上海）微系统所 （上海） ; 甲(乙)丙 ;；  丁公司【Jiangsu】 ")
    assert [(m.name, m.province, m.raw) for m in members] == [
        ("中科院(上海)微系统所", "310000", "中科院(上海)微系统所 (上海)"), ("甲(乙)丙", "", "甲(乙)丙"),
        ("丁公司", "320000", "丁公司【Jiangsu】")]


def _members_one_item_at_a_time(text: str) -> list[tuple[str, str]]:
    """The reading parse_members must agree with: split on the separators, then each item alone."""
    import re
    out = []
    for part in re.split(r"[;；、|\n]+", clean(text)):
        part = part.strip()
        if part:
            m = re.match(r"^(.*?)[\(\[【]([^\)\]】]*)[\)\]】]\s*$", part)
            name = m.group(1).strip() if m else part
            out.append((name or part, part))
    return out


@given(st.text(alphabet="AB 甲(（)）[]【】;；、|\n\t\u3000", max_size=16))
def test_members_agree_with_reading_each_item_alone(text):
    members, _ = parse_members(text)
    assert [(m.name, m.raw) for m in members] == _members_one_item_at_a_time(text)


# Pieces of member cells: names, places known and unknown, brackets, separators and blanks.
MEMBER_PIECES = st.lists(st.sampled_from(["甲公司", "B Co", "乙", "浙江", "Hubei", "火星", "全国", "440000", "(", ")",
                                          "[", "]", "【", "】", ";", "、", "|", "\n", " ", "\t", "\r", "\u3000"]),
                         max_size=14).map("".join)


@given(MEMBER_PIECES)
def test_one_pass_member_reading_agrees_with_reading_part_by_part(text):
    text = clean(text)
    places: dict = {}
    assert members_from_text(text, places=places) == _members_by_parts(text, None)
    assert members_from_text(text, places=places) == _members_by_parts(text, None)  # again, from the cache


# Cells without blanks, the commonest shape, which _unspaced_members reads without the regex when it can.
UNSPACED_PIECES = st.lists(st.sampled_from(["甲公司", "B", "乙", "浙江", "火星", "440000", "(", ")", ";"]),
                           max_size=14).map("".join)


@given(UNSPACED_PIECES)
def test_unspaced_member_reading_agrees_with_reading_part_by_part(text):
    places: dict = {}
    assert members_from_text(text, places=places) == _members_by_parts(text, None)
    found = _unspaced_members(text, None, {})
    if found is not None:  # read without the regex: the same members and unresolved places
        assert found == _members_by_parts(text, None)


def test_unspaced_member_reading_of_plain_and_other_cells():
    members, unresolved = _unspaced_members("甲公司(浙江);;B(440000);乙(火星);丙;丁();", None, {})
    assert [tuple(m) for m in members] == [("甲公司", "330000", "甲公司(浙江)"), ("B", "440000", "B(440000)"),
                                           ("乙", "", "乙(火星)"), ("丙", "", "丙"), ("丁", "", "丁()")]
    assert all(type(m) is Member for m in members) and unresolved == ["乙(火星)"]
    # Items of another shape are left to the regex reading, which gives what reading part by part gives.
    for cell in ("甲(浙江)(上海)", "(浙江)", "甲)乙", "甲(浙江", "甲(浙江)乙", "甲(浙)江)", "甲)(浙江)"):
        assert _unspaced_members(cell, None, {}) is None
        assert members_from_text(cell) == _members_by_parts(cell, None)


def test_one_pass_member_reading_of_a_plain_cell():
    members, unresolved = members_from_text("甲公司 (浙江);B Co(Hubei)、乙(火星)| 丙 ;丁()")
    assert [tuple(m) for m in members] == [("甲公司", "330000", "甲公司 (浙江)"), ("B Co", "420000", "B Co(Hubei)"),
                                           ("乙", "", "乙(火星)"), ("丙", "", "丙"), ("丁", "", "丁()")]
    assert unresolved == ["乙(火星)"]


@given(st.lists(st.one_of(st.none(), st.text(alphabet=" \u3000（）；：！？［］｜ＡＢａ甲,;=\u0338\u0301ﬁ\t"),
                          st.integers(), st.floats(),
                          st.lists(st.text(max_size=3), max_size=2))))
def test_clean_texts_is_clean_of_each_value(values):
    expected = [v if isinstance(v, list) else clean(v) for v in values]
    assert clean_texts(values) == expected


def test_clean_texts_one_pass_over_a_text_column():
    assert clean_texts(["  （Ａ） ", "浙江省", "", "\u3000b\t"]) == ["(A)", "浙江省", "", "b"]
    assert clean_texts([]) == [] and clean_texts(["a\x00b"]) == ["a\x00b"]


@given(st.lists(st.text(alphabet="AΣσİßa_ -·（）甲\u0301\x00.", max_size=6), max_size=6))
def test_name_keys_is_name_key_of_each_name(names):
    assert name_keys(names) == [name_key(n) for n in names]


def test_name_keys_by_hand():
    assert name_keys(["ΟΔΟΣ Co.", "甲_乙 (丙)", ""]) == ["οδο\u03c2co", "甲乙丙", ""]  # a final ς


def test_a_biochip_is_no_semiconductor_chip():
    # data/reference/technologies.csv: T02's `unless` words, read within the same item
    assert match_technologies("基因芯片；车规级芯片") == (["T02"], ["基因芯片"])
    assert match_technologies("“华羊芯”芯片开发；基因组育种") == ([], ["“华羊芯”芯片开发", "基因组育种"])
    assert match_technologies("Genotyping chip") == ([], ["Genotyping chip"])


def test_chain_components_ignore_what_their_technology_ignores():
    import pandas as pd

    from analytics.chains import component_tags, load_chains

    consortia = pd.DataFrame({"id": [1, 2], "name": ["某肉羊联合体", "某芯片联合体"], "sector_raw": ["", ""],
                              "technologies_raw": ["“华羊芯”芯片开发", "存储芯片"]})
    tags = component_tags(consortia, pd.DataFrame(columns=["consortium_id", "technology"]),
                          load_chains()["integrated_circuits"])
    assert tags.values.tolist() == [[2, "C02"]]  # the sheep breeding chip is not a chip for the IC chain
