"""The first visitor after a server start: two versions of the app, started afresh for every load, in turn
(printed, not asserted).

bench_dashboard.py and ab_dashboard.py load pages from a server whose warm-up has finished. The first planner
to open the atlas after `make run` or a deployment meets a server still warming up. This script starts the
server of a git revision (in a temporary worktree) and of the working tree, each on the bundled public list,
opens the page as soon as the port answers, and prints the median of the first map's time from navigation
start and of the layout request's time; then it stops the server. The first pair of starts (the browser's own
first page) is not counted.

  python bench/cold_start.py [REV] [STARTS]      # REV defaults to HEAD, STARTS (per side) to 6
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ab_dashboard import FIRST_MAP
from bench_dashboard import ARGS, free_port
from common import ROOT, published_store, revision_tree


def first_page(browser, port: int) -> tuple[float, float]:
    """(first map, layout request) in ms, for a new browser context's first page."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    page.add_init_script(FIRST_MAP)
    page.goto(f"http://127.0.0.1:{port}/")
    page.wait_for_selector("#province-map .choroplethlayer path", timeout=120000)
    layout = page.evaluate("""() => {
        const e = performance.getEntriesByType('resource').find(e => e.name.includes('_dash-layout'));
        return e.responseEnd - e.startTime; }""")
    first = page.evaluate("window.__firstMap")
    ctx.close()
    return first, layout


def start_and_load(browser, root: Path, env: dict) -> tuple[float, float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(root / "app.py")], cwd=root,
                            env={**os.environ, **env, "PYTHONPATH": str(root), "PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(3000):  # open the page as soon as the port answers, as a waiting planner would
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.02)
        return first_page(browser, port)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    from playwright.sync_api import sync_playwright

    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    with tempfile.TemporaryDirectory() as tmp, revision_tree(rev, Path(tmp)) as tree:
        env = published_store(Path(tmp), "public")
        sides = {rev: tree, "working tree": ROOT}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for i in range(starts + 1):
                for name in (list(sides) if i % 2 else list(sides)[::-1]):
                    measured = start_and_load(browser, sides[name], env)
                    if i:
                        results[name].append(measured)
            browser.close()
    print(f"the first page after a server start, public list, {starts} alternate starts per side; median ms")
    print(f"{'':>14}{'first map':>10}{'layout':>10}")
    for name, runs in results.items():
        print(f"{name:>14}{statistics.median(r[0] for r in runs):>10.0f}"
              f"{statistics.median(r[1] for r in runs):>10.0f}")


if __name__ == "__main__":
    main()
