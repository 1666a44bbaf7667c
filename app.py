"""Consortium Atlas (创新联合体布局图谱): ``python app.py`` serves the dashboard.

``create_app()`` builds the Dash app; ``server`` is the Flask server for
``gunicorn app:server``. Nothing is read from the store at import time.
"""
from __future__ import annotations

from functools import lru_cache

import dash

import config


celery_app = None  # the Celery application when REDIS_URL is set (for `celery -A app:celery_app worker`)
BOUNDARY_FILES = ("provinces.geojson", "inset.geojson", "cities.geojson", "maritime.geojson")


@lru_cache(maxsize=len(BOUNDARY_FILES))
def _boundary_bytes(name: str) -> bytes:
    return (config.BOUNDARIES_DIR / name).read_bytes()


class StaticCompressionCache:
    """Compress each static GET response (plotly.js, boundaries) once per worker; never cache callbacks."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/boundaries/")

    @staticmethod
    def key(request) -> str:
        # Only files that never change while the server runs; the layout depends on the Referer.
        static = request.method == "GET" and request.path.startswith(StaticCompressionCache.STATIC_PREFIXES)
        return f"static:{request.full_path}" if static else ""

    def get(self, key: str):
        return self._store.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.split(";", 1)[-1].startswith("static:"):
            self._store[key] = value


def background_manager():
    """Where background callbacks (exports) run: Celery over Redis when REDIS_URL is set (run a worker with
    `celery -A app:celery_app worker`), else a local disk cache with a process per job."""
    import os

    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        from celery import Celery

        celery_app = Celery(__name__, broker=redis_url, backend=redis_url)
        return dash.CeleryManager(celery_app), celery_app
    import diskcache

    return dash.DiskcacheManager(diskcache.Cache(str(config.data_dir() / "background-jobs"))), None


def leave_out_babel_polyfill() -> None:
    """Serve the page without @babel/polyfill when the partial plotly.js bundle is built.

    Dash's lazy loaders need only regeneratorRuntime from it, which that bundle carries
    (tools/plotly-bundle/entry.js). In any browser React 18 runs in, the rest re-implements
    native built-ins (Promise, String.prototype.trim …) more slowly: on the 2-core machine it
    cost about 250 ms of script evaluation before the first map, and more in every callback.
    Without the bundle (no npm at setup) the polyfill stays."""
    from dash import _dash_renderer

    if not (config.ASSETS_DIR / "plotly-atlas.min.js").exists():
        return
    deps = []
    for dep in _dash_renderer._js_dist_dependencies:
        dep = dict(dep)
        for key in ("external_url", "relative_package_path"):
            if isinstance(dep.get(key), dict):
                dep[key] = {mode: [p for p in paths if "polyfill" not in p] for mode, paths in dep[key].items()}
        deps.append(dep)
    _dash_renderer._js_dist_dependencies = deps


def load_first_chunks_with_the_page() -> None:
    """Serve dcc's graph, dropdown and slider code with the page's scripts instead of on demand.

    The overview draws all three at once; loaded lazily, each was fetched only after the layout
    had rendered, and the first map waited for the graph's chunk. The other chunks (date
    pickers, markdown, upload …) stay lazy, and so does plotly.js (see leave_out_babel_polyfill)."""
    from dash import dcc

    first = ("dcc/async-graph.js", "dcc/async-dropdown.js", "dcc/async-slider.js")
    dcc._js_dist = [{k: v for k, v in dist.items() if k != "async"}
                    if dist.get("relative_package_path") in first else dist for dist in dcc._js_dist]


def serve_on_demand(package, path: str) -> None:
    """Leave ``package``'s script ``path`` out of the page's script tags; the server still serves it when asked."""
    package._js_dist = [dict(dist, dynamic=True) if dist.get("relative_package_path") == path else dist
                        for dist in package._js_dist]


def defer_the_records_grid() -> None:
    """Serve the page without dash-ag-grid's script (1.3 MB), which only the records grid under the map
    needs: assets/records-grid.js fetches it once the map is drawn, and the sections under the map
    (callbacks.page.fill_below) come after it. Evaluating it with the page's scripts cost about 65 ms
    of the first map (median of 12 alternate loads, 0.94 s against 0.88 s)."""
    import dash_ag_grid

    serve_on_demand(dash_ag_grid, "dash_ag_grid.min.js")


def leave_out_dash_table() -> None:
    """Serve the page without dash_table's script, which Dash lists for every app: the atlas draws no
    DataTable (its records grid is dash-ag-grid), and evaluating the script took about 20 ms before the
    first map. A DataTable added to a page would need this undone."""
    from dash import dash_table

    serve_on_demand(dash_table, "dash_table/bundle.js")


def create_app() -> dash.Dash:
    from flask_compress import Compress

    global celery_app
    manager, celery_app = background_manager()
    leave_out_babel_polyfill()
    load_first_chunks_with_the_page()
    defer_the_records_grid()
    leave_out_dash_table()
    app = dash.Dash(
        __name__,
        title="创新联合体布局图谱 · Consortium Atlas",
        assets_folder=str(config.ASSETS_DIR),
        serve_locally=True,  # no CDN: every script comes from this server
        suppress_callback_exceptions=True,
        update_title=None,
        background_callback_manager=manager,
    )
    # The map's boundaries, and the page's layout and callbacks, start downloading with the scripts: the
    # server builds the first page (map included) while the browser is still reading plotly.js, and the
    # renderer finds both answers waiting when it asks (a preload with the fetch's URL, mode and credentials).
    prefix = app.config.requests_pathname_prefix
    preload = "".join(f'<link rel="preload" href="{href}" as="fetch" crossorigin="anonymous">'
                      for href in ("/boundaries/provinces.geojson", "/boundaries/inset.geojson",
                                   f"{prefix}_dash-layout", f"{prefix}_dash-dependencies"))
    app.index_string = app.index_string.replace("{%css%}", "{%css%}" + preload)
    import callbacks  # noqa: F401  (registers every @dash.callback once)
    from callbacks.page import serve_layout

    app.layout = serve_layout
    app.server.config.update(
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/javascript", "application/javascript",
                            "application/json"],
        COMPRESS_ALGORITHM=["br", "gzip"],  # what every browser accepts; zstd is not universal yet
        COMPRESS_CACHE_BACKEND=StaticCompressionCache,
        COMPRESS_CACHE_KEY=StaticCompressionCache.key,
    )
    Compress(app.server)
    from server import auth, ops

    ops.install(app)
    auth.install(app)

    @app.server.route("/boundaries/<name>")
    def boundaries(name: str):
        """The compact boundary files, fetched once by the browser and cached."""
        from flask import Response, abort

        if name not in BOUNDARY_FILES:
            abort(404)
        # A plain response (not send_file) so flask-compress can gzip it: 255 KB -> ~80 KB.
        response = Response(_boundary_bytes(name), mimetype="application/json")
        response.cache_control.max_age = 86400
        response.cache_control.public = True
        return response

    # Dash finishes its set-up on the first request and marks it done before copying the callbacks in:
    # with several threads per worker, a request racing the first one finds no callbacks (HTTP 500).
    with app.server.test_request_context("/"):
        app._setup_server()
    return app


app = create_app()
server = app.server

if __name__ == "__main__":
    import sys
    import threading

    from callbacks.state import warm_up
    from etl.store import StoreUnavailable, get_engine

    try:
        get_engine()
    except StoreUnavailable as exc:  # one line naming the store, not a traceback
        sys.exit(f"error: {exc}")

    threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
    app.run(host=config.HOST, port=config.PORT, debug=False, threaded=True)
