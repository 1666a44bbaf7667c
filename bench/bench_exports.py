"""Export timings: first export after start-up, warm single chart, full briefing pack (printed)."""
from __future__ import annotations

import os
import tempfile
import time

import common  # noqa: F401  (puts the project on sys.path)


def main() -> None:
    from analytics.filters import Filters
    from etl.demo import demo_source
    from etl.ingest import ingest_sources
    from etl.store import get_engine, load_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        engine = get_engine()
        ingest_sources(engine, [demo_source()], kind="demo")
        snap = load_snapshot(engine)
        from exports import service
        from exports.render import stop_renderer

        f = Filters()
        t = time.perf_counter()
        service.chart_bytes("province-map", "png", f, "zh", snap)
        first = time.perf_counter() - t
        print(f"first export after start-up (Chromium starts): {first:6.2f} s")
        for fmt in ("png", "svg", "pdf"):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                service.chart_bytes("province-map", fmt, Filters(sector=("S3",)), "zh", snap)
                times.append(time.perf_counter() - t)
            print(f"warm single chart, province map {fmt}: {sorted(times)[1]:6.2f} s (median of 3)")
        for fmt in ("pptx", "pdf"):
            t = time.perf_counter()
            data = service.brief_bytes(fmt, f, "zh", snap)
            print(f"full briefing pack {fmt}: {time.perf_counter() - t:6.2f} s, {len(data) / 1024:.0f} KB")
        # The plain way: a new Chromium for every image (plotly's own write_image without a warm server).
        import plotly.io as pio

        from exports.charts import build_chart
        from exports.render import topojson_data_url, with_geometry
        stop_renderer()
        from analytics import views
        from etl.reference import load_reference
        info = dict(snap.info, source_names=["demo-consortia.json"])
        fig = build_chart("province-map", views.Frames(snap.consortia, snap.technologies, snap.members), f,
                          load_reference(), info)
        pio.defaults.topojson = topojson_data_url()
        pio.defaults.mathjax = None
        t = time.perf_counter()
        pio.to_image(with_geometry(fig.to_dict()), format="png", width=1400, height=900, scale=2)
        print(f"plain: one image with a browser started for it: {time.perf_counter() - t:6.2f} s")


if __name__ == "__main__":
    main()
