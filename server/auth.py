"""Sign-in on the Dash app's Flask server: Flask-Login sessions, roles checked on the server for every
changing request, rate-limited sign-in, an optional trusted single-sign-on header, security headers.

Routes: /login (form with login-user, login-password, login-submit), /logout (a POST; a GET asks first).
Both forms carry a token tied to the browser's session, so another site cannot sign a visitor in or out.
Settings:
ATLAS_SECRET_KEY (else a key generated once into the data folder), ATLAS_REQUIRE_LOGIN=1 (reading
needs sign-in too), ATLAS_AUTH_HEADER with ATLAS_TRUSTED_PROXIES (intranet single sign-on).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlparse

from flask import Response, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from etl import accounts
from etl.store import get_engine

# Components whose callbacks change data: the role each needs (by id prefix). Checked on every
# /_dash-update-component request, whatever the page or the request claims.
PROTECTED_PREFIXES = (("admin-", "admin"), ("steward-", "steward"), ("staged-", "steward"),
                      ("publish-staged", "steward"), ("discard-staged", "steward"), ("upload-files", "steward"),
                      ("alias-", "steward"))
SESSION_KEY = "atlas_session"  # the cookie's token of a session the server holds open (etl.accounts.sign_ins)
FORM_KEY = "atlas_form"  # the cookie's random value the sign-in and sign-out forms must echo (form_token)
OPEN_PATHS = ("/login", "/logout", "/assets/style.css", "/_favicon.ico", "/healthz", "/metrics")


@dataclass
class User(UserMixin):
    name: str
    role: str

    def get_id(self) -> str:
        return self.name


def role_of_current_user() -> str | None:
    """The signed-in user's role (None when anonymous), read on the server."""
    return current_user.role if getattr(current_user, "is_authenticated", False) else None


def current_user_name() -> str | None:
    return current_user.name if getattr(current_user, "is_authenticated", False) else None


def client_address() -> str:
    return request.remote_addr or ""


def trusted_header_user(headers, remote_addr: str | None, header: str, trusted: set[str]) -> str | None:
    """The user name a proxy vouches for in ``header``, only when the request comes from a trusted proxy."""
    if not header or not remote_addr or remote_addr not in trusted:
        return None
    name = (headers.get(header) or "").strip()
    return name[:64] or None


def required_role(body: dict) -> str | None:
    """The highest role any output of a Dash callback request needs (None when it changes nothing)."""
    outputs = body.get("outputs")
    ids: list[str] = []
    if isinstance(outputs, list):
        ids = [o.get("id", "") if isinstance(o, dict) else "" for o in outputs]
    elif isinstance(outputs, dict):
        ids = [outputs.get("id", "")]
    text = str(body.get("output", ""))
    ids += [part.split(".")[0].lstrip(".") for part in text.split("..") if part]
    needed = None
    for component in ids:
        component = component if isinstance(component, str) else json.dumps(component)
        for prefix, role in PROTECTED_PREFIXES:
            if component.startswith(prefix) and (needed is None or accounts.RANK[role] > accounts.RANK[needed]):
                needed = role
    return needed


class CookieSecureWhenHttps(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the page was served over HTTPS (directly or behind a proxy
    that says so), and never block plain-HTTP intranet use."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _safe_next(target: str | None) -> str:
    """Only a local path: never send a signed-in user to another site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · Sign in · 创新联合体布局图谱</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-page"><main class="login-box">
<h1>创新联合体布局图谱</h1><p class="subtitle">Consortium Atlas</p>
<form method="post" action="/login{query}"><input type="hidden" name="form_token" value="{token}">
<label for="login-user">用户名 · User</label><input id="login-user" name="user" autocomplete="username" required>
<label for="login-password">密码 · Password</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required>
<button id="login-submit" type="submit">登录 · Sign in</button></form>
<p id="login-message" class="view-error">{message}</p><p><a href="/">返回图谱 · Back to the atlas</a></p>
</main></body></html>"""


LOGOUT_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>退出 · Sign out · 创新联合体布局图谱</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-page"><main class="login-box"><h1>创新联合体布局图谱</h1>
<form method="post" action="/logout"><input type="hidden" name="form_token" value="{token}">
<input type="hidden" name="next" value="{next}">
<button id="logout-submit" type="submit">退出登录 · Sign out</button></form>
<p><a href="/">返回图谱 · Back to the atlas</a></p></main></body></html>"""


def form_token() -> str:
    """The value this browser's sign-in and sign-out forms carry: a random value kept in its (signed) session
    cookie. Another site can make a browser post a form here, but cannot read the value to put in it."""
    if not session.get(FORM_KEY):
        session[FORM_KEY] = secrets.token_urlsafe(24)
    return hmac.new(session[FORM_KEY].encode(), b"atlas-form", hashlib.sha256).hexdigest()


def form_token_ok() -> bool:
    sent = request.form.get("form_token") or ""
    return bool(session.get(FORM_KEY)) and hmac.compare_digest(sent, form_token())


def next_query(target: str) -> str:
    """``?next=`` for a page address, encoded whole (its own query and all)."""
    return f"?next={quote(target, safe='/')}" if target else ""


def _login_page(message: str = "", status: int = 200) -> Response:
    query = html.escape(next_query(request.args.get("next") or ""), quote=True)
    return Response(LOGIN_PAGE.format(query=query, message=html.escape(message), token=form_token()),
                    status=status, mimetype="text/html")


def security_headers(response: Response, script_hashes: list[str]) -> Response:
    """No outside origin for anything; no framing; no content-type guessing."""
    scripts = " ".join(script_hashes)  # as Dash gives them: "'sha256-…'" for its inline renderer script
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def install(app) -> None:
    """Sign-in, role checks and security headers on the Dash app's server."""
    server = app.server
    server.secret_key = accounts.secret_key()
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")
    server.session_interface = CookieSecureWhenHttps()
    manager = LoginManager(server)
    header = os.environ.get("ATLAS_AUTH_HEADER", "").strip()
    trusted = {a.strip() for a in os.environ.get("ATLAS_TRUSTED_PROXIES", "").split(",") if a.strip()}
    require_login = os.environ.get("ATLAS_REQUIRE_LOGIN") == "1"
    hashes = app.csp_hashes()

    @manager.user_loader
    def load_user(name: str):
        # The cookie names the user; the server must also hold its session open (signing out closes it).
        engine = get_engine()
        if accounts.session_user(engine, session.get(SESSION_KEY)) != name:
            return None
        role = accounts.user_role(engine, name)
        return User(name, role) if role else None

    @manager.request_loader
    def load_from_proxy(req):
        name = trusted_header_user(req.headers, req.remote_addr, header, trusted)
        if name is None:
            return None
        return User(name, accounts.user_role(get_engine(), name) or "viewer")

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return _login_page()
        if not form_token_ok():  # posted from elsewhere, or a stale page: nothing is checked or counted
            if role_of_current_user():  # signed in meanwhile (in another tab): go on to the page asked for
                return redirect(_safe_next(request.args.get("next")))
            return _login_page("页面已过期，请重新登录 · The page had expired; please sign in again", 400)
        engine = get_engine()
        name = (request.form.get("user") or "").strip()[:64]
        password = request.form.get("password") or ""
        address = client_address()
        attempt = accounts.claim_attempt(engine, name, address)  # counted before the password is checked
        if attempt is None:
            accounts.audit(engine, name, "sign_in_blocked", address=address)
            return _login_page("尝试次数过多，请 15 分钟后再试 · Too many attempts; try again in 15 minutes", 429)
        role = accounts.verify_password(engine, name, password)
        if role is None:  # the attempt stays counted as a failure
            accounts.audit(engine, name, "sign_in_failed", address=address)
            return _login_page("用户名或密码错误 · Wrong user name or password", 401)
        accounts.forget_attempt(engine, attempt)
        session[SESSION_KEY] = accounts.open_session(engine, name)
        session[FORM_KEY] = secrets.token_urlsafe(24)  # a new form value for the signed-in session
        login_user(User(name, role))
        accounts.audit(engine, name, "sign_in", address=address)
        return redirect(_safe_next(request.args.get("next")))

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        target = _safe_next(request.values.get("next"))
        if request.method == "GET" or not form_token_ok():  # a link alone never signs anyone out
            return Response(LOGOUT_PAGE.format(token=form_token(), next=html.escape(target, quote=True)),
                            mimetype="text/html")
        name = current_user_name()
        if name:
            accounts.audit(get_engine(), name, "sign_out", address=client_address())
        accounts.close_session(get_engine(), session.pop(SESSION_KEY, None))
        logout_user()
        return redirect(target)  # the page signed out from, now as an anonymous visitor sees it

    @server.before_request
    def gate():
        path = request.path
        if path.startswith(OPEN_PATHS):
            return None
        role = role_of_current_user()
        if request.method == "POST" and path.endswith("/_dash-update-component"):
            needed = required_role(request.get_json(silent=True) or {})
            if needed and not accounts.allowed(role, needed):
                accounts.audit(get_engine(), current_user_name(), "refused",
                               detail=f"{needed} action by {role or 'anonymous'}", address=client_address())
                status = 403 if role else 401
                return Response(json.dumps({"error": "not allowed"}), status=status, mimetype="application/json")
        if require_login and role is None:
            if request.method == "GET" and not path.startswith(("/_dash", "/boundaries")):
                query = request.query_string.decode("utf-8", "replace")
                return redirect("/login" + next_query(path + (f"?{query}" if query else "")))
            return Response(json.dumps({"error": "sign in first"}), status=401, mimetype="application/json")
        return None

    @server.after_request
    def headers(response):
        return security_headers(response, hashes)


def sign_identity(user: str, role: str, address: str) -> str:
    """The signed-in user as a token the server signed: background jobs, which run outside any request,
    learn from it who asked (for the audit trail) and check the role again."""
    from itsdangerous import URLSafeTimedSerializer
    return URLSafeTimedSerializer(accounts.secret_key(), salt="atlas-identity").dumps(
        {"user": user, "role": role, "address": address})


def read_identity(token: str | None, max_age: int = 12 * 3600) -> dict | None:
    """The identity in a token from sign_identity(), or None when it is missing, forged or too old."""
    from itsdangerous import BadSignature, URLSafeTimedSerializer
    if not token:
        return None
    try:
        return URLSafeTimedSerializer(accounts.secret_key(), salt="atlas-identity").loads(token, max_age=max_age)
    except BadSignature:
        return None
