"""The one China map builder: province choropleth with the 南海诸岛 inset.

The main map is framed on the mainland; an inset in the lower right shows the
South China Sea islands and the maritime dashes, the way standard Chinese maps
are drawn. Geometry is referenced once per figure: inline for static export,
or as a URL under /assets in the app, so the browser fetches it once and a
filter change only sends new values.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Literal, Mapping, Sequence

import plotly.graph_objects as go

import config

from .text import fmt_float, fmt_int, t
from .theme import BORDER, DIVERGING, MUTED, SEQUENTIAL, base_layout, centred, colour_bar, whole_ticks

MAIN_LON = (73.0, 135.5)
MAIN_LAT = (18.0, 54.0)
INSET_LON = (105.5, 124.0)
INSET_LAT = (3.0, 24.5)
INSET_DOMAIN = dict(x=[0.84, 0.995], y=[0.01, 0.30])
ASSET_URL = "/boundaries/"  # served by app.py from data/boundaries
MAIN_TRACE, INSET_TRACE, SELECTED_TRACE = 0, 1, 2  # the traces a filter change updates (assets/map-values.js)
OUTLINE, OUTLINE_WIDTH = "#d95f02", 2.5  # the picked province's outline
UNLISTED, UNLISTED_TEXT = "rgba(150, 150, 150, 0.85)", "#969696"  # provinces whose list was not found


@lru_cache(maxsize=8)
def _read(name: str) -> dict:
    return json.loads((config.BOUNDARIES_DIR / name).read_text(encoding="utf-8"))


def boundary_geojson(name: str) -> dict:
    """One of the shipped boundary files, parsed once."""
    return _read(name)


def province_geojson() -> dict:
    return _read("provinces.geojson")


@lru_cache(maxsize=1)
def maritime_lines() -> tuple[list[float | None], list[float | None]]:
    """lon, lat lists of the maritime dashes, segments separated by None."""
    geom = _read("maritime.geojson")["features"][0]["geometry"]
    lines = geom["coordinates"] if geom["type"] == "MultiLineString" else [geom["coordinates"]]
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        lon += [p[0] for p in line] + [None]
        lat += [p[1] for p in line] + [None]
    return lon, lat


@lru_cache(maxsize=1)
def province_labels() -> dict[str, tuple[float, float, str, str]]:
    """code -> (lon, lat, Chinese short name, English name)."""
    return {f["id"]: (f["properties"]["label_lon"], f["properties"]["label_lat"],
                      f["properties"]["name"], f["properties"]["name_en"])
            for f in province_geojson()["features"]}


@lru_cache(maxsize=1)
def city_points() -> dict[str, tuple[float, float, str, str, str]]:
    """city code -> (lon, lat, name, English name, province code)."""
    return {f["id"]: (f["properties"]["label_lon"], f["properties"]["label_lat"], f["properties"]["name"],
                      f["properties"]["name_en"], f["properties"]["province"])
            for f in _read("cities.geojson")["features"]}


def geo_layout(inset: bool = False) -> dict:
    """A geo subplot with every base layer off: nothing to fetch, our boundaries only."""
    lon, lat = (INSET_LON, INSET_LAT) if inset else (MAIN_LON, MAIN_LAT)
    geo = dict(
        visible=False, projection=dict(type="mercator"), resolution=110,
        lonaxis=dict(range=list(lon)), lataxis=dict(range=list(lat)),
        bgcolor="rgba(0,0,0,0)", showframe=inset, framecolor=MUTED, framewidth=1,
    )
    if inset:
        geo["domain"] = INSET_DOMAIN
        geo["bgcolor"] = "white"
    else:
        geo["domain"] = dict(x=[0.0, 1.0], y=[0.0, 1.0])
    return geo


def _geojson(kind: Literal["inline", "url"], name: str):
    return f"{ASSET_URL}{name}" if kind == "url" else _read(name)


def map_trace_values(
    values: Mapping[str, float],
    *,
    legend_label: str = "",
    lang: str = "zh",
    colorscale=None,
    zmin: float | None = None,
    zmax: float | None = None,
    zmid: float | None = None,
    hover: Mapping[str, str] | None = None,
    value_format: str = "int",
    missing_as_zero: bool = False,
) -> dict:
    """The value-dependent properties of the main and inset choropleths (z, text, colour range); provinces
    ``values`` lacks are zero with ``missing_as_zero``, else they have no value (grey).

    The same dict builds a whole figure and patches an existing one, so a filter
    change sends only these (callbacks.overview.province_map_values), never the geometry again."""
    labels = province_labels()
    codes = sorted(labels)
    if missing_as_zero:
        values = {c: values.get(c, 0) or 0 for c in codes}
    z = [float(values[c]) if c in values and values[c] is not None else float("nan") for c in codes]
    names = [labels[c][2] if lang == "zh" else labels[c][3] for c in codes]
    fmt = (lambda v: fmt_int(v, lang)) if value_format == "int" else (lambda v: fmt_float(v, 2, lang))
    no_data = "无数据" if lang == "zh" else "no data"
    text = [f"<b>{n}</b><br>{legend_label}: {fmt(v) if math.isfinite(v) else no_data}"
            + (f"<br>{hover[c]}" if hover and c in hover else "") for c, n, v in zip(codes, names, z)]
    finite = [v for v in z if math.isfinite(v)]
    top = zmax if zmax is not None else max(finite + [1.0])
    low = 0 if zmin is None else zmin
    scale = colorscale or (DIVERGING if zmid is not None else SEQUENTIAL)
    if zmid is not None:  # a diverging scale whose middle colour sits at zmid (e.g. LQ = 1)
        top = max(top, 2 * zmid)
        scale = centred(scale, zmid, low, top)
    return dict(z=z, text=text, zmin=low, zmax=top, colorscale=scale)


HALO = "1px 1px 0 #fff, -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff"  # a white outline round dark text


def colorbar_ticks(props: dict, value_format: str) -> dict:
    """Whole-number ticks on a count scale: plotly's own choice over a short range (a province filter,
    a rare technology) is 0, 0.5, 1 … and a half consortium reads as nonsense. Other scales choose freely."""
    whole = whole_ticks(props["zmax"] - props["zmin"]) if value_format == "int" else {}
    return {"tick0": None, "dtick": None, **whole}  # None clears a drawn map's earlier whole ticks


def outline_values(selected: str | None) -> dict:
    """The outline trace's location and line width: round the picked province, or with none picked, no
    width round the first one.

    The trace always holds one province, so that picking another moves its drawn outline in the browser
    (assets/map-values.js) instead of redrawing the map; with none picked, the browser leaves the outline
    where it was, at no width."""
    if selected:
        return {"locations": [selected], "width": OUTLINE_WIDTH}
    return {"locations": [min(province_labels())], "width": 0}


def build_province_map(
    values: Mapping[str, float],
    *,
    title: str = "",
    legend_label: str = "",
    lang: str = "zh",
    colorscale=None,
    zmin: float | None = None,
    zmax: float | None = None,
    zmid: float | None = None,
    hover: Mapping[str, str] | None = None,
    geometry: Literal["inline", "url"] = "inline",
    show_labels: bool = True,
    selected: str | None = None,
    value_format: str = "int",
    height: int | None = 560,
    missing_as_zero: bool = True,
    unlisted: Sequence[str] = (),
    unlisted_key: bool = True,
) -> go.Figure:
    """A province choropleth of China with the South China Sea inset.

    ``values`` maps GB/T 2260 province codes to numbers (missing codes draw as
    zero unless ``missing_as_zero`` is False, then grey); the figure carries its
    geometry once (inline or by URL) so updates can replace only the properties
    of map_trace_values() on traces MAIN_TRACE and INSET_TRACE. Provinces in
    ``unlisted`` (whose consortium list was not found) are greyed over, with a
    note (``unlisted_key``; a map with a legend names them there), so that a missing
    list never reads as a gap.
    """
    codes = sorted(province_labels())
    props = map_trace_values(values, legend_label=legend_label, lang=lang, colorscale=colorscale, zmin=zmin,
                             zmax=zmax, zmid=zmid, hover=hover, value_format=value_format,
                             missing_as_zero=missing_as_zero)
    common = dict(locations=codes, featureidkey="id", hoverinfo="text",
                  marker=dict(line=dict(color=BORDER, width=0.5)), **props)
    main = go.Choropleth(geojson=_geojson(geometry, "provinces.geojson"), geo="geo", name="provinces",
                         colorbar=colour_bar(legend_label, len=0.55, x=0.01, xanchor="left", y=0.55,
                                             **colorbar_ticks(props, value_format)),
                         **common)
    inset = go.Choropleth(geojson=_geojson(geometry, "inset.geojson"), geo="geo2", name="inset",
                          showscale=False, **common)
    shape = outline_values(selected)
    if geometry == "url":
        outline_geojson = _geojson(geometry, "provinces.geojson")
    else:  # inline: carry only the outlined province, not the whole country a second time
        outline_geojson = {"type": "FeatureCollection",
                           "features": [f for f in province_geojson()["features"] if f["id"] in shape["locations"]]}
    outline = go.Choropleth(
        geojson=outline_geojson, geo="geo", locations=shape["locations"], z=[1], featureidkey="id",
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
        marker=dict(line=dict(color=OUTLINE, width=shape["width"])), hoverinfo="skip", name="selected")
    lon, lat = maritime_lines()
    # The dashes are drawn in the inset, where the whole line is in view.
    dashes = go.Scattergeo(geo="geo2", name="maritime", lon=lon, lat=lat, mode="lines",
                           line=dict(color="#5b7fa6", width=1.6), hoverinfo="skip", showlegend=False)
    fig = go.Figure([main, inset, outline, dashes])
    if show_labels:
        labels = province_labels()
        small = {"810000", "820000", "120000", "310000"}  # labels there would cover the map
        shown = [c for c in codes if c not in small]
        fig.add_trace(go.Scattergeo(
            geo="geo", lon=[labels[c][0] for c in shown], lat=[labels[c][1] for c in shown],
            text=[labels[c][2] if lang == "zh" else labels[c][3] for c in shown], mode="text",
            # a white halo keeps the names legible on the darkest provinces (the leaders)
            textfont=dict(size=9 if lang == "en" else 10, color="#222", shadow=HALO),
            hoverinfo="skip",
            showlegend=False, name="labels"))
    if unlisted:
        note = t("list_none_found", lang)
        names = {c: labels_of[2] if lang == "zh" else labels_of[3] for c, labels_of in province_labels().items()}
        fig.add_trace(go.Choropleth(
            geojson=_geojson(geometry, "provinces.geojson"), geo="geo", locations=list(unlisted),
            z=[1] * len(unlisted), featureidkey="id", colorscale=[[0, UNLISTED], [1, UNLISTED]], showscale=False,
            marker=dict(line=dict(color=BORDER, width=0.5)), hoverinfo="text", name="unlisted",
            text=[f"<b>{names.get(c, c)}</b><br>{note}" for c in unlisted]))
    if unlisted and unlisted_key:  # a map with a legend of its own names them there instead (the LISA map)
        fig.add_annotation(text=f"<span style='color:{UNLISTED_TEXT}'>■</span> {note}", x=0.01, y=0.02,
                           xref="paper", yref="paper", xanchor="left", yanchor="bottom", showarrow=False,
                           font=dict(size=11, color=MUTED))
    fig.add_annotation(text=t("south_china_sea", lang), x=INSET_DOMAIN["x"][0] + 0.005,
                       y=INSET_DOMAIN["y"][0] + 0.005, xref="paper", yref="paper", xanchor="left",
                       yanchor="bottom", showarrow=False, font=dict(size=10, color=MUTED))
    fig.update_layout(**base_layout(title, geo=geo_layout(), geo2=geo_layout(inset=True), height=height,
                                    dragmode=False, uirevision="china-map", showlegend=False))
    return fig


def metric_style(metric: str, lang: str) -> dict:
    """Legend label and scale options of a map metric (count, per_capita, lq), for build_province_map."""
    if metric == "lq":
        return dict(legend_label=t("lq", lang), zmid=1.0, value_format="float")
    if metric == "per_capita":
        return dict(legend_label=t("per_capita", lang), value_format="float")
    return dict(legend_label=t("consortia", lang), value_format="int")


def build_city_map(
    values: Mapping[str, float],
    *,
    title: str = "",
    legend_label: str = "",
    lang: str = "zh",
    geometry: Literal["inline", "url"] = "inline",
    height: int | None = 560,
) -> go.Figure:
    """City values as bubbles over the province outlines, on the same frame and inset."""
    fig = build_province_map({}, title=title, legend_label=legend_label, lang=lang, geometry=geometry,
                             colorscale=[[0, "#f2f2f2"], [1, "#f2f2f2"]], show_labels=False, height=height)
    fig.update_traces(showscale=False, hoverinfo="skip", selector=dict(type="choropleth"))
    points = city_points()
    codes = [c for c in sorted(values) if c in points and values[c] > 0]
    biggest = max([values[c] for c in codes] + [1])
    sizes = [6 + 30 * math.sqrt(values[c] / biggest) for c in codes]
    names = [points[c][2] if lang == "zh" else points[c][3] for c in codes]
    for geo in ("geo", "geo2"):
        fig.add_trace(go.Scattergeo(
            geo=geo, lon=[points[c][0] for c in codes], lat=[points[c][1] for c in codes],
            text=[f"<b>{n}</b><br>{legend_label}: {fmt_int(values[c], lang)}" for n, c in zip(names, codes)],
            hoverinfo="text", mode="markers", showlegend=False, name=f"cities-{geo}",
            marker=dict(size=sizes, color="#3182bd", opacity=0.75, line=dict(color="white", width=0.8))))
    return fig
