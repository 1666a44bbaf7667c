"""Reading the filter components into one Filters value."""
from __future__ import annotations

from dash import Input, State

from analytics.filters import Filters
from layouts import ids

FILTER_INPUTS = [Input(ids.FILTER_SECTOR, "value"), Input(ids.FILTER_TECHNOLOGY, "value"),
                 Input(ids.FILTER_LEAD_TYPE, "value"), Input(ids.FILTER_LEVEL, "value"),
                 Input(ids.FILTER_YEAR, "value"), Input(ids.FILTER_PROVINCE, "data"),
                 Input(ids.FILTER_GRADE, "value")]
FILTER_STATES = [State(c.component_id, c.component_property) for c in FILTER_INPUTS]
YEAR_BOUNDS = [State(ids.FILTER_YEAR, "min"), State(ids.FILTER_YEAR, "max")]


def _many(value) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def read_filters(sector, technology, lead_type, level, years, province, grade=None, ymin=None,
                 ymax=None) -> Filters:
    """Filters from component values; the full year range means 'any year' (undated consortia stay)."""
    year_from = year_to = None
    if years and len(years) == 2:
        if ymin is None or years[0] > ymin:
            year_from = int(years[0])
        if ymax is None or years[1] < ymax:
            year_to = int(years[1])
    return Filters(sector=_many(sector), technology=_many(technology), lead_type=_many(lead_type),
                   level=_many(level), year_from=year_from, year_to=year_to, province=province or "",
                   grade=_many(grade))


def url_filters(search: str | None, lang: str) -> tuple[Filters, str]:
    """The filters an address names, its province read as the planner views read it (360000, 江西 or
    Jiangxi), and a note when it names no province (that filter is then left out, never shown as zero)."""
    from dataclasses import replace

    from etl.normalise import province_code

    f = Filters.from_query(search or "")
    if not f.province:
        return f, ""
    text = f.province[:64]
    code = province_code(text)
    if code:
        return replace(f, province=code), ""
    return f.without_province(), (f"未知省份：{text}（可用 360000、江西或 Jiangxi），已显示全国。" if lang == "zh" else
                                  f"Unknown province: {text} (try 360000, 江西 or Jiangxi); showing all of China.")


def lang_of(search: str | None) -> str:
    from urllib.parse import parse_qs

    return "en" if parse_qs((search or "").lstrip("?")).get("lang", ["zh"])[0] == "en" else "zh"
