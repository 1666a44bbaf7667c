"""The demo data set is deterministic and shaped like the policy research."""
from collections import Counter

from etl.demo import generate
from etl.extract import RawRow
from etl.transform import transform


def test_same_seed_same_data_other_seed_other_data():
    assert generate(2022) == generate(2022)
    assert generate(2022) != generate(2023)


def test_shape_follows_the_brief():
    records = generate(2022)
    batch = transform([RawRow("demo.json", i + 1, r) for i, r in enumerate(records)])
    assert batch.rejections == [] and 300 <= len(batch.consortia) <= 400
    located = Counter(c.province for c in batch.consortia if c.province)
    top6 = {p for p, _ in located.most_common(6)}
    assert top6 == {"110000", "310000", "340000", "330000", "420000", "360000"}
    techs = Counter(t for c in batch.consortia for t in c.technologies)
    assert techs["T01"] == 0 and techs["T36"] == 0  # lithography machines, aero-engines
    leads = Counter(c.lead_type for c in batch.consortia)
    assert all(leads[k] > 0 for k in ("central_soe", "local_soe", "private", "university", "institute", "joint"))
    models = Counter(c.operating_model for c in batch.consortia)
    assert all(models[k] > 0 for k in ("joint_team", "entity_company", "tiered"))
    scopes = Counter(c.scope for c in batch.consortia)
    assert scopes["national"] > 0 and scopes["cross_regional"] < scopes["provincial"] + scopes["municipal"]
    assert all(c.synthetic for c in batch.consortia if "示例" in c.name)
