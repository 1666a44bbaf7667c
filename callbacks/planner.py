"""URL -> planner view bodies (profile, compare, chains, changes); profile buttons -> one-page exports."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs

from dash import Input, Output, State, callback, dcc, html, no_update

from analytics import planner, views
from analytics.chains import load_chains
from analytics.filters import Filters
from analytics.sources import list_missing, unlisted
from etl.normalise import province_code
from etl.reference import Reference, load_reference
from exports.data import display_rows
from figures.narrative import changes_reading, coverage_caveat
from figures.planner import (build_chain_tree, build_compare_sectors, build_coverage_grid, build_profile_sectors,
                             build_year_bars)
from figures.text import sentence
from layouts import ids
from layouts.planner import (create_changes, create_chains, create_compare, create_profile, create_province_picker,
                             create_view_error)

from . import state

VIEWS = ("profile", "compare", "chains", "changes")


def view_key(search: str | None) -> str:
    """What a rendered body depends on: '' for the overview (its filters update in place), else the query."""
    q = parse_qs((search or "").lstrip("?"))
    if (q.get("view") or [""])[0] not in VIEWS:
        return ""
    return "&".join(f"{k}={','.join(v)}" for k, v in sorted(q.items()) if k != "lang")


def _filtered(sid: str, f: Filters):
    _, frames = state.frames(sid)
    return frames.filtered(f)


def view_body(search: str, lang: str) -> list:
    """The body of a planner view for the URL query ``search``, or a clear message why not."""
    try:
        body = _view_body(search, lang)
    except Exception:  # the page says so in one line; the log keeps the detail
        logging.getLogger(__name__).exception("view %s failed", search)
        return [create_view_error("此视图暂时无法显示，请稍后再试或返回总览" if lang == "zh" else
                                  "This view cannot be shown right now; try again or go back to the overview")]
    return scope_note(search, lang) + body


def scope_note(search: str, lang: str) -> list:
    """A line saying which filters a profile, comparison or chain counts under, so its figures are never
    read as the province's whole (the changes view compares whole snapshots, unfiltered)."""
    from exports.charts import filters_in_words

    f = Filters.from_query(search or "").without_province()
    view = parse_qs((search or "").lstrip("?")).get("view", [""])[0]
    if f == Filters() or view == "changes":
        return []
    words = filters_in_words(f, load_reference(), lang)
    return [html.P(("筛选范围：" if lang == "zh" else "Counted under the filters: ") + words, id=ids.VIEW_SCOPE,
                   className="note scope")]


def _view_body(search: str, lang: str) -> list:
    q = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
    view, ref, zh = q.get("view", ""), load_reference(), lang == "zh"
    rest = Filters.from_query(search or "").without_province().to_query()  # what the views' links carry
    sid = state.current_id()
    if sid is None:
        return [create_view_error("尚无数据快照" if zh else "No snapshot yet")]
    if view == "profile":
        if not q.get("province"):
            return [create_province_picker(ref, lang, "profile", rest)]
        code = province_code(q["province"], ref)
        if code is None:
            return [create_view_error(f"未知省份：{q['province']}（可用 360000、江西或 Jiangxi）" if zh else
                                      f"Unknown province: {q['province']} (try 360000, 江西 or Jiangxi)")]
        return profile_body(sid, code, Filters.from_query(search or "").without_province(), ref, lang)
    if view == "compare":
        texts = [p for p in q.get("provinces", "").split(",") if p]
        if not texts and q.get("province"):
            base = province_code(q["province"], ref)
            texts = planner.peers(base, ref) if base else [q["province"]]
        if not texts:
            return [create_province_picker(ref, lang, "compare", rest)]
        codes = [province_code(p, ref) for p in texts]
        unknown = [p for p, c in zip(texts, codes) if c is None]
        if unknown:
            return [create_view_error(("未知省份：" if zh else "Unknown province: ") + ", ".join(unknown))]
        codes = list(dict.fromkeys(codes))  # one province named twice (330000, 浙江) is one
        if len(codes) > planner.MAX_COMPARE:
            return [create_view_error(f"最多对比 {planner.MAX_COMPARE} 个省份，当前 {len(codes)} 个" if zh else
                                      f"At most {planner.MAX_COMPARE} provinces can be compared; {len(codes)} given")]
        f = Filters.from_query(search or "").without_province()
        sel = _filtered(sid, f)
        result = planner.compare(sel.consortia, sel.technologies, sel.members, codes, ref,
                                 state.planner_context(sid, f, with_partners=False))
        missing = frozenset(unlisted(state.list_coverage(sid)))
        return create_compare(result, ref, lang, {"sectors": build_compare_sectors(result["sectors"], ref, lang),
                                                  "coverage": build_coverage_grid(result["coverage"], ref, lang,
                                                                                  missing)},
                              rest, missing)
    if view == "chains":
        chains = load_chains()
        key = q.get("chain") or next(iter(chains))
        if key not in chains:
            return [create_view_error((f"未知技术链：{key}；可选 " if zh else f"Unknown chain: {key}; one of ")
                                      + ", ".join(chains))]
        components = state.chain(sid, Filters.from_query(search or ""), key)
        name = chains[key].name if zh else chains[key].name_en
        return create_chains(chains, key, components, ref, lang, build_chain_tree(name, components, ref, lang),
                             rest)
    return changes_body(sid, q, ref, lang)


def profile_body(sid: str, code: str, f: Filters, ref: Reference, lang: str) -> list:
    sel = _filtered(sid, f)
    profile = planner.province_profile(sel.consortia, sel.technologies, sel.members, code, ref,
                                       state.planner_context(sid, f))
    led = sel.consortia[sel.consortia["id"].isin(profile["consortia"])]
    rows = display_rows(views.records(views.Frames(led, sel.technologies, sel.members), Filters(), ref), lang)
    coverage = state.list_coverage(sid)
    no_list = list_missing(coverage, code, profile["total"])
    figures = {"sectors": build_profile_sectors(profile, ref, lang, no_list),
               "years": build_year_bars(profile["by_year"], lang, no_list),
               "peers": planner.peers(code, ref), "organisations": profile["partner_organisations"],
               "filters": f.to_query()}  # the other views' links keep the profile's filters
    caveat = sentence(coverage_caveat(coverage, ref, lang, code))
    if coverage:  # the public list: say which lists were found for this province
        from etl.public import lists_found
        found = lists_found(code, lang)
        caveat = " ".join(filter(None, [caveat + ("。" if caveat and lang == "zh" else ". " if caveat else ""),
                                        ("名录情况：" if lang == "zh" else "Lists found: ") + found]))
    return create_profile(profile, ref, lang, figures, rows, caveat, no_list)


def changes_body(sid: str, q: dict, ref: Reference, lang: str) -> list:
    from etl.store import get_engine, list_snapshots, previous_snapshot_id

    zh = lang == "zh"
    ids_ = list(list_snapshots(get_engine())["id"])  # newest first
    target = q.get("to") or sid
    if target == "current":
        target = sid
    if "from" in q and q["from"] != "previous":
        source = q["from"]
    else:
        source = previous_snapshot_id(get_engine(), target)
        if source is None:
            return [create_view_error("此快照之前没有可比较的快照" if zh else
                                      "This snapshot has no predecessor to compare with")]
    snaps = {s: state.snapshot(s) if s in ids_ else None for s in (source, target)}
    missing = [s for s, snap in snaps.items() if snap is None]
    if missing:
        return [create_view_error(("快照不存在或已清理：" if zh else "No such snapshot (or pruned): ")
                                  + ", ".join(missing))]
    diff = state.diff(source, target)
    pairs = [(ids_[i + 1], ids_[i]) for i in range(min(len(ids_) - 1, 5))]
    return create_changes(diff, pairs, ref, lang, changes_reading(diff, ref, lang))


# profile export buttons -> the one-page profile as PDF or PPTX
@callback(Output(ids.PROFILE_DOWNLOAD, "data"), Input(ids.PROFILE_EXPORT_PDF, "n_clicks"),
          Input(ids.PROFILE_EXPORT_PPTX, "n_clicks"), State(ids.PROFILE_PROVINCE, "data"),
          State(ids.PAGE_LANG, "data"), State(ids.URL, "search"), prevent_initial_call=True)
def export_profile(pdf_clicks, pptx_clicks, code, lang, search):
    from dataclasses import replace

    from dash import ctx

    from exports.service import profile_bytes

    from .exports import export_stem

    if not code:
        return no_update
    fmt = "pptx" if ctx.triggered_id == ids.PROFILE_EXPORT_PPTX else "pdf"
    f = Filters.from_query(search or "")
    data = profile_bytes(code, fmt, lang or "zh", f=f)  # as the view shows it
    # named as the overview's exports are, for what it holds: the province, the filters, the language
    return dcc.send_bytes(data, f"{export_stem('profile', replace(f, province=code), lang or 'zh', '')}.{fmt}")


# compare-submit -> the compare view of the ticked provinces, under the same filters and language
@callback(Output(ids.URL, "search", allow_duplicate=True), Input(ids.COMPARE_SUBMIT, "n_clicks"),
          State(ids.COMPARE_PICK, "value"), State(ids.COMPARE_QUERY, "data"), State(ids.PAGE_LANG, "data"),
          prevent_initial_call=True)
def compare_chosen(clicks, chosen, query, lang):
    if not clicks or not chosen:
        return no_update
    return "?" + "&".join(filter(None, ["view=compare", "provinces=" + ",".join(chosen), query,
                                        "" if (lang or "zh") == "zh" else "lang=en"]))
