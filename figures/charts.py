"""Heatmaps, the technology-gap matrix, the collaboration matrix and maps built on the China map."""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from etl.reference import Reference

from .china_map import UNLISTED, build_province_map, province_labels
from .text import fmt_float, fmt_int, n_consortia, t, two_lines
from .theme import (DIVERGING, GROUP_COLOURS, LISA_COLOURS, MUTED, SEQUENTIAL, base_layout, centred, colour_bar,
                    whole_ticks)

REGION_ORDER = ("东部", "中部", "西部", "东北", "港澳台")


LQ_TOP = 4  # where the heatmap's location-quotient colours stop (higher values are written in their cells)


def _top(values) -> float:
    """The largest count in a table (blanks left out), 1 when there is none."""
    top = pd.DataFrame(values).max().max()
    return 1.0 if pd.isna(top) or not top else float(top)


def province_order(matrix: pd.DataFrame, ref: Reference, sort: str) -> list[str]:
    """Provinces by total (largest first) or grouped by region group, each group by total."""
    totals = matrix.fillna(0).sum(axis=1)
    if sort == "region":
        return sorted(matrix.index, key=lambda c: (REGION_ORDER.index(ref.provinces[c].region_group), -totals[c], c))
    return sorted(matrix.index, key=lambda c: (-totals[c], c))


def build_sector_heatmap(matrix: pd.DataFrame, ref: Reference, lang: str = "zh", mode: str = "count",
                         sort: str = "total", title: str = "", selected: tuple[str, str] | None = None,
                         height: int = 820, coverage: dict | None = None, drop_unlisted: bool = False) -> go.Figure:
    """Province (rows) x sector (columns). customdata holds [province code, sector code] for clicks.
    A province whose list was not found (``coverage``) and that shows nothing is labelled so, its cells
    left blank rather than drawn as zeros; ``drop_unlisted`` leaves its row out instead (the page names
    those provinces under the chart, see unlisted_rows), and the chart's height follows its rows."""
    counts = matrix.attrs.get("counts", matrix)
    order = province_order(counts, ref, sort)
    unknown = set(unlisted_rows(matrix, coverage or {}))
    if drop_unlisted:
        order = [p for p in order if p not in unknown]
        unknown = set()
        height = min(height, max(320, 110 + 26 * len(order)))
    m = matrix.reindex(order)
    c = counts.reindex(order)
    sectors = list(m.columns)
    x = [f"{s} {ref.term_label('sector', s, lang).replace('产业', '')}" if lang == "zh" else
         f"{s} {ref.term_label('sector', s, lang)}" for s in sectors]
    x = [two_lines(label) for label in x]
    y = [ref.province_label(p, lang) + (("（未找到名录）" if lang == "zh" else " (no list found)") if p in unknown else "")
         for p in order]
    if sort == "region":  # grouped: plotly names each group beside its rows, with a divider between them
        y = [[gap_column_label(ref.provinces[p].region_group, lang) for p in order], y]
    custom = [[[p, s] for s in sectors] for p in order]
    if mode == "lq":
        # A cell without a consortium is left blank (a wall of deepest blue said nothing more), and the scale
        # stops at 4, so that one consortium in a small sector (an LQ of 25) does not wash out every other cell.
        z = m.to_numpy(dtype=float, copy=True)
        z[c.fillna(0).to_numpy() == 0] = math.nan
        text = [[("" if math.isnan(v) else fmt_float(v, 1)) + ("*" if n < 3 and not math.isnan(v) else "")
                 for v, n in zip(row, crow)] for row, crow in zip(z, c.to_numpy())]
        highest = pd.DataFrame(z).max().max()
        top = min(LQ_TOP, max(2.0, 0.0 if pd.isna(highest) else float(highest)))
        ticks = list(range(0, int(top) + 1))
        trace = go.Heatmap(z=z, x=x, y=y, customdata=custom, text=text, texttemplate="%{text}",
                           colorscale=centred(DIVERGING, 1, 0, top), zmin=0, zmax=top,
                           colorbar=colour_bar(t("lq", lang), tickvals=ticks,
                                               ticktext=[str(v) if v < LQ_TOP else f"≥{v}" for v in ticks]),
                           hovertemplate="%{y} · %{x}<br>" + t("lq", lang) + " %{z:.2f}<extra></extra>")
    else:
        z = c.astype(float).to_numpy(copy=True)
        for i, p in enumerate(order):
            if p in unknown:
                z[i, :] = math.nan  # blank, not the colour of zero
        text = [[fmt_int(v) if v and not math.isnan(v) else "" for v in row] for row in z]
        trace = go.Heatmap(z=z, x=x, y=y, customdata=custom, text=text, texttemplate="%{text}",
                           colorscale=SEQUENTIAL, zmin=0,
                           colorbar=colour_bar(t("count", lang), counts_up_to=_top(z)),
                           hovertemplate="%{y} · %{x}<br>" + t("count", lang) + " %{z}<extra></extra>",
                           xgap=1, ygap=1)
    fig = go.Figure(trace)
    if selected and selected[0] in order and selected[1] in sectors:
        fig.add_shape(type="rect", x0=sectors.index(selected[1]) - 0.5, x1=sectors.index(selected[1]) + 0.5,
                      y0=order.index(selected[0]) - 0.5, y1=order.index(selected[0]) + 0.5,
                      line=dict(color="#d95f02", width=2.5))
    fig.update_layout(**base_layout(title, height=height, margin=dict(l=10, r=10, t=60 if title else 30, b=10)))
    fig.update_xaxes(side="top", autotickangles=[0, -90])  # upright when they fit (a phone turns them)
    fig.update_yaxes(autorange="reversed")
    if mode == "lq":
        fig.add_annotation(text="* " + ("基数少于 3 个联合体" if lang == "zh" else "fewer than 3 consortia"),
                           x=1, y=-0.01, xref="paper", yref="paper", xanchor="right", yanchor="top",
                           showarrow=False, font=dict(size=11, color=MUTED))
    return fig


def unlisted_rows(matrix: pd.DataFrame, coverage: dict) -> list[str]:
    """The heatmap's provinces whose list was not found and that count nothing: blanks, not zeros. ``matrix``
    is the heatmap's own: counts, or location quotients carrying their counts (analytics.views.sector_matrix)."""
    counts = matrix.attrs.get("counts", matrix)
    return [p for p in counts.index if coverage.get(p) == "none_found" and not counts.loc[p].fillna(0).sum()]


def gap_column_label(col: str, lang: str) -> str:
    if col == "national":
        return t("national", lang)
    if col == "regional":
        return t("regional", lang)
    en = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast", "港澳台": "HK, Macau, Taiwan"}
    return col if lang == "zh" else en.get(col, col)


def build_gap_matrix(table: pd.DataFrame, ref: Reference, lang: str = "zh", title: str = "",
                     selected: str | None = None, height: int = 900, coverage: dict | None = None) -> go.Figure:
    """Technology (rows) x region columns; uncovered rows in red, thin ones in orange, counts written in.
    A region column none of whose provinces' lists was found (``coverage``: code -> completeness) is grey
    and says so: its blanks are no evidence of a gap."""
    columns = [c for c in table.columns if c != "total"]
    totals = table["total"]
    coverage = coverage or {}
    unknown = {col for col in columns
               if (units := [c for c, p in ref.provinces.items() if p.region_group == col])
               and all(coverage.get(c) == "none_found" for c in units)}
    labels = []
    for code in table.index:
        name = f"{code} {ref.term_label('technology', code, lang)}"
        if totals[code] == 0:
            name = f"<b>{name} ✕</b>"
        labels.append(name)
    z = table[columns].to_numpy()
    # Colour classes: a whole uncovered row (0); a cell holding a thin technology's 1–2 consortia (1); an
    # empty cell of a covered row (2); a cell of a well-covered row with consortia (3); no list found (4)
    classes = [[4 if col in unknown and not v else
                0 if totals[code] == 0 else 2 if v == 0 else (1 if totals[code] <= 2 else 3)
                for v, col in zip(row, columns)] for code, row in zip(table.index, z)]
    text = [[fmt_int(v) if v else ("" if col in unknown else "—" if totals[code] == 0 else "")
             for v, col in zip(row, columns)] for code, row in zip(table.index, z)]
    no_list = "（未找到名录）" if lang == "zh" else " (no list found)"
    heads = [gap_column_label(c, lang) + (no_list if c in unknown else "") for c in columns]
    colours = [[0.0, "#d6604d"], [0.2, "#d6604d"], [0.2, "#fdb863"], [0.4, "#fdb863"], [0.4, "#f7f7f7"],
               [0.6, "#f7f7f7"], [0.6, "#92c5de"], [0.8, "#92c5de"], [0.8, "#d9d9d9"], [1.0, "#d9d9d9"]]
    custom = [[[code, col, n_consortia(int(v), lang)] for v, col in zip(row, columns)]
              for code, row in zip(table.index, z)]
    fig = go.Figure(go.Heatmap(
        z=classes, x=heads, y=labels, text=text, texttemplate="%{text}",
        customdata=custom, colorscale=colours, zmin=0, zmax=4, showscale=False, xgap=1, ygap=1,
        hovertemplate="%{y} · %{x}: %{customdata[2]}<extra></extra>"))
    fig.add_trace(go.Bar(x=[None], y=[None], marker_color="#d6604d", name=t("uncovered", lang), showlegend=True))
    fig.add_trace(go.Bar(x=[None], y=[None], marker_color="#fdb863", name=t("thin", lang), showlegend=True))
    fig.add_trace(go.Bar(x=[None], y=[None], marker_color="#92c5de", name=t("covered", lang), showlegend=True))
    if selected in table.index:
        i = list(table.index).index(selected)
        fig.add_shape(type="rect", x0=-0.5, x1=len(columns) - 0.5, y0=i - 0.5, y1=i + 0.5,
                      line=dict(color="#333", width=2))
    fig.update_layout(**base_layout(title, height=height, legend=dict(orientation="h", y=-0.01, yanchor="top", x=0),
                                    margin=dict(l=10, r=10, t=70 if title else 40, b=40)))
    fig.update_xaxes(side="top", showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return fig


def build_lisa_map(clusters: pd.DataFrame, lang: str = "zh", title: str = "", geometry: str = "inline",
                   height: int = 560, unlisted: Sequence[str] = ()) -> go.Figure:
    """LISA cluster map: categories on the China map, a legend entry per class. Provinces whose list was
    not found (``unlisted``) are greyed as on the overview's map, never given a class: their zero is unknown."""
    keys = ["hh", "ll", "hl", "lh", "ns"]
    index = {k: i for i, k in enumerate(keys)}
    values = {row.code: index[row.cluster] for row in clusters.itertuples() if row.code not in unlisted}
    scale = []
    for i, k in enumerate(keys):
        scale += [[i / len(keys), LISA_COLOURS[k]], [(i + 1) / len(keys), LISA_COLOURS[k]]]
    hover = {row.code: t(row.cluster, lang) + f" (p = {row.p_value:.3f})" for row in clusters.itertuples()}
    fig = build_province_map(values, title=title, legend_label=t("count", lang), lang=lang, colorscale=scale,
                             zmin=-0.5, zmax=len(keys) - 0.5, hover=hover, geometry=geometry, height=height,
                             unlisted=list(unlisted), unlisted_key=False, missing_as_zero=False)
    counts = dict(zip(clusters["code"], clusters["value"]))
    for trace in (fig.data[0], fig.data[1]):
        trace.showscale = False
        trace.text = [f"<b>{province_labels()[c][2 if lang == 'zh' else 3]}</b><br>{t('count', lang)}: "
                      f"{fmt_int(counts.get(c, 0))}<br>{hover.get(c, '')}" for c in trace.locations]
    for k in keys:
        fig.add_trace(go.Scattergeo(geo="geo", lon=[None], lat=[None], mode="markers", name=t(k, lang),
                                    marker=dict(size=12, color=LISA_COLOURS[k], symbol="square")))
    if unlisted:  # the grey "no list" key joins the others: a phone's wrapped key covered the map's own note
        fig.add_trace(go.Scattergeo(geo="geo", lon=[None], lat=[None], mode="markers", name=t("list_none_found", lang),
                                    marker=dict(size=12, color=UNLISTED, symbol="square")))
    # the key under the map: over it, a phone's narrow map hid 青海 and 甘肃 behind it
    fig.update_layout(showlegend=True, legend=dict(orientation="h", x=0, y=0, yanchor="top"))
    return fig


def build_flow_map(edges: pd.DataFrame, lang: str = "zh", title: str = "", geometry: str = "inline",
                   top: int = 60, height: int = 560) -> go.Figure:
    """Lead -> member province flows as lines on the China map, width by number of consortia."""
    fig = build_province_map({}, title=title, lang=lang, geometry=geometry, show_labels=True,
                             colorscale=[[0, "#f2f4f7"], [1, "#f2f4f7"]], height=height)
    fig.update_traces(showscale=False, hoverinfo="skip", selector=dict(type="choropleth"))
    labels = province_labels()
    shown = edges.head(top)
    biggest = max(shown["weight"].max() if len(shown) else 1, 1)
    # One trace per width class (not per edge): the browser draws four paths, not sixty.
    classes = pd.cut(shown["weight"] / biggest, bins=[0, 0.25, 0.5, 0.75, 1.0], labels=False, include_lowest=True)
    for cls in sorted(set(classes)):
        part = shown[classes == cls]
        lon, lat, text = [], [], []
        for row in part.itertuples():
            a, b = labels[row.source], labels[row.target]
            name_a, name_b = (a[2], b[2]) if lang == "zh" else (a[3], b[3])
            label = f"{name_a} → {name_b}: {fmt_int(row.weight)}"
            lon += [a[0], b[0], None]
            lat += [a[1], b[1], None]
            text += [label, label, None]
        fig.add_trace(go.Scattergeo(
            geo="geo", lon=lon, lat=lat, text=text, mode="lines", showlegend=False, hoverinfo="text",
            line=dict(width=1 + 1.6 * cls, color="rgba(217,95,2,0.55)"), name=f"flows-{cls}"))
    return fig


def build_collaboration_matrix(matrix: pd.DataFrame, ref: Reference, lang: str = "zh", title: str = "",
                               height: int = 760) -> go.Figure:
    """Lead province (rows) x member province (columns), provinces that take part only."""
    off = matrix.astype(float).copy()
    for c in off.index:  # home members would swamp the scale: the diagonal is left blank
        off.loc[c, c] = float("nan")
    active = [c for c in off.index if off.loc[c].sum() or off[c].sum()]
    m = off.loc[active, active]
    names = [ref.province_label(c, lang) for c in active]
    fig = go.Figure(go.Heatmap(z=m.to_numpy(), x=names, y=names, hoverongaps=False, colorscale=SEQUENTIAL, zmin=0,
                               xgap=1, ygap=1, colorbar=colour_bar(t("consortia", lang), counts_up_to=_top(m)),
                               hovertemplate=t("lead", lang) + " %{y} → " + t("member", lang)
                               + " %{x}: %{z}<extra></extra>"))
    fig.update_layout(**base_layout(title, height=height))
    fig.update_xaxes(title=t("member", lang), side="top", tickangle=-45)
    fig.update_yaxes(title=t("lead", lang), autorange="reversed")
    return fig


def build_trend_chart(by_year: pd.DataFrame, lang: str = "zh", title: str = "",
                      years: tuple[int | None, int | None] = (None, None), height: int = 420) -> go.Figure:
    """Consortia formed per year, stacked by region group; the chosen year range shaded."""
    fig = go.Figure()
    for col in by_year.columns:
        if not by_year[col].any():
            continue
        label = gap_column_label(col, lang)
        fig.add_bar(x=list(by_year.index), y=by_year[col].tolist(), name=label, marker_color=GROUP_COLOURS[col],
                    hovertemplate=f"{label} %{{x}}: %{{y}}<extra></extra>")
    # the key above the bars: below them it met the year axis's title once a phone turned the years
    fig.update_layout(**base_layout(title, height=height, margin=dict(l=10, r=10, t=(50 if title else 10) + 34, b=10)),
                      barmode="stack", bargap=0.25,
                      legend=dict(orientation="h", x=0, y=1.01, yanchor="bottom", traceorder="normal"))
    fig.update_xaxes(title=t("year", lang), dtick=1, tickformat="d", automargin=True, autotickangles=[0, -90])
    fig.update_yaxes(title=t("consortia", lang), rangemode="tozero")
    if not len(fig.data):  # nothing dated: a note on a plain frame, not axes from -1 with half consortia
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, range=[0, 1])
        fig.add_annotation(text="没有注明组建年份的联合体" if lang == "zh" else "No consortium here gives its year",
                           x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=14, color=MUTED))
        return fig
    fig.update_yaxes(**whole_ticks(float(by_year.sum(axis=1).max())))
    lo, hi = years
    if len(by_year) and (lo is not None or hi is not None):
        first, last = by_year.index.min(), by_year.index.max()
        fig.add_vrect(x0=(lo if lo is not None else first) - 0.5, x1=(hi if hi is not None else last) + 0.5,
                      fillcolor="#fff3bf", opacity=0.5, layer="below", line_width=0)
    return fig
