"""Scale-out on the existing engines: the per-snapshot result cache shared through Redis when REDIS_URL is set."""
import os

import pytest

REDIS = os.environ.get("ATLAS_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url(monkeypatch):
    import redis
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("ATLAS_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required here (ATLAS_REQUIRE_REDIS=1): {exc}")
        pytest.skip(f"Redis not reachable at {REDIS}: {exc}")
    client.flushdb()
    monkeypatch.setenv("REDIS_URL", REDIS)
    yield client
    client.flushdb()


def test_a_view_computed_by_one_process_is_read_by_the_others(redis_url, samples, tmp_path, monkeypatch):
    from analytics import views
    from analytics.filters import Filters
    from callbacks import state
    from etl.ingest import ingest_paths
    from etl.store import get_engine
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atlas.db'}")
    ingest_paths(get_engine(), [samples / "records.json"])
    state.reset_caches()
    state._redis.cache_clear()
    calls = []
    real = views.overview
    monkeypatch.setattr(views, "overview", lambda *a, **k: calls.append(1) or real(*a, **k))
    sid = state.current_id()
    first = state.overview(sid, Filters(sector=("S3",)), "count")
    assert calls == [1] and any(k.startswith(b"atlas:overview:") for k in redis_url.keys())
    state.overview.cache_clear()  # another worker: nothing in its own memory
    second = state.overview(sid, Filters(sector=("S3",)), "count")
    assert calls == [1] and second["kpis"] == first["kpis"]  # read from Redis, not computed again
    state.overview(sid, Filters(sector=("S4",)), "count")
    assert calls == [1, 1]
    state.reset_caches()
    state._redis.cache_clear()
