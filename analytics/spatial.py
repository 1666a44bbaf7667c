"""Spatial clustering: global Moran's I and LISA clusters over the provinces.

Weights as the contract says: queen contiguity on the shipped boundaries,
islands (Hainan, Taiwan) joined to their nearest neighbour by the distance
between representative points — a link both ways, so Guangxi counts Hainan
and Fujian counts Taiwan too — then row-standardised. p-values come from seeded permutations so the
same data always gives the same answer.
"""
from __future__ import annotations

import contextlib
import json
from functools import lru_cache
from typing import Mapping

import numpy as np
import pandas as pd

import config

SEED = 20220401
PERMUTATIONS = 999
LISA_CLASSES = {1: "hh", 2: "lh", 3: "ll", 4: "hl"}


@contextlib.contextmanager
def seeded(seed: int = SEED):
    """Run with numpy's global generator seeded (esda draws from it), then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@lru_cache(maxsize=2)
def province_weights(boundaries: str | None = None):
    """Row-standardised queen weights over the 34 provinces, ids = province codes (sorted)."""
    import geopandas as gpd
    from libpysal.weights import KNN, Queen
    from libpysal.weights.util import attach_islands

    path = boundaries or str(config.BOUNDARIES_DIR / "provinces.geojson")
    with open(path, encoding="utf-8") as fh:
        gdf = gpd.GeoDataFrame.from_features(json.load(fh)["features"])
    gdf = gdf.sort_values("code").reset_index(drop=True)
    codes = gdf["code"].tolist()
    queen = Queen.from_dataframe(gdf, ids=codes, use_index=False, silence_warnings=True)
    if queen.islands:
        centroids = gpd.GeoDataFrame(geometry=gdf.geometry.representative_point())
        knn = KNN.from_dataframe(centroids, k=1, ids=codes, use_index=False, silence_warnings=True)
        queen = attach_islands(queen, knn)
    queen.transform = "r"
    return queen


def moran(values: Mapping[str, float], w=None, permutations: int = PERMUTATIONS, seed: int = SEED) -> dict:
    """Global Moran's I of ``values`` (code -> number) with its permutation p-value."""
    import esda

    w = w or province_weights()
    y = np.array([float(values.get(code, 0)) for code in w.id_order])
    if np.allclose(y, y[0]):
        return {"moran_i": 0.0, "p_value": 1.0, "expected_i": -1 / (len(y) - 1), "z": 0.0}
    with seeded(seed):
        m = esda.Moran(y, w, transformation="r", permutations=permutations)
    return {"moran_i": float(m.I), "p_value": float(m.p_sim), "expected_i": float(m.EI),
            "z": float(m.z_sim)}


def lisa(values: Mapping[str, float], w=None, permutations: int = PERMUTATIONS, seed: int = SEED,
         alpha: float = 0.05) -> pd.DataFrame:
    """Local Moran per province: columns code, value, local_i, p_value, quadrant, cluster
    (hh, ll, hl, lh where p < alpha, else ns)."""
    import esda

    w = w or province_weights()
    codes = list(w.id_order)
    y = np.array([float(values.get(code, 0)) for code in codes])
    if np.allclose(y, y[0]):
        return pd.DataFrame({"code": codes, "value": y, "local_i": 0.0, "p_value": 1.0,
                             "quadrant": "ns", "cluster": "ns"})
    with seeded(seed):
        local = esda.Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed)
    quadrant = [LISA_CLASSES[q] for q in local.q]
    return pd.DataFrame({
        "code": codes, "value": y, "local_i": local.Is, "p_value": local.p_sim, "quadrant": quadrant,
        "cluster": [q if p < alpha else "ns" for q, p in zip(quadrant, local.p_sim)],
    })
