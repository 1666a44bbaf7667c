"""`gunicorn app:server` with several workers, as the README documents it."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import config
from tests.browser.conftest import free_port
from tests.conftest import SAMPLES, run_cli


@pytest.mark.slow
def test_gunicorn_serves_the_app_with_two_workers(tmp_path):
    env = {"ATLAS_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert run_cli("ingest", str(SAMPLES / "records.json"), env=env).returncode == 0
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "-w", "2", "app:server"], cwd=config.ROOT,
                            env={**os.environ, **env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                page = urllib.request.urlopen(base + "/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text()[-2000:])
        assert "创新联合体布局图谱" in page
        # several requests, so both workers answer; each reads the store itself
        for _ in range(6):
            req = urllib.request.Request(base + "/_dash-layout", headers={"Referer": base + "/?sector=S3"})
            layout = json.loads(urllib.request.urlopen(req, timeout=30).read())
            assert "S3" in json.dumps(layout)
        workers = (tmp_path / "gunicorn.log").read_text().count("Booting worker")
        assert workers == 2
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
