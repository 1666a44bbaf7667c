"""The public list (data/public): every row sourced and clean, the coverage table whole, the command."""
import csv
import json
import re

import pytest

import config
from etl.ingest import ingest_sources
from etl.normalise import name_key
from etl.public import COVERAGE_FILE, CONSORTIA_FILE, public_sources
from etl.reference import load_reference
from etl.store import load_snapshot
from tests.conftest import run_cli

CONTRACT_FIELDS = {"name", "lead_org", "lead_type", "province", "city", "sector", "technologies", "members", "year",
                   "level", "operating_model", "source", "source_url", "publisher", "published", "grade", "inferred"}


def public_rows() -> list[dict]:
    with open(CONSORTIA_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def coverage_rows() -> list[dict]:
    with open(COVERAGE_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The public list through the ordinary ingest path, into a fresh SQLite store."""
    from etl.store import get_engine
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('public') / 'atlas.db'}")
    result = ingest_sources(engine, public_sources(), kind="public")
    yield result, load_snapshot(engine)
    engine.dispose()


def test_columns_are_the_contract_fields():
    with open(CONSORTIA_FILE, encoding="utf-8", newline="") as fh:
        assert set(next(csv.reader(fh))) == CONTRACT_FIELDS


@pytest.mark.parametrize("row", public_rows(), ids=lambda r: r["name"])
def test_every_row_has_a_name_a_source_url_and_a_grade(row):
    assert row["name"].strip()
    urls = [u.strip() for u in row["source_url"].split(" ; ")]
    assert urls and all(re.match(r"^https?://\S+$", u) for u in urls), row["source_url"]
    assert row["grade"] in ("A", "B", "C")
    assert re.match(r"^(\d{4}-\d{2}(-\d{2})?)?$", row["published"]), row["published"]
    assert re.match(r"^(\d{4})?$", row["year"]), row["year"]
    inferred = [f for f in row["inferred"].split(";") if f]
    assert set(inferred) <= CONTRACT_FIELDS, inferred


def test_no_two_rows_are_the_same_consortium():
    keys = [(name_key(r["name"]), r["province"]) for r in public_rows()]
    assert len(keys) == len(set(keys))


def test_the_file_ingests_with_no_rejection_no_warning_and_no_duplicate(published):
    result, snap = published
    assert result.published and result.report["rejected"] == 0 and result.report["warnings"] == 0
    assert result.report["duplicates"] == 0 and len(snap.consortia) == len(public_rows())
    assert snap.info["kind"] == "public" and not snap.info["synthetic"]


def test_at_most_five_percent_of_records_have_an_unmapped_sector(published):
    result, snap = published
    unmapped = sum(result.report["unmapped"].get("sector", {}).values())
    assert unmapped <= 0.05 * len(snap.consortia)


def test_scope_follows_the_level_never_a_city_alone(published):
    _, snap = published
    c = snap.consortia
    assert set(c.loc[c["scope"] == "municipal", "level"]) == {"municipal"}
    beijing_or_shanghai = c[c["province"].isin(["110000", "310000"]) & c["level"].isna()]
    assert (beijing_or_shanghai["scope"] != "municipal").all()


def test_lead_types_not_stated_are_inferred_and_marked(published):
    _, snap = published
    stated = {r["name"] for r in public_rows() if r["lead_type"]}
    c = snap.consortia
    guessed = c[~c["name"].isin(stated) & c["lead_type"].notna()]
    assert len(guessed) > 0
    assert guessed["inferred"].fillna("").str.contains("lead_type").all()


# The examples the policy brief names (shared/seed), with where a public source places them.
POLICY_EXAMPLES = {
    "北京生物种业创新联合体": "北京市",
    "电子化学品创新联合体": "上海市",            # the brief's 上海电子化学品创新联合体; the source omits 上海
    "中国石油-西南石油大学创新联合体": "全国",    # a central SOE with a university
}


@pytest.mark.parametrize("name, province", POLICY_EXAMPLES.items())
def test_the_policy_briefs_examples_appear_where_sources_name_them(name, province):
    found = [r for r in public_rows() if r["name"] == name]
    assert len(found) == 1 and found[0]["province"] == province


def test_coverage_lists_every_provincial_unit_and_the_central_soe_lists():
    rows = coverage_rows()
    codes = [r["code"] for r in rows]
    assert sorted(codes) == sorted([*load_reference().province_codes, "central_soe"])
    assert {r["completeness"] for r in rows} <= {"complete", "partial", "none_found"}
    assert all(r["lists_found"].strip() and r["lists_found_en"].strip() for r in rows)


def test_an_english_page_reads_what_was_found_in_english():
    from etl.public import lists_found
    assert lists_found("220000", "en").startswith("Jilin's 2025 first batch of registered key-industry")
    assert lists_found("220000").startswith("2025年第一批吉林省重点产业科技创新联合体备案名单")
    assert lists_found("710000", "en") == "Not found." and lists_found("nowhere", "en") == ""


def test_no_province_with_recorded_consortia_is_marked_as_having_no_list(published):
    _, snap = published
    status = {r["code"]: r["completeness"] for r in coverage_rows()}
    led = set(snap.consortia["province"].dropna())
    assert not [code for code in led if status.get(code) == "none_found"]


def test_readme_counts_match_the_file():
    text = (config.ROOT / "data" / "public" / "README.md").read_text(encoding="utf-8")
    rows = public_rows()
    grades = {g: sum(1 for r in rows if r["grade"] == g) for g in "ABC"}
    assert f"{len(rows)} consortia" in text
    assert f"A {grades['A']}, B {grades['B']}, C {grades['C']}" in text


def test_both_readmes_count_the_lists_as_the_coverage_file_does():
    rows = list(csv.DictReader(open(COVERAGE_FILE, encoding="utf-8-sig")))
    provinces = [r["completeness"] for r in rows if r["code"].isdigit()]
    complete, partial, none = (provinces.count(k) for k in ("complete", "partial", "none_found"))
    top = (config.ROOT / "README.md").read_text(encoding="utf-8")
    public = (config.ROOT / "data" / "public" / "README.md").read_text(encoding="utf-8")
    assert f"only {complete} province's list is\ncomplete, {partial} are partial and for {none} none was found" in top
    assert f"{partial} provinces' lists are partial" in public and f"For {none}\nunits no list was found" in public


def test_public_command_publishes_kind_public_and_if_empty_keeps_other_data(tmp_path, samples):
    env = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path)}
    done = run_cli("public", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["accepted"] == len(public_rows()) and report["rejected"] == 0
    assert "public" in run_cli("snapshots", env=env).stdout
    assert "not republished" in run_cli("public", "--if-empty", env=env).stdout
    other = tmp_path / "other"
    env2 = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(other)}
    assert run_cli("ingest", str(samples / "records.json"), env=env2).returncode == 0
    assert "not republished" in run_cli("public", "--if-empty", env=env2).stdout


def test_public_if_stale_republishes_only_an_out_of_date_public_list(tmp_path, samples):
    import sqlalchemy as sa

    from etl.store import get_engine, snapshot_info, snapshot_sources, snapshots

    env = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path)}
    assert "published and current" in run_cli("public", "--if-stale", env=env).stdout  # an empty store
    engine = get_engine(f"sqlite:///{tmp_path / 'atlas.db'}")
    first = snapshot_info(engine)
    assert first["report"]["reference"] == load_reference().digest  # which tables tagged it
    assert "not republished" in run_cli("public", "--if-stale", env=env).stdout  # up to date

    # A store published by an older release: other reference tables, then an earlier file.
    for change, why in ((sa.update(snapshots).values(report=json.dumps({**first["report"], "reference": "old"})),
                         "tagged by other reference tables"),
                        (sa.update(snapshot_sources).values(sha256="0" * 64), "from an earlier file")):
        before = snapshot_info(engine)["id"]
        with engine.begin() as con:
            con.execute(change)
        done = run_cli("public", "--if-stale", env=env)
        assert done.returncode == 0 and f"{before} is the public list {why}; republishing" in done.stdout
        now = snapshot_info(engine)
        assert now["id"] != before and now["kind"] == "public" and now["report"]["reference"] != "old"
    assert "not republished" in run_cli("public", "--if-stale", env=env).stdout

    # Data of any other kind is never replaced by the bundled list, however old its tagging.
    other = tmp_path / "other"
    env2 = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(other)}
    assert run_cli("ingest", str(samples / "records.json"), env=env2).returncode == 0
    engine2 = get_engine(f"sqlite:///{other / 'atlas.db'}")
    with engine2.begin() as con:
        con.execute(sa.update(snapshots).values(report=json.dumps({"reference": "old"})))
    kept = snapshot_info(engine2)["id"]
    assert "not republished" in run_cli("public", "--if-stale", env=env2).stdout
    assert snapshot_info(engine2)["id"] == kept
    engine.dispose()
    engine2.dispose()


def test_a_stewards_list_built_on_the_public_list_keeps_its_caveats():
    import pandas as pd

    from etl.public import coverage_status, public_name_keys, snapshot_coverage

    keys = sorted(public_name_keys())
    public = pd.DataFrame({"name_key": keys, "province": [None] * len(keys)})
    assert snapshot_coverage("public", public) == coverage_status()
    # the whole list and one consortium of 浙江 (no list found before): its caveats stay, 浙江's list is partial
    plus = pd.concat([public, pd.DataFrame({"name_key": ["新联合体"], "province": ["330000"]})])
    kept = snapshot_coverage("steward", plus)
    assert coverage_status()["330000"] == "none_found" and kept["330000"] == "partial"
    assert {c: s for c, s in kept.items() if c != "330000"} == {
        c: s for c, s in coverage_status().items() if c != "330000"}
    # a list that is mostly something else says nothing of the public lists' completeness
    other = pd.DataFrame({"name_key": keys[: len(keys) // 2] + [f"x{i}" for i in range(50)], "province": None})
    assert snapshot_coverage("steward", other) == {} and snapshot_coverage("demo", other) == {}
