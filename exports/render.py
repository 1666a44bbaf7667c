"""Static images with kaleido and the system Chromium, offline.

One warm renderer (kaleido's sync server, a single Chromium kept open) serves
every export, so repeated exports do not start a browser each time. MathJax
is switched off and plotly.js's world base map comes from a data: URL of the
empty shell in assets/topojson, so nothing is fetched from outside.
"""
from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import sys
import threading
import time
import urllib.parse
from functools import lru_cache

import plotly.graph_objects as go

import config

FORMATS = ("png", "svg", "pdf")
# Latin letters and digits from Liberation Sans (which Debian's chromium brings), the rest from Noto Sans CJK:
# in a PDF, digits drawn with Noto Sans CJK's glyphs map back to no character, so nobody could search or copy them.
EXPORT_FONT_FAMILY = "Liberation Sans, Arial, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
SYSTEM_CHROMIUM = "/usr/bin/chromium"
_lock = threading.Lock()
# kaleido's one server takes every call in one queue and answers in another, shared: two threads asking at
# once could each take the other's image. It renders one figure at a time anyway, so a process asks it one
# at a time (the slots below still share Chromium renders between processes).
_call_lock = threading.Lock()
_started = False


@lru_cache(maxsize=1)
def topojson_data_url() -> str:
    """plotly.js appends 'world_110m.json' to topojsonURL; after '#/' it is only a fragment."""
    shell = (config.ASSETS_DIR / "topojson" / "world_110m.json").read_text(encoding="utf-8")
    return "data:application/json," + urllib.parse.quote(shell) + "#/"


def _ensure_started() -> None:
    global _started
    if _started:
        return
    with _lock:
        if _started:
            return
        import kaleido

        if os.path.exists(SYSTEM_CHROMIUM):
            os.environ.setdefault("BROWSER_PATH", SYSTEM_CHROMIUM)  # never a downloaded browser
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _started = True


def _forget_inherited_renderer() -> None:
    """In a forked child (a background export's job process): forget the parent's renderer.

    The child inherits the note that a renderer is running, but not the
    thread that serves it, so a render would wait forever on a queue nobody
    reads. Forgotten, the child starts a renderer of its own on its first
    render. The parent's Chromium is left alone: the child never talks to it."""
    global _started, _call_lock
    _started = False
    _call_lock = threading.Lock()  # a lock held by a parent's thread would never be released here
    kaleido = sys.modules.get("kaleido")
    if kaleido is not None:
        # kaleido offers no call that forgets a server without stopping it, and stopping it here would
        # wait on the parent's thread; this flag is what its is_running() reads.
        kaleido._global_server._initialized = False


os.register_at_fork(after_in_child=_forget_inherited_renderer)


# Who hears about a render's progress: an object with waiting(position) and rendered(), set by a
# background export (callbacks/exports.py) for the renders it asks for; None elsewhere.
REPORTER: contextvars.ContextVar = contextvars.ContextVar("render_reporter", default=None)


def max_renders() -> int:
    """How many Chromium renders may run at once on this machine (ATLAS_MAX_RENDERS, default 2)."""
    return max(1, int(os.environ.get("ATLAS_MAX_RENDERS", "2")))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def render_slot():
    """Hold one of max_renders() slots shared by every process on the machine (file locks); while all
    are taken, wait in line and tell the reporter this render's place in the queue."""
    folder = config.data_dir() / "render-slots"
    folder.mkdir(parents=True, exist_ok=True)
    ticket = folder / f"ticket-{time.time_ns():020d}-{os.getpid()}"
    ticket.touch()
    reporter = REPORTER.get()
    try:
        while True:
            for i in range(max_renders()):
                fh = open(folder / f"slot-{i}.lock", "w")
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    fh.close()
                    continue
                ticket.unlink(missing_ok=True)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
                    fh.close()
                return
            waiting = []
            for t in sorted(folder.glob("ticket-*")):
                if _alive(int(t.name.rsplit("-", 1)[1])):
                    waiting.append(t)
                else:
                    t.unlink(missing_ok=True)  # a process that died in line
            if reporter is not None and ticket in waiting:
                reporter.waiting(waiting.index(ticket) + 1)
            time.sleep(0.3)
    finally:
        ticket.unlink(missing_ok=True)


def render_figure(fig: go.Figure, fmt: str = "png", width: int = 1200, height: int = 760,
                  scale: float = 2.0, readable: bool = True) -> bytes:
    """The figure as PNG, SVG or PDF bytes, rendered by the warm Chromium, at most max_renders() at once.
    A PDF's Chinese text reads back as drawn (exports.pdf_text); ``readable=False`` leaves that to a caller
    that merges pages first."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    import kaleido

    spec = with_geometry(fig.to_dict())
    spec.setdefault("layout", {}).setdefault("font", {})["family"] = EXPORT_FONT_FAMILY
    with render_slot(), _call_lock:
        _ensure_started()
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        data = kaleido.calc_fig_sync(spec, opts=opts, topojson=topojson_data_url())
    reporter = REPORTER.get()
    if reporter is not None:
        reporter.rendered()
    if fmt == "pdf" and readable:
        from .pdf_text import readable_cjk
        data = readable_cjk(data)
    return data


def with_geometry(spec: dict) -> dict:
    """The figure dict with every boundary URL (/boundaries/…) replaced by the GeoJSON itself,
    for a renderer that has no server to fetch from. The figure is built light; the geometry
    joins only the JSON that goes to Chromium."""
    from figures.china_map import ASSET_URL, boundary_geojson

    for trace in spec.get("data", []):
        url = trace.get("geojson")
        if isinstance(url, str) and url.startswith(ASSET_URL):
            collection = boundary_geojson(url.removeprefix(ASSET_URL))
            wanted = set(trace.get("locations") or ())
            # only the features the trace draws: the outline of a picked province carries one
            trace["geojson"] = {"type": "FeatureCollection",
                                "features": [f for f in collection["features"] if f["id"] in wanted]}
    return spec


def stop_renderer() -> None:
    global _started
    with _lock:
        if _started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _started = False
