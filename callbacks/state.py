"""Store access for the app: lazy, cached per snapshot id, safe across threads and workers.

Each gunicorn worker keeps its own small cache; a new snapshot id simply
misses the cache, so a refresh shows up without restarts.
"""
from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from functools import lru_cache

import pandas as pd
from sqlalchemy import select

from analytics import views
from analytics.filters import Filters
from etl.reference import load_reference
from etl.store import Snapshot, current_snapshot_id, get_engine, load_snapshot

_lock = threading.Lock()
_snapshots: OrderedDict[str, Snapshot] = OrderedDict()
KEEP = 2


def current_id() -> str | None:
    return current_snapshot_id(get_engine())


def snapshot(sid: str | None = None) -> Snapshot | None:
    """The snapshot ``sid`` (current by default), read once per worker."""
    sid = sid or current_id()
    if sid is None:
        return None
    with _lock:
        if sid in _snapshots:
            _snapshots.move_to_end(sid)
            return _snapshots[sid]
    snap = load_snapshot(get_engine(), sid)
    if snap is None:
        return None
    with _lock:
        _snapshots[sid] = snap
        while len(_snapshots) > KEEP:
            _snapshots.popitem(last=False)
    return snap


def frames(sid: str | None) -> tuple[str, views.Frames] | tuple[None, None]:
    snap = snapshot(sid)
    if snap is None:
        return None, None
    return snap.id, _frames(snap.id)


@lru_cache(maxsize=4)
def _frames(sid: str) -> views.Frames:
    snap = snapshot(sid)
    return views.Frames(snap.consortia, snap.technologies, snap.members)


def list_coverage(sid: str | None) -> dict[str, str]:
    """Province code -> completeness of its list, for the public list or a list built on it (see
    etl.public.snapshot_coverage); {} otherwise."""
    sid = sid or current_id()
    return _coverage(sid) if sid else {}


@lru_cache(maxsize=8)
def _coverage(sid: str) -> dict[str, str]:
    from etl.public import snapshot_coverage

    snap = snapshot(sid)
    return snapshot_coverage(snap.info.get("kind", ""), snap.consortia) if snap is not None else {}


def year_bounds(sid: str | None) -> tuple[int, int]:
    snap = snapshot(sid)
    years = snap.consortia["year"].dropna() if snap is not None else pd.Series(dtype=float)
    if years.empty:
        return 2015, 2026
    return int(years.min()), int(years.max())


@lru_cache(maxsize=1)
def indicators() -> pd.DataFrame | None:
    from etl.indicators import indicator_table

    with get_engine().connect() as con:
        frame = pd.read_sql(select(indicator_table), con)
    return frame if len(frame) else None


def has_population() -> bool:
    ind = indicators()
    return ind is not None and (ind["indicator"] == "population").any()


def shared_cache(maxsize: int):
    """lru_cache in this process, and, when REDIS_URL is set, a Redis cache shared by every process and
    machine of a deployment behind it: results are per snapshot id, so they never go stale (a day's TTL
    only frees memory). A Redis that does not answer is skipped, never an error for the planner."""
    def wrap(fn):
        name = fn.__name__

        @lru_cache(maxsize=maxsize)
        def cached(*args):
            client = _redis()
            if client is None:
                return fn(*args)
            key = "atlas:" + name + ":" + hashlib.sha256(repr(args).encode()).hexdigest()
            try:
                hit = client.get(key)
                if hit is not None:
                    return pickle.loads(hit)
            except Exception:  # noqa: BLE001 - Redis unavailable: compute here
                return fn(*args)
            value = fn(*args)
            try:
                client.set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=86400)
            except Exception:  # noqa: BLE001
                pass
            return value
        return cached
    return wrap


@lru_cache(maxsize=1)
def _redis():
    import os

    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


# Results per (snapshot, filters, option): a repeated view costs a dictionary lookup (and, behind
# REDIS_URL, a view computed by any process is shared by all of them).
@shared_cache(maxsize=512)
def overview(sid: str, f: Filters, metric: str) -> dict:
    return views.overview(_frames(sid), f, load_reference(), metric, indicators())


@shared_cache(maxsize=256)
def sector_matrix(sid: str, f: Filters, mode: str):
    return views.sector_matrix(_frames(sid), f, load_reference(), mode)


@shared_cache(maxsize=256)
def gap_matrix(sid: str, f: Filters):
    return views.technology_gap_matrix(_frames(sid), f, load_reference())


@shared_cache(maxsize=256)
def clustering(sid: str, f: Filters) -> dict:
    return views.clustering(_frames(sid), f, load_reference())


@shared_cache(maxsize=256)
def collaboration(sid: str, f: Filters) -> dict:
    return views.collaboration(_frames(sid), f, load_reference())


@shared_cache(maxsize=256)
def trends(sid: str, f: Filters) -> dict:
    return views.trends(_frames(sid), f, load_reference())


@lru_cache(maxsize=16)
def planner_context(sid: str, f: Filters, with_partners: bool = True):
    """The shared part of every province profile (and comparison) for a snapshot and filter state."""
    from analytics.planner import context

    sel = _frames(sid).filtered(f)
    return context(sel.consortia, sel.technologies, sel.members, load_reference(), with_partners)


@lru_cache(maxsize=64)
def chain(sid: str, f: Filters, key: str) -> list[dict]:
    from analytics.chains import chain_coverage, load_chains

    sel = _frames(sid).filtered(f)
    return chain_coverage(sel.consortia, sel.technologies, load_chains()[key])


@lru_cache(maxsize=16)
def diff(sid_from: str, sid_to: str) -> dict:
    from analytics.planner import diff_snapshots

    a, b = snapshot(sid_from), snapshot(sid_to)
    return diff_snapshots((a.id, a.consortia, a.technologies, a.members),
                          (b.id, b.consortia, b.technologies, b.members), load_reference())


@shared_cache(maxsize=256)
def city_counts(sid: str, f: Filters) -> dict:
    return views.city_counts(_frames(sid), f)


def reset_caches() -> None:
    """Forget everything (tests, or after a manual store change)."""
    with _lock:
        _snapshots.clear()
    for fn in (_frames, indicators, overview, sector_matrix, gap_matrix, clustering, collaboration, trends,
               city_counts, planner_context, chain, diff):
        fn.cache_clear()


def warm_up() -> None:
    """Load the current snapshot and the spatial machinery before the first visitor needs them.

    Called by ``python app.py`` and gunicorn's post_worker_init in a background
    thread (never at import). The first page's map and numbers come first, in both
    languages: libpysal alone takes seconds to import, and a planner opening the
    page meanwhile would wait for it."""
    from analytics.spatial import province_weights

    from .overview import overview_outputs

    sid = current_id()
    f = Filters()
    if sid is not None:
        for lang in ("zh", "en"):
            overview_outputs(f, None, False, sid, lang, None)
    province_weights()
    if sid is not None:
        clustering(sid, f)
        sector_matrix(sid, f, "count")
        gap_matrix(sid, f)
        collaboration(sid, f)
        trends(sid, f)
