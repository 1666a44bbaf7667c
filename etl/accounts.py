"""Stewardship records in the store: users and roles, the audit trail, failed sign-ins, browser aliases.

Passwords are hashed with Argon2id (argon2-cffi); nothing here keeps a password.
Aliases that stewards add in the browser are versioned rows; ingests read the
shipped reference CSVs with those aliases added (effective_reference()).
"""
from __future__ import annotations

import csv
import datetime as dt
import secrets
import shutil
from functools import cache, lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

import config

from .store import alias_table, audit_log, now, sign_in_failures, sign_ins, users

ROLES = ("viewer", "steward", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
ALIAS_KINDS = ("sector", "technology", "province", "city")
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5  # per user name and per address within the window
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying an unknown user costs as much as a known one, so timing does not tell which names exist.
    Made on the first sign-in, not on import: an ingest has no use for it (0.1 s of argon2)."""
    return _hasher.hash("no such user")


def allowed(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (admin > steward > viewer)."""
    return role in RANK and RANK[role] >= RANK[needed]


def add_user(engine: Engine, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("a user name has 1 to 64 characters")
    if len(password) < 8:
        raise ValueError("a password has at least 8 characters")
    with engine.begin() as con:
        if con.execute(select(users.c.name).where(users.c.name == name)).first():
            raise ValueError(f"user {name!r} already exists")
        con.execute(insert(users), [dict(name=name, role=role, password_hash=_hasher.hash(password),
                                         created_at=now())])


def remove_user(engine: Engine, name: str) -> bool:
    with engine.begin() as con:
        con.execute(delete(sign_ins).where(sign_ins.c.user == name))
        return con.execute(delete(users).where(users.c.name == name)).rowcount > 0


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as con:
        return [dict(r) for r in con.execute(select(users.c.name, users.c.role, users.c.created_at)
                                             .order_by(users.c.name)).mappings()]


def user_role(engine: Engine, name: str) -> str | None:
    with engine.connect() as con:
        return con.execute(select(users.c.role).where(users.c.name == name)).scalar()


def verify_password(engine: Engine, name: str, password: str) -> str | None:
    """The user's role when the password is right, else None (unknown users take as long to refuse)."""
    with engine.connect() as con:
        row = con.execute(select(users.c.password_hash, users.c.role).where(users.c.name == name)).first()
    try:
        _hasher.verify(row[0] if row else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return row[1] if row else None


def record_failure(engine: Engine, name: str, address: str) -> None:
    with engine.begin() as con:
        con.execute(insert(sign_in_failures), [dict(at=now(), user=name[:64], address=address[:64])])


def claim_attempt(engine: Engine, name: str, address: str) -> int | None:
    """Count a sign-in attempt before its password is checked: its id, or None when sign-in is paused for
    this user name or address. Counted first, so attempts sent all at once cannot all pass the check
    before any of them is recorded: only those counted before it (a smaller id) weigh on it, so the first
    MAX_FAILURES of a burst go on. A successful attempt is forgotten (forget_attempt)."""
    with engine.begin() as con:
        attempt = con.execute(insert(sign_in_failures).returning(sign_in_failures.c.id),
                              dict(at=now(), user=name[:64], address=address[:64])).scalar()
    return None if too_many_failures(engine, name, address, before=attempt) else attempt


def forget_attempt(engine: Engine, attempt: int) -> None:
    with engine.begin() as con:
        con.execute(delete(sign_in_failures).where(sign_in_failures.c.id == attempt))


SESSION_MAX = dt.timedelta(hours=12)  # a sign-in lasts this long at most, as a background job's identity


def open_session(engine: Engine, name: str) -> str:
    """A new signed-in session of ``name``: the token its cookie carries (sessions past SESSION_MAX go)."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as con:
        con.execute(delete(sign_ins).where(sign_ins.c.at < now() - SESSION_MAX))
        con.execute(insert(sign_ins), [dict(token=token, user=name[:64], at=now())])
    return token


def session_user(engine: Engine, token: str | None) -> str | None:
    """Whose session ``token`` is, while it is open and younger than SESSION_MAX."""
    if not token:
        return None
    with engine.connect() as con:
        return con.execute(select(sign_ins.c.user).where(sign_ins.c.token == token[:64],
                                                          sign_ins.c.at >= now() - SESSION_MAX)).scalar()


def close_session(engine: Engine, token: str | None) -> None:
    """End the session ``token`` (signing out); remove_user ends all of a user's sessions."""
    if token:
        with engine.begin() as con:
            con.execute(delete(sign_ins).where(sign_ins.c.token == token[:64]))


def too_many_failures(engine: Engine, name: str, address: str, at: dt.datetime | None = None,
                      before: int | None = None) -> bool:
    """Whether sign-in is paused for this user name or this address (MAX_FAILURES within FAILURE_WINDOW),
    counting, with ``before``, only the failures recorded before that attempt."""
    since = (at or now()) - FAILURE_WINDOW
    with engine.connect() as con:
        recent = select(func.count()).select_from(sign_in_failures).where(sign_in_failures.c.at >= since)
        if before is not None:
            recent = recent.where(sign_in_failures.c.id < before)
        by_user = con.execute(recent.where(sign_in_failures.c.user == name[:64])).scalar()
        by_address = con.execute(recent.where(sign_in_failures.c.address == address[:64])).scalar()
    return by_user >= MAX_FAILURES or by_address >= MAX_FAILURES


def audit(engine: Engine, user: str | None, action: str, snapshot: str | None = None, detail: str = "",
          address: str = "") -> None:
    """One entry of the audit trail (every changing action, and every refused or failed attempt)."""
    with engine.begin() as con:
        con.execute(insert(audit_log), [dict(at=now(), user=user, action=action, snapshot=snapshot,
                                             detail=detail[:2000], address=address[:64])])


def audit_entries(engine: Engine, limit: int | None = None) -> list[dict]:
    """The audit trail, oldest first (the last ``limit`` entries when given)."""
    with engine.connect() as con:
        q = select(audit_log).order_by(audit_log.c.id.desc())
        rows = [dict(r) for r in con.execute(q.limit(limit) if limit else q).mappings()]
    return rows[::-1]


def add_alias(engine: Engine, kind: str, text: str, code: str, user: str) -> int:
    """Map an unmapped ``text`` to ``code`` from now on; returns the new alias version."""
    from .reference import load_reference

    ref = load_reference()
    known = {"sector": ref.sectors, "technology": ref.technologies, "province": ref.provinces,
             "city": ref.cities}.get(kind)
    if known is None:
        raise ValueError(f"an alias is for one of {', '.join(ALIAS_KINDS)}")
    if code not in known:
        raise ValueError(f"{code!r} is not a {kind} code")
    text = text.strip()
    if not text or len(text) > 200:
        raise ValueError("an alias has 1 to 200 characters")
    with engine.begin() as con:
        return con.execute(insert(alias_table).values(kind=kind, text=text, code=code, user=user, at=now())
                           ).inserted_primary_key[0]


def list_aliases(engine: Engine) -> list[dict]:
    with engine.connect() as con:
        return [dict(r) for r in con.execute(select(alias_table).order_by(alias_table.c.id)).mappings()]


def effective_reference(engine: Engine):
    """The reference tables as shipped (data/reference) plus every alias stewards added, newest winning.

    The combined tables are written once per alias version under the data folder and loaded like
    the shipped ones, so every cache keyed by the reference folder sees them as a distinct reference."""
    from .reference import load_reference

    aliases = list_aliases(engine)
    if not aliases:
        return load_reference()
    version = aliases[-1]["id"]
    folder = config.data_dir() / "reference-aliases" / f"v{version}"
    if not (folder / "done").exists():
        _write_reference(folder, aliases)
    return load_reference(str(folder))


def _write_reference(folder: Path, aliases: list[dict]) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(config.REFERENCE_DIR, tmp, ignore=shutil.ignore_patterns("*.md"))
    files = {"sector": "sectors.csv", "technology": "technologies.csv", "province": "provinces.csv",
             "city": "cities.csv"}
    for kind, name in files.items():
        extra: dict[str, list[str]] = {}
        for a in aliases:
            if a["kind"] == kind:
                extra.setdefault(a["code"], []).append(a["text"].replace("|", " "))
        if not extra:
            continue
        path = tmp / name
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            if row["code"] in extra:
                row["aliases"] = "|".join(filter(None, [row.get("aliases", ""), *extra[row["code"]]]))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    (tmp / "done").write_text("ok", encoding="utf-8")
    if not folder.exists():
        tmp.rename(folder)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


@lru_cache(maxsize=1)
def secret_key() -> str:
    """ATLAS_SECRET_KEY, or a key generated once into the data folder, readable by its owner only."""
    import os
    import secrets

    key = os.environ.get("ATLAS_SECRET_KEY", "").strip()
    if key:
        return key
    path = config.data_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
