"""Component factories of the planner views. They take what analytics computed and only lay it out;
every record text goes into components as text, never as HTML."""
from __future__ import annotations

import re

from dash import dcc, html

from analytics.planner import MAX_COMPARE
from etl.reference import Reference
from figures.text import field_text, fmt_int, fmt_pct, policy_issuer, policy_title, t

from . import ids
from .page import GRAPH_CONFIG, view_href


def _h(text: str) -> html.H2:
    return html.H2(text)


def _tags(codes: list[str], ref: Reference, lang: str, kind: str) -> html.Div:
    return html.Div([html.Span(f"{c} {ref.term_label('technology', c, lang)}", className=f"tag {kind}")
                     for c in codes] or [html.Span("—")], className="tags gaps-list")


def _table(header: list[str], rows: list[list], id_: str | None = None) -> html.Table:
    kwargs = {"id": id_} if id_ else {}
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
                      className="planner", **kwargs)


def site_of(url: str) -> str:
    """'https://www.gov.cn/x/y.html' -> 'gov.cn': the name a source link shows, so where it goes is seen."""
    host = re.sub(r"^https?://", "", url, flags=re.I).split("/")[0].split("?")[0].split("#")[0]
    return re.sub(r"^(www|m)\.", "", host, flags=re.I)


def _link(href: str, text: str) -> html.A:
    return html.A(text, href=href, target="_blank", rel="noopener noreferrer", className="source-link", title=href)


def policy_line(profile: dict, lang: str) -> html.P | None:
    """Which policy on forming consortia the province has, and where that is said: each document a
    stored page names, with its source, or the 2022 policy brief when it is the only source."""
    zh = lang == "zh"
    if not profile["policy"]:
        return html.P("组建政策：在已查阅的资料中未见（不代表未出台）。" if zh else
                      "Consortium policy: none found in the sources searched (which is not proof that none exists).",
                      id=ids.PROFILE_POLICY, className="note")
    docs, seen = [], set()
    for d in profile.get("policy_docs", []):
        if d["title"] not in seen:
            seen.add(d["title"])
            docs += [("；" if zh else "; ") if docs else "", policy_title(d, lang),
                     f"（{d['issuer']}，{d['year']}）" if zh else f" ({policy_issuer(d, lang)}, {d['year']})"]
        docs += [" ", _link(d["url"], site_of(d["url"]))]
    if not docs:
        docs = ["据政策研究（孙莹璐等，2022），本省已出台组建创新联合体的政策文件。" if zh else
                "The 2022 policy brief (Sun et al.) lists the province among those with a policy on forming consortia."]
    return html.P(["组建政策：" if zh else "Consortium policy: ", *docs], id=ids.PROFILE_POLICY, className="note")


def _org(o: dict, label, zh: bool) -> str:
    """'华中科技大学（湖北）': an organisation with its province, where the list gives one."""
    if not o.get("province"):
        return o["name"]
    return f"{o['name']}（{label(o['province'])}）" if zh else f"{o['name']} ({label(o['province'])})"


def _policy(issued: bool, zh: bool) -> str:
    return ("已出台" if zh else "issued") if issued else ("未见" if zh else "none found")  # not seen, not 'none'


def create_view_error(message: str) -> html.Section:
    """A clear message in the page for a view that cannot be shown (unknown province, chain, snapshot …)."""
    return html.Section(html.P(message, id=ids.VIEW_ERROR, className="view-error"), className="panel")


def _with(param: str, query: str) -> str:
    """One view parameter followed by the filters' ``query`` (Filters.to_query, its province left out)."""
    return param + (f"&{query}" if query else "")


def create_compare_form(ref: Reference, lang: str, chosen: list[str], query: str = "") -> html.Div:
    """Tick the provinces to compare (by mouse, or Tab and Space), then open ?view=compare&provinces=…
    with the filters ``query`` (callbacks.planner.compare_chosen)."""
    zh = lang == "zh"
    return html.Div([
        dcc.Checklist(id=ids.COMPARE_PICK, value=list(chosen), inline=True, className="province-picker",
                      options=[{"label": ref.province_label(c, lang), "value": c} for c in ref.province_codes]),
        dcc.Store(id=ids.COMPARE_QUERY, data=query),
        html.Button(f"对比所选省份（最多 {MAX_COMPARE} 个）" if zh else f"Compare the ticked provinces (up to {MAX_COMPARE})",
                    id=ids.COMPARE_SUBMIT),
    ], id=ids.COMPARE_FORM)


def create_province_picker(ref: Reference, lang: str, view: str, query: str = "") -> html.Section:
    """The provinces, each a link to ``view`` of it under the filters ``query``; for the compare view, also
    boxes to tick several."""
    if view == "compare":
        return html.Section([_h("选择要对比的省份" if lang == "zh" else "Choose the provinces to compare"),
                             create_compare_form(ref, lang, [], query)], className="panel")
    return html.Section([
        _h("选择省份" if lang == "zh" else "Choose a province"),
        html.Div([html.A(ref.province_label(c, lang), href=view_href(view, _with(f"province={c}", query), lang))
                  for c in ref.province_codes], className="province-picker")], className="panel")


def create_profile(profile: dict, ref: Reference, lang: str, figures: dict, records: list[dict],
                   caveat: str, no_list: bool = False) -> list:
    """The province profile: figures, sectors, technologies, collaboration, years, partners, consortia.
    With ``no_list`` (no list was found for the province) it states no gaps and suggests no partners."""
    zh = lang == "zh"
    unknown = html.P("未找到本省名录：无法判断哪些卡脖子技术是空白，也不据此建议合作伙伴。" if zh else
                     "No list was found for this province, so no gaps are stated and no partners suggested.",
                     className="note caveat")
    code = profile["province"]
    name = ref.province_label(code, lang)
    label = lambda c: ref.province_label(c, lang)  # noqa: E731
    unranked = no_list and not profile["total"]  # a zero from a list not found ranks nowhere
    kpis = html.Div([
        html.Div([html.Div(str(profile["total"]), id=ids.PROFILE_TOTAL, className="kpi-value"),
                  html.Div("牵头联合体" if zh else "Consortia led")], className="kpi"),
        html.Div([html.Div("—" if unranked else str(profile["rank"]), id=ids.PROFILE_RANK, className="kpi-value"),
                  html.Div(f"全国排名（共 {profile['of']}）" if zh else f"Rank of {profile['of']}")], className="kpi"),
        html.Div([html.Div("—" if unranked else fmt_pct(profile["share"], 1), className="kpi-value"),
                  # of the consortia placed in a province (national and regional ones have no share to give)
                  html.Div("占全国（有所在省份的联合体）" if zh else "Share of located consortia")], className="kpi"),
        html.Div([html.Div(("已出台" if zh else "Issued") if profile["policy"] else ("未见" if zh else "None found"),
                           className="kpi-value"),
                  html.Div("组建政策" if zh else "Consortium policy")], className="kpi"),
    ], className="profile-figures")
    head = html.Section([
        html.H2(f"{name} · " + ("省份画像" if zh else "Province profile")),
        kpis,
        policy_line(profile, lang),
        html.P(caveat, className="note caveat") if caveat else None,
        html.Div([html.A("与同区域省份对比 →" if zh else "Compare with its region's peers →",
                         href=view_href("compare", "&".join(filter(None, [f"provinces={','.join(figures['peers'])}",
                                                                          figures.get("filters")])), lang)),
                  html.Button("画像 PDF" if zh else "Profile PDF", id=ids.PROFILE_EXPORT_PDF),
                  html.Button("画像 PPTX" if zh else "Profile PPTX", id=ids.PROFILE_EXPORT_PPTX),
                  dcc.Download(id=ids.PROFILE_DOWNLOAD), dcc.Store(id=ids.PROFILE_PROVINCE, data=code)],
                 className="exports")], className="panel")
    sectors = html.Section([_h("领域结构（与全国比较）" if zh else "Sectors against the national mix"),
                            dcc.Graph(id=ids.PROFILE_SECTORS, figure=figures["sectors"], config=GRAPH_CONFIG)],
                           className="panel")
    collab = profile["collaboration"]
    technology = html.Section([
        _h("卡脖子技术" if zh else "Bottleneck technologies"),
        *([unknown] if no_list else [
            html.H3(f"已覆盖（{len(profile['covered'])}）" if zh else f"Covered ({len(profile['covered'])})"),
            _tags(profile["covered"], ref, lang, "covered"),
            html.H3(f"未覆盖（{len(profile['uncovered'])}）" if zh else f"Uncovered ({len(profile['uncovered'])})"),
            _tags(profile["uncovered"], ref, lang, "none")]),
        _h("跨省协作" if zh else "Collaboration"),
        html.P(("本省联合体的外省成员：" if zh else "Other provinces in its consortia: ")
               + (("、" if zh else ", ").join(f"{label(c)} {n}" for c, n in collab["out"].items()) or "—")),
        html.P(("本省单位参与的外省联合体：" if zh else "Its organisations in other provinces' consortia: ")
               + (("、" if zh else ", ").join(f"{label(c)} {n}" for c, n in collab["in"].items()) or "—")),
        _h("组建年份" if zh else "Year formed"),
        dcc.Graph(id=ids.PROFILE_YEARS, figure=figures["years"], config=GRAPH_CONFIG),
        html.P((f"另有 {profile['undated']} 个未注明年份" if zh else f"{profile['undated']} without a year")
               if profile["undated"] else "", className="note"),
    ], className="panel")
    partner_rows = []
    for tech, provinces in profile["partners"].items():
        if not provinces:
            continue
        orgs = figures["organisations"].get(tech, [])[:3]
        partner_rows.append([
            f"{tech} {ref.term_label('technology', tech, lang)}",
            ("、" if zh else ", ").join(
                f"{label(p['province'])}（{p['consortia']}）{'✓' if p['collaborates'] else ''}" if zh else
                f"{label(p['province'])} ({p['consortia']}){' ✓' if p['collaborates'] else ''}" for p in provinces[:5]),
            ("、" if zh else ", ").join(_org(o, label, zh) for o in orgs)])
    led_nowhere = [tech for tech, provinces in profile["partners"].items() if not provinces]
    # no province leads one, but a national list (central SOEs) or a region's consortium works on it
    unplaced = {tech: figures["organisations"].get(tech, [])[:3] for tech in led_nowhere
                if figures["organisations"].get(tech)}
    no_one = [tech for tech in led_nowhere if tech not in unplaced]
    partners = html.Section([_h("合作伙伴建议" if zh else "Partner suggestions"), unknown],
                            className="panel") if no_list else html.Section([
        _h("合作伙伴建议" if zh else "Partner suggestions"),
        html.P("本省尚未覆盖、而其他省份有联合体在攻关的技术；括号内为该省牵头的联合体数，✓ 表示已有合作。" if zh else
               "Technologies this province does not cover that other provinces' consortia work on; in brackets the "
               "consortia each leads, ✓ where they already work together.", className="note"),
        _table(["技术" if zh else "Technology", "省份" if zh else "Provinces",
                "单位（牵头或参与）" if zh else "Organisations (lead or member)"], partner_rows, ids.PROFILE_PARTNERS)
        if partner_rows else html.P("暂无可建议的伙伴" if zh else "No partner to suggest yet"),
        html.P(("没有其他省份牵头、但有全国性或区域性联合体（如央企牵头）攻关：" if zh else
                "No other province leads one, but national or regional consortia (central SOEs and others) work on: ")
               + ("；" if zh else "; ").join(
                   f"{ref.term_label('technology', c, lang)}（{'、'.join(_org(o, label, zh) for o in orgs)}）" if zh
                   else f"{ref.term_label('technology', c, lang)} ({', '.join(_org(o, label, zh) for o in orgs)})"
                   for c, orgs in unplaced.items()), className="note") if unplaced else None,
        html.P(("尚无任何联合体攻关：" if zh else "No consortium anywhere works on: ")
               + ("、" if zh else ", ").join(ref.term_label('technology', c, lang) for c in no_one),
               className="note") if no_one else None,
    ], className="panel")
    consortia = html.Section([
        _h(f"本省牵头的联合体（{len(records)}）" if zh else f"Consortia led here ({len(records)})"),
        _table(["名称" if zh else "Name", "领域" if zh else "Sector", "年份" if zh else "Year",
                "来源等级" if zh else "Grade", "来源" if zh else "Source"],
               [[r["name"], r["sector"], r["year"] or "", r["grade"],
                 html.Span([_link(u, site_of(u)) for u in r["source_url"]])] for r in records]),
    ], className="panel")
    return [head, html.Div([sectors, technology], className="two"), partners, consortia]


def create_compare(result: dict, ref: Reference, lang: str, figures: dict, query: str = "",
                   unlisted: frozenset = frozenset()) -> list:
    """Up to ten provinces side by side: a table (each province a link to its profile under the filters
    ``query``), small-multiple sectors and the technology grid. A province in ``unlisted`` (no list found)
    with no consortium shows no rank, share or gap count: its zeros are not evidence."""
    zh = lang == "zh"
    table = result["table"]
    rows = []
    for r in table.itertuples():
        name = html.A(ref.province_label(r.province, lang),
                      href=view_href("profile", _with(f"province={r.province}", query), lang))
        if r.province in unlisted and not r.total:
            rows.append([html.Span([name, "（未找到名录）" if zh else " (no list found)"]), "—", "—", "—", "—", "—",
                         fmt_int(r.collaborating_provinces), _policy(r.policy, zh)])
            continue
        rows.append([name, fmt_int(r.total), str(r.rank), fmt_pct(r.share, 1), fmt_int(r.covered),
                     fmt_int(r.uncovered), fmt_int(r.collaborating_provinces), _policy(r.policy, zh)])
    missing = [ref.province_label(c, lang) for c in table["province"] if c in unlisted]
    change = html.Details([html.Summary("更换对比省份" if zh else "Change the provinces compared",
                                        id=ids.COMPARE_FORM_TOGGLE),
                           create_compare_form(ref, lang, list(table["province"]), query)])
    note = html.P((f"未找到{'、'.join(missing)}的名录：表中的空白不代表没有联合体。" if zh else
                   f"No list was found for {', '.join(missing)}: a blank there is no evidence of no consortium.")
                  if missing else "", className="note caveat")
    return [
        html.Section([
            _h("省份对比" if zh else "Provinces compared"),
            _table(["省份" if zh else "Province", "联合体" if zh else "Consortia", "排名" if zh else "Rank",
                    "占全国（有所在省份的）" if zh else "Share of located", "覆盖技术" if zh else "Technologies covered",
                    "未覆盖" if zh else "Uncovered", "协作省份" if zh else "Partner provinces",
                    "组建政策" if zh else "Policy"], rows, ids.COMPARE_TABLE), note, change], className="panel"),
        html.Section([_h("各领域联合体" if zh else "Consortia by sector"),
                      dcc.Graph(id=ids.COMPARE_SECTORS, figure=figures["sectors"], config=GRAPH_CONFIG)],
                     className="panel"),
        html.Section([_h("卡脖子技术覆盖" if zh else "Bottleneck technology coverage"),
                      dcc.Graph(id=ids.COMPARE_COVERAGE, figure=figures["coverage"], config=GRAPH_CONFIG)],
                     className="panel"),
    ]


def create_chains(chains: dict, current: str, components: list[dict], ref: Reference, lang: str,
                  figure, query: str = "") -> list:
    """One technology chain as a tree coloured by coverage, with links to the others (under the filters
    ``query``)."""
    zh = lang == "zh"
    links = html.Nav([html.A(c.name if zh else c.name_en, href=view_href("chains", _with(f"chain={key}", query), lang),
                             className="view-link" + (" active" if key == current else ""))
                      for key, c in chains.items()], className="view-nav")
    uncovered = [c for c in components if not c["consortia"]]
    # components by name, and the bottleneck technology each answers to by its name (the tree keeps the codes)
    rows = [[c["name"] if zh else c["name_en"],
             ref.term_label("technology", c["technology"], lang) if c["technology"] else "—",
             _chain_count(c, zh, ref), _chain_leads(c, ref, lang)] for c in components]
    return [html.Section([
        _h(("技术链：" if zh else "Technology chain: ") + (chains[current].name if zh else chains[current].name_en)),
        links,
        html.P((f"{len(components)} 个环节中 {len(uncovered)} 个尚无联合体攻关（红色）；橙色为仅 1–2 个。" if zh else
                f"{len(uncovered)} of {len(components)} components have no consortium (red); orange: one or two."),
               className="reading"),
        dcc.Graph(id=ids.CHAIN_TREE, figure=figure, config=GRAPH_CONFIG),
        _table(["环节" if zh else "Component", "对应卡脖子技术" if zh else "Bottleneck technology",
                "联合体" if zh else "Consortia", "牵头省份" if zh else "Lead provinces"], rows),
        html.P("联合体数含名称或技术文字提到该环节的联合体；括号内为标注了该卡脖子技术的数目，即空白矩阵所计。" if zh else
               "Consortia counts those whose name or technology text names the component; in brackets, those tagged "
               "with its bottleneck technology, which is what the gap matrix counts.", className="note"),
    ], className="panel")]


def _chain_count(c: dict, zh: bool, ref: Reference) -> str:
    """'3' or '3（其中 2 个标注为光刻机）' when some of them only name the component."""
    n, coded = c["consortia"], c.get("coded", 0)
    if not c["technology"] or coded == n:
        return fmt_int(n)
    name = ref.term_label("technology", c["technology"], "zh" if zh else "en")
    return f"{fmt_int(n)}（其中 {fmt_int(coded)} 个标注为{name}）" if zh else f"{fmt_int(n)} ({fmt_int(coded)} tagged {name})"


def _chain_leads(c: dict, ref: Reference, lang: str) -> str:
    """The lead provinces, then those led from no single province (central SOEs' national lists, 长三角)."""
    zh = lang == "zh"
    leads = [ref.province_label(p, lang) for p in c["provinces"]]
    if c.get("unplaced"):
        leads.append(f"全国性或区域性 {c['unplaced']}" if zh else f"national or regional: {c['unplaced']}")
    return ("、" if zh else ", ").join(leads) or "—"


def create_changes(diff: dict, snapshots: list[tuple[str, str]], ref: Reference, lang: str, summary: str) -> list:
    """What changed between two snapshots: counts, lists, technologies, provinces and ranks."""
    zh = lang == "zh"
    suffix = "" if zh else "&lang=en"
    pick = html.Div([
        html.Span("比较：" if zh else "Compare: "),
        *[html.A(f"{a} → {b}", href=f"?view=changes&from={a}&to={b}{suffix}", className="view-link")
          for a, b in snapshots],
    ], className="view-nav")
    names = lambda items: ("、" if zh else ", ").join(items) or "—"  # noqa: E731
    changed = [[c["name"], ("、" if zh else ", ").join(field_text(x, lang) for x in c["fields"])]
               for c in diff["changed"]]
    def rank(p: dict) -> str:  # "4 → 5", "1" when it held, "—" for no consortium (and national counts)
        a, b = (str(r) if r else "—" for r in (p["rank_from"], p["rank_to"]))
        return "—" if p["code"] not in ref.provinces else a if a == b else f"{a} → {b}"

    deltas = [[ref.province_label(p["code"], lang) if p["code"] in ref.provinces else t(p["code"], lang),
               f"{p['count_from']} → {p['count_to']}（{p['delta']:+d}）" if zh else
               f"{p['count_from']} → {p['count_to']} ({p['delta']:+d})", rank(p)] for p in diff["provinces"]]
    return [html.Section([
        _h("变化" if zh else "What changed"),
        pick,
        html.P(summary, id=ids.CHANGES_SUMMARY, className="reading"),
        html.H3(f"新增（{len(diff['added'])}）" if zh else f"Added ({len(diff['added'])})"),
        html.P(names(diff["added"])),
        html.H3(f"移除（{len(diff['removed'])}）" if zh else f"Removed ({len(diff['removed'])})"),
        html.P(names(diff["removed"])),
        html.H3(f"变更（{len(changed)}）" if zh else f"Changed ({len(changed)})"),
        _table(["联合体" if zh else "Consortium", "字段" if zh else "Fields"], changed) if changed else html.P("—"),
        html.H3("卡脖子技术" if zh else "Bottleneck technologies"),
        html.P(("新覆盖：" if zh else "Newly covered: ") + ref.technology_names(diff["newly_covered"], lang)),
        html.P(("不再覆盖：" if zh else "No longer covered: ") + ref.technology_names(diff["newly_uncovered"], lang)),
        html.H3("省份" if zh else "Provinces"),
        _table(["省份" if zh else "Province", "联合体变化" if zh else "Change", "排名" if zh else "Rank"], deltas)
        if deltas else html.P("—"),
    ], className="panel")]
