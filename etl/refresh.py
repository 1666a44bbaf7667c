"""Refresh: pull the configured sources and publish a snapshot if anything changed.

Sources and the cron schedule live in a TOML file (config.sources_file()):

    schedule = "0 6 * * *"        # cron: minute hour day month weekday
    timezone = "Asia/Shanghai"
    [[sources]]
    path = "incoming/*.xlsx"       # globs, relative to the TOML file
    [[sources]]
    url = "http://data.intranet/consortia.csv"

Two refreshes never overlap: a lock file (flock) guards the machine and, on
PostgreSQL, an advisory lock guards every machine sharing the database.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import text
from sqlalchemy.engine import Engine

import config

from .faults import checkpoint

from .ingest import ingest_sources, load_paths
from .store import SourceFile, current_snapshot_id, log_refresh, now, snapshot_info

ADVISORY_KEY = 0x4154_4C53  # 'ATLS'


class RefreshBusy(Exception):
    """Another refresh holds the lock."""


@dataclass
class RefreshConfig:
    sources: list[dict]
    schedule: str = "0 6 * * *"
    timezone: str = "Asia/Shanghai"
    base: Path = config.ROOT
    after_refresh: list[str] | None = None  # shell commands run after a new snapshot is published
    kind: str = "refresh"  # "public" when the sources are (a copy of) the public list: its banner and notes


def read_config(path: Path | None = None) -> RefreshConfig:
    """The refresh configuration; a missing file means no sources."""
    path = Path(path or config.sources_file())
    if not path.exists():
        return RefreshConfig(sources=[], base=path.parent)
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    return RefreshConfig(sources=list(doc.get("sources", [])), schedule=doc.get("schedule", "0 6 * * *"),
                         timezone=doc.get("timezone", "Asia/Shanghai"), base=path.parent,
                         after_refresh=list(doc.get("after_refresh", [])),
                         kind="public" if doc.get("kind") == "public" else "refresh")


@contextlib.contextmanager
def refresh_lock(engine: Engine, lock_path: Path | None = None):
    """Hold the refresh lock or raise RefreshBusy at once (never wait behind another refresh)."""
    lock_path = Path(lock_path or config.lock_file())
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(f"another refresh holds {lock_path.name}") from None
        try:
            if engine.dialect.name == "postgresql":
                with engine.connect() as con:
                    if not con.execute(text("select pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
                        raise RefreshBusy("another refresh holds the database's advisory lock")
                    try:
                        yield
                    finally:
                        con.execute(text("select pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            else:
                yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def fetch_url(url: str, max_bytes: int, timeout: float = 60) -> SourceFile:
    """Download ``url`` in chunks, refusing it as soon as it grows past ``max_bytes``."""
    import requests

    name = Path(urlparse(url).path).name or "download.csv"
    chunks, size = [], 0
    with requests.get(url, stream=True, timeout=timeout) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_content(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"{name}: above the {max_bytes / 2**20:.0f} MB limit; refused")
            chunks.append(chunk)
    return SourceFile(name, b"".join(chunks), url)


def collect(cfg: RefreshConfig) -> tuple[list[SourceFile], list[str]]:
    """Every configured source's bytes, and one line per source that could not be had."""
    max_bytes = config.max_file_bytes()
    sources, errors = [], []
    for entry in cfg.sources:
        if "url" in entry:
            try:
                sources.append(fetch_url(entry["url"], max_bytes))
            except Exception as exc:  # any network or HTTP failure is one line, never a traceback
                errors.append(f"{entry['url']}: {exc}")
        elif "path" in entry:
            pattern = str(cfg.base / entry["path"])
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                errors.append(f"{entry['path']}: no file matches")
            found, errs = load_paths(matches, max_bytes)
            sources += found
            errors += errs
        else:
            errors.append(f"source entry {entry!r} has neither path nor url")
    return sources, errors


@dataclass
class RefreshResult:
    status: str  # published | unchanged | failed | busy
    snapshot_id: str | None
    messages: list[str]
    report: dict | None = None


def refresh(engine: Engine, cfg: RefreshConfig | None = None) -> RefreshResult:
    """Pull every source and publish a new snapshot when their contents changed."""
    cfg = cfg or read_config()
    started = now()
    try:
        with refresh_lock(engine):
            checkpoint("reading")
            sources, errors = collect(cfg)
            if not sources or errors:
                # A refresh is all or nothing: live data is never replaced by part of the sources.
                msg = errors + ["nothing published: a source could not be read; the previous snapshot stays current"]
                log_refresh(engine, started, "failed", None, "\n".join(msg))
                return RefreshResult("failed", None, msg)
            current = snapshot_info(engine)
            if current and {s["sha256"] for s in current["sources"]} == {s.sha256 for s in sources}:
                msg = [f"sources unchanged; snapshot {current['id']} stays current"]
                log_refresh(engine, started, "unchanged", current["id"], msg[0])
                return RefreshResult("unchanged", current["id"], msg)
            result = ingest_sources(engine, sources, kind=cfg.kind, strict=True)
            messages = result.errors
            status = "published" if result.published else "failed"
            log_refresh(engine, started, status, result.snapshot_id or current_snapshot_id(engine),
                        "\n".join(messages) or f"published {result.report.get('accepted', 0)} consortia")
            if result.published:
                run_after_refresh(cfg, messages)
            return RefreshResult(status, result.snapshot_id, messages, result.report)
    except RefreshBusy as exc:
        log_refresh(engine, started, "busy", None, str(exc))
        return RefreshResult("busy", None, [str(exc)])


def run_after_refresh(cfg: RefreshConfig, messages: list[str]) -> None:
    """Run the configured post-refresh commands (e.g. a briefing pack export); failures are reported."""
    import shlex
    import subprocess
    import sys

    for command in cfg.after_refresh or []:
        args = shlex.split(command)
        if args and args[0] == "python":
            args[0] = sys.executable
        done = subprocess.run(args, cwd=config.ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            messages.append(f"after_refresh {command!r} failed: {done.stderr.strip().splitlines()[-1:]}")
