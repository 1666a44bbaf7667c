"""Store: immutable snapshots in SQLite (default) or PostgreSQL, one code path.

Every publish writes a whole snapshot — consortia, members, technology tags,
rejections, warnings, unmapped texts and the archived source files — and flips
the current pointer in the same transaction: a reader sees the old snapshot or
the new one, never half of one, and a failed publish leaves the old one current.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import sqlite3
import weakref
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy import (Boolean, Column, DateTime, Float, Integer, LargeBinary, MetaData, String, Table, Text,
                        create_engine, delete, event, func, insert, select, update)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

import config

from .faults import checkpoint
from .transform import Batch

if TYPE_CHECKING:  # pandas is imported where snapshots are read: an ingest has no need of it (0.2 s)
    import pandas as pd

metadata = MetaData()

snapshots = Table(
    "snapshots", metadata,
    Column("id", String(40), primary_key=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),  # ingest | refresh | demo | rebuild
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("consortia", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("report", Text, nullable=False),  # JSON ingest report
    Column("staged_by", String(64)),  # the steward whose upload a staged snapshot is (see staged_owner())
)
pointer = Table(
    "current_snapshot", metadata,
    Column("slot", String(16), primary_key=True),
    Column("snapshot_id", String(40), nullable=False),
)
consortia = Table(
    "consortia", metadata,
    Column("snapshot_id", String(40), primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("lead_org", Text), Column("lead_type", String(16)),
    Column("place_kind", String(16), nullable=False),
    Column("province", String(6)), Column("city", String(6)), Column("region", String(8)),
    Column("place_note", Text),
    Column("scope", String(16), nullable=False), Column("span", Integer, nullable=False),
    Column("sector", String(8), nullable=False), Column("sector_raw", Text), Column("technologies_raw", Text),
    Column("year", Integer), Column("level", String(16)), Column("operating_model", String(16)),
    Column("source", Text), Column("source_url", Text),
    Column("publisher", Text), Column("published", String(10)), Column("grade", String(1)),
    Column("inferred", Text),  # fields inferred rather than stated by the source, ";"-separated
    Column("synthetic", Boolean, nullable=False),
    Column("origin", Text),  # file:row of every row merged into this record
)
members = Table(
    "members", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("consortium_id", Integer, nullable=False),
    Column("name", Text), Column("province", String(6)), Column("raw", Text),
)
technology_tags = Table(
    "technology_tags", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("consortium_id", Integer, nullable=False),
    Column("technology", String(8), nullable=False),
)
rejections = Table(
    "rejections", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("file", Text), Column("row", Integer), Column("field", Text),
    Column("value", Text), Column("reason", Text),
)
warnings = Table(
    "warnings", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("file", Text), Column("row", Integer), Column("field", Text),
    Column("value", Text), Column("reason", Text),
)
unmapped = Table(
    "unmapped", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("kind", String(16)), Column("text", Text), Column("count", Integer),
)
source_files = Table(
    "source_files", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    # "zlib" where content is deflated (SourceFile.deflated); empty in stores written before: content as read.
    Column("compression", String(8)),
)
snapshot_sources = Table(
    "snapshot_sources", metadata,
    Column("snapshot_id", String(40), index=True, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("location", Text),
)
refresh_log = Table(
    "refresh_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # published | unchanged | failed | locked
    Column("snapshot_id", String(40)),
    Column("message", Text),
)

# Stewardship (etl/accounts.py): users and roles, the audit trail, failed sign-ins, aliases added in the browser.
users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # viewer | steward | admin
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(64)),
    Column("action", String(32), nullable=False),
    Column("snapshot", String(40)),
    Column("detail", Text),
    Column("address", String(64)),
)
sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user", String(64)),
    Column("address", String(64)),
)
sign_ins = Table(  # one row per signed-in browser session; signing out deletes it, so a copied cookie is void
    "sign_ins", metadata,
    Column("token", String(64), primary_key=True),
    Column("user", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
alias_table = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the version: every mapping is a new row
    Column("kind", String(16), nullable=False),  # sector | technology | province | city
    Column("text", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("user", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Province indicators (population, GDP …) for normalising counts; not part of a snapshot.
indicator_table = Table(
    "indicators", metadata,
    Column("province", String(6), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("value", Float, nullable=False),
)

SNAPSHOT_TABLES = (consortia, members, technology_tags, rejections, warnings, unmapped, snapshot_sources)


# CPython's sqlite3 binds an int or a str at once, but None, True and False only after looking for an
# adapter (a key tuple built, a dict missed, two attribute lookups): 100k rows of three values, one of
# them None, take 47 ms to bind against 19 ms with an int there. A registered adapter is found by the
# dict lookup alone (27 ms). The 100k-row list's snapshot binds about a million NULLs and 91k booleans.
# Both adapters give what sqlite3 would bind anyway: NULL, and 1 or 0. Both are builtins: a Python
# function here would keep this module's globals, and with them the engines, alive past the interpreter's
# exit, so their connections would never close and SQLite would leave the WAL unmerged (a read-only data
# folder then shows an empty store: tests/test_faults.py).
sqlite3.register_adapter(type(None), {}.get)  # a lookup in an empty dict: None
sqlite3.register_adapter(bool, int)


def _sqlite_pragmas(dbapi_con, _record) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers go on while a snapshot is written
    # In WAL mode NORMAL never corrupts the file; a power cut may lose the last publish, and then
    # the snapshot before it is current, as after a failed publish.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class StoreUnavailable(RuntimeError):
    """The store named by DATABASE_URL cannot be used; the message is one line naming it."""


def get_engine(url: str | None = None) -> Engine:
    """Engine for ``url`` (default: config.database_url(), read now), with the schema created.

    Raises StoreUnavailable with one line naming the host when the URL is wrong or unreachable."""
    return _engine(normalise_url(url or config.database_url()))


def normalise_url(url: str) -> str:
    """``postgres://`` (as hosting platforms write it) is PostgreSQL; everything else as given."""
    return "postgresql://" + url.removeprefix("postgres://") if url.startswith("postgres://") else url


def _where(url) -> str:
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable("DATABASE_URL is not a database URL (e.g. postgresql://user@host:5432/atlas)") from None
    read_only = False
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        from pathlib import Path
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        # A data folder that became read-only (a full or remounted disk) still serves the last snapshot.
        read_only = Path(parsed.database).exists() and not os.access(folder, os.W_OK)
    try:
        if read_only:
            import sqlite3
            path = parsed.database
            engine = create_engine("sqlite://", future=True, creator=lambda: sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False))
            _ENGINES.add(engine)
            return engine
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreUnavailable(f"DATABASE_URL names a database driver that is not installed "
                               f"({parsed.drivername}): {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _ENGINES.add(engine)
    try:
        metadata.create_all(engine)
        _add_missing_columns(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0].strip()
        raise StoreUnavailable(f"cannot reach the database at {_where(parsed)}: {reason}") from None
    return engine


_ENGINES: weakref.WeakSet = weakref.WeakSet()  # every engine this process made
_INHERITED: list = []  # pools a forked process inherited: kept, never used, never closed


def _own_pools_after_fork() -> None:
    """In a forked process (a background job's), give every engine a new, empty pool.

    The inherited pool holds the parent's connections. Sharing a PostgreSQL
    connection would interleave two processes' messages on one socket, and
    SQLite forbids carrying a connection across fork(). Closing them would end
    the parent's sessions, so the old pool is kept, untouched, until the
    process ends, and the child opens connections of its own."""
    for engine in list(_ENGINES):
        _INHERITED.append(engine.pool)
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_own_pools_after_fork)


def _add_missing_columns(engine: Engine) -> None:
    """Columns added in later versions (all nullable) join the tables of an existing store."""
    from sqlalchemy import inspect
    inspector = inspect(engine)
    with engine.begin() as con:
        for table in metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    con.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes
    location: str = ""

    @cached_property  # a frozen dataclass still has a __dict__ for this
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @cached_property
    def deflated(self) -> bytes:
        """The content as archived: zlib at its fastest level, which takes a CSV list to about a sixth
        (the 100k-row list: 17.3 MB to 2.7 MB in 0.07 s). zlib lets go of the GIL while it works, so the
        ingest has this done on a thread while it tags the records."""
        return zlib.compress(self.content, 1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_snapshot_id(sources: list[SourceFile]) -> str:
    digest = hashlib.sha256("".join(sorted(s.sha256 for s in sources)).encode()).hexdigest()[:6]
    return f"{now():%Y%m%dT%H%M%S}-{digest}{secrets.token_hex(2)}"


Rows = tuple[tuple[str, ...], list[tuple]]  # column names, one tuple per row


def _rows(batch: Batch, sid: str) -> dict[Table, Rows]:
    """Every row of the snapshot as plain tuples, the form the drivers bind fastest."""
    records = []
    for i, c in enumerate(batch.consortia, start=1):
        records.append((
            sid, i, c.name, c.key, c.lead_org or None, c.lead_type or None, c.place_kind, c.province or None,
            c.city or None, c.region or None, c.place_note or None, c.scope, c.span, c.sector,
            c.sector_raw or None, c.technologies_raw or None, c.year, c.level or None, c.operating_model or None,
            c.source or None, c.source_url or None, c.publisher or None, c.published or None, c.grade or None,
            c.inferred or None,
            c.synthetic, "; ".join(c.files)))
    # One comprehension over every record's members (and tags), not one comprehension a record: 0.05 s less
    # on the 100k-row list.
    member_rows = [(sid, i, name, province or None, raw)
                   for i, c in enumerate(batch.consortia, start=1) for name, province, raw in c.members]
    tag_rows = [(sid, i, t) for i, c in enumerate(batch.consortia, start=1) for t in c.technologies]
    issue_columns = ("snapshot_id", "file", "row", "field", "value", "reason")
    return {
        consortia: (("snapshot_id", "id", "name", "name_key", "lead_org", "lead_type", "place_kind", "province",
                     "city", "region", "place_note", "scope", "span", "sector", "sector_raw", "technologies_raw",
                     "year", "level",
                     "operating_model", "source", "source_url", "publisher", "published", "grade", "inferred",
                     "synthetic", "origin"), records),
        members: (("snapshot_id", "consortium_id", "name", "province", "raw"), member_rows),
        technology_tags: (("snapshot_id", "consortium_id", "technology"), tag_rows),
        rejections: (issue_columns, [(sid, r.file, r.row, r.field, r.value, r.reason) for r in batch.rejections]),
        warnings: (issue_columns, [(sid, w.file, w.row, w.field, w.value, w.reason) for w in batch.warnings]),
        unmapped: (("snapshot_id", "kind", "text", "count"),
                   [(sid, k, t, n) for (k, t), n in batch.unmapped.items()]),
    }


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value.__class__ is str:
        return value.translate(_COPY_ESCAPES)
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


SQLITE_ROWS_PER_STATEMENT = 500


def _sqlite_rows(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> str:
    """Insert ``rows`` with statements of many rows each (``VALUES (…), (…), …``); return the last statement.

    SQLite runs a statement per call: one row a call spends more time crossing from Python and back than
    writing; hundreds a call cut the 100k-row list's write from 1.3 s to 1.0 s. The rows a statement holds
    stay under the build's limit on bound values (32766 since SQLite 3.32, 999 before)."""
    limit = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // len(columns)))
    one = f"({', '.join('?' * len(columns))})"
    head = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
    whole = len(rows) // per * per
    sql = head + ", ".join([one] * per)
    if whole:
        cursor.executemany(sql, [list(chain.from_iterable(rows[i:i + per])) for i in range(0, whole, per)])
    if whole < len(rows):
        sql = head + ", ".join([one] * (len(rows) - whole))
        cursor.execute(sql, list(chain.from_iterable(rows[whole:])))
    return sql


def bulk_insert(con, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows fast on the driver's own bulk path, inside ``con``'s transaction.

    SQLAlchemy's generic executemany spends more time building parameters than
    the database spends writing; SQLite's cursor takes plain values, hundreds of
    rows a statement, and PostgreSQL takes COPY text."""
    if not rows:
        return
    dialect = con.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        con.execute(insert(table), [dict(zip(columns, r)) for r in rows])
        return
    cursor = con.connection.cursor()
    sql = ""
    try:
        if dialect == "sqlite":
            sql = _sqlite_rows(cursor, table.name, columns, rows)
        else:  # COPY: the server parses plain text far faster than a VALUES list
            sql = f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN'
            data = "".join("\t".join(map(_copy_text, r)) + "\n" for r in rows)
            if con.dialect.driver == "psycopg2":
                cursor.copy_expert(sql, io.StringIO(data))
            else:  # psycopg 3, what a plain postgresql:// URL resolves to
                with cursor.copy(sql) as copy:
                    copy.write(data)
    except con.dialect.loaded_dbapi.Error as exc:  # the same exception types as SQLAlchemy's own path
        raise DBAPIError.instance(sql, None, exc, con.dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()


STAGED = "staged"  # the kind of a snapshot written for a steward's preview, never current until published


class StagedConflict(RuntimeError):
    """The current snapshot changed since a staged one was prepared against it."""


def publish_snapshot(engine: Engine, batch: Batch, sources: list[SourceFile], kind: str,
                     report: dict, keep: int | None = None) -> str:
    """Write ``batch`` as a new snapshot and make it current, all in one transaction; return its id.

    A snapshot of kind ``staged`` is written without becoming current (publish_staged() does that)."""
    sid = new_snapshot_id(sources)
    rows = _rows(batch, sid)
    rows[snapshot_sources] = (("snapshot_id", "sha256", "name", "location"),
                              [(sid, s.sha256, s.name, s.location) for s in sources])
    synthetic = any(c.synthetic for c in batch.consortia)
    with engine.begin() as con:
        known = set(con.execute(select(source_files.c.sha256).where(
            source_files.c.sha256.in_([s.sha256 for s in sources]))).scalars())
        new_blobs = {s.sha256: s for s in sources if s.sha256 not in known}
        if new_blobs:
            con.execute(insert(source_files), [dict(sha256=h, size=len(s.content), content=s.deflated,
                                                    compression="zlib") for h, s in new_blobs.items()])
        con.execute(insert(snapshots), [dict(
            id=sid, published_at=now(), kind=kind, synthetic=synthetic,
            consortia=len(batch.consortia), rejected=len(batch.rejections), warnings=len(batch.warnings),
            duplicates=batch.duplicates, rows_read=batch.rows_read,
            report=json.dumps(report, ensure_ascii=False))])
        for i, (table, (columns, data)) in enumerate(rows.items()):
            bulk_insert(con, table, columns, data)
            if i == 0:
                checkpoint("writing")  # some rows of the new snapshot written, not all
        checkpoint("flip")  # every row written, the pointer not yet moved
        if kind != STAGED:
            _point(con, sid)
    if kind != STAGED:
        prune(engine, keep if keep is not None else config.snapshots_kept())
    return sid


def _point(con, sid: str) -> None:
    if con.execute(update(pointer).where(pointer.c.slot == "current").values(snapshot_id=sid)).rowcount == 0:
        con.execute(insert(pointer), [dict(slot="current", snapshot_id=sid)])


def publish_staged(engine: Engine, sid: str, expected_current: str | None, kind: str = "steward") -> str:
    """Make the staged snapshot ``sid`` current in one transaction, if the current snapshot is still the one
    it was staged against (else StagedConflict, and nothing changes)."""
    with engine.begin() as con:
        row = con.execute(select(snapshots.c.kind).where(snapshots.c.id == sid).with_for_update()).scalar()
        if row != STAGED:
            raise LookupError(f"no staged snapshot {sid}")
        current = con.execute(select(pointer.c.snapshot_id).where(pointer.c.slot == "current")
                              .with_for_update()).scalar()
        if current != expected_current:
            raise StagedConflict(f"the current snapshot is now {current}, not {expected_current}")
        con.execute(update(snapshots).where(snapshots.c.id == sid).values(kind=kind, published_at=now()))
        _point(con, sid)
    prune(engine, config.snapshots_kept())
    return sid


def own_staged(engine: Engine, sid: str, user: str) -> None:
    """Record ``user`` as the steward whose upload the staged snapshot ``sid`` is."""
    with engine.begin() as con:
        con.execute(update(snapshots).where(snapshots.c.id == sid, snapshots.c.kind == STAGED)
                    .values(staged_by=user[:64]))


def staged_owner(engine: Engine, sid: str) -> str | None:
    """Whose upload the staged snapshot ``sid`` is (None when it is not staged, or nobody's)."""
    with engine.connect() as con:
        return con.execute(select(snapshots.c.staged_by).where(snapshots.c.id == sid,
                                                                snapshots.c.kind == STAGED)).scalar()


def latest_staged(engine: Engine, user: str) -> str | None:
    """The newest staged snapshot of ``user``'s, still waiting to be published or discarded."""
    with engine.connect() as con:
        return con.execute(select(snapshots.c.id).where(snapshots.c.kind == STAGED, snapshots.c.staged_by == user)
                           .order_by(snapshots.c.published_at.desc(), snapshots.c.id.desc()).limit(1)).scalar()


def staged_lists(engine: Engine) -> list[dict]:
    """Every staged snapshot waiting to be published or discarded, newest first: id, staged_by, published_at
    (when it was staged), consortia, rejected."""
    with engine.connect() as con:
        return [dict(r) for r in con.execute(
            select(snapshots.c.id, snapshots.c.staged_by, snapshots.c.published_at, snapshots.c.consortia,
                   snapshots.c.rejected).where(snapshots.c.kind == STAGED)
            .order_by(snapshots.c.published_at.desc(), snapshots.c.id.desc())).mappings()]


def discard_staged(engine: Engine, sid: str) -> bool:
    """Delete the staged snapshot ``sid`` and every row of it; False when there is no such staged snapshot."""
    with engine.begin() as con:
        if con.execute(select(snapshots.c.kind).where(snapshots.c.id == sid)).scalar() != STAGED:
            return False
        _delete_snapshots(con, [sid])
    return True


def set_current(engine: Engine, sid: str) -> None:
    """Roll back (or forward): make the kept, published snapshot ``sid`` current."""
    with engine.begin() as con:
        kind = con.execute(select(snapshots.c.kind).where(snapshots.c.id == sid)).scalar()
        if kind is None or kind == STAGED:
            raise LookupError(f"no published snapshot {sid}")
        _point(con, sid)


def _delete_snapshots(con, ids: list[str]) -> None:
    for table in SNAPSHOT_TABLES:
        con.execute(delete(table).where(table.c.snapshot_id.in_(ids)))
    con.execute(delete(snapshots).where(snapshots.c.id.in_(ids)))
    used = select(snapshot_sources.c.sha256)
    con.execute(delete(source_files).where(source_files.c.sha256.not_in(used)))


def prune(engine: Engine, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest snapshots (never the current one); return the ids removed."""
    with engine.begin() as con:
        current = con.execute(select(pointer.c.snapshot_id).where(pointer.c.slot == "current")).scalar()
        ids = list(con.execute(select(snapshots.c.id).where(snapshots.c.kind != STAGED)
                               .order_by(snapshots.c.published_at.desc(), snapshots.c.id.desc())).scalars())
        old = [i for i in ids[keep:] if i != current]
        if not old:
            return []
        _delete_snapshots(con, old)
        checkpoint("pruning")  # old rows deleted, not yet committed
    return old


def current_snapshot_id(engine: Engine) -> str | None:
    with engine.connect() as con:
        return con.execute(select(pointer.c.snapshot_id).where(pointer.c.slot == "current")).scalar()


def snapshot_info(engine: Engine, sid: str | None = None) -> dict | None:
    """The snapshot row (current by default) as a dict, with its report decoded."""
    with engine.connect() as con:
        sid = sid or con.execute(select(pointer.c.snapshot_id).where(pointer.c.slot == "current")).scalar()
        if sid is None:
            return None
        row = con.execute(select(snapshots).where(snapshots.c.id == sid)).mappings().first()
        if row is None:
            return None
        info = dict(row)
        info["report"] = json.loads(info["report"])
        info["sources"] = [dict(r) for r in con.execute(
            select(snapshot_sources.c.name, snapshot_sources.c.sha256, snapshot_sources.c.location)
            .where(snapshot_sources.c.snapshot_id == sid)).mappings()]
        return info


def list_snapshots(engine: Engine) -> pd.DataFrame:
    """The published snapshots, newest first (staged previews are nobody's history yet)."""
    import pandas as pd

    with engine.connect() as con:
        return pd.read_sql(select(snapshots.c.id, snapshots.c.published_at, snapshots.c.kind,
                                  snapshots.c.synthetic, snapshots.c.consortia, snapshots.c.rejected)
                           .where(snapshots.c.kind != STAGED)
                           .order_by(snapshots.c.published_at.desc()), con)


def previous_snapshot_id(engine: Engine, sid: str | None) -> str | None:
    """The kept, published snapshot published just before ``sid`` (None when there is none)."""
    ids = list(list_snapshots(engine)["id"])  # newest first
    later = ids.index(sid) + 1 if sid in ids else len(ids)
    return ids[later] if later < len(ids) else None


@dataclass(frozen=True)
class Snapshot:
    """One snapshot as tidy frames: the input of every analytics function."""

    id: str
    info: dict
    consortia: pd.DataFrame
    members: pd.DataFrame
    technologies: pd.DataFrame  # consortium_id, technology
    rejections: pd.DataFrame
    warnings: pd.DataFrame


def load_snapshot(engine: Engine, sid: str | None = None) -> Snapshot | None:
    """The snapshot ``sid`` (current by default) read in one transaction, or None if the store is empty."""
    import pandas as pd

    with engine.connect() as con, con.begin():
        sid = sid or con.execute(select(pointer.c.snapshot_id).where(pointer.c.slot == "current")).scalar()
        if sid is None:
            return None

        def frame(table: Table, *cols) -> pd.DataFrame:
            q = select(*(cols or [c for c in table.c if c.name != "snapshot_id"])).where(
                table.c.snapshot_id == sid)
            return pd.read_sql(q, con)

        info_row = con.execute(select(snapshots).where(snapshots.c.id == sid)).mappings().first()
        if info_row is None:
            return None
        info = dict(info_row)
        info["report"] = json.loads(info["report"])
        return Snapshot(
            id=sid, info=info,
            consortia=frame(consortia).set_index("id", drop=False).rename_axis(None),
            members=frame(members), technologies=frame(technology_tags),
            rejections=frame(rejections), warnings=frame(warnings))


def archived_sources(engine: Engine, sid: str) -> list[SourceFile]:
    """The source files of snapshot ``sid`` as archived, to rebuild it."""
    with engine.connect() as con:
        rows = con.execute(select(snapshot_sources.c.name, snapshot_sources.c.location, source_files.c.content,
                                  source_files.c.compression)
                           .join(source_files, source_files.c.sha256 == snapshot_sources.c.sha256)
                           .where(snapshot_sources.c.snapshot_id == sid)).all()
    return [SourceFile(name, zlib.decompress(content) if compression == "zlib" else bytes(content), location or "")
            for name, location, content, compression in rows]


def log_refresh(engine: Engine, started: dt.datetime, status: str, snapshot_id: str | None,
                message: str) -> None:
    with engine.begin() as con:
        con.execute(insert(refresh_log), [dict(started_at=started, finished_at=now(), status=status,
                                               snapshot_id=snapshot_id, message=message)])


def refresh_history(engine: Engine, limit: int = 50) -> pd.DataFrame:
    import pandas as pd

    with engine.connect() as con:
        return pd.read_sql(select(refresh_log).order_by(refresh_log.c.id.desc()).limit(limit), con)


def count_snapshots(engine: Engine) -> int:
    with engine.connect() as con:
        return con.execute(select(func.count()).select_from(snapshots)).scalar_one()


def removed_by(engine: Engine, sid: str, base: str | None) -> tuple[int, int]:
    """(how many of ``base``'s consortia ``sid`` no longer has, by name, how many ``base`` has): what
    publishing ``sid`` in place of ``base`` would take away."""
    if not base:
        return 0, 0
    kept = select(consortia.c.name_key).where(consortia.c.snapshot_id == sid)
    with engine.connect() as con:
        total = con.execute(select(func.count()).where(consortia.c.snapshot_id == base)).scalar_one()
        gone = con.execute(select(func.count()).where(consortia.c.snapshot_id == base,
                                                       consortia.c.name_key.not_in(kept))).scalar_one()
    return int(gone), int(total)
