"""The command line as users' scripts call it, on SQLite and PostgreSQL."""
import json

import pytest

from tests.conftest import SAMPLE_FILES, run_cli


def moran_by_hand(counts: dict) -> float:
    """Moran's I straight from the contract: queen pairs of the shipped boundaries (neighbours.csv,
    checked equal to them in tests/figures), islands joined (both ways) to the nearest representative point,
    row-standardised W; I = (n / S0) * z'Wz / z'z with S0 = n."""
    import csv

    import numpy as np
    import shapely
    from shapely.geometry import shape

    import config
    features = json.loads((config.BOUNDARIES_DIR / "provinces.geojson").read_text(encoding="utf-8"))["features"]
    codes = sorted(f["id"] for f in features)
    points = {f["id"]: shape(f["geometry"]).representative_point() for f in features}
    neighbours = {c: set() for c in codes}
    with open(config.BOUNDARIES_DIR / "neighbours.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            neighbours[row["a"]].add(row["b"])
            neighbours[row["b"]].add(row["a"])
    for c in [c for c in codes if not neighbours[c]]:  # a join is a link both ways
        nearest = min((o for o in codes if o != c), key=lambda o: shapely.distance(points[c], points[o]))
        neighbours[c].add(nearest)
        neighbours[nearest].add(c)
    n = len(codes)
    w = np.zeros((n, n))
    for i, c in enumerate(codes):
        for o in neighbours[c]:
            w[i, codes.index(o)] = 1 / len(neighbours[c])
    z = np.array([counts[c] for c in codes], dtype=float)
    z -= z.mean()
    return float(z @ w @ z / (z @ z))


@pytest.fixture
def env(db_url, tmp_path):
    return {"DATABASE_URL": db_url, "ATLAS_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture(params=["generated", "shared"])
def messy_lists(request):
    """The generated lists always; the contract's own example lists too when shared/ is beside the clone."""
    return request.getfixturevalue("samples" if request.param == "generated" else "shared_samples")


def test_ingest_messy_samples_then_summary_gives_the_expected_answers(env, messy_lists):
    samples = messy_lists
    done = run_cli("ingest", *[str(samples / f) for f in SAMPLE_FILES], env=env)
    assert done.returncode == 0, done.stderr
    assert "accepted 42, rejected 3, warnings 2, duplicates merged 7" in done.stdout
    summary = json.loads(run_cli("summary", "--json", env=env).stdout)
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    for key in ("total", "rejected", "duplicates", "cross_regional"):
        assert summary[key] == expected[key], key
    assert {k: summary["by_province"][k] for k in expected["by_province"]} == expected["by_province"]
    assert set(summary["by_province"]) == set(expected["by_province"]) | {"national", "regional"}
    assert {k: v for k, v in summary["by_sector"].items() if v} == expected["by_sector"]
    assert summary["by_technology"] == expected["by_technology"]
    assert summary["by_province_sector"] == expected["by_province_sector"]
    assert summary["warnings"] >= expected["warned_at_least"]
    # concentration, spatial and gaps: recomputed here by hand from the expected counts
    counts = [v for v in expected["by_province"].values()]
    total = sum(counts)
    assert summary["concentration"]["hhi"] == pytest.approx(sum((c / total) ** 2 for c in counts), abs=1e-6)
    top6 = sorted(expected["by_province"].items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    assert summary["concentration"]["top6"] == [c for c, _ in top6]
    assert summary["concentration"]["top6_share"] == pytest.approx(sum(v for _, v in top6) / total, abs=1e-6)
    assert summary["gaps"]["uncovered"] == [t for t, n in expected["by_technology"].items() if n == 0]
    assert summary["gaps"]["thin"] == [t for t, n in expected["by_technology"].items() if 1 <= n <= 2]
    assert summary["spatial"]["moran_i"] == pytest.approx(moran_by_hand(expected["by_province"]), abs=1e-6)
    assert 0 < summary["spatial"]["p_value"] <= 1


def test_corrupt_file_names_itself_and_previous_snapshot_stays(env, samples, tmp_path):
    assert run_cli("ingest", str(samples / "records.json"), env=env).returncode == 0
    before = json.loads(run_cli("summary", "--json", env=env).stdout)["snapshot"]
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    done = run_cli("ingest", str(bad), env=env)
    assert done.returncode == 2
    assert "corrupt.xlsx: not a readable XLSX workbook" in done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(run_cli("summary", "--json", env=env).stdout)["snapshot"] == before


def test_one_bad_file_among_good_ones_still_publishes(env, samples, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = run_cli("ingest", str(samples / "records.json"), str(empty), env=env)
    assert done.returncode == 0
    assert "empty.csv: empty file" in done.stderr


def test_missing_file_is_one_line(env):
    done = run_cli("ingest", "/no/such/file.csv", env=env)
    assert done.returncode == 2 and "file.csv: cannot open" in done.stderr and "Traceback" not in done.stderr


def test_summary_on_empty_store_says_what_to_do(env):
    done = run_cli("summary", "--json", env=env)
    assert done.returncode == 2 and "python -m etl demo" in done.stderr


def test_demo_if_empty_does_not_overwrite_real_data(env, samples):
    run_cli("ingest", str(samples / "records.json"), env=env)
    done = run_cli("demo", "--if-empty", env=env)
    assert "not republished" in done.stdout
    objects = json.loads((samples / "records.json").read_text(encoding="utf-8"))
    assert json.loads(run_cli("summary", "--json", env=env).stdout)["total"] == len(objects)


@pytest.mark.parametrize("url, names", [
    ("postgresql://postgres@127.0.0.1:1/atlas", "127.0.0.1:1/atlas"),
    ("postgresql+nosuchdriver://h/db", "driver"),
    ("not a url", "not a database URL"),
])
def test_a_wrong_database_url_is_one_line_naming_it(tmp_path, url, names):
    done = run_cli("snapshots", env={"DATABASE_URL": url, "ATLAS_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and names in done.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"])
def test_every_postgresql_url_form_publishes(pg_url, tmp_path, samples, scheme):
    """The plain form resolves to psycopg 3 in SQLAlchemy 2.1; psycopg2 URLs keep working; both write by COPY."""
    url = scheme + "://" + pg_url.split("://", 1)[1]
    env = {"DATABASE_URL": url, "ATLAS_DATA_DIR": str(tmp_path)}
    assert run_cli("ingest", *[str(samples / f) for f in SAMPLE_FILES], env=env).returncode == 0
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    assert json.loads(run_cli("summary", "--json", env=env).stdout)["total"] == expected["total"]


def test_profile_diff_and_chains_commands(env, samples, tmp_path):
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    assert run_cli("ingest", str(samples / "records.json"), env=env).returncode == 0
    assert run_cli("ingest", *[str(samples / f) for f in SAMPLE_FILES], env=env).returncode == 0
    top = max(expected["by_province"], key=expected["by_province"].get)  # the generator's unique leader
    profile = json.loads(run_cli("profile", top, "--json", env=env).stdout)
    assert (profile["province"], profile["total"], profile["rank"]) == (top, expected["by_province"][top], 1)
    assert set(profile["by_sector"]) == {f"S{i}" for i in range(10)}
    assert sorted(profile["covered"] + profile["uncovered"]) == sorted(expected["by_technology"])
    for tech, partners in profile["partners"].items():
        assert tech in profile["uncovered"]
        assert [p["consortia"] for p in partners] == sorted((p["consortia"] for p in partners), reverse=True)
    by_name = json.loads(run_cli("profile", "黑龙江", "--json", env=env).stdout)
    assert by_name["province"] == "230000"
    diff = json.loads(run_cli("diff", "previous", "current", "--json", env=env).stdout)
    objects = json.loads((samples / "records.json").read_text(encoding="utf-8"))
    assert diff["removed"] == [] and len(diff["added"]) == expected["total"] - len(objects)
    assert sum(diff["by_province_delta"].values()) == expected["total"] - len(objects)
    chains = json.loads(run_cli("chains", "--json", env=env).stdout)
    assert {"lithography", "aero_engine"} <= set(chains)
    assert all({"code", "name", "consortia", "provinces"} <= set(c) for c in chains["lithography"]["components"])


@pytest.mark.parametrize("args, message", [
    (("profile", "火星", "--json"), "not one of the 34 provincial units"),
    (("diff", "no-such-id", "current", "--json"), "does not exist or was pruned"),
    (("chains", "--chain", "rocket"), "no chain 'rocket'"),
])
def test_planner_commands_refuse_bad_input_in_one_line(env, samples, args, message):
    assert run_cli("ingest", str(samples / "records.json"), env=env).returncode == 0
    done = run_cli(*args, env=env)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
