"""Profiles, ranks with ties, partners, comparison, diffs and chain tagging on hand-made frames."""
import pandas as pd
import pytest

from analytics.chains import chain_coverage, component_tags, load_chains
from analytics.planner import (MAX_COMPARE, UnknownProvince, compare, diff_snapshots, peers, province_profile,
                               rank_of)
from etl.reference import load_reference

REF = load_reference()
ZJ, JS, AH, JX, SH = "330000", "320000", "340000", "360000", "310000"


def consortia(rows):
    """rows: (id, name, province, sector, year, lead_org); place_kind and name_key as the store keeps them."""
    frame = pd.DataFrame(rows, columns=["id", "name", "province", "sector", "year", "lead_org"])
    frame["name_key"] = frame["name"]
    frame["place_kind"] = ["province" if p else "national" for p in frame["province"]]
    frame["province"] = frame["province"].where(frame["province"] != "", None)
    frame["region"] = None
    for col in ("lead_type", "city", "level", "operating_model", "scope", "source_url", "grade", "sector_raw",
                "technologies_raw"):
        frame[col] = None
    return frame.set_index("id", drop=False).rename_axis(None)


def tags(pairs):
    return pd.DataFrame(pairs, columns=["consortium_id", "technology"])


def members(rows):
    return pd.DataFrame(rows, columns=["consortium_id", "name", "province"])


# 浙江 leads 3 (two on T02, one on S3), 江苏 leads 3, 安徽 1, 江西 1; one national consortium.
C = consortia([
    (1, "甲", ZJ, "S1", 2021, "浙江甲公司"),
    (2, "乙", ZJ, "S1", 2022, "浙江乙公司"),
    (3, "丙", ZJ, "S3", None, "浙江丙公司"),
    (4, "丁", JS, "S1", 2022, "江苏丁公司"),
    (5, "戊", JS, "S2", 2023, "江苏戊公司；南京大学"),
    (6, "己", JS, "S2", 2023, "江苏己公司"),
    (7, "庚", AH, "S4", 2020, "安徽庚公司"),
    (8, "辛", "", "S2", 2024, "中国石油"),
    (9, "壬", JX, "S3", 2021, "江西壬公司"),
])
T = tags([(1, "T02"), (2, "T02"), (4, "T01"), (5, "T01"), (6, "T36"), (7, "T01"), (8, "T36"), (9, "T21")])
M = members([(1, "上海某所", SH), (1, "江苏某校", JS), (4, "浙江某厂", ZJ), (5, "安徽某院", AH), (7, "浙江某厂", ZJ)])


def test_rank_with_ties_is_a_competition_rank():
    counts = {"a": 3, "b": 3, "c": 1, "d": 0}
    assert [rank_of(counts, c) for c in "abcd"] == [1, 1, 3, 4]


def test_profile_by_hand():
    p = province_profile(C, T, M, ZJ, REF)
    assert (p["province"], p["total"], p["rank"], p["of"]) == (ZJ, 3, 1, 34)  # 浙江 and 江苏 tie at 3
    assert p["share"] == pytest.approx(3 / 8)  # 8 consortia are led from a province; the national one is not
    assert {s: n for s, n in p["by_sector"].items() if n} == {"S1": 2, "S3": 1}
    # LQ of S1: (2/3) / (3/8); of S3: (1/3) / (2/8)
    assert p["lq"]["S1"] == pytest.approx((2 / 3) / (3 / 8)) and p["lq"]["S3"] == pytest.approx((1 / 3) / (2 / 8))
    assert p["lq"]["S2"] == 0 and p["few"] is False
    assert p["covered"] == ["T02"] and p["thin"] == ["T02"] and "T01" in p["uncovered"]
    assert p["collaboration"] == {"out": {JS: 1, SH: 1}, "in": {AH: 1, JS: 1}}
    assert p["by_year"] == {2021: 1, 2022: 1} and p["undated"] == 1
    assert p["policy"] is True  # 浙江 issued consortium policies (the policy brief)
    assert sorted(p["consortia"]) == [1, 2, 3]


def test_policy_documents_come_from_the_reference_with_their_sources():
    # 浙江: the 2022 brief lists it, and the 2025 长三角 guideline (js.gov.cn) names it as a co-issuer.
    docs = province_profile(C, T, M, ZJ, REF)["policy_docs"]
    assert [(d["title"], d["year"], d["grade"]) for d in docs] == [("《长三角创新联合体建设工作指引（试行）》", "2025", "B")]
    assert docs[0]["url"].startswith("http://www.js.gov.cn/")
    assert "110000" in REF.policy_provinces and "460000" in REF.policy_provinces  # 北京 and 海南 from pages
    assert "370000" in REF.policy_provinces and REF.policies["370000"] == ()  # 山东: the brief alone
    assert "650000" not in REF.policy_provinces
    for code, found in REF.policies.items():  # every named document rests on a page with a grade
        assert code in REF.provinces
        for d in found:
            assert d.title.startswith("《") and d.url.startswith("http") and d.grade in ("A", "B", "C")
            assert set(filter(None, d.inferred.split(";"))) <= {"issuer", "year"}


def test_partners_rank_provinces_by_consortia_led_and_mark_existing_collaboration():
    p = province_profile(C, T, M, ZJ, REF)
    # T01: 江苏 leads 2, 安徽 1; 浙江 already works with both (江苏 in its consortium 1, 安徽's consortium 7).
    assert p["partners"]["T01"] == [
        {"province": JS, "consortia": 2, "group": "东部", "collaborates": True},
        {"province": AH, "consortia": 1, "group": "中部", "collaborates": True}]
    # T36: only the national consortium 8 and 江苏's 6; the national one has no province to suggest.
    assert [x["province"] for x in p["partners"]["T36"]] == [JS]
    assert p["partners"]["T21"] == [{"province": JX, "consortia": 1, "group": "中部", "collaborates": False}]
    assert p["partners"]["T05"] == []
    orgs = {o["name"]: o["consortia"] for o in p["partner_organisations"]["T01"]}
    assert orgs == {"江苏丁公司": 1, "江苏戊公司": 1, "南京大学": 1, "安徽某院": 1, "安徽庚公司": 1}


def test_profile_of_a_province_without_consortia_and_an_unknown_one():
    p = province_profile(C, T, M, "650000", REF)
    assert (p["total"], p["rank"], p["few"]) == (0, 5, True)  # four provinces lead at least one
    assert p["lq"]["S1"] is None
    with pytest.raises(UnknownProvince):
        province_profile(C, T, M, "999999", REF)


def test_compare_side_by_side_and_the_limit():
    result = compare(C, T, M, [JS, ZJ, JX], REF)
    assert list(result["table"]["province"]) == [JS, ZJ, JX]
    assert list(result["table"]["total"]) == [3, 3, 1] and list(result["table"]["rank"]) == [1, 1, 3]
    assert result["sectors"].loc[JS, "S2"] == 2 and bool(result["coverage"].loc[JX, "T21"])
    with pytest.raises(ValueError, match="at most 10"):
        compare(C, T, M, list(REF.province_codes[:MAX_COMPARE + 1]), REF)
    assert peers(JX, REF)[0] == JX and all(REF.provinces[c].region_group == "中部" for c in peers(JX, REF))


def test_diff_with_every_kind_of_change():
    before = consortia([(1, "甲", ZJ, "S1", 2021, "A"), (2, "乙", ZJ, "S1", 2022, "B"), (3, "丙", JS, "S3", 2020, "C"),
                        (4, "丁", JS, "S2", 2023, "D")])
    after = consortia([(1, "甲", ZJ, "S1", 2021, "A"),           # unchanged
                       (2, "乙", ZJ, "S2", 2022, "B"),           # sector changed
                       (3, "丙", JS, "S3", 2020, "C2"),          # lead and technologies changed
                       (5, "戊", AH, "S4", 2024, "E"),           # added (丁 removed)
                       (6, "甲", JS, "S1", 2021, "A")])          # same name, other province: another consortium
    tb, ta = tags([(1, "T02"), (3, "T01"), (4, "T36")]), tags([(1, "T02"), (3, "T21"), (5, "T05")])
    mb, ma = members([(1, "x", SH)]), members([(1, "x", SH), (2, "y", AH)])  # 乙 gains a member
    d = diff_snapshots(("A", before, tb, mb), ("B", after, ta, ma), REF)
    assert (d["from"], d["to"]) == ("A", "B")
    assert d["added"] == sorted(["甲", "戊"]) and d["removed"] == ["丁"]
    assert d["changed"] == [{"name": "丙", "fields": ["lead_org", "technologies"]},
                            {"name": "乙", "fields": ["sector", "members"]}]
    assert d["newly_covered"] == ["T05", "T21"] and d["newly_uncovered"] == ["T01", "T36"]
    assert d["by_province_delta"] == {AH: 1}  # 江苏: -丁 +甲 = 0
    # 安徽 stays third (behind the tied 浙江 and 江苏); every province without a consortium drops from 3rd to 4th.
    assert AH not in d["rank_moves"] and d["rank_moves"][JX] == {"from": 3, "to": 4}
    # the provinces table: 安徽 gained one (unranked with none, then third); 江西 and the other empty ones
    # have nothing to rank before or after, so they are not listed
    assert d["provinces"] == [{"code": AH, "delta": 1, "count_from": 0, "count_to": 1, "rank_from": None,
                               "rank_to": 3}]
    assert d["total"] == {"from": 4, "to": 5}
    assert d["top6"]["share_from"] == pytest.approx(1.0) and d["top6"]["share_to"] == pytest.approx(1.0)


def test_a_rank_that_moves_without_its_count_is_listed_among_the_provinces():
    from layouts.planner import create_changes

    before = consortia([(1, "甲", JS, "S1", 2021, ""), (2, "乙", JS, "S1", 2021, ""), (3, "丙", JX, "S1", 2021, ""),
                        (4, "丁", AH, "S1", 2021, "")])
    after = consortia([(1, "甲", JS, "S1", 2021, ""), (2, "乙", JS, "S1", 2021, ""), (3, "丙", JX, "S1", 2021, ""),
                       (4, "丁", AH, "S1", 2021, ""), (5, "戊", JX, "S1", 2022, ""), (6, "己", "", "S1", 2022, "")])
    d = diff_snapshots(("A", before, tags([]), members([])), ("B", after, tags([]), members([])), REF)
    rows = {p["code"]: p for p in d["provinces"]}
    assert rows[JX]["delta"] == 1 and (rows[JX]["rank_from"], rows[JX]["rank_to"]) == (2, 1)
    assert rows[AH]["delta"] == 0 and (rows[AH]["rank_from"], rows[AH]["rank_to"]) == (2, 3)  # moved by 江西
    assert JS not in rows  # first, then tied first: it held its rank and count
    assert rows["national"]["delta"] == 1 and rows["national"]["rank_to"] is None  # counted, never ranked
    text = _text(create_changes(d, [], REF, "zh", ""))
    assert "江西1 → 2（+1）2 → 1" in text and "安徽1 → 1（+0）2 → 3" in text


def test_diff_of_a_snapshot_with_itself_is_empty():
    d = diff_snapshots(("A", C, T, M), ("A", C, T, M), REF)
    assert (d["added"], d["removed"], d["changed"], d["by_province_delta"], d["rank_moves"]) == ([], [], [], {}, {})


def test_chains_have_the_components_the_issue_names():
    chains = load_chains()
    assert {"lithography", "aero_engine", "integrated_circuits", "machine_tools"} <= set(chains)
    assert all(len(chains[k].components) >= 8 for k in chains)
    litho = {c.name for c in chains["lithography"].components}
    assert {"光源", "投影物镜", "光刻胶", "掩模版"} <= litho
    aero = {c.code: c.sector for c in chains["aero_engine"].components}
    assert aero["A01"] == "T36" and aero["A04"] == "T04" and aero["A08"] == "T11"


def test_chain_tagging_from_alias_text_and_from_technology_codes():
    frame = consortia([(1, "某EUV光源创新联合体", ZJ, "S2", 2024, ""), (2, "某创新联合体", JS, "S3", 2024, ""),
                       (3, "某特种光源联合体", AH, "S1", 2024, "")])
    frame.loc[2, "technologies_raw"] = "双工件台；浸没系统"
    chain = load_chains()["lithography"]
    t = tags([(3, "T21")])  # a photoresist consortium counts for the photoresist component
    found = sorted(map(tuple, component_tags(frame, t, chain).values.tolist()))
    assert found == [(1, "L02"), (2, "L04"), (2, "L10"), (3, "L05")]  # "特种光源" alone is no lithography source
    coverage = {c["code"]: (c["consortia"], c["provinces"]) for c in chain_coverage(frame, t, chain)}
    assert coverage["L02"] == (1, [ZJ]) and coverage["L03"] == (0, [])


def test_chain_counts_say_which_are_tagged_with_the_t_code_and_which_have_no_province():
    from layouts.planner import _chain_count, _chain_leads

    # L05 光刻胶 (T21): 安徽's consortium is tagged T21; a national one only names photoresist
    frame = consortia([(3, "某材料联合体", AH, "S1", 2024, ""), (4, "某光刻胶创新联合体", "", "S3", 2024, "")])
    photoresist = next(c for c in chain_coverage(frame, tags([(3, "T21")]), load_chains()["lithography"])
                       if c["code"] == "L05")
    assert (photoresist["consortia"], photoresist["coded"], photoresist["unplaced"]) == (2, 1, 1)
    assert photoresist["provinces"] == [AH]
    assert _chain_count(photoresist, True, REF) == "2（其中 1 个标注为光刻胶）"  # the gap matrix counts the 1
    assert _chain_count(photoresist, False, REF) == "2 (1 tagged Photoresists)"
    assert _chain_leads(photoresist, REF, "zh") == "安徽、全国性或区域性 1"
    assert _chain_leads(photoresist, REF, "en") == "Anhui, national or regional: 1"
    light = {"technology": "", "consortia": 1, "coded": 0, "unplaced": 0, "provinces": []}
    assert _chain_count(light, False, REF) == "1" and _chain_leads(light, REF, "zh") == "—"


def _text(component) -> str:
    children = getattr(component, "children", component)
    if isinstance(children, (list, tuple)):
        return "".join(_text(c) for c in children)
    return "" if children is None else str(children)


def test_the_profile_names_the_policy_documents_and_never_says_none_was_issued():
    from layouts.planner import policy_line

    hainan = province_profile(C, T, M, "460000", REF)
    line = policy_line(hainan, "zh")
    # one title for two pages that name it, each page a link named by its site
    assert _text(line) == "组建政策：《海南省创新联合体建设实施方案》（海南省科学技术厅，2022） dost.hainan.gov.cn lifebb.we54.com"
    assert [a.href for a in line.children if getattr(a, "href", None)] == [d["url"] for d in hainan["policy_docs"]]
    assert "2022 policy brief" in _text(policy_line(province_profile(C, T, M, "370000", REF), "en"))
    # in English: the translated title with the original after it, and the issuer translated
    assert _text(policy_line(hainan, "en")).startswith(
        "Consortium policy: Implementation Plan for Building Innovation Consortia in Hainan Province "
        "《海南省创新联合体建设实施方案》 (Department of Science and Technology of Hainan Province, 2022) ")
    none = _text(policy_line(province_profile(C, T, M, "650000", REF), "zh"))
    assert "未见" in none and "不代表未出台" in none


def test_a_province_with_no_list_and_no_consortium_ranks_nowhere():
    from figures.planner import build_profile_page
    from layouts.ids import PROFILE_RANK
    from layouts.planner import create_profile

    hainan = province_profile(C, T, M, "460000", REF)  # leads none here, as its list was not found
    assert hainan["total"] == 0 and hainan["rank"] > 1  # the bare competition rank would say 20th or so

    def rank_shown(no_list):
        layout = create_profile(hainan, REF, "zh", {"sectors": {}, "years": {}, "peers": ["460000"], "organisations": {}}, [], "",
                                no_list=no_list)
        return next(c.children for c in _walk(layout) if getattr(c, "id", None) == PROFILE_RANK)

    assert rank_shown(True) == "—" and rank_shown(False) == str(hainan["rank"])
    page = build_profile_page(hainan, REF, "zh", "来源", no_list=True)
    assert any("排名不详" in (a.text or "") for a in page.layout.annotations)
    assert not any("全国第" in (a.text or "") for a in page.layout.annotations)


def _walk(node):
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from _walk(n)
    elif node is not None and hasattr(node, "children"):
        yield node
        yield from _walk(node.children)


def test_the_profile_export_names_policy_documents_undated_consortia_and_longer_partner_lists():
    from figures.planner import build_profile_page

    p = province_profile(C, T, M, ZJ, REF)
    p["partners"] = {"T01": [{"province": c, "consortia": 1} for c in (JS, AH, SH, "110000")]}
    text = " ".join(a.text for a in build_profile_page(p, REF, "zh", "来源").layout.annotations)
    assert "组建政策：《长三角创新联合体建设工作指引（试行）》" in text
    assert "另有 1 个未注明组建年份" in text  # 浙江's third consortium has no year
    assert "等 4 省" in text  # three named, and the list goes on
    english = " ".join(a.text for a in build_profile_page(p, REF, "en", "Source").layout.annotations)
    assert "and 1 more" in english and "1 without a year" in english
    assert ("Consortium policy: Guidelines for Building Innovation Consortia in the Yangtze River Delta (Trial) "
            "《长三角创新联合体建设工作指引（试行）》") in english


def test_partner_suggestions_name_national_consortia_and_each_units_province():
    from layouts.planner import create_profile

    c = pd.concat([C, consortia([(10, "癸", "", "S1", 2024, "中国电子")])])
    t = pd.concat([T, tags([(10, "T09")])])
    m = pd.concat([M, members([(10, "北京某所", "110000")])])
    p = province_profile(c, t, m, ZJ, REF)
    assert p["partners"]["T09"] == []  # no province leads one on T09
    figures = {"sectors": {}, "years": {}, "peers": [ZJ], "organisations": p["partner_organisations"]}
    text = _text(create_profile(p, REF, "zh", figures, [], ""))
    name = REF.term_label("technology", "T09", "zh")
    assert f"但有全国性或区域性联合体（如央企牵头）攻关：{name}（中国电子、北京某所（北京））" in text
    assert "尚无任何联合体攻关：" in text and name not in text.split("尚无任何联合体攻关：")[1]
    assert "江苏某校（江苏）" in text or "南京大学（江苏）" in text  # units named with their province


def test_partner_units_that_lead_come_before_those_that_only_take_part():
    m = pd.concat([M, members([(7, "北京某所", "110000")])])  # a member of 安徽's T01 consortium, from 北京
    orgs = [o["name"] for o in province_profile(C, T, m, SH, REF)["partner_organisations"]["T01"]]
    # 浙江某厂 takes part in two; then the four leads; then the members, though 北京 (110000) sorts first by code
    assert orgs == ["浙江某厂", "南京大学", "江苏丁公司", "江苏戊公司", "安徽庚公司", "北京某所", "安徽某院"]
