"""Stewardship in the browser: sign-in, a staged upload checked against known answers, an alias, publish,
discard, rollback, and nobody else getting in, by the page or by crafted requests."""
import json
import os
import subprocess
import sys
import time

import pytest
import requests

import config
from tests.browser.conftest import start_app, stop_app
from tests.conftest import SAMPLE_FILES, SAMPLES, run_cli

pytestmark = pytest.mark.browser
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
PASSWORDS = {"stella": "steward-pass-1", "sam": "steward-pass-2", "adam": "admin-pass-123", "vic": "viewer-pass-1"}
ROLES = {"stella": "steward", "sam": "steward", "adam": "admin", "vic": "viewer"}


@pytest.fixture(scope="module")
def steward_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("steward-data")
    env = {"ATLAS_DATA_DIR": str(data), "ATLAS_POLL_SECONDS": "2", "DATABASE_URL": ""}
    assert run_cli("public", env=env).returncode == 0
    for name, password in PASSWORDS.items():
        done = subprocess.run([sys.executable, "-m", "etl", "users", "add", name, "--role", ROLES[name]],
                              input=password + "\n", text=True, capture_output=True, cwd=config.ROOT,
                              env={**os.environ, **env}, timeout=60)
        assert done.returncode == 0, done.stderr
    proc, url, log = start_app(data, env)
    yield url, env
    stop_app(proc, log)


def sign_in(page, url, name, password=None, next_="/steward"):
    page.page.goto(f"{url}/login?next={next_}")
    page.page.fill("#login-user", name)
    page.page.fill("#login-password", password or PASSWORDS[name])
    page.page.click("#login-submit")


def new_session(browser, url, name):
    """Another browser (context and page), signed in as ``name`` on /steward."""
    context = browser.new_context()
    other = context.new_page()
    other.goto(f"{url}/login?next=/steward")
    other.fill("#login-user", name)
    other.fill("#login-password", PASSWORDS[name])
    other.click("#login-submit")
    other.wait_for_selector("#upload-files", timeout=20000)
    return context, other


def current(env) -> str:
    return json.loads(run_cli("summary", "--json", env=env).stdout)["snapshot"]


def audit(env) -> list[dict]:
    return json.loads(run_cli("audit", "--json", env=env).stdout)


def upload_samples(page):
    page.page.set_input_files("#upload-files input[type=file]", [str(SAMPLES / f) for f in SAMPLE_FILES])
    page.page.wait_for_selector("#staged-accepted", timeout=60000)
    page.wait_idle()


def digits(page, id_) -> int:
    return int(page.text(f"#{id_}"))


def test_sign_in_and_sign_out(steward_server, page):
    url, env = steward_server
    sign_in(page, url, "stella", "wrong password")
    assert "用户名或密码错误" in page.text("#login-message")
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    assert "退出（stella）" in page.text("#view-nav")
    page.page.click("#sign-in-out")  # signed out, back on the same page as an anonymous visitor sees it
    page.page.wait_for_selector("#view-error", timeout=20000)
    assert page.page.url == url + "/steward" and "登录" in page.text("#view-nav")
    assert page.page.locator("#upload-files").count() == 0
    actions = [e["action"] for e in audit(env) if e["user"] == "stella"]
    assert actions[-3:] == ["sign_in_failed", "sign_in", "sign_out"]


def test_upload_check_map_publish_and_the_dashboard_follows(steward_server, page, browser):
    url, env = steward_server
    before = current(env)
    public_total = json.loads(run_cli("summary", "--json", env=env).stdout)["total"]
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    upload_samples(page)
    assert digits(page, "staged-accepted") == EXPECTED["total"]
    assert digits(page, "staged-rejected") == EXPECTED["rejected"]
    assert digits(page, "staged-warnings") >= EXPECTED["warned_at_least"]
    assert digits(page, "staged-duplicates") == EXPECTED["duplicates"]
    # Against the public list: every generated consortium is new, every public one would go.
    assert digits(page, "staged-added") == EXPECTED["total"]
    assert digits(page, "staged-removed") == public_total and digits(page, "staged-changed") == 0
    assert current(env) == before  # staged, not published
    viewer = browser.new_context().new_page()  # an anonymous visitor sees the public list still
    viewer.goto(url + "/")
    viewer.wait_for_selector("#kpi-total:not(:empty)", timeout=30000)
    assert int(viewer.inner_text("#kpi-total")) == public_total
    # Map the unknown place 'Atlantis' to 浙江: staged again at once, one rejection fewer.
    page.page.click("#alias-word")
    page.page.get_by_role("option").filter(has_text="Atlantis").first.click()
    page.wait_idle()
    page.page.click("#alias-code")
    page.page.get_by_role("option").filter(has_text="330000").first.click()
    page.page.click("#alias-apply")
    page.page.wait_for_function(
        f"() => document.querySelector('#staged-accepted')?.innerText === '{EXPECTED['total'] + 1}'", timeout=60000)
    assert digits(page, "staged-rejected") == EXPECTED["rejected"] - 1
    # every public consortium would go: the page says so, and the first click only asks again
    assert f"当前 {public_total} 个联合体中的 {public_total} 个将不再显示" in page.text("#steward-message")
    page.page.click("#publish-staged")
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('再点一次')",
                                timeout=30000)
    assert current(env) == before
    page.page.click("#publish-staged")
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('已发布')",
                                timeout=30000)
    assert current(env) != before
    viewer.wait_for_function(f"() => document.querySelector('#kpi-total')?.innerText === '{EXPECTED['total'] + 1}'",
                             timeout=30000)
    viewer.context.close()
    actions = [e["action"] for e in audit(env) if e["user"] == "stella"]
    assert actions[-4:] == ["stage", "alias_add", "stage", "publish"]
    assert page.errors == []


def test_discard_leaves_nothing_behind(steward_server, page):
    url, env = steward_server
    before = current(env)
    kept = run_cli("snapshots", env=env).stdout
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    upload_samples(page)
    staged = [e for e in audit(env) if e["action"] == "stage"][-1]["snapshot"]
    page.page.click("#discard-staged")
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('已放弃')",
                                timeout=30000)
    assert current(env) == before and run_cli("snapshots", env=env).stdout == kept
    from etl.store import get_engine
    with get_engine(f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db").connect() as con:
        for table, column in (("snapshots", "id"), ("consortia", "snapshot_id"), ("members", "snapshot_id")):
            assert con.exec_driver_sql(f"select count(*) from {table} where {column} = ?", (staged,)).scalar() == 0


def crafted_publish(url: str, cookies: dict | None = None) -> int:
    """A POST to Dash's update endpoint claiming the publish callback, as a script would send it."""
    body = {"output": "..steward-staged.data...steward-report.children...steward-message.children..",
            "outputs": [{"id": "steward-staged", "property": "data"}],
            "inputs": [{"id": "publish-staged", "property": "n_clicks", "value": 1}],
            "state": [{"id": "steward-staged", "property": "data", "value": {"id": "x", "base": None}}],
            "changedPropIds": ["publish-staged.n_clicks"]}
    return requests.post(url + "/_dash-update-component", json=body, cookies=cookies or {}, timeout=30).status_code


def test_viewers_and_anonymous_visitors_cannot_reach_or_trigger_steward_actions(steward_server, page):
    url, env = steward_server
    before = current(env)
    assert crafted_publish(url) == 401
    page.page.goto(url + "/steward")
    page.page.wait_for_selector("#view-error", timeout=20000)
    assert page.page.locator("#upload-files").count() == 0
    sign_in(page, url, "vic")
    page.page.wait_for_selector("#view-error", timeout=20000)
    assert "无数据管理权限" in page.text("#view-error") and page.page.locator("#upload-files").count() == 0
    cookies = {c["name"]: c["value"] for c in page.page.context.cookies()}
    assert crafted_publish(url, cookies) == 403
    assert current(env) == before
    refused = [e for e in audit(env) if e["action"] == "refused"]
    assert refused and refused[-1]["user"] == "vic"
    # A steward may not roll back (an admin action) either, even by a crafted request.
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    assert page.page.locator("#admin-rollback").count() == 0
    cookies = {c["name"]: c["value"] for c in page.page.context.cookies()}
    body = {"output": "admin-message.children", "outputs": {"id": "admin-message", "property": "children"},
            "inputs": [{"id": "admin-rollback", "property": "n_clicks", "value": 1}], "changedPropIds": []}
    assert requests.post(url + "/_dash-update-component", json=body, cookies=cookies, timeout=30).status_code == 403


def test_a_hostile_record_name_shows_as_text(steward_server, page, tmp_path):
    url, env = steward_server
    name = "<img src=x onerror=alert(1)>"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps([{"name": name, "province": "浙江", "sector": "S3", "lead_org": "<b>x</b>"}]),
                       encoding="utf-8")
    before = current(env)
    dialogs = []
    page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        assert run_cli("ingest", str(hostile), env=env).returncode == 0
        time.sleep(2.5)
        page.open(url + "/")
        page.page.locator("#records-grid").scroll_into_view_if_needed()
        page.page.wait_for_function("() => document.querySelector('#records-count').innerText === '共 1 条'",
                                    timeout=20000)
        cell = "#records-grid .ag-center-cols-container .ag-row[row-index='0'] [col-id='name']"
        page.page.wait_for_function(f"() => document.querySelector(\"{cell}\")?.innerText.trim()", timeout=20000)
        assert page.text(cell).strip() == name and page.page.locator("#records-grid img").count() == 0
        page.page.goto(url + "/?view=profile&province=330000")
        page.page.wait_for_selector("#profile-total", timeout=30000)
        assert name in page.text("body") and page.page.locator("main img, .panel img").count() == 0
        assert dialogs == []
    finally:
        run_cli("rebuild", before, env=env)


def test_an_admin_rolls_back_and_dashboards_follow(steward_server, page, browser):
    url, env = steward_server
    ids = [w for w in run_cli("snapshots", env=env).stdout.split() if w[:8].isdigit() and "T" in w]
    target = ids[-1]  # the oldest kept: the public list
    sign_in(page, url, "adam")
    page.page.wait_for_selector("#admin-rollback", timeout=20000)
    viewer = browser.new_context().new_page()
    viewer.goto(url + "/")
    viewer.wait_for_selector("#data-banner:not(:empty)", timeout=30000)
    page.page.click("#admin-rollback-snapshot")
    page.page.get_by_role("option").filter(has_text=target).first.click()
    page.page.click("#admin-rollback")
    page.page.wait_for_function(f"() => document.querySelector('#admin-message').innerText.includes('{target}')",
                                timeout=30000)
    assert current(env) == target
    viewer.wait_for_function(f"() => document.querySelector('#data-banner').innerText.includes('{target}')",
                             timeout=30000)
    viewer.context.close()
    assert [e for e in audit(env) if e["action"] == "rollback"][-1] | {"at": ""} == {
        "at": "", "user": "adam", "action": "rollback", "snapshot": target, "detail": ""}
    assert "审计记录" in page.text("#admin-audit")


def test_a_disguised_file_is_refused_with_a_message_and_an_audit_entry(steward_server, page, tmp_path):
    url, env = steward_server
    before = current(env)
    fake = tmp_path / "list.xlsx"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    page.page.set_input_files("#upload-files input[type=file]", [str(fake)])
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('list.xlsx')",
                                timeout=30000)
    assert "没有可读取的文件" in page.text("#steward-message") and "by its content" in page.text("#steward-message")
    assert page.page.locator("#staged-accepted").count() == 0 and current(env) == before
    assert audit(env)[-1]["action"] == "upload_refused"


def test_a_list_with_no_accepted_record_cannot_be_published(steward_server, page, tmp_path):
    """Publishing it would empty every map: the button stays disabled, and the server refuses it too."""
    url, env = steward_server
    before = current(env)
    nowhere = tmp_path / "nowhere.csv"
    nowhere.write_text("名称,省份,领域\n甲联合体,火星,新材料\n乙联合体,月球,新材料\n", encoding="utf-8")
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    page.page.set_input_files("#upload-files input[type=file]", [str(nowhere)])
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('不能发布')",
                                timeout=60000)
    assert page.page.is_disabled("#publish-staged") and not page.page.is_disabled("#discard-staged")
    assert audit(env)[-1]["action"] == "stage"
    # the publish callback asked for by a script, past the disabled button: the server checks again
    trail = audit(env)
    staged = trail[-1]["snapshot"]
    cookies = {c["name"]: c["value"] for c in page.page.context.cookies()}
    answer = staged_action(url, "publish-staged", {"id": staged, "base": before}, cookies)
    assert answer.status_code == 200
    assert answer.json()["response"]["steward-message"]["children"] == "没有一条记录被接受，不能发布。"
    assert current(env) == before and "publish" not in [e["action"] for e in audit(env)[len(trail):]]
    page.page.click("#discard-staged")
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('已放弃')",
                                timeout=30000)
    assert page.errors == []


def staged_action(url: str, button: str, staged: dict, cookies: dict) -> requests.Response:
    """The callback of ``button`` (publish-staged, discard-staged) asked for by a script, with ``staged`` as
    the page's staged list: built from /_dash-dependencies as the page would send it."""
    callback = next(c for c in requests.get(url + "/_dash-dependencies", timeout=30).json()
                    if any(i["id"] == button for i in c["inputs"]))
    outputs = [dict(zip(("id", "property"), o.split("@")[0].rsplit(".", 1)))
               for o in callback["output"].strip(".").split("...")]
    body = {"output": callback["output"], "outputs": outputs,
            "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
            "state": [{"id": "steward-staged", "property": "data", "value": staged},
                      {"id": "page-lang", "property": "data", "value": "zh"}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return requests.post(url + "/_dash-update-component", json=body, cookies=cookies, timeout=60)


def test_a_staged_list_is_its_uploaders_and_waits_for_them_across_reloads(steward_server, page, browser):
    url, env = steward_server
    before = current(env)
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    upload_samples(page)
    staged, accepted = audit(env)[-1]["snapshot"], digits(page, "staged-accepted")
    # A reload (or another tab) finds stella's staged list again, compared with the current snapshot.
    page.page.reload()
    page.page.wait_for_selector("#staged-accepted", timeout=30000)
    assert digits(page, "staged-accepted") == accepted and "尚未发布" in page.text("#steward-message")
    assert not page.page.is_disabled("#publish-staged") and not page.page.is_disabled("#discard-staged")
    # Another steward can neither publish nor discard it, even by naming it in a crafted request.
    other, sam = new_session(browser, url, "sam")
    assert sam.locator("#staged-accepted").count() == 0  # nothing of sam's waits
    cookies = {c["name"]: c["value"] for c in other.cookies()}
    for button in ("publish-staged", "discard-staged"):
        answer = staged_action(url, button, {"id": staged, "base": before}, cookies)
        assert answer.status_code == 200
        assert "是 stella 上传的" in answer.json()["response"]["steward-message"]["children"]
    other.close()
    from etl.store import get_engine, snapshot_info
    assert snapshot_info(get_engine(f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db"), staged)["kind"] == "staged"
    assert current(env) == before
    refused = [e for e in audit(env) if e["action"] == "refused" and e["user"] == "sam"]
    assert [e["detail"] for e in refused[-2:]] == ["publish of stella's staged list", "discard of stella's staged list"]
    # An admin finds it among the staged lists waiting, opens it and discards it; stella's reload then
    # shows an empty upload page.
    admin, adam = new_session(browser, url, "adam")
    adam.wait_for_selector("#admin-staged-pick", timeout=20000)
    adam.click("#admin-staged-pick")
    adam.get_by_role("option").filter(has_text="stella").first.click()
    adam.click("#admin-staged-open")
    adam.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('stella')",
                           timeout=30000)
    assert int(adam.inner_text("#staged-accepted")) == accepted
    adam.click("#discard-staged")
    adam.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('已放弃')",
                           timeout=30000)
    admin.close()
    assert [e for e in audit(env) if e["action"] == "discard"][-1]["user"] == "adam"
    page.page.reload()
    page.page.wait_for_selector("#upload-files", timeout=20000)
    assert page.page.locator("#staged-accepted").count() == 0 and page.text("#steward-message") == ""
    assert page.errors == []


def test_a_change_after_signing_out_in_another_tab_says_so_and_changes_nothing(steward_server, page, tmp_path):
    url, env = steward_server
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    other = page.page.context.new_page()  # the same browser, another tab: signs out there
    other.goto(url + "/logout")
    other.click("#logout-submit")
    other.wait_for_selector("#province-map .choroplethlayer path", timeout=30000)
    other.close()
    trail = audit(env)
    small = tmp_path / "small.csv"
    small.write_text("名称,省份,领域\n甲联合体,浙江,新材料\n", encoding="utf-8")
    page.page.set_input_files("#upload-files input[type=file]", [str(small)])
    page.page.wait_for_selector("#auth-note", timeout=30000)
    assert "登录已失效" in page.text("#auth-note")
    assert page.page.get_attribute("#auth-note a", "href") == "/login?next=%2Fsteward"
    page.wait_idle()
    assert "stage" not in [e["action"] for e in audit(env)[len(trail):]]
    # Chromium logs the 401 response itself; before, dash-renderer also failed ("body stream already read").
    assert [e for e in page.errors if "status of 401" not in e] == []


def test_a_cancelled_upload_says_so_and_keeps_what_was_staged(steward_server, page, tmp_path):
    url, env = steward_server
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    upload_samples(page)
    staged = audit(env)[-1]["snapshot"]
    big = tmp_path / "big.csv"
    provinces = ("浙江", "江苏", "湖北", "安徽", "北京", "上海")
    big.write_text("名称,省份,领域,成员单位\n" + "".join(
        f"联合体{i},{provinces[i % 6]},新材料,甲大学;乙研究院;丙公司{i}\n" for i in range(120_000)), encoding="utf-8")
    page.page.set_input_files("#upload-files input[type=file]", [str(big)])
    page.page.wait_for_selector("#steward-cancel", state="visible", timeout=30000)
    page.page.click("#steward-cancel")
    page.page.wait_for_function("() => document.querySelector('#steward-progress').innerText.includes('已取消上传')",
                                timeout=20000)
    time.sleep(2)
    assert not page.page.is_disabled("#publish-staged")  # the list staged before is still there, and publishable
    from etl.store import get_engine, snapshot_info
    assert snapshot_info(get_engine(f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db"), staged)["kind"] == "staged"
    page.page.click("#discard-staged")
    page.page.wait_for_function("() => document.querySelector('#steward-message').innerText.includes('已放弃')",
                                timeout=30000)


def test_a_file_over_the_limit_is_named_beside_the_upload_box(steward_server, page, tmp_path):
    url, env = steward_server
    before = current(env)
    sign_in(page, url, "stella")
    page.page.wait_for_selector("#upload-files", timeout=20000)
    limit = int(page.page.get_attribute("#upload-oversize", "data-max-bytes"))
    big = tmp_path / "huge.csv"
    with open(big, "wb") as out:
        out.truncate(limit + 1)
    page.page.set_input_files("#upload-files input[type=file]", [str(big)])
    page.page.wait_for_function("() => document.querySelector('#upload-oversize').textContent.includes('huge.csv')",
                                timeout=10000)
    assert page.text("#upload-oversize") == f"huge.csv：超过 {limit // 1048576} MB，未上传"
    assert current(env) == before and page.errors == []


def test_an_admin_refresh_runs_in_the_background_and_says_what_happened(steward_server, page):
    url, env = steward_server
    sign_in(page, url, "adam")
    page.page.wait_for_selector("#admin-refresh-now", timeout=20000)
    page.page.click("#admin-refresh-now")
    page.page.wait_for_function("() => document.querySelector('#admin-message').innerText.includes('sources.toml')",
                                timeout=60000)  # this store has no refresh source configured
    assert "未配置刷新来源" in page.text("#admin-message") and page.errors == []
