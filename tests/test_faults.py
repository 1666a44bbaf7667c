"""Faults survived: a refresh killed with SIGKILL at each stage, PostgreSQL stopped in the middle of a
publish (a throwaway server of the test's own), a full disk under the SQLite file, a read-only data folder.
After each: the previous snapshot is current and complete, no half-written rows are visible, the lock is
released, and the next refresh succeeds."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import config
from etl.faults import STAGES
from tests.conftest import run_cli

SNAPSHOT_TABLES = ("consortia", "members", "technology_tags", "rejections", "warnings", "unmapped",
                   "snapshot_sources")


def write_list(path: Path, n: int, tag: str) -> None:
    path.write_text(json.dumps([{"name": f"{tag}联合体{i}", "province": "浙江", "sector": "S3",
                                 "members": [{"name": f"成员{i}", "province": "江苏"}]} for i in range(n)],
                               ensure_ascii=False), encoding="utf-8")


def setup_store(folder: Path, url: str = "") -> dict:
    """A store with one published snapshot (20 consortia) and a sources.toml over incoming/."""
    (folder / "incoming").mkdir(parents=True)
    write_list(folder / "incoming" / "list.json", 20, "旧")
    (folder / "sources.toml").write_text('[[sources]]\npath = "incoming/*.json"\n', encoding="utf-8")
    env = {"DATABASE_URL": url, "ATLAS_DATA_DIR": str(folder / "data"), "ATLAS_SOURCES": str(folder / "sources.toml"),
           "ATLAS_KEEP_SNAPSHOTS": "1"}
    assert run_cli("refresh", env=env).returncode == 0
    return env


def summary(env) -> dict:
    return json.loads(run_cli("summary", "--json", env=env).stdout)


def orphan_rows(env) -> int:
    """Rows of any snapshot table whose snapshot is not a published (or staged) snapshot: half-written rows."""
    from sqlalchemy import create_engine
    url = env["DATABASE_URL"] or f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db"
    engine = create_engine(url)
    with engine.connect() as con:
        n = sum(con.exec_driver_sql(f"select count(*) from {t} where snapshot_id not in (select id from snapshots)")
                .scalar() for t in SNAPSHOT_TABLES)
    engine.dispose()
    return n


def start_paused_refresh(env: dict, stage: str, seconds: float = 120) -> subprocess.Popen:
    """A refresh in its own process that stops at ``stage`` (etl/faults.py) until killed or ``seconds`` pass."""
    proc = subprocess.Popen([sys.executable, "-m", "etl", "refresh"], cwd=config.ROOT,
                            env={**os.environ, **env, "ATLAS_PAUSE_AT": stage, "ATLAS_PAUSE_SECONDS": str(seconds)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker = Path(env["ATLAS_DATA_DIR"]) / f"paused-{stage}"
    deadline = time.time() + 120
    while not marker.exists():
        if proc.poll() is not None or time.time() > deadline:
            out, err = proc.communicate(timeout=5) if proc.poll() is not None else ("", "")
            proc.kill()
            pytest.fail(f"the refresh never reached {stage}: {out} {err}")
        time.sleep(0.1)
    marker.unlink()
    return proc


def assert_recovered(env: dict, before: dict, new_total: int) -> None:
    after = summary(env)
    assert after["snapshot"] == before["snapshot"] and after["total"] == before["total"]
    assert orphan_rows(env) == 0
    done = run_cli("refresh", env=env)  # the lock was released: the next refresh runs and publishes
    assert done.returncode == 0 and "refresh published" in done.stdout, done.stdout + done.stderr
    assert summary(env)["total"] == new_total and orphan_rows(env) == 0


@pytest.mark.parametrize("stage", STAGES)
def test_a_refresh_killed_at_any_stage_leaves_the_previous_snapshot(tmp_path, stage):
    env = setup_store(tmp_path)
    if stage == "pruning":  # pruning runs after the pointer moved: the new snapshot is then the current one
        write_list(tmp_path / "incoming" / "list.json", 25, "中")
        assert run_cli("refresh", env=env).returncode == 0
    before = summary(env)
    write_list(tmp_path / "incoming" / "list.json", 30, "新")
    proc = start_paused_refresh(env, stage)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if stage == "pruning":
        # The kill came after the publish committed: the new snapshot is current and complete, and the
        # old one, whose deletion never committed, is still whole (pruned by the next refresh).
        now = summary(env)
        assert now["total"] == 30 and orphan_rows(env) == 0
        write_list(tmp_path / "incoming" / "list.json", 31, "再")
        assert run_cli("refresh", env=env).returncode == 0 and summary(env)["total"] == 31
        return
    assert_recovered(env, before, 30)


def test_the_lock_of_a_killed_refresh_does_not_block_the_next(tmp_path):
    env = setup_store(tmp_path)
    write_list(tmp_path / "incoming" / "list.json", 30, "新")
    proc = start_paused_refresh(env, "reading")
    busy = run_cli("refresh", env=env)  # while it holds the lock, another refresh does not run
    assert busy.returncode == 2 and "refresh busy" in busy.stdout
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert run_cli("refresh", env=env).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def throwaway_postgres(tmp_path):
    """A PostgreSQL server of this test's own (initdb + pg_ctl in a temporary folder), never the shared one."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not bins:
        pytest.skip("PostgreSQL's server binaries (pg_ctl, initdb) are not installed")
    bindir = bins[-1].parent
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))  # outside pytest's root-only folder: postgres runs it
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True, timeout=120)

    def ctl(*args):
        return subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                               "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", *args],
                              capture_output=True, text=True, timeout=120)
    assert ctl("-l", str(folder / "log"), "start").returncode == 0
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        yield url, ctl, folder
    finally:
        ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_postgresql_stopped_in_the_middle_of_a_publish(tmp_path, throwaway_postgres):
    url, ctl, folder = throwaway_postgres
    env = setup_store(tmp_path, url)
    before = summary(env)
    write_list(tmp_path / "incoming" / "list.json", 30, "新")
    proc = start_paused_refresh(env, "writing", seconds=3)
    assert ctl("-m", "immediate", "stop").returncode == 0  # the server goes away mid-transaction
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in err and err.strip().startswith("error:"), err
    assert len(err.strip().splitlines()) == 1
    assert ctl("-l", str(folder / "log2"), "start").returncode == 0
    from etl.store import _engine
    _engine.cache_clear()
    assert_recovered(env, before, 30)


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs mounted for this test (root only), unmounted afterwards."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}); run the suite as root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_full_disk_under_the_sqlite_file(tmp_path, small_disk):
    env = setup_store(tmp_path)
    env["ATLAS_DATA_DIR"] = str(small_disk)
    assert run_cli("refresh", env=env).returncode == 0  # the same sources into a store on the small disk
    before = summary(env)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 64 * 1024))  # leave 64 KB: too little for the next snapshot
    write_list(tmp_path / "incoming" / "list.json", 3000, "新")
    done = run_cli("refresh", env=env)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "full" in done.stderr.lower() or "space" in done.stderr.lower(), done.stderr
    filler.unlink()
    assert_recovered(env, before, 3000)


def test_a_read_only_data_folder(tmp_path, small_disk):
    env = setup_store(tmp_path)
    env["ATLAS_DATA_DIR"] = str(small_disk)
    assert run_cli("refresh", env=env).returncode == 0
    before = summary(env)
    write_list(tmp_path / "incoming" / "list.json", 30, "新")
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True).returncode == 0
    try:
        done = run_cli("refresh", env=env)
        assert done.returncode != 0 and "Traceback" not in done.stderr and done.stderr.startswith("error:")
        assert summary(env)["snapshot"] == before["snapshot"]  # still readable, unchanged
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], capture_output=True)
    assert_recovered(env, before, 30)
