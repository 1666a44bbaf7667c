"""Reading files as they really arrive, and refusing the unreadable in one line."""
import json

import openpyxl
import pytest

from etl.extract import SourceError, extract, find_header, map_headers

BIG = 10 ** 8


def write_xlsx(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_headers_match_case_space_and_punctuation_insensitively():
    assert map_headers(["Name", " LEAD-ORG ", "所在省份", "产业领域", "攻关技术", "x"]) == {
        0: "name", 1: "lead_org", 2: "province", 3: "sector", 4: "technologies"}


def test_header_row_found_below_title_rows():
    rows = [["2023年浙江省创新联合体名单"], [], ["序号", "联合体名称", "所在地区", "领域"], [1, "甲", "浙江", "新材料"]]
    assert find_header(rows) == (2, {1: "name", 2: "province", 3: "sector"})


def test_csv_below_title_rows_reads_on_past_the_rows_scanned_for_the_header(tmp_path):
    from etl.extract import HEADER_SCAN_ROWS
    body = [f"甲{i},浙江,新材料" for i in range(HEADER_SCAN_ROWS + 10)]
    body[1] = '乙,浙江,"新\n材料"'  # a quoted cell over two lines, inside the rows scanned
    p = tmp_path / "titled.csv"
    p.write_text("2023年浙江省创新联合体名单\n\n联合体名称,所在省份,所属领域\n" + "\n".join(body) + "\n",
                 encoding="utf-8")
    ex, _ = extract(p, BIG)
    assert len(ex.rows) == HEADER_SCAN_ROWS + 10
    assert [r.row for r in ex.rows[:3]] == [4, 5, 6] and ex.rows[-1].row == HEADER_SCAN_ROWS + 13
    assert ex.rows[1].values == {"name": "乙", "province": "浙江", "sector": "新\n材料"}
    assert ex.rows[-1].values["name"] == f"甲{HEADER_SCAN_ROWS + 9}"


def test_gbk_csv(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("联合体名称,所在省份,所属领域\n甲联合体,浙江省,新材料\n".encode("gbk"))
    ex, _ = extract(p, BIG)
    assert [r.values for r in ex.rows] == [{"name": "甲联合体", "province": "浙江省", "sector": "新材料"}]
    assert ex.rows[0].row == 2


def test_utf8_bom_csv_english_headers(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffName,Province,Sector\nA,Zhejiang,New materials\n".encode("utf-8"))
    ex, _ = extract(p, BIG)
    assert ex.rows[0].values == {"name": "A", "province": "Zhejiang", "sector": "New materials"}


def test_gb18030_only_character(tmp_path):
    p = tmp_path / "gb18030.csv"
    p.write_bytes("名称,省份,领域\n㐀联合体,浙江,新材料\n".encode("gb18030"))
    ex, _ = extract(p, BIG)
    assert ex.rows[0].values["name"] == "㐀联合体"


def test_xlsx_title_rows_and_every_sheet_with_records(tmp_path):
    p = write_xlsx(tmp_path / "list.xlsx", {
        "说明": [["本表为示例"]],
        "第一批": [["第一批名单"], ["联合体名称", "省份", "领域"], ["甲", "浙江", "新材料"]],
        "第二批": [["联合体名称", "省份", "领域"], ["乙", "江苏", "生物"], [None, None, None], ["丙", "安徽", "芯片"]],
    })
    ex, _ = extract(p, BIG)
    assert [(r.sheet, r.row, r.values["name"]) for r in ex.rows] == [("第一批", 3, "甲"), ("第二批", 2, "乙"),
                                                                    ("第二批", 4, "丙")]
    assert ex.notes == ["sheet '说明' has no header row; skipped"]


def test_formula_text_is_kept_as_text_never_evaluated(tmp_path):
    p = write_xlsx(tmp_path / "f.xlsx", {"s": [["名称", "省份", "领域"], ["=cmd|' /C calc'!A0", "浙江", "新材料"]]})
    ex, _ = extract(p, BIG)
    assert ex.rows[0].values["name"] == "=cmd|' /C calc'!A0"


def test_json_list_of_objects(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(json.dumps([{"name": "甲", "province": "浙江", "sector": "S3", "technologies": ["光刻机"]}]),
                 encoding="utf-8")
    ex, _ = extract(p, BIG)
    assert ex.rows[0].values["technologies"] == ["光刻机"]


@pytest.mark.parametrize("name, content, problem", [
    ("bad.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
    ("bin.csv", b"\x00\x01\x02\x03" * 100, "binary content"),
    ("empty.csv", b"", "empty file"),
    ("blank.csv", b"   \n\n", "empty file"),
    ("noheader.csv", "甲,乙,丙\n1,2,3\n".encode(), "no header row"),
    ("nosector.csv", "名称,省份\n甲,浙江\n".encode(), "no required column sector"),
    ("broken.json", b"[{\"name\": ", "invalid JSON"),
    ("obj.json", b"{\"a\": 1}", "not a list of records"),
    ("list.pdf", b"%PDF-1.4", "unsupported file type"),
])
def test_unreadable_files_name_themselves_in_one_line(tmp_path, name, content, problem):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(SourceError) as err:
        extract(p, BIG)
    message = str(err.value)
    assert message.startswith(f"{name}: ") and problem in message and "\n" not in message


def test_oversize_file_refused_before_reading(tmp_path):
    p = tmp_path / "huge.csv"
    p.write_bytes(b"name,province,sector\n" + b"a,b,c\n" * 2000)
    with pytest.raises(SourceError, match="above the .* limit; refused"):
        extract(p, max_bytes=1000)


def test_csv_rows_are_numbered_as_records_with_blank_multiline_and_ragged_rows(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text('2023年名单,,\n\n联合体名称,所在省份,所属领域\n甲,"浙江\n省",新材料\n,,\n乙,江苏\n丙,安徽,芯片,多出一列\n',
                 encoding="utf-8")
    ex, _ = extract(p, BIG)
    assert [(r.row, r.values["name"], r.values.get("province")) for r in ex.rows] == [
        (4, "甲", "浙江\n省"), (6, "乙", "江苏"), (7, "丙", "安徽")]


def test_csv_records_of_a_long_file_with_quotes_blanks_and_a_long_row(tmp_path):
    lines = ["标题,,", "联合体名称,所在省份,所属领域"] + [f"联合体{i},浙江,新材料" for i in range(40)]
    lines += ['"引号,里的逗号",江苏,"多\n行"', "", "  ,  ,  ", "长行,安徽,芯片,多,出,列"]
    p = tmp_path / "long.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [(r.row, r.values) for r in extract(p, BIG)[0].rows]
    assert len(rows) == 42 and rows[0] == (3, {"name": "联合体0", "province": "浙江", "sector": "新材料"})
    assert rows[40] == (43, {"name": "引号,里的逗号", "province": "江苏", "sector": "多\n行"})
    assert rows[-1] == (46, {"name": "长行", "province": "安徽", "sector": "芯片"})


def test_columns_of_a_rectangular_table_and_of_ragged_rows():
    from etl.extract import _columns
    mapping = {0: "name", 2: "sector"}
    rect = [["甲", "浙江", "新材料"], ["乙", "江苏", "芯片"]]
    assert _columns(rect, mapping) == [["甲", "乙"], ["新材料", "芯片"]]
    assert _columns(rect + [["丙"]], mapping) == [["甲", "乙", "丙"], ["新材料", "芯片", None]]
    assert _columns([["甲"], ["乙"]], mapping) == [["甲", "乙"], [None, None]]  # every row too short
    assert _columns([], mapping) == [[], []]


def test_deeply_nested_json_is_a_named_error(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(SourceError, match=r"^deep.json: JSON nested too deeply"):
        extract(p, BIG)


def test_a_ten_megabyte_cell_is_read_and_its_row_rejected_with_a_reason(tmp_path):
    from etl.transform import transform
    p = tmp_path / "huge.csv"
    p.write_text("联合体名称,所在省份,所属领域\n" + "甲" * 10_000_000 + ",浙江,新材料\n乙,江苏,新材料\n",
                 encoding="utf-8")
    extracted, _ = extract(p, BIG)
    batch = transform(extracted.table)
    assert [c.name for c in batch.consortia] == ["乙"]
    (rejected,) = batch.rejections
    assert (rejected.file, rejected.row, rejected.field) == ("huge.csv", 2, "name")
    assert "10,000,000 characters" in rejected.reason


def test_one_gbk_line_among_utf8_lines_is_read_with_a_note(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes("联合体名称,所在省份,所属领域\n甲联合体,浙江,新材料\n".encode("utf-8")
                  + "乙联合体,江苏,生物医药\n".encode("gbk") + "丙联合体,安徽,芯片\n".encode("utf-8"))
    extracted, _ = extract(p, BIG)
    assert [r.values["name"] for r in extracted.rows] == ["甲联合体", "乙联合体", "丙联合体"]
    assert extracted.rows[1].values["province"] == "江苏"
    assert extracted.notes == ["mixed.csv: line 3 not UTF-8 like the rest; read as GBK/GB18030"]

