"""The steward's page (/steward): upload, staged report, aliases, publish or discard; rollback, refresh
and the audit trail for admins. Factories only: the callbacks fill in what they computed."""
from __future__ import annotations

from dash import dcc, html

from etl.reference import Reference
from figures.text import field_text, fmt_datetime, fmt_int, kind_text, reason_text, refresh_status_text, t

from . import ids
from .page import GRAPH_CONFIG


def create_sign_in_needed(lang: str, signed_in_as: str | None) -> html.Section:
    zh = lang == "zh"
    who = ((f"当前用户 {signed_in_as} 无数据管理权限。" if zh else f"{signed_in_as} may not manage data. ")
           if signed_in_as else "")
    return html.Section([
        html.H2("数据管理" if zh else "Data stewardship"),
        html.P(who + ("请以数据管理员（steward）或管理员（admin）身份登录。" if zh else
                      "Sign in as a data steward or an admin."), id=ids.VIEW_ERROR, className="view-error"),
        html.A("登录 · Sign in", href="/login?next=/steward")], className="panel")


def create_steward(lang: str, user: str, role: str, max_mb: int, max_files: int, token: str = "",
                   staged: tuple | None = None) -> list:
    """The upload box, the staged list's buttons and its report; ``staged`` holds the values the staged-list
    callbacks set (callbacks.steward.STAGE_OUTPUTS) for a list of the user's that still waits."""
    zh = lang == "zh"
    data, view, message, words, no_publish, no_discard, no_alias = staged or (None, [], "", [], True, True, True)
    upload = html.Section([
        html.H2("上传名单" if zh else "Bring in a list"),
        html.P(f"已登录：{user}（{role_label(role, lang)}）" if zh else f"Signed in: {user} ({role_label(role, lang)})",
               className="note"),
        # A file over the limit never leaves the browser; assets/records-grid.js names it here.
        html.P(id=ids.UPLOAD_OVERSIZE, className="view-error", **{"data-max-bytes": str(max_mb * 1024 * 1024),
                                                                 "data-lang": lang}),
        dcc.Upload(id=ids.UPLOAD_FILES, multiple=True, max_size=max_mb * 1024 * 1024,
                   children=html.Div(("拖入或点击选择 CSV / XLSX / JSON 文件" if zh else
                                      "Drop or choose CSV / XLSX / JSON files")
                                     + (f"（每个不超过 {max_mb} MB，最多 {max_files} 个）" if zh else
                                        f" (up to {max_mb} MB each, {max_files} at most)")),
                   className="upload-box"),
        html.P("上传的名单先暂存：只有你能看到下面的检查结果，确认后才发布给所有人。" if zh else
               "An upload is staged: only you see the report below; nothing is published until you say so.",
               className="note"),
        dcc.Store(id=ids.STEWARD_STAGED, data=data),
        dcc.Store(id=ids.STEWARD_TOKEN, data=token),
        html.Div([html.Span(id=ids.STEWARD_PROGRESS, className="note"),
                  html.Button("取消" if zh else "Cancel", id=ids.STEWARD_CANCEL, style={"display": "none"})],
                 className="exports"),
        html.P(message, id=ids.STEWARD_MESSAGE, className="reading"),
        # Always on the page (enabled while something is staged): a callback's inputs must exist.
        html.Div([html.Button("发布" if zh else "Publish", id=ids.PUBLISH_STAGED, className="primary",
                              disabled=no_publish),
                  html.Button("放弃" if zh else "Discard", id=ids.DISCARD_STAGED, disabled=no_discard)],
                 className="exports"),
        html.Div([
            html.Span("把未识别的文字映射到代码：" if zh else "Map a text the tagger did not understand: "),
            dcc.Dropdown(id=ids.ALIAS_WORD, options=words, placeholder="选择文字…" if zh else "Choose a text…",
                         className="alias-word"),
            dcc.Dropdown(id=ids.ALIAS_CODE, options=[], placeholder="映射到…" if zh else "Map to…",
                         className="alias-code"),
            html.Button("保存映射并重新检查" if zh else "Save the mapping and check again", id=ids.ALIAS_APPLY,
                        disabled=no_alias),
        ], className="exports"),
    ], className="panel")
    report = html.Section(view, id=ids.STEWARD_REPORT, className="panel")
    return [upload, report]


KINDS = {"sector": ("领域", "sector"), "technology": ("技术", "technology"), "province": ("省份", "province"),
         "city": ("城市", "city")}
NAMED = 30  # names listed per line of the comparison; SHOWN rows per table of the report
SHOWN = 50


def _some(names: list[str], lang: str) -> str:
    """Up to NAMED names, and how many more there are."""
    if not names:
        return "—"
    text = ("、" if lang == "zh" else ", ").join(names[:NAMED])
    rest = len(names) - NAMED
    if rest > 0:
        text += f" …… 另有 {fmt_int(rest)} 个未列出" if lang == "zh" else f" … and {fmt_int(rest)} more"
    return text


def _more(total: int, lang: str):
    rest = total - SHOWN
    if rest <= 0:
        return None
    return html.P(f"…… 另有 {fmt_int(rest)} 行未列出" if lang == "zh" else f"… and {fmt_int(rest)} more rows",
                  className="note")


def _count(id_: str, label: str, value: int) -> html.Div:
    return html.Div([html.Div(str(value), id=id_, className="kpi-value"), html.Div(label)], className="kpi")


def _table(header: list[str], rows: list[list]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(str(c)) for c in row]) for row in rows])], className="planner")


def create_staged_report(report: dict, diff: dict, words: list[dict], refusals: list, ref: Reference,
                         lang: str, changes_map) -> list:
    """The staged snapshot's report: counts, rejections, warnings, unmapped words with the alias form,
    the difference against the current snapshot with a small map, and publish / discard."""
    zh = lang == "zh"
    counts = html.Div([
        _count(ids.STAGED_ACCEPTED, "接受" if zh else "Accepted", report["accepted"]),
        _count(ids.STAGED_REJECTED, "拒绝" if zh else "Rejected", report["rejected"]),
        _count(ids.STAGED_WARNINGS, "警告" if zh else "Warnings", report["warnings"]),
        _count(ids.STAGED_DUPLICATES, "合并重复" if zh else "Duplicates merged", report["duplicates"]),
        _count(ids.STAGED_ADDED, "新增" if zh else "Added", len(diff["added"])),
        _count(ids.STAGED_REMOVED, "移除" if zh else "Removed", len(diff["removed"])),
        _count(ids.STAGED_CHANGED, "变更" if zh else "Changed", len(diff["changed"])),
    ], className="profile-figures")
    problems = [[r.file, r.reason] for r in refusals] + [[e, ""] for e in report.get("errors", [])]
    deltas = [[ref.province_label(c, lang) if c in ref.provinces else t(c, lang), f"{n:+d}"]
              for c, n in diff["by_province_delta"].items()]
    return [
        html.H2("暂存结果" if zh else "Staged report"),
        counts,
        html.H3("未读取的文件" if zh else "Files not read") if problems else None,
        _table(["文件" if zh else "File", "原因" if zh else "Reason"], problems) if problems else None,
        html.H3(f"被拒记录（{report['rejected']}）" if zh else f"Rejected rows ({report['rejected']})"),
        _table(["文件" if zh else "File", "行" if zh else "Row", "字段" if zh else "Field", "值" if zh else "Value",
                "原因" if zh else "Reason"],
               [[r["file"], r["row"], field_text(r["field"], lang), r["value"], reason_text(r["reason"], lang)]
                for r in report["rejections"][:SHOWN]])
        if report["rejections"] else html.P("无" if zh else "None"),
        _more(len(report["rejections"]), lang),
        html.H3(f"警告（{report['warnings']}）" if zh else f"Warnings ({report['warnings']})"),
        _table(["文件" if zh else "File", "行" if zh else "Row", "字段" if zh else "Field", "值" if zh else "Value",
                "原因" if zh else "Reason"],
               [[w["file"], w["row"], field_text(w["field"], lang), w["value"], reason_text(w["reason"], lang)]
                for w in report["warning_list"][:SHOWN]])
        if report["warning_list"] else html.P("无" if zh else "None"),
        _more(len(report["warning_list"]), lang),
        html.H3(f"未识别的文字（{len(words)}）" if zh else f"Texts not understood ({len(words)})"),
        _table(["类别" if zh else "Kind", "文字" if zh else "Text", "次数" if zh else "Count"],
               [[KINDS[w["kind"]][0 if zh else 1], w["text"], w["count"]] for w in words])
        if words else html.P("无" if zh else "None"),
        html.H3("与当前快照相比" if zh else "Against the current snapshot"),
        html.P(("新增：" if zh else "Added: ") + _some(diff["added"], lang)),
        html.P(("移除：" if zh else "Removed: ") + _some(diff["removed"], lang)),
        html.P(("变更：" if zh else "Changed: ") + _some(
            [f"{c['name']}（{'、'.join(field_text(x, lang) for x in c['fields'])}）" for c in diff["changed"]], lang)),
        html.P(("新覆盖技术：" if zh else "Newly covered: ") + ref.technology_names(diff["newly_covered"], lang)
               + ("；不再覆盖：" if zh else "; no longer covered: ") + ref.technology_names(diff["newly_uncovered"], lang)),
        _table(["省份" if zh else "Province", "变化" if zh else "Change"], deltas) if deltas else None,
        dcc.Graph(id=ids.STAGED_MAP, figure=changes_map, config=GRAPH_CONFIG),
    ]


ROLES = {"viewer": ("查看者", "viewer"), "steward": ("数据管理员", "steward"), "admin": ("管理员", "admin")}
ACTIONS = {  # the audit trail's action codes (etl.accounts.audit), as the page names them
    "sign_in": ("登录", "signed in"), "sign_out": ("退出", "signed out"), "sign_in_failed": ("登录失败", "sign-in failed"),
    "sign_in_blocked": ("登录已暂停", "sign-in paused"), "stage": ("暂存", "staged"), "publish": ("发布", "published"),
    "publish_conflict": ("发布时当前快照已变", "publish met a newer snapshot"), "discard": ("放弃", "discarded"),
    "alias_add": ("添加映射", "mapping added"), "refused": ("拒绝", "refused"), "rollback": ("回滚", "rolled back"),
    "refresh_now": ("立即刷新", "refreshed now"), "upload_refused": ("上传被拒", "upload refused"),
    "upload_failed": ("上传失败", "upload failed"), "user_add": ("添加用户", "user added"),
    "user_remove": ("删除用户", "user removed")}


def role_label(role: str, lang: str) -> str:
    return ROLES.get(role, (role, role))[0 if lang == "zh" else 1]


def create_admin(lang: str, snapshots: list[dict], current: str | None, schedule: dict,
                 audit: list[dict], staged: list[dict]) -> html.Section:
    """The staged lists of every steward (to open one), rollback, refresh now with the schedule's status, and
    the audit trail (admins only)."""
    zh = lang == "zh"
    waiting = [{"label": f"{s['staged_by'] or '—'} · {fmt_datetime(s['published_at'], lang)} · "
                         + (f"接受 {fmt_int(s['consortia'])}，拒绝 {fmt_int(s['rejected'])}" if zh else
                            f"{fmt_int(s['consortia'])} accepted, {fmt_int(s['rejected'])} rejected"),
                "value": s["id"]} for s in staged]
    options = [{"label": f"{s['id']} · {kind_text(s['kind'], lang)} · {fmt_int(s['consortia'])}"
                         + (" ✓" if s["id"] == current else ""), "value": s["id"]} for s in snapshots]
    last = schedule.get("last")
    status = [
        ("计划：" if zh else "Schedule: ") + (schedule.get("cron") or ("未配置" if zh else "not configured")),
        ("上次运行：" if zh else "Last run: ") + (
            f"{fmt_datetime(last['started_at'], lang)} · {refresh_status_text(last['status'], lang)}" if last else "—"),
        ("下次运行：" if zh else "Next run: ") + (fmt_datetime(schedule["next"], lang) if schedule.get("next") else "—"),
    ]
    return html.Section([
        html.H2("管理员" if zh else "Admin"),
        html.H3("待发布的暂存名单" if zh else "Staged lists waiting"),
        html.Div([dcc.Dropdown(id=ids.ADMIN_STAGED_PICK, options=waiting, value=None, className="alias-word",
                               placeholder=("选择暂存名单…" if waiting else "没有待发布的暂存名单") if zh else
                               ("Choose a staged list…" if waiting else "No staged list is waiting")),
                  html.Button("在上方打开" if zh else "Open above", id=ids.ADMIN_STAGED_OPEN)],
                 className="exports"),
        html.H3("回滚到保留的快照" if zh else "Make a kept snapshot current again"),
        html.Div([dcc.Dropdown(id=ids.ADMIN_ROLLBACK_SNAPSHOT, options=options, value=None,
                               placeholder="选择快照…" if zh else "Choose a snapshot…", className="alias-word"),
                  html.Button("设为当前" if zh else "Make current", id=ids.ADMIN_ROLLBACK)], className="exports"),
        html.H3("刷新" if zh else "Refresh"),
        html.Ul([html.Li(s) for s in status], id=ids.ADMIN_SCHEDULE),
        html.Button("立即刷新" if zh else "Refresh now", id=ids.ADMIN_REFRESH),
        html.Span(id=ids.ADMIN_PROGRESS, className="note"),
        html.P(id=ids.ADMIN_MESSAGE, className="reading"),
        html.H3("审计记录" if zh else "Audit trail"),
        _table(["时间" if zh else "At", "用户" if zh else "User", "操作" if zh else "Action",
                "快照" if zh else "Snapshot", "说明" if zh else "Detail"],
               [[fmt_datetime(e["at"], lang), e["user"] or "",
                 ACTIONS.get(e["action"], (e["action"],) * 2)[0 if zh else 1], e["snapshot"] or "",
                 e["detail"] or ""] for e in reversed(audit)]),
    ], className="panel", id=ids.ADMIN_AUDIT)


def alias_options(words: list[dict], lang: str) -> list[dict]:
    """The unmapped words as options of the alias form (value: kind, a tab, the text)."""
    zh = lang == "zh"
    return [{"label": (f"{KINDS[w['kind']][0]}：{w['text']}（{w['count']}）" if zh else
                       f"{KINDS[w['kind']][1]}: {w['text']} ({w['count']})"), "value": f"{w['kind']}\t{w['text']}"}
            for w in words]
