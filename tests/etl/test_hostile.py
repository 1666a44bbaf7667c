"""Hostile input: a kept corpus of bad files, each with its named error or its kept rows, read by the real
command in its own process (no traceback, nothing lost, never hanging), and a fuzz test of every reader and
normaliser with Hypothesis."""
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.extract import SourceError, extract
from etl.normalise import clean, match_technologies, match_term, parse_members, parse_year, resolve_city, resolve_place
from etl.transform import transform
from tests.conftest import run_cli, xlsx_bytes

HEADER = "联合体名称,所在省份,所属领域,攻关技术,牵头单位\n"


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" * (300 * 1024 * 1024))  # 300 MB unpacked, ~300 KB packed
    return buf.getvalue()


SCRIPT = "<script>alert(1)</script>"
# name -> (bytes, what must happen): ("error", text in the one-line error) or ("rows", accepted, rejected)
CORPUS = {
    "random-bytes.xlsx": (bytes(range(256)) * 40, ("error", "random-bytes.xlsx: not a readable XLSX workbook")),
    "truncated.xlsx": (xlsx_bytes([["联合体名称", "所在省份", "所属领域"], ["甲", "浙江", "新材料"]])[:900],
                       ("error", "truncated.xlsx: not a readable XLSX workbook")),
    "bomb.xlsx": (_bomb(), ("error", "bomb.xlsx: ")),
    "huge-cell.csv": ((HEADER + "甲" * 10_000_000 + ",浙江,新材料,,\n乙,江苏,新材料,,\n").encode("utf-8"),
                      ("rows", 1, 1)),
    # Runs of 5 million blanks in a members and a lead cell: read in one pass, never rescanned per blank.
    "blank-runs.csv": (("联合体名称,所在省份,所属领域,成员单位,牵头单位\n甲,浙江,新材料,成员" + " " * 5_000_000
                        + "乙（火星）（x）,大学" + " " * 5_000_000 + "乙\n乙,江苏,新材料,丙" + " " * 5_000_000
                        + "丁（上海）,\n").encode("utf-8"),
                       ("rows", 2, 0)),
    "wide.csv": ((",".join(["联合体名称", "所在省份", "所属领域"] + [f"c{i}" for i in range(100_000)]) + "\n"
                  + ",".join(["甲", "浙江", "新材料"] + ["x"] * 100_000) + "\n").encode("utf-8"), ("rows", 1, 0)),
    "deep.json": (("[" * 200_000 + "]" * 200_000).encode("ascii"), ("error", "deep.json: JSON nested too deeply")),
    "nul-bytes.csv": ((HEADER + "甲\x00,浙江,新材料,,\n").encode("utf-8"), ("error", "nul-bytes.csv: binary content")),
    "mixed-encodings.csv": (HEADER.encode("utf-8") + "甲,浙江,新材料,,\n".encode("utf-8")
                            + "乙,江苏,生物医药,,\n".encode("gbk"), ("rows", 2, 0)),
    "bom-in-the-middle.csv": ((HEADER + "甲\ufeff联合体,浙\ufeff江,新材料,,\n").encode("utf-8"), ("rows", 1, 0)),
    "formulas.xlsx": (xlsx_bytes([["联合体名称", "所在省份", "所属领域", "牵头单位"],
                             ["=HYPERLINK(\"http://x\",\"甲\")", "浙江", "新材料", "=1+1"],
                             ["@SUM(A1)", "江苏", "新材料", "+cmd"]]), ("rows", 2, 0)),
    "html-everywhere.json": (json.dumps([{"name": SCRIPT, "province": "浙江" + SCRIPT, "city": SCRIPT,
                                          "sector": SCRIPT, "technologies": [SCRIPT], "lead_org": SCRIPT,
                                          "members": [{"name": SCRIPT, "province": SCRIPT}], "year": SCRIPT,
                                          "level": SCRIPT, "source": SCRIPT}], ensure_ascii=False).encode("utf-8"),
                             ("rows", 1, 0)),  # 浙江 is found in its cell; the markup stays text
    "empty.csv": (b"", ("error", "empty.csv: empty file")),
    "only-header.csv": (HEADER.encode("utf-8"), ("rows", 0, 0)),
    "not-a-list.json": (b'{"hello": "world"}', ("error", "not-a-list.json: JSON is not a list of records")),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_corpus_gets_a_named_error_or_kept_rows(name, tmp_path):
    data, outcome = CORPUS[name]
    path = tmp_path / name
    path.write_bytes(data)
    env = {"DATABASE_URL": "", "ATLAS_DATA_DIR": str(tmp_path / "store")}
    done = run_cli("ingest", str(path), "--json", env=env)  # run_cli bounds the run (no hang)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    report = json.loads(done.stdout)
    if outcome[0] == "error":
        assert done.returncode == 2 and any(e.startswith(outcome[1]) for e in report["errors"]), report["errors"]
        assert all("\n" not in e for e in report["errors"])
        return
    assert done.returncode == 0, done.stderr
    assert (report["accepted"], report["rejected"]) == outcome[1:]
    assert report["rows_read"] == report["accepted"] + report["rejected"] + report["duplicates"]
    assert all(r["file"] == name and r["row"] and r["field"] and r["reason"] for r in report["rejections"])


def test_hostile_text_is_kept_as_text(tmp_path):
    """Markup in a record is data: stored as written (the browser tests show it renders as text)."""
    path = tmp_path / "markup.json"
    path.write_text(json.dumps([{"name": SCRIPT, "province": "浙江", "sector": "S3", "lead_org": "<b>x</b>"}]),
                    encoding="utf-8")
    extracted, _ = extract(path, 10**8)
    c = transform(extracted.table).consortia[0]
    assert (c.name, c.lead_org) == (SCRIPT, "<b>x</b>")


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".json", ".tsv", ".txt"]))
def test_every_reader_takes_any_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    try:
        extracted, _ = extract(path, 10**8)
    except SourceError as exc:
        assert str(exc).startswith(path.name + ": ") and "\n" not in str(exc)
        return
    transform(extracted.table)  # whatever was read, tagging never fails


TEXTS = st.one_of(st.text(max_size=200), st.sampled_from(["浙江省", "长三角", "全国", "330000", "Zhejiang", "火星",
                                                          "上海市(跨省:沿沪宁)", "成员1（浙江）；成员2（Atlantis）"]))


@FUZZ
@given(text=TEXTS)
def test_every_normaliser_takes_any_text(text):
    clean(text)
    resolve_place(text)
    resolve_city(text)
    match_term("sector", text)
    match_term("lead_type", text)
    match_technologies(text)
    parse_members(text)
    year = parse_year(text)
    assert year is None or 1949 <= year


@FUZZ
@given(records=st.lists(st.dictionaries(
    st.sampled_from(["name", "province", "city", "sector", "technologies", "members", "year", "lead_type", "level",
                     "grade", "inferred", "published"]),
    st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), TEXTS, st.lists(TEXTS, max_size=3),
              st.lists(st.dictionaries(st.sampled_from(["name", "province"]), TEXTS), max_size=3))),
    max_size=8))
def test_transform_takes_any_json_records(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("fuzz") / "r.json"
    path.write_text(json.dumps(records, ensure_ascii=False, allow_nan=True), encoding="utf-8")
    try:
        extracted, _ = extract(path, 10**8)
    except SourceError:
        return
    batch = transform(extracted.table)
    assert len(batch.consortia) + len(batch.rejections) + batch.duplicates == len(records)
