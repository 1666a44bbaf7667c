"""Fixtures: the real SQLite file and the real PostgreSQL server, the shared samples."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import config

SAMPLES = config.ROOT.parent / "shared" / "samples" / "messy-lists"
SAMPLE_FILES = ["zj_list.xlsx", "national_gbk.csv", "english.csv", "records.json"]
PG_ADMIN_URL = os.environ.get("ATLAS_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.fail(f"shared samples not found at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'atlas.db'}"


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
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
