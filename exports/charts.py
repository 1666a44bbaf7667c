"""Charts for meetings: each dashboard chart with its title, filters in words, data date and source."""
from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from analytics import views
from analytics.filters import Filters
from analytics.sources import unlisted
from etl.reference import Reference
from figures.charts import (build_collaboration_matrix, build_flow_map, build_gap_matrix, build_lisa_map,
                            build_sector_heatmap, build_trend_chart, unlisted_rows)
from figures.china_map import build_city_map, build_province_map, metric_style
from figures.narrative import coverage_caveats, moran_reading, set_aside_note, trend_reading, unlisted_note
from figures.text import fmt_datetime, public_note, t
from figures.theme import MUTED

if TYPE_CHECKING:
    import pandas as pd

CHARTS = ("province-map", "sector-heatmap", "technology-gaps", "clustering-map", "collaboration-flows",
          "collaboration-matrix", "trends-chart")
TITLES = {
    "province-map": ("创新联合体分布（按牵头单位所在省份）", "Innovation consortia by lead province"),
    "sector-heatmap": ("省份 × 领域", "Province × sector"),
    "technology-gaps": ("卡脖子技术覆盖与空白", "Bottleneck technologies: coverage and gaps"),
    "clustering-map": ("空间集聚（LISA）", "Spatial clustering (LISA)"),
    "collaboration-flows": ("跨省协作流向", "Cross-provincial collaboration flows"),
    "collaboration-matrix": ("牵头省份 × 成员省份", "Lead province × member province"),
    "trends-chart": ("联合体组建趋势", "Consortia formed per year"),
}
SIZES = {"province-map": (1400, 900), "sector-heatmap": (1400, 1200), "technology-gaps": (1400, 1300),
         "clustering-map": (1400, 900), "collaboration-flows": (1400, 900), "collaboration-matrix": (1400, 1200),
         "trends-chart": (1400, 800)}


def filters_in_words(f: Filters, ref: Reference, lang: str) -> str:
    """'领域：新材料产业；省份：浙江' — the active filters as a reader would say them."""
    zh = lang == "zh"
    parts = []
    for key, codes, label in (("sector", f.sector, t("sector", lang)), ("technology", f.technology, t("technology", lang))):
        if codes:
            parts.append(f"{label}{'：' if zh else ': '}" + ("、" if zh else ", ").join(
                ref.term_label(key, c, lang) for c in codes))
    if f.lead_type:
        parts.append(t("lead_type", lang) + ("：" if zh else ": ") + ", ".join(
            ref.term_label("lead_type", c, lang) for c in f.lead_type))
    if f.level:
        parts.append(t("level", lang) + ("：" if zh else ": ") + ", ".join(
            t(c.removeprefix("scope:"), lang) if c.startswith("scope:") else ref.term_label("level", c, lang)
            for c in f.level))
    if f.year_from or f.year_to:
        parts.append(t("year", lang) + ("：" if zh else ": ") + f"{f.year_from or '…'}–{f.year_to or '…'}")
    if f.province:
        parts.append(t("province", lang) + ("：" if zh else ": ") + ref.province_label(f.province, lang))
    if f.grade:
        parts.append(t("grade", lang) + ("：" if zh else ": ") + ", ".join(f.grade))
    if not parts:
        return "全国，未加筛选" if zh else "All of China, no filter"
    return ("；" if zh else "; ").join(parts)


def footer_text(f: Filters, ref: Reference, info: dict, lang: str, chart: str = "") -> str:
    zh = lang == "zh"
    line = [("筛选：" if zh else "Filters: ") + filters_in_words(f, ref, lang)
            + set_aside_note(views.set_aside(chart, f), lang),
            ("数据：" if zh else "Data: ") + f"{info['id']} · {fmt_datetime(info['published_at'], lang)}",
            # the files' names for demo data (the next line says it is synthetic), else as the banner says it
            ("来源：" if zh else "Source: ") + (", ".join(info.get("source_names", [])[:3]) if info.get("synthetic")
                                                  else data_description(info, lang))]
    if info.get("synthetic"):
        line.append("演示数据（合成），非真实名单" if zh else "Synthetic demo data, not a real list")
    elif info.get("public"):
        line.append(("；" if zh else "; ").join(coverage_caveats(info.get("coverage", {}), ref, lang, f.province)))
    return "<br>".join(filter(None, line))


def data_description(info: dict, lang: str) -> str:
    """What the data is, as the page's data banner says it: '公开名录 · N 个联合体 · 来源截至 DATE' for the
    public list, the synthetic note for demo data; otherwise the names of the files read (up to three)."""
    if info.get("synthetic"):
        return t("synthetic", lang)
    if info.get("public"):
        return public_note(info["public"]["count"], info["public"]["as_of"], lang)
    return ", ".join(info.get("source_names", [])[:3])


def wrap_line(text: str, width_px: float, size: int = 12) -> list[str]:
    """``text`` in lines that fit ``width_px`` at font ``size``, broken after a separator or a blank where it
    can (a CJK character is about one em wide, other characters about half); plotly.js does not wrap."""
    def px(ch: str) -> float:
        return size if ord(ch) >= 0x2E80 else size * 0.56

    lines, line, used, cut = [], "", 0.0, -1
    for ch in text:
        line += ch
        used += px(ch)
        if ch in " ；;，,、":
            cut = len(line)
        if used > width_px and len(line) > 1:
            head, tail = (line[:cut], line[cut:]) if cut > 0 else (line[:-1], line[-1])
            lines.append(head.rstrip())
            line, cut = tail.lstrip(), -1
            used = sum(map(px, line))
    return lines + [line] if line else lines


def _bottom_axis(fig: go.Figure) -> bool:
    """The figure draws an x axis under its plot (bars, a matrix with its labels below), not a map."""
    cartesian = any(getattr(trace, "xaxis", None) is not None or trace.type in ("bar", "heatmap")
                    for trace in fig.data if trace.type not in ("choropleth", "scattergeo"))
    axis = fig.layout.xaxis
    return cartesian and axis.side != "top" and axis.visible is not False


def _top_labels_height(fig: go.Figure) -> int:
    """About how tall a matrix's column names stand over its plot: a line or two when they fit their columns,
    the longest line's length when plotly turns them upright."""
    labels = [str(x) for x in (fig.data[0].x if fig.data and fig.data[0].x is not None else ())]
    if not labels:
        return 40
    spacing = ((fig.layout.width or 1200) * 0.78) / len(labels)
    widths = [max(sum(13 if ord(ch) >= 0x2E80 else 13 * 0.56 for ch in line) for line in label.split("<br>"))
              for label in labels]
    # plotly turns them when two neighbours would overlap
    if all((a + b) / 2 <= spacing for a, b in zip(widths, widths[1:])):
        return 20 * max(label.count("<br>") + 1 for label in labels) + 20
    return int(max(widths)) + 20


def _legend_rows(fig: go.Figure, width: float) -> int:
    """About how many rows a horizontal key takes at ``width`` pixels (a swatch and a gap beside each name)."""
    # a choropleth has no entry unless it asks for one (showlegend is None: its default, off)
    names = [trace.name for trace in fig.data if trace.name and trace.showlegend is not False
             and not (trace.type == "choropleth" and trace.showlegend is None)]
    used = sum(40 + 14 * len(name) for name in names)
    return max(1, -(-used // int(width or 1)))


def decorate(fig: go.Figure, title: str, footer: str) -> go.Figure:
    """Title on top, filters / data date / source / synthetic note at the bottom, in the image itself:
    wrapped to the image's width, and below a legend that sits under the plot."""
    # The footer starts at the plot's left edge, after any axis labels (a quarter of the width at most).
    width = (fig.layout.width or 1200) * 0.72
    footer = "<br>".join(part for line in footer.split("<br>") for part in wrap_line(line, width))
    lines = footer.count("<br>") + 1
    legend = fig.layout.legend
    below, top = 0, 80
    if legend is not None and legend.y is not None and legend.y < 0:  # a legend under the plot, as far as it sits
        below = 34 + int(-legend.y * ((fig.layout.height or 900) - 140 - 20 * lines))
    else:
        if _bottom_axis(fig):  # its tick labels and title lie under the plot: the footer goes below them
            below += 62
        if legend is not None and legend.y == 0 and legend.yanchor == "top":  # a key just under a map
            below += 24 * _legend_rows(fig, width) + 8
        if legend is not None and legend.y is not None and legend.y >= 1:  # a key above the plot
            top += 30
    if fig.layout.xaxis.side == "top":  # labels over the plot (the matrices): the title keeps clear of them
        fig.update_layout(title=dict(yref="container", y=0.995, yanchor="top", automargin=True))
        top += _top_labels_height(fig)
    fig.update_layout(title=dict(text=f"<b>{title}</b>", x=0.01, xanchor="left", font=dict(size=22)),
                      margin=dict(t=top, b=30 + 20 * lines + below, l=20, r=20))
    fig.add_annotation(text=footer, x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top",
                       yshift=-10 - below, showarrow=False, align="left", font=dict(size=12, color=MUTED))
    return fig


def build_chart(name: str, frames: views.Frames, f: Filters, ref: Reference, info: dict,
                lang: str = "zh", metric: str = "count", city: bool = False,
                indicators: pd.DataFrame | None = None, size: tuple[int, int] | None = None) -> go.Figure:
    """The named chart under the filters, decorated for a briefing, at ``size`` (width, height in px; the
    chart's own in SIZES by default). Maps reference their geometry by URL; exports.render puts the GeoJSON
    in when it renders, offline. The province map shows ``metric`` (``indicators`` give the population for
    per_capita), or the city layer, as the page's map does."""
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}; one of {', '.join(CHARTS)}")
    extra = ""
    if name == "province-map" and city:
        fig = build_city_map(views.city_counts(frames, f), legend_label=t("consortia", lang), lang=lang,
                             geometry="url")
    elif name == "province-map":
        view = views.overview(frames, f, ref, metric, indicators)
        missing = unlisted(info.get("coverage", {}))
        fig = build_province_map(view["values"], lang=lang, selected=f.province or None, geometry="url",
                                 unlisted=missing, missing_as_zero=metric == "count", **metric_style(metric, lang))
    elif name == "sector-heatmap":  # as on the page: the blank rows of provinces without a list named, not drawn
        matrix = views.sector_matrix(frames, f, ref)
        fig = build_sector_heatmap(matrix, ref, lang, coverage=info.get("coverage", {}), drop_unlisted=True)
        extra = unlisted_note(unlisted_rows(matrix, info.get("coverage", {})), ref, lang)
    elif name == "technology-gaps":
        fig = build_gap_matrix(views.technology_gap_matrix(frames, f, ref), ref, lang,
                               coverage=info.get("coverage", {}))
    elif name == "clustering-map":
        result = views.clustering(frames, f, ref)
        fig = build_lisa_map(result["lisa"], lang, geometry="url",
                             unlisted=unlisted(info.get("coverage", {})))
        m = result["moran"]
        fig.add_annotation(text=moran_reading(m["moran_i"], m["p_value"], lang), x=0.01, y=0.98, xref="paper",
                           yref="paper", xanchor="left", showarrow=False, font=dict(size=13))
    elif name == "collaboration-flows":
        fig = build_flow_map(views.collaboration(frames, f, ref)["edges"], lang, geometry="url")
    elif name == "collaboration-matrix":
        fig = build_collaboration_matrix(views.collaboration(frames, f, ref)["matrix"], ref, lang)
    else:
        result = views.trends(frames, f, ref)
        fig = build_trend_chart(result["by_year"], lang, years=(f.year_from, f.year_to))
        fig.add_annotation(text=trend_reading(result, lang),  # above the key, which sits above the bars
                           x=0.01, y=1.0, yshift=30, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                           showarrow=False, font=dict(size=13))
    width, height = size or SIZES[name]
    fig.update_layout(width=width, height=height)
    title = TITLES[name][0 if lang == "zh" else 1]
    footer = footer_text(f, ref, info, lang, name)
    return decorate(fig, title, footer + ("<br>" + extra if extra else ""))
