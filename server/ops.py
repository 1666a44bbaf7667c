"""Operations endpoints: /healthz checks the store; /metrics counts requests and their latencies in the
Prometheus text format (per worker process, labelled with its pid)."""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict

from flask import Response, g, request

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ROUTES = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies", "/_dash-component-suites",
          "/assets", "/boundaries", "/login", "/logout", "/healthz", "/metrics", "/steward")


def route_of(path: str) -> str:
    """A small, fixed set of label values: never the raw path (no unbounded label cardinality)."""
    if path in ("", "/"):
        return "/"
    return next((r for r in ROUTES if path.startswith(r)), "other")


class Metrics:
    """Request counts and latency histograms of this process, safe across threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: dict[str, float] = defaultdict(float)
        self.totals: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.counts[(method, route, str(status))] += 1
            row = self.buckets[route]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    row[i] += 1
            self.sums[route] += seconds
            self.totals[route] += 1

    def text(self) -> str:
        pid = os.getpid()
        lines = ["# HELP atlas_requests_total HTTP requests served, by method, route and status.",
                 "# TYPE atlas_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.counts.items()):
                lines.append(f'atlas_requests_total{{method="{method}",route="{route}",status="{status}",'
                             f'pid="{pid}"}} {n}')
            lines += ["# HELP atlas_request_seconds Time to serve a request, by route.",
                      "# TYPE atlas_request_seconds histogram"]
            for route in sorted(self.totals):
                for bound, n in zip(BUCKETS, self.buckets[route]):
                    lines.append(f'atlas_request_seconds_bucket{{route="{route}",le="{bound}",pid="{pid}"}} {n}')
                lines.append(f'atlas_request_seconds_bucket{{route="{route}",le="+Inf",pid="{pid}"}} '
                             f'{self.totals[route]}')
                lines.append(f'atlas_request_seconds_sum{{route="{route}",pid="{pid}"}} {self.sums[route]:.6f}')
                lines.append(f'atlas_request_seconds_count{{route="{route}",pid="{pid}"}} {self.totals[route]}')
        return "\n".join(lines) + "\n"


def install(app) -> Metrics:
    server = app.server
    metrics = Metrics()

    @server.before_request
    def start_timer():
        g.atlas_started = time.perf_counter()

    @server.after_request
    def count(response):
        started = getattr(g, "atlas_started", None)
        if started is not None:
            metrics.observe(request.method, route_of(request.path), response.status_code,
                            time.perf_counter() - started)
        return response

    @server.route("/healthz")
    def healthz():
        import json

        from etl.store import StoreUnavailable, current_snapshot_id, get_engine
        try:
            engine = get_engine()
            with engine.connect() as con:
                con.exec_driver_sql("select 1")
            body, status = {"status": "ok", "snapshot": current_snapshot_id(engine)}, 200
        except StoreUnavailable as exc:
            body, status = {"status": "error", "store": str(exc)}, 503
        except Exception as exc:  # the store answered badly: unhealthy, said in one line
            body, status = {"status": "error", "store": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}, 503
        return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")

    @server.route("/metrics")
    def prometheus():
        return Response(metrics.text(), mimetype="text/plain; version=0.0.4")

    return metrics
