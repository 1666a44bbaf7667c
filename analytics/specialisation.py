"""Specialisation: location quotients of provinces in sectors or technologies."""
from __future__ import annotations

import pandas as pd

MIN_BASE = 3  # an LQ resting on fewer consortia than this is flagged


def location_quotients(pairs: pd.DataFrame, row: str = "province", col: str = "sector",
                       min_base: int = MIN_BASE) -> pd.DataFrame:
    """LQ_ij = (n_ij / n_i) / (n_j / n) for every (row, col) pair in ``pairs``.

    ``pairs`` holds one row per consortium and category (columns ``row``, ``col``).
    Returns columns row, col, count, lq, low_base (count < min_base); every
    combination of the rows and columns present appears, zeros included.
    """
    counts = pairs.groupby([row, col]).size().unstack(fill_value=0)
    total = counts.to_numpy().sum()
    if total == 0:
        return pd.DataFrame(columns=[row, col, "count", "lq", "low_base"])
    row_tot = counts.sum(axis=1)
    col_share = counts.sum(axis=0) / total
    lq = counts.div(row_tot, axis=0).div(col_share, axis=1)
    out = (counts.stack().rename("count").to_frame()
           .join(lq.stack().rename("lq")).reset_index())
    out.columns = [row, col, "count", "lq"]
    out["low_base"] = out["count"] < min_base
    return out
