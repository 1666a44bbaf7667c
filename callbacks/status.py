"""snapshot -> data status panel; button -> rejected rows as CSV."""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html

from analytics.sources import sources_by_grade
from etl.reference import load_reference
from etl.store import get_engine, list_snapshots, refresh_history
from figures.text import field_text, fmt_datetime, fmt_int, kind_text, reason_text, refresh_status_text, t
from layouts import ids
from layouts.steward import KINDS

from . import state


SHOWN = 20


def _table(header: list[str], rows: list[list]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])], className="status")


# snapshot, language -> status panel
@callback(Output(ids.STATUS_PANEL, "children"), Output(ids.STATUS_REJECTIONS_BUTTON, "hidden"),
          Input(ids.SNAPSHOT, "data"), Input(ids.PAGE_LANG, "data"))
def update_status(sid, lang):
    """The panel, and the rejected rows' download only where there are some."""
    snap = state.snapshot(sid)
    return status_panel(snap, lang or "zh"), snap is None or not snap.info["rejected"]


def status_panel(snap, lang: str) -> list:
    lang = lang or "zh"
    zh = lang == "zh"
    ref = load_reference()
    if snap is None:
        return html.P("尚无数据快照" if zh else "No snapshot yet")
    info = snap.info
    report = info["report"]
    engine = get_engine()
    facts = [
        [t("snapshot", lang), snap.id],
        ["发布时间" if zh else "Published", fmt_datetime(info["published_at"], lang)],
        ["类型" if zh else "Kind",
         kind_text(info["kind"], lang) + (" · " + t("synthetic", lang) if info["synthetic"] else "")],
        ["读取行数" if zh else "Rows read", fmt_int(info["rows_read"])],
        ["接受" if zh else "Accepted", fmt_int(info["consortia"])],
        ["拒绝" if zh else "Rejected", fmt_int(info["rejected"])],
        ["警告" if zh else "Warnings", fmt_int(info["warnings"])],
        ["合并重复" if zh else "Duplicates merged", fmt_int(info["duplicates"])],
    ]
    sources = [[s["name"], s["sha256"][:12], s.get("location") or ""] for s in state_sources(snap)]
    # A few rows on the page (every component slows dash-renderer down); all of them in the CSV download.
    rejections = snap.rejections.head(SHOWN)
    unmapped_all = sorted(([KINDS.get(kind, (kind, kind))[0 if zh else 1], text, n]
                           for kind, texts in report.get("unmapped", {}).items() for text, n in texts.items()),
                          key=lambda r: -r[2])
    unmapped = unmapped_all[:SHOWN]
    by_grade = sources_by_grade(snap.consortia)
    graded = by_grade[by_grade["grade"] != ""]
    coverage = state.list_coverage(snap.id)
    history = refresh_history(engine, 20)
    snapshots = list_snapshots(engine).head(10)
    return [
        _table(["", ""], facts),
        html.H3("源文件" if zh else "Source files"),
        _table(["文件" if zh else "File", "SHA-256", "位置" if zh else "Location"], sources),
        *([html.H3("来源等级" if zh else "Sources by grade", id=ids.STATUS_GRADES),
           _table(["等级" if zh else "Grade", "联合体" if zh else "Consortia", "来源页面" if zh else "Source pages",
                   "发布者" if zh else "Publishers"],
                  [[f"{r.grade} {t('grade_' + r.grade, lang)}" if r.grade else ("未分级" if zh else "ungraded"),
                    fmt_int(r.consortia), fmt_int(r.pages), fmt_int(r.publishers)] for r in by_grade.itertuples()])]
          if len(graded) else []),
        *([html.H3("各省名录完整度" if zh else "Completeness of each province's list"),
           _table(["完整度" if zh else "Completeness", "省份" if zh else "Provinces"],
                  [[t("list_" + status, lang), ("、" if zh else ", ").join(
                      ref.province_label(c, lang) for c, s in sorted(coverage.items()) if s == status
                      and c in ref.provinces)] for status in ("complete", "partial", "none_found")])]
          if coverage else []),
        html.H3(f"被拒记录（{fmt_int(len(snap.rejections))}）" if zh else f"Rejected rows ({fmt_int(len(snap.rejections))})"),
        html.P(f"显示前 {SHOWN} 条，完整列表请下载" if zh else f"First {SHOWN} shown; download for all",
               className="note") if len(snap.rejections) > SHOWN else None,
        _table(["文件" if zh else "File", "行" if zh else "Row", "字段" if zh else "Field", "原因" if zh else "Reason"],
               [[r.file, r.row, field_text(r.field, lang), reason_text(r.reason, lang)]
                for r in rejections.itertuples()])
        if len(rejections) else
        html.P("无" if zh else "None"),
        html.H3(f"未映射文本（{fmt_int(len(unmapped_all))}）" if zh else f"Unmapped texts ({fmt_int(len(unmapped_all))})"),
        html.P(f"显示最常见的 {SHOWN} 条；数据管理员可在“数据管理”页暂存名单后查看全部并映射" if zh else
               f"The {SHOWN} most frequent shown; a steward sees them all, and maps them, on the Stewardship page "
               "after staging a list", className="note") if len(unmapped_all) > SHOWN else None,
        _table(["类别" if zh else "Kind", "文本" if zh else "Text", "次数" if zh else "Count"], unmapped)
        if unmapped else html.P("无" if zh else "None"),
        html.H3("快照历史" if zh else "Snapshots"),
        _table(["ID", "发布" if zh else "Published", "类型" if zh else "Kind", "联合体" if zh else "Consortia"],
               [[r.id, fmt_datetime(r.published_at, lang), kind_text(r.kind, lang),
                 fmt_int(r.consortia)]
                for r in snapshots.itertuples()]),
        html.H3("刷新记录" if zh else "Refresh history"),
        _table(["开始" if zh else "Started", "状态" if zh else "Status", "说明" if zh else "Message"],
               [[fmt_datetime(r.started_at, lang), refresh_status_text(r.status, lang),
                 (r.message or "")[:160]] for r in history.itertuples()])
        if len(history) else html.P("尚无刷新" if zh else "No refresh yet"),
    ]


def state_sources(snap) -> list[dict]:
    from etl.store import snapshot_info

    info = snapshot_info(get_engine(), snap.id)
    return info["sources"] if info else []


# button -> rejected rows of the current snapshot as CSV (UTF-8 with BOM, opens in Excel)
@callback(Output(ids.STATUS_REJECTIONS_DOWNLOAD, "data"), Input(ids.STATUS_REJECTIONS_BUTTON, "n_clicks"),
          State(ids.SNAPSHOT, "data"), prevent_initial_call=True)
def download_rejections(_, sid):
    from exports.data import to_csv_bytes

    snap = state.snapshot(sid)
    # The rejected cells are what a list held, a formula among them: neutralised like every export.
    return dcc.send_bytes(to_csv_bytes(snap.rejections), f"rejections-{snap.id}.csv")
