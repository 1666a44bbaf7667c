"""First map and one filter change, two versions of the app, pages loaded alternately (printed, not asserted).

A median of 3 or 5 loads (bench_dashboard.py) cannot tell 10 ms apart on a machine whose speed drifts by
a fifth from one minute to the next. This script serves the same demo store from a git revision (in a
temporary worktree) and from the working tree, loads their pages in turn, and prints the median time of
each step of a filter change from Enter's keydown: the callback's request sent, its response, the KPIs
changed, the map's redraw finished; and, for each load, the first map's time from navigation start
(as bench_dashboard.py counts it).

  python bench/ab_dashboard.py [REV] [LOADS]      # REV defaults to HEAD, LOADS (per side) to 12
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_dashboard import ARGS, free_port, start, type_option
from common import ROOT, published_store, revision_tree

# Marks the map callback's request and response, in the page's clock.
PROBE = """window.__log = [];
const fetch0 = window.fetch;
window.fetch = function (url, options) {
  const mine = options && options.body && options.body.includes('province-map.figure');
  if (mine) window.__log.push(['request', performance.now()]);
  const reply = fetch0.apply(this, arguments);
  if (mine) reply.then(() => window.__log.push(['response', performance.now()]));
  return reply;
};"""
FIRST_MAP = """new MutationObserver((_, obs) => {
  if (document.querySelector('#province-map .choroplethlayer path')) { window.__firstMap = performance.now(); obs.disconnect(); }
}).observe(document, {subtree: true, childList: true});"""
STEPS = ("request", "response", "kpi", "map")


def one_change(browser, url: str, label: str = "新材料") -> dict:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    page.add_init_script(PROBE)
    page.add_init_script(FIRST_MAP)
    page.goto(url)
    page.wait_for_selector("#province-map .choroplethlayer path", timeout=120000)
    first = page.evaluate("window.__firstMap")
    time.sleep(3)
    type_option(page, "filter-sector", label)
    page.evaluate("""() => {
        window.__log = [];
        const mark = k => window.__log.push([k, performance.now()]);
        document.addEventListener('keydown', e => { if (e.key === 'Enter') mark('enter'); }, true);
        new MutationObserver(() => mark('kpi')).observe(document.querySelector('#kpi-total'),
            {childList: true, subtree: true, characterData: true});
        document.querySelector('#province-map .js-plotly-plot').once('plotly_afterplot', () => mark('map'));
    }""")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__log.some(x => x[0] === 'map')", timeout=60000)
    time.sleep(0.3)
    log = page.evaluate("() => window.__log")
    ctx.close()
    enter = next(t for k, t in log if k == "enter")
    times: dict[str, float] = {"first map": first}
    for key, t in log:
        times.setdefault(key, t - enter)
    return times


def main() -> None:
    from playwright.sync_api import sync_playwright

    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    loads = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp, revision_tree(rev, Path(tmp)) as tree:
        env = published_store(Path(tmp), "demo")
        sides = {rev: tree, "working tree": ROOT}
        servers, urls = [], {}
        try:
            for name, root in sides.items():
                port = free_port()
                servers.append(start([py, str(root / "app.py")], {**env, "PYTHONPATH": str(root)}, port))
                urls[name] = f"http://127.0.0.1:{port}/"
            time.sleep(4)  # the warm-up threads load the snapshot
            results: dict[str, list[dict]] = {name: [] for name in sides}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for i in range(loads):
                    order = list(sides) if i % 2 == 0 else list(sides)[::-1]
                    for name in order:
                        results[name].append(one_change(browser, urls[name]))
                browser.close()
        finally:
            for s in servers:
                s.terminate()
    print(f"a filter change (sector 新材料) on the demo data, {loads} alternate loads per side; "
          "median ms from Enter's keydown (first map: from navigation start)")
    print(f"{'':>14}" + "".join(f"{s:>10}" for s in STEPS) + f"{'mean map':>10}{'first map':>10}")
    for name, runs in results.items():
        medians = [statistics.median(r.get(s, float("nan")) for r in runs) for s in STEPS]
        print(f"{name:>14}" + "".join(f"{m:>10.0f}" for m in medians)
              + f"{statistics.mean(r['map'] for r in runs):>10.0f}"
              + f"{statistics.median(r['first map'] for r in runs):>10.0f}")


if __name__ == "__main__":
    main()
