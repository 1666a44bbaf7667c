"""A generator of messy consortium lists with known answers, so the suite needs nothing outside the repository.

`write_messy_lists(folder)` writes four lists in the forms they really arrive in
(the same forms as shared/samples/messy-lists, the contract's example) and an
`expected.json` with the answers `python -m etl summary --json` must give:

- `zj_list.xlsx`: a title row and a blank row above Chinese headers, short
  province names, technologies separated by 、, members as `单位（省份）`;
- `national_gbk.csv`: GBK, Chinese headers, full province names or GB/T codes;
  an unknown province and an empty name (both rejected), a year of 待定 (a warning);
- `english.csv`: UTF-8 with BOM, English headers and names, technologies
  separated by |; seven rows repeat consortia of the Excel file (duplicates),
  one unknown province (rejected), one year 1850 (kept, a warning);
- `records.json`: a list of objects, members as {name, province}.

The answers are counted here from the generator's own records, never by the ETL.
"""
from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

import config

FILES = ["zj_list.xlsx", "national_gbk.csv", "english.csv", "records.json"]

# Consortia led from each province. 黑龙江 leads alone at the top so views sorted
# by count have a known first row; the rest are small and uneven on purpose.
LEAD_COUNTS = {
    "230000": 6, "420000": 4, "500000": 4, "130000": 4, "340000": 3, "810000": 3,
    "110000": 2, "370000": 2, "510000": 2, "540000": 2, "610000": 2,
    "140000": 1, "210000": 1, "310000": 1, "320000": 1, "330000": 1, "350000": 1, "530000": 1,
    "630000": 1,
}
LEAD_TYPES = [("central_soe", "央企", "Central SOE"), ("local_soe", "地方国企", "Local SOE"),
              ("private", "民营企业", "Private enterprise"), ("university", "高校", "University"),
              ("research_institute", "科研院所", "Research institute")]
# Technologies every generated set uses at least once (the browser tests type their labels).
ALWAYS = ["T27", "T30", "T05"]


@dataclass
class Consortium:
    name: str
    lead_org: str
    province: str
    sector: str
    technologies: list[str]
    members: list[str] = field(default_factory=list)  # member provinces, lead's own included
    year: int | None = None
    lead_type: str = ""


def _reference():
    read = lambda name: list(csv.DictReader(open(config.REFERENCE_DIR / name, encoding="utf-8")))  # noqa: E731
    provinces = {r["code"]: r for r in read("provinces.csv")}
    sectors = {r["code"]: r for r in read("sectors.csv") if r["code"] != "S0"}
    technologies = {r["code"]: r for r in read("technologies.csv")}
    return provinces, sectors, technologies


def generate(seed: int = 2024) -> list[Consortium]:
    """The ground truth: one Consortium per real consortium, in a fixed order."""
    rng = random.Random(seed)
    provinces, sectors, technologies = _reference()
    codes = sorted(provinces)
    tech_codes = [c for c in technologies if c <= "T36"]
    leads = [p for p, n in LEAD_COUNTS.items() for _ in range(n)]
    rng.shuffle(leads)
    out = []
    for i, province in enumerate(leads, start=1):
        sector = rng.choice(sorted(sectors))
        techs = sorted(rng.sample(tech_codes, rng.choice([0, 1, 1, 2, 3])))
        if i <= len(ALWAYS):
            techs = sorted(set(techs) | {ALWAYS[i - 1]})
        others = rng.sample([c for c in codes if c != province], rng.choice([0, 0, 1, 2, 3]))
        members = [province] + others
        year = rng.randint(2019, 2025)
        lead_type = LEAD_TYPES[i % len(LEAD_TYPES)][0]
        short = provinces[province]["name"]
        out.append(Consortium(f"{short}{sectors[sector]['name'][:4]}创新联合体第{i:02d}号",
                              f"测试牵头单位{i:04d}有限公司", province, sector, techs, members, year, lead_type))
    return out


def _member_text(provinces, members, english: bool) -> str:
    if english:
        return "; ".join(f"Member {k} ({provinces[p]['name_en']})" for k, p in enumerate(members, 1))
    return "；".join(f"成员单位{k}（{provinces[p]['name']}）" for k, p in enumerate(members, 1))


def write_messy_lists(folder: Path, seed: int = 2024) -> dict:
    """Write the four lists and expected.json into folder; return the expected answers."""
    folder.mkdir(parents=True, exist_ok=True)
    provinces, sectors, technologies = _reference()
    truth = generate(seed)
    lead_label = {code: (zh, en) for code, zh, en in LEAD_TYPES}
    xlsx, gbk, english, records = truth[:14], truth[14:26], truth[26:34], truth[34:]

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["浙江省级创新联合体名单（测试）"])
    ws.append([])
    ws.append(["联合体名称", "牵头单位", "所在地区", "产业领域", "技术方向", "成员单位", "成立年份", "单位性质"])
    for c in xlsx:
        ws.append([c.name, c.lead_org, provinces[c.province]["short_name"], sectors[c.sector]["name"],
                   "、".join(technologies[t]["name"] for t in c.technologies),
                   _member_text(provinces, c.members, False), c.year, lead_label[c.lead_type][0]])
    wb.save(folder / "zj_list.xlsx")

    rows = [["联合体名称", "牵头单位", "所在省份", "所属领域", "攻关技术", "成员单位", "组建年份", "牵头单位类型"]]
    for k, c in enumerate(gbk):
        place = c.province if k % 2 else provinces[c.province]["name"]  # GB/T code or full name
        rows.append([c.name, c.lead_org, place, sectors[c.sector]["name"],
                     "；".join(technologies[t]["name"] for t in c.technologies),
                     _member_text(provinces, c.members, False), c.year, lead_label[c.lead_type][0]])
    undated = gbk[-1]
    rows[-1][6] = "待定"  # kept, year empty, a warning
    rows.append(["火星深空探测创新联合体", "某公司", "火星省", "高端装备制造产业", "", "", "2022", "民营企业"])
    rows.append(["", "无名公司", "浙江", "新材料产业", "", "", "2021", "民营企业"])
    with open(folder / "national_gbk.csv", "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)

    rows = [["name", "lead_org", "province", "sector", "technologies", "members", "year", "lead_type"]]
    for c in english + xlsx[:7]:  # the last seven repeat consortia of the Excel file
        rows.append([c.name, c.lead_org, provinces[c.province]["name_en"], sectors[c.sector]["name_en"],
                     "|".join(technologies[t]["name"] if k % 2 else t for k, t in enumerate(c.technologies)),
                     _member_text(provinces, c.members, True), c.year, lead_label[c.lead_type][1]])
    rows.insert(4, ["Atlantis Consortium", "Nobody Ltd", "Atlantis", "New materials", "", "", "2023",
                    "Private enterprise"])
    dated_1850 = english[-1]
    rows[len(english) + 1][6] = "1850"  # kept, year empty, a warning
    with open(folder / "english.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)

    objects = [{"name": c.name, "lead_org": c.lead_org, "province": provinces[c.province]["name"],
                "sector": sectors[c.sector]["name"], "technologies": [technologies[t]["name"] for t in c.technologies],
                "members": [{"name": f"成员单位{k}", "province": provinces[p]["name"]}
                            for k, p in enumerate(c.members, 1)],
                "year": c.year, "lead_type": lead_label[c.lead_type][0]} for c in records]
    (folder / "records.json").write_text(json.dumps(objects, ensure_ascii=False, indent=1), encoding="utf-8")

    for c in (undated, dated_1850):
        c.year = None
    expected = expected_answers(truth, sorted(provinces), sorted(technologies))
    expected.update(rejected=3, warned_at_least=2, duplicates=7,
                    accepted_by_file={"zj_list.xlsx": len(xlsx), "national_gbk.csv": len(gbk),
                                      "english.csv": len(english) + 7, "records.json": len(records)})
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    return expected


def expected_answers(truth: list[Consortium], province_codes: list[str], tech_codes: list[str]) -> dict:
    """Counts straight from the ground truth, in the summary's shape."""
    by_province = {code: 0 for code in province_codes}
    by_province.update(Counter(c.province for c in truth))
    by_technology = {code: 0 for code in tech_codes if code <= "T36"}
    by_technology.update(Counter(t for c in truth for t in c.technologies))
    return {
        "total": len(truth),
        "by_province": by_province,
        "by_sector": dict(sorted(Counter(c.sector for c in truth).items())),
        "by_technology": by_technology,
        "cross_regional": sum(1 for c in truth if len(set(c.members) | {c.province}) >= 2),
        "by_province_sector": dict(sorted(Counter(f"{c.province}|{c.sector}" for c in truth).items())),
        "years": dict(sorted(Counter(c.year for c in truth if c.year).items())),
        "lead_types": dict(sorted(Counter(c.lead_type for c in truth).items())),
    }
