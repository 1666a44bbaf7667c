"""The real app in its own process, driven by Debian's Chromium through Playwright."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

import config
from tests.conftest import SAMPLE_FILES, SAMPLES, run_cli

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data, env: dict):
    """``python app.py`` on a free port over ``env``'s store; returns (process, url, log file)."""
    port = free_port()
    log = open(data / "app.log", "w")  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=config.ROOT,
                            env={**os.environ, **env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the app did not start: " + (data / "app.log").read_text()[-2000:])
    return proc, url, log


def stop_app(proc, log) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on the generated messy lists, in a fresh SQLite store; yields (url, env, summary)."""
    data = tmp_path_factory.mktemp("browser-data")
    env = {"ATLAS_DATA_DIR": str(data), "ATLAS_POLL_SECONDS": "2", "DATABASE_URL": ""}
    done = run_cli("ingest", *[str(SAMPLES / f) for f in SAMPLE_FILES], env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(run_cli("summary", "--json", env=env).stdout)
    proc, url, log = start_app(data, env)
    yield url, env, summary
    stop_app(proc, log)


@pytest.fixture(scope="session")
def public_server(tmp_path_factory):
    """The app as a new user first sees it: a fresh store with the public list, as `make run` publishes it."""
    data = tmp_path_factory.mktemp("public-data")
    env = {"ATLAS_DATA_DIR": str(data), "ATLAS_POLL_SECONDS": "2", "DATABASE_URL": ""}
    done = run_cli("public", "--if-stale", env=env)
    assert done.returncode == 0, done.stderr
    proc, url, log = start_app(data, env)
    yield url, env
    stop_app(proc, log)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); make test installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page with its console errors and every request URL recorded."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_selector("#province-map .choroplethlayer path", timeout=30000)
        self.wait_idle()
        return self

    def wait_idle(self, quiet: float = 0.6, timeout: float = 20):
        """Wait until Dash has no callback in flight."""
        # dash-renderer shows ._dash-loading-callback while any callback is pending
        for _ in range(2):
            time.sleep(quiet)
            self.page.wait_for_function("() => !document.querySelector('._dash-loading-callback')",
                                        timeout=timeout * 1000)

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def choose(self, dropdown_id: str, label: str, expect_query: str):
        """Click the dropdown, type a label, press Enter: as the contract says a planner does."""
        open_dropdown(self.page, dropdown_id)
        self.page.keyboard.type(label)
        self.page.get_by_role("option").filter(has_text=label).first.wait_for(timeout=10000)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(f"**{expect_query}**", timeout=10000)
        self.wait_idle()

    def kpi(self, name: str) -> int:
        return int(self.text(f"#kpi-{name}"))


def open_dropdown(page, dropdown_id: str) -> None:
    """Click a dropdown and wait until its search box has the focus, as a person sees it open.

    Keys typed in the same instant reach dash's trigger button instead, and
    its hand-over of the first key to the search box sometimes loses them all."""
    page.click(f"#{dropdown_id}")
    # the open dropdown's search box lives in a popover outside the dropdown's element
    page.wait_for_function("() => document.activeElement?.matches('.dash-dropdown-search')", timeout=10000)


def direct_counts(env: dict):
    """The current snapshot's consortia read straight from the store, to count by hand."""
    from etl.store import get_engine, load_snapshot

    snap = load_snapshot(get_engine(f"sqlite:///{env['ATLAS_DATA_DIR']}/atlas.db"))
    return snap.consortia


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = Page(ctx.new_page())
    yield p
    ctx.close()
