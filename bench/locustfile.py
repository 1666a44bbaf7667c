"""Planners on the atlas: open the page, change filters, open a profile, export a chart (Locust scenario).

Run by bench/bench_load.py against gunicorn (4 workers) on PostgreSQL and Redis; each request name is one
line of its table. The Dash requests are built from the app's own /_dash-dependencies, as the page does."""
from __future__ import annotations

import json
import random
import time

from locust import HttpUser, between, task

SECTORS = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S0"]
PROVINCES = ["360000", "370000", "320000", "610000", "410000", "620000", "110000"]


def outputs_of(output: str) -> list[dict]:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


class Planner(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        deps = self.client.get("/_dash-dependencies", name="open page: dependencies").json()
        self.overview = next(d for d in deps if "kpi-total.children" in d["output"])
        self.export = next(d for d in deps if "export-download.data" in d["output"])
        self.sid = self.client.get("/healthz", name="healthz").json()["snapshot"]

    def body(self, dep: dict, values: dict, changed: str) -> dict:
        def entries(items):
            return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                    for i in items]
        return {"output": dep["output"], "outputs": outputs_of(dep["output"]), "inputs": entries(dep["inputs"]),
                "state": entries(dep.get("state", [])), "changedPropIds": [changed]}

    @task(1)
    def open_page(self):
        self.client.get("/", name="open page: index")
        self.client.get("/_dash-layout", name="open page: layout", headers={"Referer": self.host + "/"})

    @task(6)
    def change_filter(self):
        values = {"filter-sector.value": random.choice(SECTORS), "snapshot-id.data": self.sid,
                  "page-lang.data": "zh", "map-metric.value": "count", "map-drawn.data": f"{self.sid}|zh|province"}
        self.client.post("/_dash-update-component", json=self.body(self.overview, values, "filter-sector.value"),
                         name="filter change (map + KPIs)")

    @task(2)
    def open_profile(self):
        url = f"/?view=profile&province={random.choice(PROVINCES)}"
        self.client.get("/_dash-layout", name="profile view", headers={"Referer": self.host + url})

    @task(1)
    def export_chart(self):
        values = {"export-chart-button.n_clicks": 1, "export-chart.value": "province-map",
                  "export-format.value": "svg", "snapshot-id.data": self.sid, "page-lang.data": "zh"}
        body = self.body(self.export, values, "export-chart-button.n_clicks")
        started = time.perf_counter()
        with self.client.post("/_dash-update-component", json=body, name="export chart: start",
                              catch_response=True) as first:
            job = first.json() if first.status_code == 200 else {}
            if "cacheKey" not in job:
                first.failure(f"no background job: {first.text[:120]}")
                return
        while time.perf_counter() - started < 90:  # the page polls the same way
            time.sleep(0.5)
            poll = self.client.post(f"/_dash-update-component?cacheKey={job['cacheKey']}&job={job['job']}",
                                    json=body, name="export chart: poll")
            if poll.status_code == 200 and "response" in poll.text and "export-download" in poll.text:
                elapsed = (time.perf_counter() - started) * 1000
                self.environment.events.request.fire(
                    request_type="JOB", name="export chart: whole", response_time=elapsed,
                    response_length=len(poll.content), exception=None, context={})
                return
        self.environment.events.request.fire(request_type="JOB", name="export chart: whole", response_time=90000,
                                             response_length=0, exception=TimeoutError("no result in 90 s"),
                                             context={})


__all__ = ["Planner", "json"]
