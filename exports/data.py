"""Filtered records as CSV (UTF-8 with BOM, for Excel) and XLSX, safe to open."""
from __future__ import annotations

import io

import pandas as pd

from analytics.sources import source_urls
from etl.reference import load_reference
from figures.text import scope_text, t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula ('=cmd|…', '+1', '@SUM') gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(neutralise) if col.dtype == object or str(col.dtype) == "str" else col)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM so Excel reads the Chinese text correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "consortia") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    return buf.getvalue()


def _text(value) -> str:
    """A stored text, '' for a missing value (None or NaN alike)."""
    return value if isinstance(value, str) else ""


def display_rows(frame, lang: str) -> list[dict]:
    """Records with codes turned into labels in ``lang``."""
    ref = load_reference()
    rows = []
    for r in frame.itertuples():
        inferred = [x.strip() for x in _text(getattr(r, "inferred", None)).split(";") if x.strip()]
        lead_type, operating_model = _text(r.lead_type), _text(r.operating_model)
        rows.append({
            "name": r.name, "lead_org": _text(r.lead_org),
            "lead_type": ref.term_label("lead_type", lead_type, lang) if lead_type else "",
            # a regional consortium by its region's name (长三角), which a list read back in recognises
            "province": ref.province_label(r.province, lang) if _text(r.province) else (
                (ref.regions[r.region].name if lang == "zh" else ref.regions[r.region].name_en)
                if _text(getattr(r, "region", None)) in ref.regions else
                t("national" if r.scope == "national" else "regional", lang)),
            "city": (ref.cities[r.city].short_name if lang == "zh" else ref.cities[r.city].name_en)
            if r.city in ref.cities else "",
            "sector": ref.term_label("sector", r.sector, lang),
            "technologies": "、".join(ref.term_label("technology", c, lang) for c in r.technologies.split(",") if c)
            if lang == "zh" else ", ".join(ref.term_label("technology", c, lang) for c in r.technologies.split(",") if c),
            "technologies_raw": _text(getattr(r, "technologies_raw", None)),
            "members": _text(getattr(r, "members", None)),
            "year": int(r.year) if r.year == r.year and r.year is not None else None,
            "level": ref.term_label("level", _text(r.level), lang) if _text(getattr(r, "level", None)) else "",
            "scope": scope_text(r.scope, lang),
            "operating_model": ref.term_label("operating_model", operating_model, lang) if operating_model else "",
            "source": _text(r.source) + ((" · " + t("synthetic", lang)) if r.synthetic else ""),
            "publisher": _text(getattr(r, "publisher", None)),
            "published": _text(getattr(r, "published", None)),
            "grade": _text(getattr(r, "grade", None)),
            "source_url": source_urls(getattr(r, "source_url", "")),
            "inferred": (("、" if lang == "zh" else ", ").join(
                INFERRED_LABELS.get(x, (x, x))[0 if lang == "zh" else 1] for x in inferred)),
        })
        if "lead_type" in inferred and rows[-1]["lead_type"]:
            rows[-1]["lead_type"] += "（推断）" if lang == "zh" else " (inferred)"
    return rows


COLUMN_LABELS = {"name": ("名称", "Name"), "lead_org": ("牵头单位", "Lead"), "lead_type": ("牵头类型", "Lead type"),
                 "province": ("省份", "Province"), "city": ("城市", "City"), "sector": ("领域", "Sector"),
                 "technologies": ("攻关技术", "Technologies"),
                 "technologies_raw": ("技术（名录原文）", "Technologies as the list words them"),
                 "members": ("成员单位", "Members"), "year": ("组建年份", "Year"), "level": ("级别", "Level"),
                 "scope": ("范围", "Scope"), "operating_model": ("运行模式", "Operating model"),
                 "source": ("来源", "Source"), "publisher": ("发布者", "Publisher"),
                 "published": ("来源日期", "Source date"),
                 "grade": ("来源等级", "Source grade"), "source_url": ("来源链接", "Source URL"),
                 "inferred": ("推断字段", "Inferred fields")}
INFERRED_LABELS = {"year": ("年份", "year"), "city": ("城市", "city"), "lead_type": ("牵头类型", "lead type"),
                   "members": ("成员省份", "member provinces"), "level": ("级别", "level"),
                   "name": ("名称", "name"), "province": ("省份", "province"), "lead_org": ("牵头单位", "lead"),
                   "published": ("来源日期", "source date"), "sector": ("领域", "sector")}


def records_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The filtered records with labels and column headers in ``lang``, for downloads."""
    rows = pd.DataFrame(display_rows(frame, lang), columns=list(COLUMN_LABELS))
    rows["source_url"] = rows["source_url"].map(" ; ".join)
    rows["year"] = rows["year"].astype("Int64")  # a year, not 2021.0, where some records have none
    return rows.rename(columns={k: v[0 if lang == "zh" else 1] for k, v in COLUMN_LABELS.items()})
