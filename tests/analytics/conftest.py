import pandas as pd
import pytest


def frame(rows):
    """Consortia frame from (id, province, sector, year, place_kind, span) tuples, indexed by id."""
    df = pd.DataFrame(rows, columns=["id", "province", "sector", "year", "place_kind", "span"])
    for col, default in (("city", None), ("region", None), ("lead_type", "private"), ("level", "provincial"),
                         ("scope", "provincial")):
        df[col] = default
    return df.set_index("id", drop=False).rename_axis(None)


@pytest.fixture
def three():
    """Three consortia: 浙江 (members 浙江, 江苏), 浙江 (member 浙江), 江苏 (members 上海, 浙江)."""
    consortia = frame([(1, "330000", "S1", 2020, "province", 2), (2, "330000", "S3", 2021, "province", 1),
                       (3, "320000", "S1", 2021, "province", 3)])
    members = pd.DataFrame({"consortium_id": [1, 1, 2, 3, 3], "province": ["330000", "320000", "330000", "310000",
                                                                           "330000"]})
    technologies = pd.DataFrame({"consortium_id": [1, 1, 3], "technology": ["T01", "T02", "T02"]})
    return consortia, members, technologies
