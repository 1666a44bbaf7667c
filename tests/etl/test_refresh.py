"""Refresh: publish only when sources changed, all or nothing, never two at once."""
import json
import shutil

import pytest

from etl.refresh import RefreshBusy, read_config, refresh, refresh_lock
from etl.store import current_snapshot_id, load_snapshot, refresh_history


def write_config(tmp_path, body):
    p = tmp_path / "sources.toml"
    p.write_text(body, encoding="utf-8")
    return read_config(p)


@pytest.fixture
def incoming(tmp_path, samples):
    d = tmp_path / "incoming"
    d.mkdir()
    shutil.copy(samples / "records.json", d)
    shutil.copy(samples / "national_gbk.csv", d)
    return d


def accepted(samples, *files) -> int:
    """How many consortia the generator put in these files (none of them repeat each other)."""
    by_file = json.loads((samples / "expected.json").read_text(encoding="utf-8"))["accepted_by_file"]
    return sum(by_file[f] for f in files)


def test_refresh_publishes_then_reports_unchanged(engine, tmp_path, incoming, monkeypatch, samples):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    cfg = write_config(tmp_path, '[[sources]]\npath = "incoming/*.json"\n[[sources]]\npath = "incoming/*.csv"\n')
    first = refresh(engine, cfg)
    assert first.status == "published" and len(load_snapshot(engine).consortia) == accepted(
        samples, "records.json", "national_gbk.csv")
    second = refresh(engine, cfg)
    assert second.status == "unchanged" and second.snapshot_id == first.snapshot_id
    (incoming / "records.json").write_text('[{"name": "新", "province": "浙江", "sector": "S3"}]', encoding="utf-8")
    third = refresh(engine, cfg)
    assert third.status == "published" and third.snapshot_id != first.snapshot_id
    assert list(refresh_history(engine)["status"]) == ["published", "unchanged", "published"]


def test_failed_source_leaves_previous_data_live(engine, tmp_path, incoming):
    cfg = write_config(tmp_path, '[[sources]]\npath = "incoming/*"\n')
    live = refresh(engine, cfg).snapshot_id
    (incoming / "broken.xlsx").write_bytes(b"PK\x03\x04 broken")
    result = refresh(engine, cfg)
    assert result.status == "failed" and current_snapshot_id(engine) == live
    assert any(m.startswith("broken.xlsx: not a readable XLSX workbook") for m in result.messages)


def test_unreachable_url_fails_in_one_line(engine, tmp_path):
    cfg = write_config(tmp_path, '[[sources]]\nurl = "http://127.0.0.1:9/none.csv"\n')
    result = refresh(engine, cfg)
    assert result.status == "failed" and result.messages[0].startswith("http://127.0.0.1:9/none.csv: ")


def test_url_source_served_locally(engine, tmp_path, samples):
    import http.server
    import threading

    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(samples), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = write_config(tmp_path, f'[[sources]]\nurl = "http://127.0.0.1:{server.server_port}/records.json"\n')
        assert refresh(engine, cfg).status == "published"
        assert len(load_snapshot(engine).consortia) == accepted(samples, "records.json")
    finally:
        server.shutdown()


def test_lock_refuses_a_second_refresh_across_processes(engine, tmp_path, monkeypatch):
    import subprocess
    import sys

    import config
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    lock = config.lock_file()
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl,sys,time; f=open(sys.argv[1],'w'); fcntl.flock(f, fcntl.LOCK_EX);"
                               "print('held', flush=True); time.sleep(30)", str(lock)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        cfg = write_config(tmp_path, '[[sources]]\npath = "x/*.csv"\n')
        assert refresh(engine, cfg).status == "busy"
    finally:
        holder.kill()
        holder.wait()
    with refresh_lock(engine, lock):
        with pytest.raises(RefreshBusy):
            with refresh_lock(engine, lock):
                pass


def test_schedule_builds_a_cron_job(engine, tmp_path):
    from etl.schedule import build_scheduler
    cfg = write_config(tmp_path, 'schedule = "30 5 * * 1-5"\n[[sources]]\npath = "x"\n')
    scheduler = build_scheduler(engine, cfg, blocking=False)
    job = scheduler.get_job("refresh")
    assert job.max_instances == 1 and job.coalesce
    assert str(job.trigger).startswith("cron[") and "hour='5'" in str(job.trigger) and "minute='30'" in str(job.trigger)


def test_after_refresh_commands_run_only_when_a_snapshot_is_published(engine, tmp_path, incoming):
    marker = tmp_path / "pack-ready"
    # top-level keys come before the first [[sources]] table in TOML
    cfg = write_config(tmp_path, f'after_refresh = ["python -c \\"open(\'{marker}\', \'a\').write(\'x\')\\""]\n'
                                 '[[sources]]\npath = "incoming/*.json"\n')
    assert refresh(engine, cfg).status == "published"
    assert marker.read_text() == "x"
    assert refresh(engine, cfg).status == "unchanged"
    assert marker.read_text() == "x"  # nothing new, no new pack
