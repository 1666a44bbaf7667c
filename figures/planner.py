"""Figures of the planner views: a province's sectors and years, comparisons, technology chains,
and the one-page profile for a meeting. Pure builders: data in, a new figure out."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from etl.reference import Reference

from .charts import gap_column_label
from .text import fmt_float, fmt_int, fmt_pct, n_consortia, policy_title, t, two_lines
from .theme import GROUP_COLOURS, INK, MUTED, base_layout, whole_ticks

COVERED, THIN, NONE = "#4393c3", "#fdb863", "#b2182b"


def _lq_labels(profile: dict, sectors: list[str]) -> list[str]:
    """Each sector's location quotient to write beside its bar, starred under 3 consortia (as on the
    heatmap); '' where the sector has none or no quotient."""
    lq, counts = profile.get("lq", {}), profile["by_sector"]
    return [fmt_float(lq[s]) + ("*" if counts[s] < 3 else "") if lq.get(s) is not None and counts[s] else ""
            for s in sectors]


def build_profile_sectors(profile: dict, ref: Reference, lang: str = "zh", no_list: bool = False) -> go.Figure:
    """The province's consortia per sector, with each sector's location quotient beside its bar (starred
    where the sector has under 3 consortia, as on the heatmap). ``no_list``: the province's list was not
    found, so no bar says nothing is there."""
    sectors = ref.sector_codes
    labels = [two_lines(f"{s} {ref.term_label('sector', s, lang)}") for s in sectors]  # a phone keeps them whole
    lq = profile["lq"]
    hover = [f"{label}: {fmt_int(profile['by_sector'][s])}<br>{t('lq', lang)}: "
             + (fmt_float(lq[s]) if lq.get(s) is not None else "—") for s, label in zip(sectors, labels)]
    fig = go.Figure(go.Bar(x=[profile["by_sector"][s] for s in sectors], y=labels, orientation="h",
                           marker_color=GROUP_COLOURS["东部"], hovertext=hover, hoverinfo="text",
                           text=_lq_labels(profile, sectors), textposition="outside", cliponaxis=False))
    # two short lines, so a phone's width shows the whole note
    note = ("条旁数字为区位熵（>1 表示较全国更集中）<br>* 该领域联合体少于 3 个，参考意义有限" if lang == "zh" else
            "Beside the bars: location quotient (>1: above the national mix)<br>* under 3 consortia in the sector: "
            "it says little")
    # rows tall enough for the longest label (two lines in English), so neighbouring labels never overlap
    lines = max(label.count("<br>") + 1 for label in labels)
    fig.update_layout(**base_layout(height=max(380, 78 + len(sectors) * (14 * lines + 12)),
                                    margin=dict(l=10, r=50, t=48, b=30)),
                      yaxis=dict(autorange="reversed"), xaxis=dict(title=t("consortia", lang), dtick=1,
                                                                   rangemode="nonnegative"))
    if not any(profile["by_sector"].values()):  # no bars: say so, rather than draw an axis from -1 to 1
        fig.update_xaxes(range=[0, 1])
        note = (("未找到本省名录，无从统计" if lang == "zh" else "No list was found for this province: nothing to count")
                if no_list else "当前名录中本省暂无联合体" if lang == "zh" else "No consortium led from here in this list")
    fig.add_annotation(text=note, x=0, y=1.02, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                       showarrow=False, font=dict(size=11, color=MUTED))
    return fig


def build_year_bars(by_year: dict[int, int], lang: str = "zh", no_list: bool = False) -> go.Figure:
    """Consortia formed per year (``no_list``: the province's list was not found)."""
    years = sorted(by_year)
    fig = go.Figure(go.Bar(x=[str(y) for y in years], y=[by_year[y] for y in years],
                           marker_color=GROUP_COLOURS["东部"]))
    fig.update_layout(**base_layout(height=260, margin=dict(l=10, r=10, t=10, b=30)),
                      yaxis=dict(title=t("consortia", lang), dtick=1, rangemode="nonnegative"),
                      xaxis=dict(type="category"))
    if not years:  # nothing dated: a note, not an empty frame with negative counts
        fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False))
        empty = (("未找到本省名录" if lang == "zh" else "No list was found for this province") if no_list else
                 "没有注明组建年份的联合体" if lang == "zh" else "No consortium here gives its year")
        fig.add_annotation(text=empty, x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False, font=dict(size=13, color=MUTED))
    return fig


def build_compare_sectors(sectors: pd.DataFrame, ref: Reference, lang: str = "zh") -> go.Figure:
    """Small multiples: one bar chart of consortia per sector for each compared province, bars across,
    the sector names once at the left of each row, and one scale for all."""
    codes = list(sectors.index)
    cols = min(5, len(codes)) or 1
    rows = math.ceil(len(codes) / cols) or 1
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.015, vertical_spacing=0.08,
                        subplot_titles=[ref.province_label(c, lang) for c in codes])
    columns = ref.sector_codes
    names = [ref.term_label("sector", s, lang) for s in columns]  # by name, not bare codes (S1 …)
    for i, code in enumerate(codes):
        fig.add_trace(go.Bar(y=names, x=[int(sectors.loc[code, s]) for s in columns], orientation="h",
                             showlegend=False, marker_color=GROUP_COLOURS.get(ref.provinces[code].region_group, INK),
                             hovertext=[f"{ref.province_label(code, lang)} · {s} {n}" for s, n in zip(columns, names)],
                             hoverinfo="text+x"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(matches="x", rangemode="nonnegative", **whole_ticks(int(sectors.to_numpy().max() or 0)))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    groups = list(dict.fromkeys(ref.provinces[c].region_group for c in codes))
    key = "  ".join(f"<span style='color:{GROUP_COLOURS.get(g, INK)}'>■</span> {gap_column_label(g, lang)}"
                    for g in groups)
    fig.add_annotation(text=key, x=1, y=1, yshift=28, xref="paper", yref="paper",
                       xanchor="right", yanchor="bottom", showarrow=False, font=dict(size=11, color=MUTED))
    fig.update_layout(**base_layout(height=60 + 300 * rows, margin=dict(l=10, r=10, t=60, b=30)))
    fig.update_xaxes(nticks=4)  # a phone's narrow panels ran their ticks together
    return fig


def build_coverage_grid(coverage: pd.DataFrame, ref: Reference, lang: str = "zh",
                        missing: frozenset = frozenset()) -> go.Figure:
    """Provinces x bottleneck technologies: covered (blue) or not (white), each province with its count of
    covered technologies; a province whose list was not found (``missing``) is grey, not white."""
    codes, techs = list(coverage.index), list(coverage.columns)
    unknown = {c for c in codes if c in missing and not coverage.loc[c].any()}
    z = [[2 if c in unknown else 1 if coverage.loc[c, tech] else 0 for tech in techs] for c in codes]
    state = {0: t("uncovered", lang), 1: t("covered", lang), 2: "未找到名录" if lang == "zh" else "no list found"}
    hover = [[f"{ref.province_label(c, lang)} · {tech} {ref.term_label('technology', tech, lang)}: {state[v]}"
              for tech, v in zip(techs, row)] for c, row in zip(codes, z)]
    rows = [ref.province_label(c, lang) + (("（未找到名录）" if lang == "zh" else " (no list)") if c in unknown else
                                           f"（{int(coverage.loc[c].sum())} 项）" if lang == "zh" else
                                           f" ({int(coverage.loc[c].sum())})") for c in codes]
    fig = go.Figure(go.Heatmap(z=z, x=techs, y=rows, zmin=0, zmax=2, showscale=False, hovertext=hover,
                               colorscale=[[0, "#ffffff"], [0.33, "#ffffff"], [0.33, COVERED], [0.67, COVERED],
                                           [0.67, "#d9d9d9"], [1, "#d9d9d9"]],
                               hoverinfo="text", xgap=1, ygap=1))
    key = (f"<span style='color:{COVERED}'>■</span> {t('covered', lang)}　□ {t('uncovered', lang)}"
           + ("　<span style='color:#bdbdbd'>■</span> " + ("未找到名录" if lang == "zh" else "no list found")
              if unknown else ""))
    fig.add_annotation(text=key, x=0, y=1, yshift=6, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                       showarrow=False, font=dict(size=11, color=MUTED))
    # technologies by name, not bare codes (T01 …)
    fig.update_layout(**base_layout(height=190 + 28 * len(codes), margin=dict(l=10, r=10, t=34, b=120),
                                    plot_bgcolor="#e0e0e0"),
                      yaxis=dict(autorange="reversed"),
                      xaxis=dict(tickangle=-60, tickfont=dict(size=9), tickmode="array", tickvals=techs,
                                 ticktext=[ref.term_label("technology", tech, lang) for tech in techs]))
    return fig


def build_chain_tree(chain_name: str, components: list[dict], ref: Reference, lang: str = "zh") -> go.Figure:
    """An icicle of the chain: the whole system on top, each component below, coloured by how many
    consortia work on it (red: none), with the provinces that do in the hover."""
    root = chain_name
    labels, parents, values, colours, hover = [root], [""], [len(components)], ["#f0f0f0"], [root]
    for c in components:
        name = c["name"] if lang == "zh" else c["name_en"]
        code = c["technology"]
        label = name + ((f"（{code}）" if lang == "zh" else f" ({code})") if code else "")
        provinces = ("、" if lang == "zh" else ", ").join(ref.province_label(p, lang) for p in c["provinces"][:8])
        n = c["consortia"]
        labels.append(label)
        parents.append(root)
        values.append(1)
        colours.append(NONE if n == 0 else THIN if n <= 2 else COVERED)
        hover.append(f"<b>{label}</b><br>{t('consortia', lang)}: {fmt_int(n)}"
                     + (f"<br>{provinces}" if provinces else ("<br>无联合体" if lang == "zh" else "<br>no consortium")))
    fig = go.Figure(go.Icicle(labels=labels, parents=parents, values=values, branchvalues="total",
                              marker=dict(colors=colours, line=dict(color="white", width=1)),
                              hovertext=hover, hoverinfo="text", textinfo="label", tiling=dict(orientation="h"),
                              root=dict(color="#f0f0f0"), textfont=dict(size=13)))
    fig.update_layout(**base_layout(height=60 + 34 * len(components), margin=dict(l=10, r=10, t=10, b=10)))
    return fig


def build_profile_page(profile: dict, ref: Reference, lang: str, source_line: str,
                       caveat: str = "", no_list: bool = False) -> go.Figure:
    """The one-page profile for a meeting: key figures, sectors, years, gaps and partners, as one figure
    that renders to a vector PDF page. With ``no_list`` (the province's list was not found) it states no
    gaps and suggests no partners: an empty list is no evidence of either."""
    name = ref.province_label(profile["province"], lang)
    fig = build_profile_charts(profile, ref, lang, no_list)
    text = profile_lines(profile, ref, lang, caveat, no_list)
    # The title and the lines under it sit above the charts; the top margin grows with the lines, so a
    # longer text (partners one per line, English) never runs into the title.
    lines = sum(line.count("<br>") + 1 for line in text)
    fig.update_layout(width=1400, height=900, margin=dict(l=230, r=60, t=140 + 22 * lines, b=90))
    fig.add_annotation(text="<br>".join(text), x=-0.13, y=1, yshift=50, xref="paper", yref="paper",
                       xanchor="left", yanchor="bottom", showarrow=False, align="left", font=dict(size=16))
    fig.add_annotation(text=f"<b>{profile_title(name, lang)}</b>", x=-0.13, y=1,
                       yshift=60 + 22 * lines, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                       showarrow=False, font=dict(size=32))
    fig.add_annotation(text=source_line, x=-0.13, y=-0.1, xref="paper", yref="paper", xanchor="left", yanchor="top",
                       showarrow=False, font=dict(size=12, color=MUTED))
    return fig


def profile_title(name: str, lang: str) -> str:
    return f"{name} · {'省份画像' if lang == 'zh' else 'Province profile'}"


def build_profile_charts(profile: dict, ref: Reference, lang: str, no_list: bool = False,
                         width: int = 1400, height: int = 600) -> go.Figure:
    """The profile's two charts (consortia by sector with their location quotients, and by year formed),
    without the page's title and text: the page draws those above them, a slide holds them as its own
    editable text."""
    zh = lang == "zh"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.12,
                        subplot_titles=[("各领域联合体" if zh else "Consortia by sector"),
                                        ("组建年份" if zh else "Year formed")])
    sectors = ref.sector_codes
    lq = profile.get("lq", {})
    fig.add_trace(go.Bar(x=[profile["by_sector"][s] for s in sectors],
                         y=[f"{s} {ref.term_label('sector', s, lang)}" for s in sectors], orientation="h",
                         marker_color=GROUP_COLOURS["东部"], showlegend=False,
                         # the location quotients, as the profile view writes them beside its bars
                         text=_lq_labels(profile, sectors), textposition="outside", cliponaxis=False), row=1, col=1)
    years = sorted(profile["by_year"])
    fig.add_trace(go.Bar(x=[str(y) for y in years], y=[profile["by_year"][y] for y in years],
                         marker_color=GROUP_COLOURS["中部"], showlegend=False), row=1, col=2)
    fig.update_yaxes(autorange="reversed", automargin=True, row=1, col=1)
    fig.update_xaxes(type="category", row=1, col=2)
    fig.update_xaxes(rangemode="nonnegative", row=1, col=1)
    fig.update_yaxes(rangemode="nonnegative", row=1, col=2)
    fig.update_xaxes(**whole_ticks(max(profile["by_sector"].values(), default=0)), row=1, col=1)
    fig.update_yaxes(**whole_ticks(max(profile["by_year"].values(), default=0)), row=1, col=2)
    if not profile["total"]:  # empty charts would draw axes from -1: fix them at zero, and say why they are empty
        fig.update_xaxes(range=[0, 1], dtick=1, row=1, col=1)
        fig.update_yaxes(range=[0, 1], dtick=1, row=1, col=2)
        empty = ("未找到本省名录" if zh else "No list was found for this province") if no_list else (
            "当前名录中本省暂无联合体" if zh else "No consortium led from here in this list")
        for x in (0.275, 0.78):
            fig.add_annotation(text=empty, x=x, y=0.5, xref="paper", yref="paper", showarrow=False,
                               font=dict(size=16, color=MUTED))
    if profile["total"] and any(lq.get(s) is not None for s in sectors):
        fig.add_annotation(text=("条旁数字为区位熵（>1 表示较全国更集中）；* 该领域联合体少于 3 个" if zh else
                                 "Beside the bars: location quotient (>1: above the national mix); * under 3 "
                                 "consortia in the sector"), x=0, y=-0.06, xref="paper", yref="paper",
                           xanchor="left", yanchor="top", showarrow=False, font=dict(size=12, color=MUTED))
    fig.update_layout(**base_layout(width=width, height=height, margin=dict(l=230, r=60, t=60, b=90)))
    return fig


def profile_lines(profile: dict, ref: Reference, lang: str, caveat: str = "", no_list: bool = False) -> list[str]:
    """The one-page profile's lines of text (key figures, policy, gaps, partners, caveat), a partner per
    "<br>· " line: drawn on the page above its charts, and written on the slide as its own editable text."""
    zh = lang == "zh"
    unranked = no_list and not profile["total"]  # a zero from a list not found ranks nowhere
    rank = ("排名不详" if zh else "rank unknown") if unranked else (
        f"全国第 {profile['rank']} 位（共 {profile['of']}）· 占有所在省份联合体的 {fmt_pct(profile['share'], 1)}" if zh else
        f"rank {profile['rank']} of {profile['of']} · {fmt_pct(profile['share'], 1)} of located consortia")
    figures = (f"牵头联合体 {fmt_int(profile['total'])} 个 · {rank} · {'已出台' if profile['policy'] else '未见'}组建政策"
               if zh else f"{n_consortia(profile['total'], lang)} led · {rank} · consortium policy: "
               f"{'issued' if profile['policy'] else 'none found'}")
    gaps = [p for p in ("T01", "T36") if p in profile["uncovered"]]
    partner_lines = []
    for tech, provinces in list(profile["partners"].items()):
        if provinces and len(partner_lines) < 4:
            label = "{}（{}）" if zh else "{} ({})"
            names = ("、" if zh else ", ").join(label.format(ref.province_label(p["province"], lang), p["consortia"])
                                                 for p in provinces[:3])
            if len(provinces) > 3:  # say that the list goes on
                names += f" 等 {len(provinces)} 省" if zh else f" and {len(provinces) - 3} more"
            partner_lines.append(f"{tech} {ref.term_label('technology', tech, lang)}{'：' if zh else ': '}{names}")
    text = [figures,
            (f"覆盖卡脖子技术 {len(profile['covered'])} 项，未覆盖 {len(profile['uncovered'])} 项"
             + ("（含" + "、".join(ref.term_label('technology', g, lang) for g in gaps) + "）" if gaps else "")
             if zh else f"Bottleneck technologies covered: {len(profile['covered'])}; uncovered: "
             f"{len(profile['uncovered'])}" + (" (incl. " + ", ".join(ref.term_label('technology', g, lang)
                                                                      for g in gaps) + ")" if gaps else "")),
            ("可合作省份：" if zh else "Possible partners: ") + ("<br>· " + "<br>· ".join(partner_lines)
                                                               if partner_lines else "—")]
    docs = list(dict.fromkeys(policy_title(d, lang) for d in profile.get("policy_docs", [])))
    if docs:  # the documents the page names, their sources being on the page
        text.insert(1, ("组建政策：" if zh else "Consortium policy: ") + ("、" if zh else ", ").join(docs))
    if profile.get("undated"):  # the year chart leaves them out
        text.append(f"另有 {profile['undated']} 个未注明组建年份，不在年份图中" if zh else
                    f"{profile['undated']} without a year are not in the year chart")
    if no_list:  # no gap counts and no partner suggestions where the list itself is missing
        text = [*text[:1 + bool(docs)], "未找到本省名录：无法判断哪些卡脖子技术是空白，也不据此建议合作伙伴。" if zh else
                "This province's list was not found, so no gaps are stated and no partners suggested."]
    if caveat:
        text.append(caveat)
    return text
