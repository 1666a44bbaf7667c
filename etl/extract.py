"""Extract: files as they really arrive -> raw rows keyed by contract field.

CSV in UTF-8, UTF-8 with BOM or GBK/GB18030; XLSX with title rows above the
header and records on several sheets; JSON lists of objects. Headers in
Chinese or English are mapped to contract fields. A file that cannot be read
raises :class:`SourceError` with one line naming the file and the problem.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .reference import text_key

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "联合体名称", "名称", "consortium", "consortium name", "创新联合体名称"),
    "lead_org": ("lead_org", "lead", "牵头单位", "牵头企业", "lead organisation", "lead organization"),
    "lead_type": ("lead_type", "牵头单位类型", "单位性质", "lead type", "牵头类型"),
    "province": ("province", "所在省份", "省份", "所在地区", "地区", "省市", "所在省市"),
    "city": ("city", "城市", "所在城市", "所在地市", "地市"),
    "sector": ("sector", "所属领域", "领域", "产业领域", "行业", "所属行业"),
    "technologies": ("technologies", "technology", "攻关技术", "关键技术", "技术方向", "攻关方向"),
    "members": ("members", "成员单位", "member", "成员"),
    "year": ("year", "组建年份", "成立年份", "年份", "成立时间", "组建时间"),
    "level": ("level", "级别", "层级"),
    "operating_model": ("operating_model", "运行模式", "operating model", "运营模式"),
    "source": ("source", "来源", "数据来源"),
    "source_url": ("source_url", "链接", "url", "网址"),
    "synthetic": ("synthetic",),
}
HEADER_KEYS = {text_key(alias): fld for fld, aliases in HEADER_ALIASES.items() for alias in aliases}
REQUIRED = ("name", "province", "sector")
HEADER_SCAN_ROWS = 30


class SourceError(Exception):
    """A file that cannot be read at all; str() is one line naming file and problem."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(f"{Path(path).name}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass
class RawRow:
    file: str
    row: int  # 1-based row in the file (sheet row for XLSX, object index for JSON)
    values: dict  # contract field -> raw value (str, or list for JSON arrays)
    sheet: str = ""


@dataclass
class Extracted:
    file: str
    rows: list[RawRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. sheets skipped
    unknown_headers: list[str] = field(default_factory=list)


def map_headers(cells: list) -> dict[int, str]:
    """Column index -> contract field for a header row (first occurrence wins)."""
    mapping: dict[int, str] = {}
    for i, cell in enumerate(cells):
        fld = HEADER_KEYS.get(text_key(cell)) if cell is not None else None
        if fld and fld not in mapping.values():
            mapping[i] = fld
    return mapping


def find_header(rows: list[list]) -> tuple[int, dict[int, str]] | None:
    """(index, mapping) of the first row that names the consortium and one more field."""
    for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = map_headers(cells)
        if "name" in mapping.values() and len(mapping) >= 2:
            return i, mapping
    return None


def _check_required(path: Path, mapping: dict[int, str]) -> None:
    fields = set(mapping.values())
    missing = [f for f in REQUIRED if f not in fields and not (f == "province" and "city" in fields)]
    if missing:
        raise SourceError(path, f"no required column {', '.join(missing)} in the header row")


def _rows_from_table(path: Path, table: list[list], out: Extracted, sheet: str = "",
                     row_offset: int = 0) -> bool:
    found = find_header(table)
    if found is None:
        return False
    header_index, mapping = found
    _check_required(path, mapping)
    out.unknown_headers += [str(c) for i, c in enumerate(table[header_index])
                            if i not in mapping and c not in (None, "")]
    for i in range(header_index + 1, len(table)):
        cells = table[i]
        values = {fld: cells[col] for col, fld in mapping.items() if col < len(cells)}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue
        out.rows.append(RawRow(path.name, i + 1 + row_offset, values, sheet))
    return True


def decode_text(path: Path, data: bytes) -> str:
    """Text of a CSV in UTF-8 (with or without BOM) or GBK/GB18030."""
    if b"\x00" in data[:8192]:
        raise SourceError(path, "binary content, not a CSV text file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(path, "text is neither UTF-8 nor GBK/GB18030")


def read_csv(path: Path, data: bytes) -> Extracted:
    text = decode_text(path, data)
    if not text.strip():
        raise SourceError(path, "empty file")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    out = Extracted(path.name)
    if not _rows_from_table(path, table, out):
        raise SourceError(path, "no header row naming the consortium (name / 联合体名称) found")
    return out


def read_xlsx(path: Path, data: bytes) -> Extracted:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise SourceError(path, "empty file")
    try:
        # data_only=False: a formula is kept as its text and never evaluated.
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SourceError(path, f"not a readable XLSX workbook ({type(exc).__name__})") from None
    out = Extracted(path.name)
    try:
        any_sheet = False
        for ws in wb.worksheets:
            table = [list(r) for r in ws.iter_rows(values_only=True)]
            if _rows_from_table(path, table, out, sheet=ws.title):
                any_sheet = True
            elif any(any(c not in (None, "") for c in r) for r in table):
                out.notes.append(f"sheet {ws.title!r} has no header row; skipped")
    finally:
        wb.close()
    if not any_sheet:
        raise SourceError(path, "no sheet has a header row naming the consortium (name / 联合体名称)")
    return out


def read_json(path: Path, data: bytes) -> Extracted:
    try:
        doc = json.loads(decode_text(path, data))
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"invalid JSON at line {exc.lineno}") from None
    if isinstance(doc, dict):
        doc = next((v for k, v in doc.items() if k in ("records", "data", "items", "consortia")), None)
    if not isinstance(doc, list):
        raise SourceError(path, "JSON is not a list of records")
    out = Extracted(path.name)
    keys = {k for obj in doc if isinstance(obj, dict) for k in obj}
    mapping = {k: HEADER_KEYS[text_key(k)] for k in keys if text_key(k) in HEADER_KEYS}
    if doc and "name" not in mapping.values():
        raise SourceError(path, "no record has a name / 联合体名称 field")
    for i, obj in enumerate(doc, start=1):
        if not isinstance(obj, dict):
            out.rows.append(RawRow(path.name, i, {"name": None}))
            continue
        out.rows.append(RawRow(path.name, i, {mapping[k]: v for k, v in obj.items() if k in mapping}))
    return out


READERS = {".csv": read_csv, ".txt": read_csv, ".tsv": read_csv, ".xlsx": read_xlsx,
           ".xlsm": read_xlsx, ".json": read_json}


def size_problem(size: int, max_bytes: int) -> str | None:
    """The refusal for a file above the size limit, or None when it fits."""
    if size <= max_bytes:
        return None
    return f"{size / 2**20:.1f} MB is above the {max_bytes / 2**20:.0f} MB limit; refused"


def extract(path: Path | str, max_bytes: int, data: bytes | None = None) -> tuple[Extracted, bytes]:
    """Raw rows of one file and its bytes; SourceError when the file cannot be read."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(path, f"unsupported file type {path.suffix or '(none)'}; use CSV, XLSX or JSON")
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise SourceError(path, f"cannot open ({exc.strerror})") from None
        if size_problem(size, max_bytes):
            raise SourceError(path, size_problem(size, max_bytes))
        data = path.read_bytes()
    elif size_problem(len(data), max_bytes):
        raise SourceError(path, size_problem(len(data), max_bytes))
    if not data.strip():
        raise SourceError(path, "empty file")
    return reader(path, data), data
