"""Fixtures: the real SQLite file and the real PostgreSQL server, messy lists with known answers.

The suite needs nothing outside the repository: the messy lists are generated
(tests/messy_lists.py). PostgreSQL tests run against 127.0.0.1:5432 (or
ATLAS_TEST_PG); without a server they are skipped with one line, unless
ATLAS_REQUIRE_POSTGRES=1 (set by .ci/run) makes that a failure.
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import config

from tests.messy_lists import FILES as SAMPLE_FILES  # noqa: F401  (re-exported for the tests)
from tests.messy_lists import write_messy_lists

SHARED_SAMPLES = config.ROOT.parent / "shared" / "samples" / "messy-lists"
PG_ADMIN_URL = os.environ.get("ATLAS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("ATLAS_REQUIRE_POSTGRES") == "1"


@lru_cache(maxsize=1)
def messy_samples() -> Path:
    """A folder with the four generated messy lists and their expected.json, made once per test run."""
    folder = Path(tempfile.mkdtemp(prefix="atlas-messy-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    write_messy_lists(folder)
    return folder


SAMPLES = messy_samples()


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def shared_samples() -> Path:
    """The contract's own example lists (shared/samples), when the repository sits beside shared/."""
    if not SHARED_SAMPLES.exists():
        if os.environ.get("ATLAS_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared samples not found at {SHARED_SAMPLES}")
        pytest.skip("shared/samples is not beside this clone; the generated lists cover the same forms")
    return SHARED_SAMPLES


@lru_cache(maxsize=1)
def postgres_problem() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when the server answers."""
    from etl.store import StoreUnavailable, get_engine
    try:
        get_engine(PG_ADMIN_URL).dispose()
    except StoreUnavailable as exc:
        return str(exc)
    return None


def pytest_report_header(config):
    problem = postgres_problem()
    if problem and not REQUIRE_POSTGRES:
        return f"PostgreSQL tests skipped: {problem} (start PostgreSQL on 127.0.0.1:5432 to run them)"
    return None


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'atlas.db'}"


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    problem = postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here (ATLAS_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"atlas_test_{secrets.token_hex(4)}"
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from etl.store import _engine

        _engine.cache_clear()
        with admin.connect() as con:
            con.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atlas.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    from etl.store import get_engine

    eng = get_engine(db_url)
    yield eng
    eng.dispose()


def run_cli(*args: str, env: dict | None = None, cwd: Path = config.ROOT) -> subprocess.CompletedProcess:
    """Run ``python -m etl ARGS`` as a user would, in its own process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def xlsx_bytes(rows) -> bytes:
    """A one-sheet workbook of ``rows``, as a user's Excel file would arrive."""
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
