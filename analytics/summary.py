"""The contract's summary object (``python -m etl summary --json``) for one snapshot."""
from __future__ import annotations

import pandas as pd

from etl.reference import Reference

from .concentration import concentration
from .coverage import code_counts, province_counts, technology_counts
from .gaps import uncovered_and_thin
from .spatial import moran


def summarise(snapshot_id: str, info: dict, consortia: pd.DataFrame, technologies: pd.DataFrame,
              ref: Reference) -> dict:
    """Totals, per-province/sector/technology counts, concentration, Moran's I and gaps."""
    provinces = ref.province_codes
    by_province = province_counts(consortia, provinces)
    located = {c: by_province[c] for c in provinces}
    by_technology = technology_counts(technologies, ref.technology_codes)
    conc = concentration(located)
    pairs = consortia.dropna(subset=["province"]).groupby(["province", "sector"]).size()
    return {
        "snapshot": snapshot_id,
        "published_at": info["published_at"].isoformat() if hasattr(info.get("published_at"), "isoformat")
        else str(info.get("published_at")),
        "synthetic": bool(info.get("synthetic")),
        "total": int(len(consortia)),
        "rejected": int(info.get("rejected", 0)),
        "warnings": int(info.get("warnings", 0)),
        "duplicates": int(info.get("duplicates", 0)),
        "by_province": by_province,
        "by_sector": code_counts(consortia["sector"], ref.sector_codes),
        "by_technology": by_technology,
        "by_scope": code_counts(consortia["scope"], ("national", "cross_regional", "provincial", "municipal")),
        "by_province_sector": {f"{p}|{s}": int(n) for (p, s), n in pairs.items()},
        "cross_regional": int((consortia["span"] >= 2).sum()),
        "concentration": {"hhi": round(conc["hhi"], 6), "gini": round(conc["gini"], 6), "top6": conc["top6"],
                          "top6_share": round(conc["top6_share"], 6)},
        "spatial": {k: round(v, 6) for k, v in moran(located).items() if k in ("moran_i", "p_value")},
        "gaps": uncovered_and_thin(by_technology),
        "unmapped": info.get("report", {}).get("unmapped", {}),
    }
