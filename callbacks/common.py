"""Reading the filter components into one Filters value."""
from __future__ import annotations

import re

from dash import Input, State

from analytics.filters import Filters
from layouts import ids

FILTER_INPUTS = [Input(ids.FILTER_SECTOR, "value"), Input(ids.FILTER_TECHNOLOGY, "value"),
                 Input(ids.FILTER_LEAD_TYPE, "value"), Input(ids.FILTER_LEVEL, "value"),
                 Input(ids.FILTER_YEAR, "value"), Input(ids.FILTER_PROVINCE, "value"),
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


def address_note(notes: list[str], what: tuple[str, str], lang: str) -> str:
    """One line naming what the address asked for that the page could not use ('' when nothing)."""
    if not notes:
        return ""
    if lang == "zh":
        return f"地址中的部分{what[0]}未能使用：" + "；".join(notes) + "。"
    return f"Some {what[1]} in the address could not be used: " + "; ".join(notes) + "."


# The overview's dropdowns, by Filters field: what each is called in a note, in Chinese and English.
DROPDOWNS = {"sector": ("领域", "sector"), "technology": ("技术", "technology"), "lead_type": ("牵头类型", "lead type"),
             "level": ("层级", "level"), "grade": ("来源等级", "grade")}


def url_filters(search: str | None, lang: str, years: tuple[int, int] | None = None) -> tuple[Filters, str]:
    """The filters an address names, as the overview can show them, and a note on what it left out.

    The province is read as the planner views read it (360000, 江西 or Jiangxi). A code no dropdown offers
    is left out; a dropdown holds one value, so of several the first is kept; years outside the data's
    ``years`` are brought inside them, and a range that ends before it starts is left out. A note names
    each, so an address never shows silent zeros or a filter the page does not show."""
    from dataclasses import replace

    from etl.normalise import province_code
    from etl.reference import load_reference
    from layouts.page import options

    zh = lang == "zh"
    ref, f, notes = load_reference(), Filters.from_query(search or ""), []
    for field, (name_zh, name_en) in DROPDOWNS.items():
        values = getattr(f, field)
        if not values:
            continue
        offered = {o["value"] for o in options(field, ref, lang)}
        unknown = [v[:40] for v in values if v not in offered]
        known = [v for v in values if v in offered]
        if unknown:
            notes.append(f"未知{name_zh}代码 {'、'.join(unknown)}" if zh else f"unknown {name_en} code {', '.join(unknown)}")
        if len(known) > 1:
            notes.append(f"{name_zh}一次只能选一个，已用 {known[0]}" if zh else
                         f"one {name_en} at a time, so {known[0]} is used")
        f = replace(f, **{field: tuple(known[:1])})
    if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
        notes.append(f"年份范围 {f.year_from}–{f.year_to} 无效，已显示全部年份" if zh else
                     f"the years {f.year_from}–{f.year_to} are no range, so all years are shown")
        f = replace(f, year_from=None, year_to=None)
    elif years:
        lo, hi = years
        outside = [y for y in (f.year_from, f.year_to) if y is not None and not lo <= y <= hi]
        if outside:
            notes.append(f"年份 {'、'.join(map(str, outside))} 超出数据的年份（{lo}–{hi}），已调整到其中" if zh else
                         f"year {', '.join(map(str, outside))} is outside the data's years ({lo}–{hi}), so it was "
                         "brought inside them")
            inside = [None if y is None else min(max(y, lo), hi) for y in (f.year_from, f.year_to)]
            # A bound at the data's own first or last year means no bound (undated consortia stay).
            f = replace(f, year_from=None if inside[0] in (None, lo) else inside[0],
                        year_to=None if inside[1] in (None, hi) else inside[1])
    if f.province:
        text = f.province[:64]
        several = [p for p in re.split(r"[,，、;；]", text) if p.strip()]
        if len(several) > 1:  # one province at a time, as the dropdown holds it (the compare view takes several)
            text = several[0].strip()
            notes.append(f"省份一次只能选一个，已用 {text}（多省请用省份对比）" if zh else
                         f"one province at a time, so {text} is used (compare several in the compare view)")
        code = province_code(text)
        if code:
            f = replace(f, province=code)
        else:
            f = f.without_province()
            notes.append(f"未知省份：{text}（可用 360000、江西或 Jiangxi），已显示全国" if zh else
                         f"unknown province: {text} (try 360000, 江西 or Jiangxi); showing all of China")
    return f, address_note(notes, ("筛选", "filters"), lang)


METRICS = ("count", "per_capita", "lq")  # the map's metric (ids.MAP_METRIC); count unless the address says


def url_settings(search: str | None, has_population: bool, lang: str = "zh") -> tuple[str, bool, str]:
    """The map's metric and whether its city layer is on, as the address keeps them beside the filters
    (``metric=lq``, ``layer=city``; the defaults, count and provinces, are not written), and a note on
    a value the map cannot show (it then shows the default)."""
    from urllib.parse import parse_qs

    q = parse_qs((search or "").lstrip("?"))
    metric, layer, notes = q.get("metric", ["count"])[0][:40], q.get("layer", [""])[0][:40], []
    if metric not in METRICS or (metric == "per_capita" and not has_population):
        notes.append((f"地图指标 {metric} 不可用，已显示联合体数量" if lang == "zh" else
                      f"the map metric {metric} is not available, so counts are shown"))
        metric = "count"
    if layer not in ("", "city"):
        notes.append(f"未知图层 {layer}，已显示省级地图" if lang == "zh" else
                     f"unknown layer {layer}, so the province map is shown")
    return metric, layer == "city", address_note(notes, ("设置", "settings"), lang)


def view_search(f: Filters, metric: str | None, city: bool, lang: str) -> str:
    """The overview's address query for ``f`` and the map's settings, as url_filters and url_settings read it."""
    query = f.to_query(metric="" if metric in (None, "count") else metric, layer="city" if city else "",
                       lang="en" if lang == "en" else "")
    return f"?{query}" if query else ""


def lang_of(search: str | None) -> str:
    from urllib.parse import parse_qs

    return "en" if parse_qs((search or "").lstrip("?")).get("lang", ["zh"])[0] == "en" else "zh"
