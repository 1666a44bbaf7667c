"""Stewardship without a browser: password hashing, rate limits, the trusted header, role gates, uploads
sniffed by content, staged snapshots published, discarded and rolled back, aliases applied at ingest."""
import datetime as dt
import io
import json
import os
import stat
import zipfile

import pytest

from etl import accounts
from etl.store import (STAGED, StagedConflict, current_snapshot_id, discard_staged, latest_staged, list_snapshots,
                       load_snapshot, publish_staged, set_current, staged_owner)
from etl.uploads import accept_uploads, sniff, stage, unmapped_words
from server.auth import required_role, trusted_header_user
from tests.conftest import run_cli, xlsx_bytes


def json_source(name, rows):
    from etl.store import SourceFile
    return SourceFile(name, json.dumps(rows, ensure_ascii=False).encode("utf-8"))


def test_passwords_are_argon2id_hashes_and_verify(engine):
    accounts.add_user(engine, "ann", "steward", "a long password")
    with engine.connect() as con:
        stored = con.exec_driver_sql("select password_hash from users where name = 'ann'").scalar()
    assert stored.startswith("$argon2id$") and "a long password" not in stored
    assert accounts.verify_password(engine, "ann", "a long password") == "steward"
    assert accounts.verify_password(engine, "ann", "wrong password") is None
    assert accounts.verify_password(engine, "nobody", "a long password") is None
    with pytest.raises(ValueError, match="at least 8"):
        accounts.add_user(engine, "bob", "viewer", "short")
    with pytest.raises(ValueError, match="role must be"):
        accounts.add_user(engine, "bob", "root", "a long password")
    with pytest.raises(ValueError, match="already exists"):
        accounts.add_user(engine, "ann", "viewer", "another password")


def test_sign_in_failures_are_limited_per_user_and_per_address(engine):
    for _ in range(accounts.MAX_FAILURES - 1):
        accounts.record_failure(engine, "ann", "10.0.0.1")
    assert not accounts.too_many_failures(engine, "ann", "10.0.0.9")
    accounts.record_failure(engine, "ann", "10.0.0.2")
    assert accounts.too_many_failures(engine, "ann", "10.0.0.9")  # the user name: five failures
    assert not accounts.too_many_failures(engine, "bob", "10.0.0.9")
    for name in ("c1", "c2", "c3", "c4", "c5"):
        accounts.record_failure(engine, name, "10.0.0.3")
    assert accounts.too_many_failures(engine, "someone", "10.0.0.3")  # the address: five failures
    later = dt.datetime.now(dt.timezone.utc) + accounts.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert not accounts.too_many_failures(engine, "ann", "10.0.0.3", at=later)


def test_attempts_sent_all_at_once_are_counted_before_any_password_is_checked(engine):
    """Each attempt is counted before its password is checked: of 20 sent at the same moment, at most the
    first MAX_FAILURES go on to the check; a successful one is forgotten, a blocked one is not checked."""
    import threading

    barrier = threading.Barrier(20)
    passed = []

    def attempt():
        barrier.wait()
        passed.append(accounts.claim_attempt(engine, "ann", "10.0.0.7"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(a is not None for a in passed) == accounts.MAX_FAILURES
    # One at a time: four go on, the success is forgotten, so the fifth and sixth still go on; the seventh not.
    ok = [accounts.claim_attempt(engine, "bob", "10.0.0.8") for _ in range(4)]
    assert None not in ok
    accounts.forget_attempt(engine, ok[-1])
    assert accounts.claim_attempt(engine, "bob", "10.0.0.8") is not None
    assert accounts.claim_attempt(engine, "bob", "10.0.0.8") is not None
    assert accounts.claim_attempt(engine, "bob", "10.0.0.8") is None


SIGN_OUT = """
import json, re, app
from etl import accounts
from etl.store import get_engine
accounts.add_user(get_engine(), "stella", "steward", "a long password")
c = app.server.test_client()
publish = {"output": "publish-staged-status.children", "outputs": {"id": "publish-staged-status",
           "property": "children"}, "inputs": [], "changedPropIds": []}
gate = lambda: c.post("/_dash-update-component", json=publish).status_code
token = lambda path: re.search('name="form_token" value="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)
stella = {"user": "stella", "password": "a long password"}
before = gate()
forged_in = c.post("/login", data=stella).status_code  # as another site's form would send it: no form token
forged_in_gate = gate()
claims = [accounts.claim_attempt(get_engine(), "stella", "127.0.0.1") for _ in range(accounts.MAX_FAILURES)]
counted = None in claims  # had the forged post counted, the fifth claim would find five failures before it
for claim in claims:
    if claim is not None:
        accounts.forget_attempt(get_engine(), claim)
c.post("/login", data={**stella, "form_token": token("/login")})
cookie = c.get_cookie("session").value
signed_in = gate()
c.get("/logout")  # a link, or another site's image, signs nobody out
c.post("/logout", data={"form_token": "forged"})
still_in = gate()
c.post("/logout", data={"form_token": token("/logout")})
out = gate()
c.set_cookie("session", cookie)  # the cookie copied before signing out, sent again
replayed = gate()
c.post("/login", data={**stella, "form_token": token("/login")})
again = gate()
accounts.remove_user(get_engine(), "stella")
removed = gate()
print(json.dumps([before, forged_in, forged_in_gate, counted, signed_in, still_in, out, replayed, again, removed]))
"""


def test_sign_in_and_out_need_the_form_and_signing_out_ends_the_session_even_for_a_copied_cookie(tmp_path):
    import subprocess
    import sys

    import config
    done = subprocess.run([sys.executable, "-c", SIGN_OUT], cwd=config.ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    (before, forged_in, forged_in_gate, counted, signed_in, still_in, out, replayed, again,
     removed) = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == 401 and forged_in == 400 and forged_in_gate == 401  # no form token: not signed in
    assert counted is False  # ... and the forged post was not counted as a failed attempt
    assert signed_in not in (401, 403)  # the gate let the signed-in steward through
    assert still_in not in (401, 403)  # a GET or a forged form did not sign her out
    assert out == 401 and replayed == 401  # signed out on the server: the old cookie is anonymous now
    assert again not in (401, 403) and removed == 401  # a new sign-in works; a removed user's session ends


COMING_BACK = """
import json, re, app
from etl import accounts
from etl.store import get_engine
accounts.add_user(get_engine(), "stella", "steward", "a long password")
c = app.server.test_client()
token = lambda page: re.search('name="form_token" value="([^"]+)"', page).group(1)
shared = c.get("/?view=profile&province=360000&lang=en")  # a shared link, with sign-in required
login = c.get(shared.headers["Location"]).get_data(as_text=True)
action = re.search('action="([^"]+)"', login).group(1)
stale = token(login)  # this page stays open in a second tab
signed = c.post(action.replace("&amp;", "&"), data={"user": "stella", "password": "a long password",
                                                   "form_token": stale})
second_tab = c.post(action.replace("&amp;", "&"), data={"user": "stella", "password": "x", "form_token": stale})
page = c.get("/?view=profile&province=360000&lang=en").status_code
out = c.post("/logout", data={"form_token": token(c.get("/logout").get_data(as_text=True)),
                              "next": "/?sector=S3&lang=en"})
print(json.dumps([shared.headers["Location"], action, signed.status_code, signed.headers.get("Location"),
                  second_tab.status_code, second_tab.headers.get("Location"), page, out.headers.get("Location")]))
"""


def test_sign_in_and_out_come_back_to_the_page_with_its_whole_address(tmp_path):
    import subprocess
    import sys

    import config
    done = subprocess.run([sys.executable, "-c", COMING_BACK], cwd=config.ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path),
                                            "ATLAS_REQUIRE_LOGIN": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    shared, action, signed, landed, second_tab, second_landed, page, out = json.loads(
        done.stdout.strip().splitlines()[-1])
    # the shared link's whole query goes through the sign-in, encoded, and comes back
    assert shared == "/login?next=/%3Fview%3Dprofile%26province%3D360000%26lang%3Den"
    assert action == "/login?next=/%3Fview%3Dprofile%26province%3D360000%26lang%3Den"
    assert (signed, landed) == (302, "/?view=profile&province=360000&lang=en") and page == 200
    # a sign-in page left open in another tab goes on to its page instead of "expired" (no password checked)
    assert (second_tab, second_landed) == (302, "/?view=profile&province=360000&lang=en")
    assert out == "/?sector=S3&lang=en"  # signing out stays on the page (as an anonymous visitor sees it)


@pytest.mark.parametrize("remote, headers, expected", [
    ("10.0.0.5", {"X-Remote-User": "ann"}, "ann"),        # from the trusted proxy
    ("10.0.0.6", {"X-Remote-User": "ann"}, None),         # anyone else may not claim a user
    ("10.0.0.5", {}, None),                               # no header, no user
    ("10.0.0.5", {"X-Remote-User": "  "}, None),
])
def test_trusted_header_only_from_trusted_proxies(remote, headers, expected):
    assert trusted_header_user(headers, remote, "X-Remote-User", {"10.0.0.5"}) == expected
    assert trusted_header_user(headers, remote, "", {"10.0.0.5"}) is None  # the feature is off by default


@pytest.mark.parametrize("body, role", [
    ({"output": "..steward-staged.data...steward-report.children..", "outputs": [
        {"id": "steward-staged", "property": "data"}, {"id": "steward-report", "property": "children"}]}, "steward"),
    ({"output": "admin-message.children", "outputs": {"id": "admin-message", "property": "children"}}, "admin"),
    ({"output": "kpi-total.children", "outputs": {"id": "kpi-total", "property": "children"}}, None),
    ({"output": "..staged-accepted.children..", "outputs": []}, "steward"),
    ({}, None),
])
def test_the_role_a_dash_request_needs_comes_from_its_outputs(body, role):
    assert required_role(body) == role
    assert accounts.allowed("admin", "steward") and not accounts.allowed("viewer", "steward")
    assert not accounts.allowed(None, "viewer")


def test_uploads_are_recognised_by_content_and_limited():
    book = xlsx_bytes([["联合体名称", "所在省份", "所属领域"], ["甲", "浙江", "新材料"]])
    assert sniff(book) == ".xlsx" and sniff(b'[{"name": "x"}]') == ".json" and sniff("名称,省份\n".encode("gbk")) == ".csv"
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None  # an executable, whatever its name
    accepted, refused = accept_uploads([
        ("list.xlsx", book),                              # right
        ("list.csv", book),                               # a workbook named .csv: read as what it is
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(50)),  # not a list
        ("plain.csv", "名称,省份\n甲,浙江\n".encode("utf-8")),
        ("empty.json", b""),
        ("eleventh.json", b"[]"),
    ], max_bytes=1024 * 64, max_files=5)
    assert [s.name for s in accepted] == ["list.xlsx", "list.xlsx", "plain.csv"]
    reasons = {r.file: r.reason for r in refused}
    assert "by its content" in reasons["photo.xlsx"] and "empty" in reasons["empty.json"]
    assert "more than 5 files" in reasons["eleventh.json"]
    _, refused = accept_uploads([("big.csv", b"a" * 2048)], max_bytes=1024)
    assert "upload limit" in refused[0].reason


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))  # 30 MB of zeros, a few KB packed
    data = buf.getvalue()
    assert len(data) < 100_000
    accepted, refused = accept_uploads([("bomb.xlsx", data)], max_bytes=1024 * 1024)
    assert accepted == [] and "zip bomb" in refused[0].reason


def test_staged_snapshots_are_invisible_until_published(engine, samples):
    from etl.ingest import ingest_sources
    first = ingest_sources(engine, [json_source("a.json", [{"name": "甲", "province": "浙江", "sector": "S3"}])])
    result = stage(engine, [json_source("b.json", [{"name": "乙", "province": "Atlantis", "sector": "S3"},
                                                    {"name": "丙", "province": "江苏", "sector": "星际旅行服务"}])],
                   "stella")
    assert current_snapshot_id(engine) == first.snapshot_id  # nothing visible changed
    assert result.snapshot_id not in set(list_snapshots(engine)["id"])
    assert load_snapshot(engine, result.snapshot_id).info["kind"] == STAGED
    assert unmapped_words(result.report) == [{"kind": "province", "text": "Atlantis", "count": 1},
                                             {"kind": "sector", "text": "星际旅行服务", "count": 1}]
    publish_staged(engine, result.snapshot_id, first.snapshot_id)
    assert current_snapshot_id(engine) == result.snapshot_id
    assert load_snapshot(engine).info["kind"] == "steward"


def test_a_staged_list_belongs_to_its_uploader_until_published_or_discarded(engine):
    from etl.ingest import ingest_sources
    base = ingest_sources(engine, [json_source("a.json", [{"name": "甲", "province": "浙江", "sector": "S3"}])])
    assert latest_staged(engine, "stella") is None
    older = stage(engine, [json_source("b.json", [{"name": "乙", "province": "江苏", "sector": "S3"}])], "stella")
    newer = stage(engine, [json_source("c.json", [{"name": "丙", "province": "安徽", "sector": "S3"}])], "stella")
    sams = stage(engine, [json_source("d.json", [{"name": "丁", "province": "湖北", "sector": "S3"}])], "sam")
    assert staged_owner(engine, older.snapshot_id) == "stella" and staged_owner(engine, sams.snapshot_id) == "sam"
    assert latest_staged(engine, "stella") == newer.snapshot_id and latest_staged(engine, "sam") == sams.snapshot_id
    assert staged_owner(engine, base.snapshot_id) is None  # a published snapshot is nobody's staged list
    discard_staged(engine, newer.snapshot_id)
    assert latest_staged(engine, "stella") == older.snapshot_id
    publish_staged(engine, older.snapshot_id, base.snapshot_id)
    assert latest_staged(engine, "stella") is None and staged_owner(engine, older.snapshot_id) is None
    assert latest_staged(engine, "sam") == sams.snapshot_id


def test_publishing_onto_a_changed_snapshot_is_refused_and_discard_leaves_nothing(engine):
    from etl.ingest import ingest_sources
    base = ingest_sources(engine, [json_source("a.json", [{"name": "甲", "province": "浙江", "sector": "S3"}])])
    staged = stage(engine, [json_source("b.json", [{"name": "乙", "province": "江苏", "sector": "S3"}])], "stella")
    newer = ingest_sources(engine, [json_source("c.json", [{"name": "丁", "province": "安徽", "sector": "S3"}])])
    with pytest.raises(StagedConflict):
        publish_staged(engine, staged.snapshot_id, base.snapshot_id)
    assert current_snapshot_id(engine) == newer.snapshot_id
    assert discard_staged(engine, staged.snapshot_id)
    with engine.connect() as con:
        for table in ("snapshots", "consortia", "members", "technology_tags", "rejections", "warnings"):
            assert con.exec_driver_sql(f"select count(*) from {table} where "
                                       f"{'id' if table == 'snapshots' else 'snapshot_id'} = '{staged.snapshot_id}'"
                                       ).scalar() == 0
    assert not discard_staged(engine, newer.snapshot_id)  # a published snapshot is never "discarded"
    set_current(engine, base.snapshot_id)  # rollback
    assert current_snapshot_id(engine) == base.snapshot_id
    with pytest.raises(LookupError):
        set_current(engine, staged.snapshot_id)


def test_aliases_apply_to_every_later_ingest(engine, tmp_path, monkeypatch):
    from etl.ingest import ingest_sources
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    rows = [{"name": "乙", "province": "Atlantis", "sector": "星际旅行服务"}]
    before = ingest_sources(engine, [json_source("b.json", rows)]).report
    assert (before["accepted"], before["rejected"]) == (0, 1)  # the place is unknown
    assert before["rejections"][0]["value"] == "Atlantis"
    accounts.add_alias(engine, "province", "Atlantis", "330000", "ann")
    accounts.add_alias(engine, "sector", "星际旅行服务", "S1", "ann")
    result = ingest_sources(engine, [json_source("b.json", rows)])
    c = load_snapshot(engine, result.snapshot_id).consortia.iloc[0]
    assert (c["province"], c["sector"]) == ("330000", "S1") and result.report["unmapped"]["sector"] == {}
    assert [(a["kind"], a["text"], a["code"], a["user"]) for a in accounts.list_aliases(engine)] == [
        ("province", "Atlantis", "330000", "ann"), ("sector", "星际旅行服务", "S1", "ann")]
    with pytest.raises(ValueError, match="not a sector code"):
        accounts.add_alias(engine, "sector", "x", "S99", "ann")


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ATLAS_SECRET_KEY", raising=False)
    accounts.secret_key.cache_clear()
    try:
        key = accounts.secret_key()
        assert len(key) == 64 and stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
        accounts.secret_key.cache_clear()
        assert accounts.secret_key() == key
    finally:
        accounts.secret_key.cache_clear()


def test_users_and_audit_commands(tmp_path):
    env = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path)}
    import subprocess
    import sys

    import config

    def users(*args, password=""):
        return subprocess.run([sys.executable, "-m", "etl", "users", *args], input=password + "\n", text=True,
                              capture_output=True, cwd=config.ROOT, env={**os.environ, **env}, timeout=60)
    assert users("add", "ann", "--role", "admin", password="a long password").returncode == 0
    assert users("add", "bob", "--role", "viewer", password="short").returncode == 2
    assert "ann" in users("list").stdout and "bob" not in users("list").stdout
    assert users("remove", "ann").returncode == 0 and users("remove", "ann").returncode == 2
    entries = json.loads(run_cli("audit", "--json", env=env).stdout)
    assert [e["action"] for e in entries] == ["user_add", "user_remove"]
    assert all(set(e) == {"at", "user", "action", "snapshot", "detail"} for e in entries)
    assert dt.datetime.fromisoformat(entries[0]["at"]).tzinfo is not None


def test_require_login_closes_reading_and_headers_are_set(tmp_path):
    import subprocess
    import sys

    import config
    code = ("import app; c = app.server.test_client(); r = c.get('/'); r2 = c.get('/login');"
            "r3 = c.post('/_dash-update-component', json={'output': 'kpi-total.children'});"
            "print(r.status_code, r.headers.get('Location'), r2.status_code, r3.status_code,"
            "r2.headers['Content-Security-Policy'], r2.headers['X-Content-Type-Options'])")
    env = {**os.environ, "DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path), "ATLAS_REQUIRE_LOGIN": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, env=env, capture_output=True, text=True,
                         timeout=120).stdout.split()
    assert out[:4] == ["302", "/login?next=/", "200", "401"]
    policy = " ".join(out[4:-1])
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "http" not in policy
    assert out[-1] == "nosniff"


def test_healthz_checks_the_store_and_metrics_count_requests(tmp_path):
    import subprocess
    import sys

    import config
    code = ("import app, json; c = app.server.test_client(); c.get('/healthz'); c.get('/login');"
            "h = c.get('/healthz'); m = c.get('/metrics').get_data(as_text=True);"
            "print(h.status_code, json.loads(h.data)['status']);"
            "print([l for l in m.splitlines() if l.startswith('atlas_requests_total') and 'route=\"/login\"' in l])")
    ok = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, capture_output=True, text=True, timeout=120,
                        env={**os.environ, "DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path)}).stdout.splitlines()
    assert ok[0] == "200 ok"
    assert "status=\"200\"" in ok[1] and ok[1].rstrip("']").endswith(" 1")
    down = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/atlas",
                               "ATLAS_DATA_DIR": str(tmp_path)}).stdout.splitlines()
    assert down[0] == "503 error"


def test_background_jobs_trust_only_identities_the_server_signed(tmp_path, monkeypatch):
    from server.auth import read_identity, sign_identity
    monkeypatch.setenv("ATLAS_SECRET_KEY", "k" * 64)
    accounts.secret_key.cache_clear()
    try:
        token = sign_identity("ann", "steward", "10.0.0.1")
        assert read_identity(token) == {"user": "ann", "role": "steward", "address": "10.0.0.1"}
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert read_identity(forged) is None and read_identity("") is None and read_identity(None) is None
        monkeypatch.setenv("ATLAS_SECRET_KEY", "other" * 13)
        accounts.secret_key.cache_clear()
        assert read_identity(token) is None  # signed with another server's key
    finally:
        accounts.secret_key.cache_clear()


def test_a_technology_typed_in_full_is_the_first_option_that_contains_it():
    from callbacks.steward import term_options
    from etl.reference import load_reference

    options = term_options(load_reference(), "technology", "zh")
    first = next(o for o in options if "航空发动机" in o["label"])  # what the dropdown's search shows first
    assert (first["value"], first["label"]) == ("T36", "航空发动机（T36）")
    assert sorted(o["value"] for o in options) == sorted(load_reference().technology_codes)  # none lost


def test_the_admin_panel_names_snapshot_kinds_and_refresh_outcomes_in_the_pages_language():
    import datetime as dt

    from layouts.steward import create_admin

    at = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.timezone.utc)
    snapshots = [{"id": "s1", "kind": "public", "consortia": 118}, {"id": "s2", "kind": "steward", "consortia": 7}]
    schedule = {"cron": "0 3 * * *", "last": {"started_at": at, "status": "unchanged"}}

    def texts(lang):
        section = create_admin(lang, snapshots, "s1", schedule, [], [])
        found = []

        def walk(node):
            if isinstance(node, str):
                found.append(node)
            for key in ("children", "options"):
                value = getattr(node, key, None)
                for child in value if isinstance(value, list) else [value] if value is not None else []:
                    walk(child["label"] if isinstance(child, dict) else child)
        walk(section)
        return "\n".join(found)

    zh, en = texts("zh"), texts("en")
    assert "s1 · 公开名录 · 118 ✓" in zh and "s2 · 管理员发布 · 7" in zh and "来源未变" in zh
    assert "s1 · public list · 118 ✓" in en and "unchanged" in en
    assert "steward ·" not in zh and "· public ·" not in zh
