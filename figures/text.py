"""Labels and number formats in Chinese and English: the one place that formats.

Every string the product shows comes through ``t`` and every number through
``fmt_int`` / ``fmt_pct`` / ``fmt_float``, so both languages stay in step.
"""
from __future__ import annotations

import datetime as dt

LANGS = ("zh", "en")

TEXT = {
    "app_title": ("创新联合体布局图谱", "Consortium Atlas"),
    "app_subtitle": ("全国创新联合体的区域分布、领域覆盖、集聚与空白",
                     "Where China's innovation consortia are, what they cover, where they cluster and where the gaps are"),
    "consortia": ("联合体数量", "Consortia"),
    "count": ("数量", "Count"),
    "per_capita": ("每千万人口", "Per 10 million people"),
    "lq": ("区位熵", "Location quotient"),
    "province": ("省份", "Province"),
    "sector": ("领域", "Sector"),
    "technology": ("卡脖子技术", "Bottleneck technology"),
    "region": ("区域", "Region"),
    "lead_type": ("牵头类型", "Lead type"),
    "level": ("级别", "Level"),
    "scope": ("范围", "Scope"),
    "year": ("组建年份", "Year formed"),
    "all": ("全部", "All"),
    "reset": ("重置筛选", "Reset filters"),
    "kpi_total": ("联合体总数", "Consortia"),
    "kpi_provinces": ("覆盖省份", "Provinces covered"),
    "kpi_uncovered": ("未覆盖卡脖子技术", "Uncovered bottleneck technologies"),
    "south_china_sea": ("南海诸岛", "South China Sea Islands"),
    "national": ("全国性", "National"),
    "cross_regional": ("跨区域", "Cross-regional"),
    "provincial": ("省级", "Provincial"),
    "municipal": ("市级", "Municipal"),
    "regional": ("区域性（长三角等）", "Regional (YRD etc.)"),
    "synthetic": ("演示数据（合成）", "Demo data (synthetic)"),
    "snapshot": ("数据快照", "Snapshot"),
    "published": ("发布于", "published"),
    "source": ("数据来源", "Source"),
    "uncovered": ("无联合体", "none"),
    "thin": ("仅1–2个", "only 1–2"),
    "covered": ("已覆盖", "covered"),
    "hh": ("高-高集聚", "High-High"),
    "ll": ("低-低集聚", "Low-Low"),
    "hl": ("高-低异常", "High-Low"),
    "lh": ("低-高异常", "Low-High"),
    "ns": ("不显著", "Not significant"),
    "lead": ("牵头省份", "Lead province"),
    "grade": ("来源等级", "Source grade"),
    "grade_A": ("政府或官方媒体原文", "government or state media, original"),
    "grade_B": ("忠实转载或机构官网", "faithful repost or organisation's site"),
    "grade_C": ("聚合或来源不明", "aggregator or unclear origin"),
    "publisher": ("发布者", "Publisher"),
    "inferred": ("推断", "inferred"),
    "list_none_found": ("未找到该省名录", "no list found for this province"),
    "list_partial": ("该省名录不完整", "this province's list is partial"),
    "list_complete": ("名录完整", "complete list"),
    "member": ("成员省份", "Member province"),
}


def t(key: str, lang: str = "zh") -> str:
    """The label ``key`` in ``lang`` (zh or en); unknown keys come back as themselves."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def fmt_int(n, lang: str = "zh") -> str:
    """12,345 in both languages; Chinese readers are used to thousands separators in reports."""
    return f"{int(round(n)):,}"


def fmt_float(x, digits: int = 2, lang: str = "zh") -> str:
    return f"{x:,.{digits}f}"


def fmt_pct(share, digits: int = 0, lang: str = "zh") -> str:
    """0.624 -> '62%'."""
    return f"{share * 100:.{digits}f}%"


def fmt_datetime(value: dt.datetime, lang: str = "zh") -> str:
    """2026年11月27日 13:45 (Beijing time) / 27 Nov 2026 13:45 CST."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(dt.timezone(dt.timedelta(hours=8)))
    if lang == "en":
        return local.strftime("%d %b %Y %H:%M") + " (UTC+8)"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"


def fmt_source_date(value: str, lang: str = "zh") -> str:
    """'2026-01-08' -> 2026年1月8日 / 8 Jan 2026; '2026-01' -> 2026年1月 / Jan 2026."""
    parts = [int(p) for p in str(value).split("-") if p.isdigit()]
    if not parts:
        return str(value)
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    if lang == "en":
        words = [str(parts[0])]
        if len(parts) > 1:
            words.insert(0, months[parts[1] - 1])
        if len(parts) > 2:
            words.insert(0, str(parts[2]))
        return " ".join(words)
    return f"{parts[0]}年" + "".join(f"{p}{u}" for p, u in zip(parts[1:], ("月", "日")))


def public_note(count: int, as_of: str, lang: str = "zh") -> str:
    """公开名录 · N 个联合体 · 来源截至 DATE, the note on every view of the public baseline."""
    if lang == "en":
        return (f"Public list · {fmt_int(count, lang)} consortia"
                + (f" · sources up to {fmt_source_date(as_of, lang)}" if as_of else ""))
    return f"公开名录 · {fmt_int(count, lang)} 个联合体" + (f" · 来源截至 {fmt_source_date(as_of, lang)}" if as_of else "")


# The ETL states its reasons in English (the CLI's and the stored report's language); the Chinese page
# shows them in Chinese. A reason no pattern knows is shown as it is.
FIELD_NAMES = {"name": "名称", "province": "省份", "city": "城市", "sector": "领域", "technologies": "攻关技术",
               "members": "成员单位", "year": "年份", "lead_org": "牵头单位", "lead_type": "牵头类型", "level": "级别",
               "operating_model": "运行模式", "source": "来源", "source_url": "来源链接", "publisher": "发布者",
               "published": "来源日期", "grade": "来源等级", "inferred": "推断字段", "scope": "范围",
               "region": "区域", "place_note": "地点备注", "technologies_raw": "技术（原文）", "sector_raw": "领域（原文）"}
_REASONS = [
    (r"name is empty", "名称为空"),
    (r"name is ([\d,]+) characters long; a consortium name has at most (\d+)", r"名称长达 \1 个字符；联合体名称最多 \2 个"),
    (r"province (.+) is not a known province, city, region or 全国", r"省份 \1 不是已知的省份、城市、区域或“全国”"),
    (r"city (.+) is not a known prefecture-level city", r"城市 \1 不是已知的地级市"),
    (r"no province, city or region given", "未给出省份、城市或区域"),
    (r"unknown city; left empty", "未知城市；留空"),
    (r"city lies in another province; left empty", "城市位于另一省份；留空"),
    (r"sector is empty; counted under S0", "领域为空；计入“其他”"),
    (r"year is not a year between 1949 and next year; left empty", "年份不在 1949 年至明年之间；留空"),
    (r"unknown lead type; left empty", "未知牵头类型；留空"),
    (r"unknown level; left empty", "未知级别；留空"),
    (r"unknown operating model; left empty", "未知运行模式；留空"),
    (r"member's province not recognised; kept without province", "成员单位的省份无法识别；保留该单位，不计省份"),
    (r"grade is not A, B or C; left empty", "来源等级不是 A、B 或 C；留空"),
]


def reason_text(reason: str, lang: str) -> str:
    """A rejection's or warning's reason in the page's language."""
    if lang != "zh" or not reason:
        return reason
    import re

    for pattern, zh in _REASONS:
        if re.fullmatch(pattern, reason):
            return re.sub(pattern, zh, reason)
    return reason


def field_text(field: str, lang: str) -> str:
    """A record field's name as the page says it (lead_org is 牵头单位)."""
    return FIELD_NAMES.get(field, field) if lang == "zh" else field.replace("_", " ")


SNAPSHOT_KINDS = {"public": ("公开名录", "public list"), "demo": ("演示数据", "demo"), "ingest": ("导入", "ingest"),
                  "refresh": ("定时刷新", "refresh"), "rebuild": ("重建", "rebuild"), "steward": ("管理员发布", "steward"),
                  "staged": ("暂存", "staged")}
REFRESH_STATUS = {"published": ("已发布", "published"), "failed": ("失败", "failed"),
                  "unchanged": ("来源未变", "unchanged"), "busy": ("另一刷新进行中", "busy")}


def kind_text(kind: str, lang: str) -> str:
    """How a snapshot came to be (public, demo, ingest …), as the page says it."""
    return SNAPSHOT_KINDS.get(kind, (kind, kind))[lang != "zh"]


def refresh_status_text(status: str, lang: str) -> str:
    """A refresh run's outcome (published, failed, unchanged, busy), as the page says it."""
    return REFRESH_STATUS.get(status, (status, status))[lang != "zh"]


# A scope says where a consortium reaches, not who recognised it: "provincial" scope (one province) is not the
# 省级 level (a province's list), and a 国家级 consortium of one province is of that scope. Named apart.
_SCOPES = {"provincial": ("单省", "Within one province"),
           "municipal": ("单省（市级名录）", "Within one province (a city's list)")}


def scope_text(scope: str, lang: str) -> str:
    """A scope as the page says it: 全国性, 跨区域, 单省, 单省（市级名录）."""
    return _SCOPES[scope][lang != "zh"] if scope in _SCOPES else t(scope, lang)


def n_consortia(n: int, lang: str) -> str:
    """'3 个联合体', '1 consortium', '3 consortia'."""
    return f"{fmt_int(n)} 个联合体" if lang == "zh" else f"{fmt_int(n)} consorti{'um' if n == 1 else 'a'}"


def sentence(text: str) -> str:
    """A clause written to follow '; ' made to start a sentence: its first letter capitalised."""
    return text[:1].upper() + text[1:]


def two_lines(label: str, width: int = 20) -> str:
    """A column label in at most two lines of about ``width`` characters, broken between words (English)
    or anywhere (Chinese); only what is left beyond the second line is cut, with an ellipsis."""
    if len(label) <= width:
        return label
    cut = label.rfind(" ", 0, width + 1)
    first, rest = (label[:cut], label[cut + 1:]) if cut > 0 else (label[:width], label[width:])
    second = width + 4  # a little longer than the first, which the code starts
    return first + "<br>" + (rest if len(rest) <= second else rest[:second - 1] + "…")


def policy_title(doc: dict, lang: str) -> str:
    """A policy document's title as a page in ``lang`` names it: in English, the project's translation
    (data/reference/policy_provinces.csv) followed by the original in its 《》, which stays the citation."""
    return f"{doc['title_en']} {doc['title']}" if lang == "en" and doc.get("title_en") else doc["title"]


def policy_issuer(doc: dict, lang: str) -> str:
    return doc["issuer_en"] if lang == "en" and doc.get("issuer_en") else doc["issuer"]
