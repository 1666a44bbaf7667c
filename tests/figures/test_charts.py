"""Charts on hand-made tables."""
import pandas as pd

from etl.reference import load_reference
from figures.charts import build_gap_matrix


def test_a_gap_column_whose_lists_were_all_not_found_is_grey_not_red():
    ref = load_reference()
    groups = sorted({p.region_group for p in ref.provinces.values()})
    table = pd.DataFrame(0, index=["T01", "T02"], columns=groups)
    table.loc["T02", groups[0]] = 3
    table["total"] = table.sum(axis=1)
    hidden = groups[-1]
    coverage = {c: "none_found" for c, p in ref.provinces.items() if p.region_group == hidden}
    trace = build_gap_matrix(table, ref, "zh", coverage=coverage).data[0]
    last = len(groups) - 1
    assert trace.x[last].endswith("（未找到名录）") and not trace.x[0].endswith("（未找到名录）")
    assert [row[last] for row in trace.z] == [4, 4]  # grey in both rows, not red (0) for the uncovered T01
    assert trace.z[0][0] == 0 and trace.z[1][0] == 3  # elsewhere unchanged: T01 uncovered, T02 covered
    # one province with a list in the group is enough to read its blanks as blanks
    partly = dict(list(coverage.items())[:-1])
    assert build_gap_matrix(table, ref, "zh", coverage=partly).data[0].z[0][last] == 0
