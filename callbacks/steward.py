"""The steward's page: upload -> staged snapshot and its report; alias -> staged again; publish, discard;
and for admins rollback and refresh now. Every callback checks the signed-in role on the server first."""
from __future__ import annotations

import base64

from dash import Input, Output, State, callback, no_update

from analytics.planner import diff_snapshots
from etl import accounts
from etl.reference import load_reference
from etl.store import (STAGED, StagedConflict, archived_sources, current_snapshot_id, discard_staged, get_engine,
                       latest_staged, list_snapshots, load_snapshot, publish_staged, refresh_history, removed_by,
                       set_current, snapshot_info, staged_lists, staged_owner)
from etl.uploads import accept_uploads, max_upload_bytes, max_upload_files, stage, unmapped_words
from figures.china_map import build_province_map
from figures.text import fmt_datetime, refresh_status_text
from figures.theme import DIVERGING
from layouts import ids
from layouts.steward import alias_options, create_admin, create_sign_in_needed, create_staged_report, create_steward
from server.auth import client_address, current_user_name, read_identity, role_of_current_user, sign_identity

from . import state

STAGE_OUTPUTS = [Output(ids.STEWARD_STAGED, "data", allow_duplicate=True),
                 Output(ids.STEWARD_REPORT, "children", allow_duplicate=True),
                 Output(ids.STEWARD_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.ALIAS_WORD, "options", allow_duplicate=True),
                 Output(ids.PUBLISH_STAGED, "disabled", allow_duplicate=True),
                 Output(ids.DISCARD_STAGED, "disabled", allow_duplicate=True),
                 Output(ids.ALIAS_APPLY, "disabled", allow_duplicate=True)]


def steward_body(lang: str) -> list:
    """The /steward page for the signed-in user: the steward's tools, the admin's too, or a sign-in note."""
    role, user = role_of_current_user(), current_user_name()
    if not accounts.allowed(role, "steward"):
        return [create_sign_in_needed(lang, user)]
    token = sign_identity(user, role, client_address())
    engine = get_engine()
    body = create_steward(lang, user, role, max_upload_bytes() // 2**20, max_upload_files(), token,
                          waiting(engine, user, lang))
    if accounts.allowed(role, "admin"):
        body.append(create_admin(lang, list_snapshots(engine).to_dict("records"), current_snapshot_id(engine),
                                 schedule_status(engine), accounts.audit_entries(engine, 50), staged_lists(engine)))
    return body


def waiting(engine, user: str, lang: str) -> tuple | None:
    """The page's staged-list outputs (as STAGE_OUTPUTS) for ``user``'s newest staged list, compared with the
    current snapshot; None when nothing of theirs waits. So a reload, or another tab, finds it again."""
    sid = latest_staged(engine, user)
    info = snapshot_info(engine, sid) if sid else None
    if info is None:
        return None
    when = fmt_datetime(info["published_at"], lang)
    message = (f"你在 {when} 暂存的名单尚未发布：请检查下面的结果，然后发布或放弃。" if lang == "zh" else
               f"The list you staged on {when} is not published yet: check the report below, then publish "
               "or discard it.")
    return _staged_view(sid, current_snapshot_id(engine), info["report"], [], lang, message)


def schedule_status(engine) -> dict:
    """The configured cron, the last refresh and the next scheduled one."""
    from apscheduler.triggers.cron import CronTrigger

    from etl.refresh import read_config
    from etl.store import now

    cfg = read_config()
    history = refresh_history(engine, 1)
    last = history.iloc[0].to_dict() if len(history) else None
    nxt = None
    if cfg.sources:
        nxt = CronTrigger.from_crontab(cfg.schedule, timezone=cfg.timezone).get_next_fire_time(None, now())
    return {"cron": cfg.schedule if cfg.sources else "", "last": last, "next": nxt}


def _allowed(needed: str, action: str) -> str | None:
    """The user's name when they hold ``needed``; else the refusal goes into the audit trail and None."""
    role, user = role_of_current_user(), current_user_name()
    if accounts.allowed(role, needed):
        return user
    accounts.audit(get_engine(), user, "refused", detail=f"{action} needs {needed}; {role or 'anonymous'}",
                   address=client_address())
    return None


def _refused(lang: str):
    return (no_update, no_update, "无权执行此操作" if lang == "zh" else "Not allowed", no_update, no_update,
            no_update, no_update)


def _empty(message: str):
    return None, [], message, [], True, True, True


def _staged_view(sid: str, base: str | None, report: dict, refusals: list, lang: str, message: str):
    """Everything the page shows for a staged snapshot against the current one."""
    engine = get_engine()
    ref = load_reference()
    staged = load_snapshot(engine, sid)
    current = load_snapshot(engine, base) if base else None
    empty = staged.consortia.iloc[0:0]
    before = (current.id, current.consortia, current.technologies, current.members) if current else (
        "", empty, staged.technologies.iloc[0:0], staged.members.iloc[0:0])
    diff = diff_snapshots(before, (staged.id, staged.consortia, staged.technologies, staged.members), ref)
    words = unmapped_words(report)
    deltas = {c: n for c, n in diff["by_province_delta"].items() if c in ref.provinces}
    top = max([abs(n) for n in deltas.values()] or [1])
    changes_map = build_province_map(deltas, legend_label="变化" if lang == "zh" else "Change", lang=lang,
                                     colorscale=DIVERGING, zmin=-top, zmax=top, zmid=0, geometry="url",
                                     height=420)
    report = {**report, "warning_list": report.get("warning_list") or [
        {"file": w.file, "row": w.row, "field": w.field, "value": w.value, "reason": w.reason}
        for w in staged.warnings.itertuples()]}
    view = create_staged_report(report, diff, words, refusals, ref, lang, changes_map)
    nothing = staged.consortia.empty  # publishing it would empty every map: refused here and in publish()
    if nothing:
        message += (" 没有一条记录被接受，不能发布：请修正文件或添加映射后重新暂存。" if lang == "zh" else
                    " No record was accepted, so this cannot be published: fix the files or add a mapping.")
    else:
        message += _replacing(*removed_by(engine, sid, base), lang)
    return ({"id": sid, "base": base}, view, message, alias_options(words, lang), nothing, False, not words)


def _replacing(gone: int, total: int, lang: str) -> str:
    """A warning when publishing would take away most of the current list (a few rows uploaded alone
    replace the whole list: a snapshot is the whole list, not an addition to it)."""
    if not total or gone * 2 <= total:
        return ""
    return (f" 注意：发布将以此名单替换当前全部数据，当前 {total} 个联合体中的 {gone} 个将不再显示。"
            "若只想补充几条，请把它们与原名单一起上传。" if lang == "zh" else
            f" Note: publishing replaces all current data with this list, and {gone} of the {total} current "
            "consortia will no longer show. To add a few rows, upload them together with the full list.")


def _decode(contents: list[str], names: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for content, name in zip(contents or [], names or []):
        try:
            files.append((name, base64.b64decode(content.split(",", 1)[1], validate=False)))
        except (IndexError, ValueError):
            files.append((name, b""))
    return files


def _job_identity(token: str | None, needed: str, action: str) -> dict | None:
    """Who started a background job (the server checked the role when the request came in; the job,
    outside any request, checks the signed identity again)."""
    who = read_identity(token)
    if who and accounts.allowed(who.get("role"), needed):
        return who
    accounts.audit(get_engine(), (who or {}).get("user"), "refused", detail=f"{action} needs {needed}")
    return None


def _gone(lang: str):
    return _empty("暂存的名单已不存在（已丢弃或已发布），请重新上传。" if lang == "zh" else
                  "The staged list is gone (discarded or published); upload the files again.")


def _not_yours(engine, staged: dict, user: str, lang: str, action: str):
    """The page's reply when the staged list is another steward's upload (an admin may act on any);
    None when ``user`` may go on. A list that is gone is left to the caller."""
    owner = staged_owner(engine, staged["id"])
    if owner in (None, user) or accounts.allowed(role_of_current_user(), "admin"):
        return None
    accounts.audit(engine, user, "refused", staged["id"], detail=f"{action} of {owner}'s staged list",
                   address=client_address())
    return (no_update, no_update, f"这份暂存名单是 {owner} 上传的：只有 TA 或管理员可以修改、发布或放弃它。"
            if lang == "zh" else f"This staged list is {owner}'s upload: only they or an admin may change, "
            "publish or discard it.", no_update, no_update, no_update, no_update)


def _let_go(engine, staged: dict | None, user: str) -> None:
    """Discard the list ``user`` staged before (never another steward's)."""
    if staged and staged_owner(engine, staged["id"]) in (None, user):
        discard_staged(engine, staged["id"])


# upload-files -> staged snapshot, its report and the alias form (the previous staged one is dropped);
# a background job (a web worker stays free), with progress and cancel
@callback(*STAGE_OUTPUTS, Input(ids.UPLOAD_FILES, "contents"), State(ids.UPLOAD_FILES, "filename"),
          State(ids.STEWARD_STAGED, "data"), State(ids.PAGE_LANG, "data"), State(ids.STEWARD_TOKEN, "data"),
          prevent_initial_call=True, background=True,
          running=[(Output(ids.STEWARD_CANCEL, "style"), {"display": "inline-block"}, {"display": "none"}),
                   (Output(ids.UPLOAD_FILES, "disabled"), True, False)],
          progress=[Output(ids.STEWARD_PROGRESS, "children")], progress_default="",
          cancel=[Input(ids.STEWARD_CANCEL, "n_clicks")])
def upload(set_progress, contents, names, staged, lang, token):
    lang = lang or "zh"
    who = _job_identity(token, "steward", "upload")
    if who is None:
        return _refused(lang)
    user, address = who["user"], who.get("address", "")
    set_progress("正在读取和检查文件…" if lang == "zh" else "Reading and checking the files…")
    engine = get_engine()
    # The list staged before goes once this upload's outcome replaces it on the page, not before: a
    # cancelled upload (the job stopped mid-way) leaves it staged, as the page still shows it.
    accepted, refusals = accept_uploads(_decode(contents, names))
    refused_text = "；".join(f"{r.file}：{r.reason}" for r in refusals)
    if not accepted:
        _let_go(engine, staged, user)
        accounts.audit(engine, user, "upload_refused", detail=refused_text, address=address)
        set_progress("")
        return _empty(("没有可读取的文件：" if lang == "zh" else "No file could be read: ") + refused_text)
    result = stage(engine, accepted, user)
    _let_go(engine, staged, user)
    if not result.published:
        accounts.audit(engine, user, "upload_failed", detail="; ".join(result.errors), address=address)
        set_progress("")
        return _empty("; ".join(result.errors))
    accounts.audit(engine, user, "stage", result.snapshot_id, detail=", ".join(s.name for s in accepted),
                   address=address)
    set_progress("正在与当前快照比较…" if lang == "zh" else "Comparing with the current snapshot…")
    message = ("已暂存，尚未发布：请检查下面的结果。" if lang == "zh" else
               "Staged, not published: check the report below.")
    view = _staged_view(result.snapshot_id, current_snapshot_id(engine), result.report, refusals, lang,
                        message + (" " + refused_text if refused_text else ""))
    set_progress("")  # done: the last step's text would otherwise stay beside the report
    return view


# cancel -> the upload's progress line says it stopped (the stopped job sends nothing more)
@callback(Output(ids.STEWARD_PROGRESS, "children", allow_duplicate=True), Input(ids.STEWARD_CANCEL, "n_clicks"),
          State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def upload_cancelled(_, lang):
    return "已取消上传；此前暂存的名单不变。" if (lang or "zh") == "zh" else \
        "Upload cancelled; what was staged before is unchanged."


# alias-word -> the codes it can be mapped to
@callback(Output(ids.ALIAS_CODE, "options"), Input(ids.ALIAS_WORD, "value"), State(ids.PAGE_LANG, "data"),
          prevent_initial_call=True)
def alias_codes(word, lang):
    if not word or _allowed("steward", "alias options") is None:
        return []
    ref, kind = load_reference(), word.split("\t", 1)[0]
    if kind == "province":
        return [{"label": f"{c} {ref.province_label(c, lang or 'zh')}", "value": c} for c in ref.province_codes]
    if kind == "city":
        return [{"label": f"{c} {ref.cities[c].name}", "value": c} for c in sorted(ref.cities)]
    return term_options(ref, kind, lang or "zh")


def term_options(ref, kind: str, lang: str) -> list[dict]:
    """Sector or technology codes as options, shortest name first: a name typed in full then finds its own
    term first, never a longer one that contains it (航空发动机 is T36, not T04 航空发动机短舱)."""
    codes = ref.sector_codes if kind == "sector" else ref.technology_codes
    names = {c: ref.term_label(kind, c, lang) for c in codes}
    return [{"label": f"{names[c]}（{c}）" if lang == "zh" else f"{names[c]} ({c})", "value": c}
            for c in sorted(codes, key=lambda c: (len(names[c]), c))]


# alias-apply -> the mapping is stored (with who and when) and the staged files are read again with it
@callback(*STAGE_OUTPUTS, Input(ids.ALIAS_APPLY, "n_clicks"), State(ids.ALIAS_WORD, "value"),
          State(ids.ALIAS_CODE, "value"), State(ids.STEWARD_STAGED, "data"), State(ids.PAGE_LANG, "data"),
          prevent_initial_call=True)
def apply_alias(_, word, code, staged, lang):
    lang = lang or "zh"
    user = _allowed("steward", "alias")
    if user is None:
        return _refused(lang)
    if not (word and code and staged):
        return (no_update, no_update, "请选择文字和代码" if lang == "zh" else "Choose a text and a code", no_update,
                no_update, no_update, no_update)
    engine = get_engine()
    refusal = _not_yours(engine, staged, user, lang, "alias")
    if refusal:
        return refusal
    kind, text = word.split("\t", 1)
    try:
        version = accounts.add_alias(engine, kind, text, code, user)
    except ValueError as exc:
        return no_update, no_update, str(exc), no_update, no_update, no_update, no_update
    accounts.audit(engine, user, "alias_add", detail=f"{kind}: {text} -> {code} (v{version})",
                   address=client_address())
    sources, owner = archived_sources(engine, staged["id"]), staged_owner(engine, staged["id"]) or user
    discard_staged(engine, staged["id"])
    result = stage(engine, sources, owner)  # still the uploader's, when an admin added the mapping
    if not result.published:
        return _empty("; ".join(result.errors))
    accounts.audit(engine, user, "stage", result.snapshot_id, detail=f"again with alias v{version}",
                   address=client_address())
    message = (f"已保存映射「{text} → {code}」，并按它重新暂存。" if lang == "zh" else
               f"Saved '{text} -> {code}' and staged the files again with it.")
    return _staged_view(result.snapshot_id, staged["base"], result.report, [], lang, message)


# publish-staged -> current, in one transaction; if the current snapshot moved meanwhile, ask again
@callback(*STAGE_OUTPUTS, Input(ids.PUBLISH_STAGED, "n_clicks"), State(ids.STEWARD_STAGED, "data"),
          State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def publish(_, staged, lang):
    lang = lang or "zh"
    user = _allowed("steward", "publish")
    if user is None:
        return _refused(lang)
    if not staged:
        return _empty("没有暂存的名单" if lang == "zh" else "Nothing is staged")
    engine = get_engine()
    info = snapshot_info(engine, staged["id"])
    if info is None or info["kind"] != STAGED:
        return _gone(lang)
    refusal = _not_yours(engine, staged, user, lang, "publish")
    if refusal:
        return refusal
    if not info["consortia"]:
        return (no_update, no_update, "没有一条记录被接受，不能发布。" if lang == "zh" else
                "No record was accepted, so this cannot be published.", no_update, True, no_update, no_update)
    current = current_snapshot_id(engine)
    gone, total = removed_by(engine, staged["id"], current)
    if _replacing(gone, total, lang) and staged.get("confirm") != current:
        # most of the current list would go: a second click, on the same current snapshot, confirms
        return ({**staged, "confirm": current}, no_update,
                (f"发布将移除当前 {total} 个联合体中的 {gone} 个。确要以此名单替换当前数据，请再点一次“发布”。"
                 if lang == "zh" else f"Publishing removes {gone} of the {total} current consortia. Click Publish "
                 "again to replace the current data with this list."), no_update, False, no_update, no_update)
    try:
        publish_staged(engine, staged["id"], staged["base"])
    except StagedConflict:
        current = current_snapshot_id(engine)
        accounts.audit(engine, user, "publish_conflict", staged["id"], detail=f"current is now {current}",
                       address=client_address())
        snap = load_snapshot(engine, staged["id"])
        message = (f"暂存之后当前快照已变为 {current}；下面已按它重新比较，请再次确认发布。" if lang == "zh" else
                   f"The current snapshot changed to {current} since staging; compared again below. "
                   "Publish again to confirm.")
        return _staged_view(staged["id"], current, snap.info["report"], [], lang, message)
    except LookupError:  # gone between the check and the publish
        return _gone(lang)
    accounts.audit(engine, user, "publish", staged["id"], address=client_address())
    state.reset_caches()
    return _empty((f"已发布：快照 {staged['id']} 现为当前数据。" if lang == "zh" else
                   f"Published: snapshot {staged['id']} is now current."))


# discard-staged -> the staged snapshot and all its rows are gone
@callback(*STAGE_OUTPUTS, Input(ids.DISCARD_STAGED, "n_clicks"), State(ids.STEWARD_STAGED, "data"),
          State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def discard(_, staged, lang):
    lang = lang or "zh"
    user = _allowed("steward", "discard")
    if user is None:
        return _refused(lang)
    if staged:
        refusal = _not_yours(get_engine(), staged, user, lang, "discard")
        if refusal:
            return refusal
        discard_staged(get_engine(), staged["id"])
        accounts.audit(get_engine(), user, "discard", staged["id"], address=client_address())
    return _empty("已放弃暂存的名单，当前数据未变。" if lang == "zh" else
                  "The staged list was discarded; the current data did not change.")


# admin-staged-open -> another steward's staged list in the report above, for the admin to publish or discard
@callback(*STAGE_OUTPUTS, Input(ids.ADMIN_STAGED_OPEN, "n_clicks"), State(ids.ADMIN_STAGED_PICK, "value"),
          State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def open_staged(_, sid, lang):
    lang = lang or "zh"
    if _allowed("admin", "open a staged list") is None:
        return _refused(lang)
    engine = get_engine()
    info = snapshot_info(engine, sid) if sid else None
    if info is None or info["kind"] != STAGED:
        return _gone(lang)
    owner, when = info.get("staged_by") or "—", fmt_datetime(info["published_at"], lang)
    message = (f"{owner} 在 {when} 暂存的名单：可以发布或放弃。" if lang == "zh" else
               f"The list {owner} staged on {when}: publish or discard it.")
    return _staged_view(sid, current_snapshot_id(engine), info["report"], [], lang, message)


# admin-rollback -> a kept snapshot is current again (open dashboards follow within their poll)
@callback(Output(ids.ADMIN_MESSAGE, "children", allow_duplicate=True), Input(ids.ADMIN_ROLLBACK, "n_clicks"),
          State(ids.ADMIN_ROLLBACK_SNAPSHOT, "value"), State(ids.PAGE_LANG, "data"), prevent_initial_call=True)
def rollback(_, sid, lang):
    lang = lang or "zh"
    user = _allowed("admin", "rollback")
    if user is None:
        return "无权执行此操作" if lang == "zh" else "Not allowed"
    if not sid:
        return "请选择快照" if lang == "zh" else "Choose a snapshot"
    engine = get_engine()
    try:
        set_current(engine, sid)
    except LookupError as exc:
        return str(exc)
    accounts.audit(engine, user, "rollback", sid, address=client_address())
    return f"快照 {sid} 现为当前数据。" if lang == "zh" else f"Snapshot {sid} is current again."


# admin-refresh-now -> one refresh of the configured sources, with its result (a background job)
@callback(Output(ids.ADMIN_MESSAGE, "children", allow_duplicate=True), Input(ids.ADMIN_REFRESH, "n_clicks"),
          State(ids.PAGE_LANG, "data"), State(ids.STEWARD_TOKEN, "data"), prevent_initial_call=True,
          background=True, running=[(Output(ids.ADMIN_REFRESH, "disabled"), True, False)],
          progress=[Output(ids.ADMIN_PROGRESS, "children")], progress_default="")
def refresh_now(set_progress, _, lang, token):
    from etl.refresh import read_config, refresh

    lang = lang or "zh"
    who = _job_identity(token, "admin", "refresh")
    if who is None:
        return "无权执行此操作" if lang == "zh" else "Not allowed"
    user = who["user"]
    engine = get_engine()
    cfg = read_config()
    if not cfg.sources:
        return "未配置刷新来源（sources.toml）" if lang == "zh" else "No refresh source is configured (sources.toml)"
    set_progress("正在刷新…" if lang == "zh" else "Refreshing…")
    result = refresh(engine, cfg)
    set_progress("")
    accounts.audit(engine, user, "refresh_now", result.snapshot_id, detail=result.status,
                   address=who.get("address", ""))
    colon = "：" if lang == "zh" else ": "
    return refresh_status_text(result.status, lang) + colon + " ".join(result.messages[:3])
