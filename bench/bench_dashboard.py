"""The dashboard in headless Chromium: first map and filter-change latency and bytes,
for this app and a plain Dash app measured in the same run (printed, not asserted).

The filter change is timed twice: from the driver (Enter pressed -> KPI text changed, seen by Playwright's
polling, then two frames), and in the page (Enter's keydown -> KPIs changed and the map's redraw finished,
plus one frame to paint), which leaves out the driver's own round trips.

  python bench/bench_dashboard.py            # demo data
  python bench/bench_dashboard.py --big      # also 100k consortia
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, write_list

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict, port: int) -> subprocess.Popen:
    log = open(Path(env["ATLAS_DATA_DIR"]) / f"server-{port}.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env, "PORT": str(port)}, stdout=log,
                            stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def type_option(page, dropdown: str, label: str) -> None:
    """Open ``dropdown`` and type ``label`` until its option shows; Enter then picks it. The search box's
    focus is waited for, as in tests/browser/conftest.py."""
    page.click(f"#{dropdown}")
    page.wait_for_function("() => document.activeElement?.matches('.dash-dropdown-search')", timeout=10000)
    page.keyboard.type(label)
    page.get_by_role("option").filter(has_text=label).first.wait_for(timeout=10000)


def measure(browser, url: str, map_sel: str, kpi_sel: str, dropdown: str, label: str, warm_up: bool) -> dict:
    """First map visible (new context) and one filter change (Enter -> KPI and map updated)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    finished: list = []  # sizes are read later: asking the driver inside the event would slow the page
    page.on("requestfinished", lambda r: finished.append(r))

    def transferred(requests) -> int:
        total = 0
        for r in requests:
            try:
                sizes = r.sizes()
                total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            except Exception:
                pass
        return total

    page.add_init_script(f"""new MutationObserver((_, obs) => {{
        if (document.querySelector('{map_sel}')) {{ window.__firstMap = performance.now(); obs.disconnect(); }}
      }}).observe(document, {{subtree: true, childList: true}});""")
    page.goto(url)
    page.wait_for_selector(map_sel, timeout=120000)
    first = page.evaluate("window.__firstMap") / 1000  # from navigation start, as the browser counts it
    first_requests = list(finished)
    page.wait_for_selector(f"{kpi_sel}:not(:empty)", timeout=120000)
    time.sleep(3 if warm_up else 2)  # let the rest of the page settle
    before = page.inner_text(kpi_sel)
    type_option(page, dropdown, label)
    first_bytes = transferred(first_requests)
    finished.clear()
    # In the page: the Enter key's time, the KPI's change and the map's next "afterplot" (its redraw done).
    page.evaluate(f"""() => {{
        window.__enter = 0; window.__kpi = 0; window.__plotted = 0;
        document.addEventListener('keydown', e => {{ if (e.key === 'Enter') window.__enter = performance.now(); }}, true);
        new MutationObserver(() => {{ window.__kpi = performance.now(); }})
            .observe(document.querySelector('{kpi_sel}'), {{childList: true, subtree: true, characterData: true}});
        document.querySelector('{map_sel.split()[0]} .js-plotly-plot')
            .on('plotly_afterplot', () => {{ window.__plotted = performance.now(); }});
    }}""")
    t = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelector('{kpi_sel}').innerText !== {before!r}", timeout=120000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    change = time.perf_counter() - t
    page.wait_for_function("() => window.__kpi > window.__enter && window.__plotted > window.__enter", timeout=60000)
    in_page = page.evaluate("""() => new Promise(r => requestAnimationFrame(
        () => r((Math.max(window.__kpi, window.__plotted) - window.__enter + 1000 / 60) / 1000)))""")
    time.sleep(0.3)
    change_bytes = transferred([r for r in finished if "_dash-update-component" in r.url and
                                any(k in (r.post_data or "") for k in ("province-map.figure", "plain-map.figure"))])
    ctx.close()
    return {"first": first, "first_bytes": first_bytes, "change": change, "in_page": in_page,
            "change_bytes": change_bytes}


def run_series(browser, url, *args, n=5) -> dict:
    results = [measure(browser, url, *args, warm_up=i == 0) for i in range(n)]
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def measure_plain(browser, url: str) -> dict:
    """The plain app's first map in the browser; its filter change as the server answers it.

    Its page is too busy drawing 786k points to take typed input reliably, so the filter
    change replays the page's own callback request with sector S3 (browser drawing not counted)."""
    import json
    import urllib.request

    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    posts: list = []
    page.on("request", lambda r: posts.append((r.url, r.post_data)) if r.method == "POST" else None)
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#plain-map .choroplethlayer path", timeout=300000)
    first = time.perf_counter() - t
    ctx.close()
    post_url, body = posts[0]
    payload = json.loads(body)
    payload["inputs"][0]["value"] = "S3"
    req = urllib.request.Request(post_url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"})
    times, sizes = [], []
    for _ in range(3):
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=300) as resp:
            sizes.append(len(resp.read()))
        times.append(time.perf_counter() - t)
    return {"first": first, "first_bytes": float("nan"), "change": statistics.median(times),
            "in_page": float("nan"), "change_bytes": statistics.median(sizes)}


def report(name: str, r: dict) -> None:
    in_page = "" if r["in_page"] != r["in_page"] else f" (in the page {r['in_page'] * 1000:4.0f} ms)"
    print(f"  {name:28} first map {r['first']:6.2f} s, {r['first_bytes'] / 2**20:6.2f} MB | "
          f"filter change {r['change'] * 1000:7.0f} ms{in_page}, map+KPI response {r['change_bytes'] / 1024:8.1f} KB")


def main() -> None:
    from playwright.sync_api import sync_playwright

    big = "--big" in sys.argv
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        datasets = [("demo", None)] + ([("100k", 100_000)] if big else [])
        for label, n in datasets:
            env = {"ATLAS_DATA_DIR": str(Path(tmp) / label), "DATABASE_URL": ""}
            Path(env["ATLAS_DATA_DIR"]).mkdir()
            if n is None:
                subprocess.run([py, "-m", "etl", "demo"], cwd=ROOT, env={**os.environ, **env}, check=True,
                               capture_output=True)
            else:
                path = write_list(Path(tmp) / "big.csv", n)
                subprocess.run([py, "-m", "etl", "ingest", str(path)], cwd=ROOT, env={**os.environ, **env},
                               check=True, capture_output=True)
            print(f"data: {label} (median of 5 page loads, each in a new browser context)")
            port = free_port()
            ours = start([py, "app.py"], env, port)
            try:
                time.sleep(4)  # the warm-up thread loads the snapshot and libpysal
                report("Consortium Atlas", run_series(browser, f"http://127.0.0.1:{port}/",
                                                      "#province-map .choroplethlayer path", "#kpi-total",
                                                      "filter-sector", "新材料"))
            finally:
                ours.terminate()
            port = free_port()
            plain_assets = Path(tmp) / "plain-assets"
            if not plain_assets.exists():
                shutil.copytree(ROOT / "assets" / "topojson", plain_assets / "topojson")
            plain = start([py, "bench/plain_app.py", str(port), str(plain_assets)], env, port)
            try:
                report("plain Dash (full boundaries)", measure_plain(browser, f"http://127.0.0.1:{port}/"))
                print("    (plain filter change: server time and response only; its browser then redraws 786k points)")
            finally:
                plain.terminate()
        browser.close()


if __name__ == "__main__":
    main()
