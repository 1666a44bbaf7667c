"""The store on the real SQLite file and the real PostgreSQL server."""
import pytest
from sqlalchemy.exc import IntegrityError

from etl.extract import RawRow
from etl.ingest import ingest_sources
from etl.store import (SourceFile, archived_sources, count_snapshots, current_snapshot_id, load_snapshot,
                       prune, publish_snapshot)
from etl.transform import transform


def csv_source(name, *lines):
    return SourceFile(name, ("名称,省份,领域,攻关技术,成员单位\n" + "\n".join(lines) + "\n").encode("utf-8"))


def test_publish_and_load_round_trip(engine):
    result = ingest_sources(engine, [csv_source("a.csv", "甲,浙江,新材料,光刻机；光刻胶,A（浙江）；B（江苏）",
                                                "乙,北京,生物,,", ",上海,生物,,")])
    assert result.published and current_snapshot_id(engine) == result.snapshot_id
    snap = load_snapshot(engine)
    assert snap.id == result.snapshot_id
    assert sorted(snap.consortia["name"]) == ["乙", "甲"]
    jia = snap.consortia[snap.consortia["name"] == "甲"].iloc[0]
    assert (jia["province"], jia["sector"], jia["scope"], jia["span"]) == ("330000", "S3", "cross_regional", 2)
    assert sorted(snap.technologies["technology"]) == ["T01", "T21"]
    assert sorted(snap.members["province"]) == ["320000", "330000"]
    assert snap.rejections[["file", "row", "field"]].values.tolist() == [["a.csv", 4, "name"]]
    assert snap.info["rejected"] == 1 and snap.info["report"]["accepted"] == 2


def test_empty_fields_are_stored_as_null_and_flags_as_true_or_false(engine):
    # The SQLite path binds None and booleans through the adapters etl.store registers.
    batch = transform([RawRow("a.csv", 2, {"name": "甲", "province": "浙江", "sector": "S3", "synthetic": "是"}),
                       RawRow("a.csv", 3, {"name": "乙", "province": "江苏", "sector": "S1", "members": "丙"})])
    publish_snapshot(engine, batch, [SourceFile("a.csv", b"x")], "ingest", {})
    with engine.connect() as con:
        rows = con.exec_driver_sql("SELECT name, city IS NULL, year IS NULL, source_url IS NULL, synthetic "
                                   "FROM consortia ORDER BY id").all()
        members = con.exec_driver_sql("SELECT name, province IS NULL FROM members").all()
        if engine.dialect.name == "sqlite":
            assert con.exec_driver_sql("SELECT DISTINCT typeof(synthetic) FROM consortia").all() == [("integer",)]
    assert [tuple(r) for r in rows] == [("甲", True, True, True, True), ("乙", True, True, True, False)]
    assert [tuple(m) for m in members] == [("丙", True)]


def test_failed_publish_leaves_previous_snapshot_current(engine):
    first = ingest_sources(engine, [csv_source("a.csv", "甲,浙江,新材料,,")]).snapshot_id
    batch = transform([RawRow("b.csv", 2, {"name": "乙", "province": "江苏", "sector": "S1"})])
    batch.consortia[0].place_kind = None  # NOT NULL: the database refuses mid-transaction
    with pytest.raises(IntegrityError):
        publish_snapshot(engine, batch, [SourceFile("b.csv", b"x")], "ingest", {})
    assert current_snapshot_id(engine) == first
    assert count_snapshots(engine) == 1
    assert list(load_snapshot(engine).consortia["name"]) == ["甲"]


def test_unreadable_only_file_publishes_nothing(engine):
    first = ingest_sources(engine, [csv_source("a.csv", "甲,浙江,新材料,,")]).snapshot_id
    result = ingest_sources(engine, [SourceFile("bad.xlsx", b"not a workbook")])
    assert not result.published and current_snapshot_id(engine) == first
    assert result.errors[0].startswith("bad.xlsx: not a readable XLSX workbook")


def test_prune_keeps_the_newest_and_archives_rebuild_any_kept_snapshot(engine):
    ids = [ingest_sources(engine, [csv_source(f"v{i}.csv", f"甲{i},浙江,新材料,,")]).snapshot_id for i in range(4)]
    removed = prune(engine, keep=2)
    assert sorted(removed) == sorted(ids[:2]) and count_snapshots(engine) == 2
    sources = archived_sources(engine, ids[2])
    assert [s.name for s in sources] == ["v2.csv"]
    rebuilt = ingest_sources(engine, sources, kind="rebuild")
    assert list(load_snapshot(engine, rebuilt.snapshot_id).consortia["name"]) == ["甲2"]
    assert archived_sources(engine, ids[0]) == []


def test_same_file_twice_is_archived_once(engine):
    from sqlalchemy import func, select

    from etl.store import source_files
    src = csv_source("a.csv", "甲,浙江,新材料,,")
    ingest_sources(engine, [src])
    ingest_sources(engine, [src])
    with engine.connect() as con:
        assert con.execute(select(func.count()).select_from(source_files)).scalar() == 1


def test_sources_are_archived_deflated_and_read_back_as_they_were(engine):
    import zlib

    from sqlalchemy import select, update

    from etl.store import source_files
    lines = [f"甲{i},浙江,新材料,光刻胶,A（浙江）" for i in range(200)]
    src = csv_source("a.csv", *lines)
    sid = ingest_sources(engine, [src]).snapshot_id
    with engine.connect() as con:
        size, content, compression = con.execute(select(source_files.c.size, source_files.c.content,
                                                        source_files.c.compression)).one()
    assert (size, compression) == (len(src.content), "zlib") and len(content) < len(src.content) // 4
    assert zlib.decompress(content) == src.content
    assert archived_sources(engine, sid) == [SourceFile("a.csv", src.content)]
    # A store written before sources were deflated: the content as read, no compression named.
    with engine.begin() as con:
        con.execute(update(source_files).values(content=src.content, compression=None))
    assert archived_sources(engine, sid) == [SourceFile("a.csv", src.content)]


def test_a_store_from_before_gains_the_compression_column(tmp_path):
    import sqlite3

    from sqlalchemy import inspect

    from etl.store import get_engine
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE source_files (sha256 VARCHAR(64) PRIMARY KEY, size INTEGER NOT NULL, "
                "content BLOB NOT NULL)")
    con.execute("INSERT INTO source_files VALUES ('x', 3, x'616263')")
    con.commit()
    con.close()
    engine = get_engine(f"sqlite:///{db}")
    assert "compression" in {c["name"] for c in inspect(engine).get_columns("source_files")}
    with engine.connect() as con:
        assert con.exec_driver_sql("SELECT content, compression FROM source_files").one() == (b"abc", None)
    engine.dispose()


def test_demo_records_flagged_synthetic_real_examples_not(engine):
    from etl.demo import demo_source
    ingest_sources(engine, [demo_source(7, n=40)], kind="demo")
    snap = load_snapshot(engine)
    real = snap.consortia[~snap.consortia["synthetic"].astype(bool)]
    assert len(snap.consortia) == 46 and snap.info["synthetic"]
    assert sorted(real["name"]) == sorted(["北京生物种业创新联合体", "江西省中医药产业科技创新联合体",
                                           "上海电子化学品创新联合体", "中国石油-西南石油大学创新联合体",
                                           "苏州市海洋信息技术创新联合体"])
    assert real["source"].str.contains("推动领军企业牵头组建创新联合体").all()


def test_awkward_text_round_trips_exactly(engine):
    import json
    name = "甲\t乙\\N\n丙\r丁\\t"
    doc = [{"name": name, "province": "浙江", "sector": "S3", "source_url": "\\\\server\\share\\名单.xlsx",
            "members": ["成员\\N（江苏）"]},
           {"name": "", "province": "浙江", "sector": "S3"}]
    result = ingest_sources(engine, [SourceFile("odd.json", json.dumps(doc, ensure_ascii=False).encode())])
    snap = load_snapshot(engine)
    row = snap.consortia.iloc[0]
    assert row["name"] == name and row["source_url"] == "\\\\server\\share\\名单.xlsx"
    assert row["lead_org"] is None and row["city"] is None  # absent stays NULL
    assert snap.members["raw"].tolist() == ["成员\\N(江苏)"] and snap.members["province"].tolist() == ["320000"]
    assert snap.rejections["value"].tolist() == [""]  # an empty text stays empty, not NULL
    assert result.published


@pytest.mark.parametrize("limit, rows", [(7, 5), (999, 1), (999, 0), (32766, 1234)])
def test_sqlite_statements_of_many_rows_write_every_row_once_in_order(tmp_path, limit, rows):
    """Rows go to SQLite hundreds a statement; a build allowing fewer bound values gets fewer a statement
    (7 values, 3 columns: statements of 2, 2 and 1 rows), and a count that no statement size divides loses
    none at the end."""
    import sqlite3

    from etl.store import _sqlite_rows
    con = sqlite3.connect(tmp_path / "rows.db")
    con.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    con.execute('CREATE TABLE "t" (a INTEGER, b TEXT, c INTEGER)')
    data = [(i, None if i % 3 == 0 else f"第{i}行\x00尾", i % 2 == 0) for i in range(rows)]
    if data:
        _sqlite_rows(con.cursor(), "t", ("a", "b", "c"), data)
    assert con.execute('SELECT a, b, c FROM "t" ORDER BY rowid').fetchall() == [(a, b, int(c)) for a, b, c in data]


def _session(con) -> tuple:
    """Which connection ``con`` is: the driver's object, and on PostgreSQL the server's process for it."""
    from sqlalchemy import text
    server = con.execute(text("SELECT pg_backend_pid()")).scalar() if con.dialect.name == "postgresql" else None
    return id(con.connection.dbapi_connection), server


def test_a_forked_process_opens_connections_of_its_own(engine):
    """Background jobs run in processes forked from the web process, which has connections in its pool.
    The child must not use them (two processes on one PostgreSQL socket; SQLite forbids it) nor close
    them (that would end the parent's session)."""
    import multiprocessing

    engine.dispose()
    with engine.connect() as con:  # now the one connection in the pool
        parent = _session(con)
    ctx = multiprocessing.get_context("fork")
    seen = ctx.Queue()

    def child():
        with engine.connect() as con:
            seen.put(_session(con))
        publish_snapshot(engine, transform([RawRow("child.csv", 2, {"name": "子", "province": "浙江"})]),
                         [SourceFile("child.csv", b"x")], "ingest", {})

    process = ctx.Process(target=child)
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 0
    child_session = seen.get(timeout=5)
    assert child_session[0] != parent[0]
    if parent[1] is not None:  # PostgreSQL: another server process, so another connection
        assert child_session[1] != parent[1]
    with engine.connect() as con:
        assert _session(con) == parent  # the same connection, and on PostgreSQL the same live session
    assert load_snapshot(engine).consortia["name"].tolist() == ["子"]


def test_removed_by_counts_what_publishing_a_list_would_take_away(engine):
    from etl.store import removed_by

    first = ingest_sources(engine, [csv_source("a.csv", "甲,浙江,新材料,,", "乙,北京,生物,,", "丙,上海,生物,,")])
    second = ingest_sources(engine, [csv_source("b.csv", "甲,浙江,新材料,,", "丁,江西,生物,,")])
    assert removed_by(engine, second.snapshot_id, first.snapshot_id) == (2, 3)  # 乙 and 丙 go, 甲 stays
    assert removed_by(engine, first.snapshot_id, second.snapshot_id) == (1, 2)  # 丁
    assert removed_by(engine, first.snapshot_id, None) == (0, 0)
