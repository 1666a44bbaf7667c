"""Extract: files as they really arrive -> raw records, column by column, keyed by contract field.

CSV in UTF-8, UTF-8 with BOM or GBK/GB18030; XLSX with title rows above the
header and records on several sheets; JSON lists of objects. Headers in
Chinese or English are mapped to contract fields. A file that cannot be read
raises :class:`SourceError` with one line naming the file and the problem.
"""
from __future__ import annotations

import csv
import io
import itertools
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
    "source_url": ("source_url", "链接", "url", "网址", "来源链接"),
    "publisher": ("publisher", "发布单位", "发布机构", "来源单位"),
    "published": ("published", "发布日期", "来源日期"),
    "grade": ("grade", "来源等级", "source grade"),
    "inferred": ("inferred", "推断字段"),
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
class Table:
    """Raw records column by column: contract field -> one value per record.

    Column-wise so the transform can normalise each distinct value once; a
    100k-row list repeats a few dozen provinces and sectors thousands of times."""

    files: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # 1-based row of each record in its file
    sheets: list[str] = field(default_factory=list)
    columns: dict[str, list] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, fld: str) -> list:
        values = self.columns.get(fld)
        return values if values is not None else [None] * len(self)

    def add(self, file: str, sheet: str, rows: list[int], columns: dict[str, list]) -> None:
        """Append records of one file or sheet (each column as long as ``rows``; an empty table takes the
        lists as they are, without copying them)."""
        if not self.columns and not self.rows:
            self.files, self.rows, self.sheets = [file] * len(rows), list(rows), [sheet] * len(rows)
            self.columns = dict(columns)
            return
        self.extend(Table([file] * len(rows), list(rows), [sheet] * len(rows), columns))

    def extend(self, other: "Table") -> None:
        """Append ``other``'s records; a field one side lacks is None there."""
        before = len(self)
        for fld in set(self.columns) | set(other.columns):
            self.columns.setdefault(fld, [None] * before).extend(other.column(fld))
        self.files += other.files
        self.sheets += other.sheets
        self.rows += other.rows

    @classmethod
    def concat(cls, tables: list["Table"]) -> "Table":
        """The records of ``tables`` in order: a new table, or the one table itself when there is one."""
        if len(tables) == 1:
            return tables[0]
        out = cls()
        for t in tables:
            out.extend(t)
        return out

    @classmethod
    def from_rows(cls, raw_rows: list[RawRow]) -> "Table":
        fields = {f for r in raw_rows for f in r.values}
        return cls([r.file for r in raw_rows], [r.row for r in raw_rows], [r.sheet for r in raw_rows],
                   {f: [r.values.get(f) for r in raw_rows] for f in fields})

    def records(self) -> list[RawRow]:
        cols = list(self.columns.items())
        return [RawRow(self.files[i], self.rows[i], {f: v[i] for f, v in cols if v[i] is not None}, self.sheets[i])
                for i in range(len(self))]


@dataclass
class Extracted:
    file: str
    table: Table = field(default_factory=Table)
    notes: list[str] = field(default_factory=list)  # e.g. sheets skipped
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[RawRow]:
        return self.table.records()


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


def _is_blank(value) -> bool:
    if value.__class__ is str:
        return not value.strip()
    return value is None or str(value).strip() == ""


def _add_records(out: Extracted, mapping: dict[int, str], columns: list[list], first_row: int,
                 sheet: str = "") -> None:
    """Records below the header, given as one list per mapped column; wholly blank rows are skipped."""
    n = len(columns[0])  # a header maps two columns at least; all are as long as the body
    # A row is blank when every mapped cell is. Rows whose first mapped cell holds text are
    # kept at once; only the others (usually none) are looked at cell by cell.
    first = columns[0]
    doubtful = {i for i, v in enumerate(first) if v.__class__ is not str or not v or v.isspace()}
    if not doubtful:
        rows = list(range(first_row, first_row + n))
    else:
        keep = [i for i in range(n) if i not in doubtful or not all(_is_blank(c[i]) for c in columns)]
        if len(keep) < n:
            columns = [[c[i] for i in keep] for c in columns]
        rows = [first_row + i for i in keep]
    out.table.add(out.file, sheet, rows, {fld: col for fld, col in zip(mapping.values(), columns)})


def _table_header(path: Path, table: list[list], out: Extracted) -> tuple[int, dict[int, str]] | None:
    found = find_header(table)
    if found is None:
        return None
    header_index, mapping = found
    _check_required(path, mapping)
    out.unknown_headers += [str(c) for i, c in enumerate(table[header_index])
                            if i not in mapping and c not in (None, "")]
    return found


def _columns(body: list[list], mapping: dict[int, str]) -> list[list]:
    """One list per mapped column from rows of cells; a short row gives None."""
    if body and len(set(map(len, body))) == 1 and max(mapping) < len(body[0]):  # a rectangular table
        everything = list(zip(*body))
        return [list(everything[col]) for col in mapping]
    return [[cells[col] if col < len(cells) else None for cells in body] for col in mapping]


def _rows_from_table(path: Path, table: list[list], out: Extracted, sheet: str = "") -> bool:
    found = _table_header(path, table, out)
    if found is None:
        return False
    header_index, mapping = found
    _add_records(out, mapping, _columns(table[header_index + 1:], mapping), header_index + 2, sheet)
    return True


def decode_text(path: Path, data: bytes, notes: list[str] | None = None) -> str:
    """Text of a CSV in UTF-8 (with or without BOM) or GBK/GB18030.

    A UTF-8 file with a few lines in GBK (a list pasted together from two
    sources) is read line by line, and ``notes`` says which lines were GBK."""
    if b"\x00" in data[:8192]:
        raise SourceError(path, "binary content, not a CSV text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    if any(not line.isascii() and _is_utf8(line) for line in lines):
        text, foreign = [], []
        for number, line in enumerate(lines, start=1):
            try:
                text.append(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                try:
                    text.append(line.decode("gb18030"))
                except UnicodeDecodeError:
                    raise SourceError(path, f"line {number} is neither UTF-8 nor GBK/GB18030") from None
                foreign.append(number)
        if notes is not None:
            shown = ", ".join(map(str, foreign[:10])) + (" …" if len(foreign) > 10 else "")
            notes.append(f"{path.name}: line {shown} not UTF-8 like the rest; read as GBK/GB18030")
        return "\n".join(text)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SourceError(path, "text is neither UTF-8 nor GBK/GB18030") from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_csv(path: Path, data: bytes) -> Extracted:
    notes: list[str] = []
    text = decode_text(path, data, notes)
    if not text.strip():
        raise SourceError(path, "empty file")
    try:
        return _read_csv_text(path, text, notes)
    except csv.Error as exc:  # e.g. a quote left open; never a bare csv error without the file's name
        raise SourceError(path, f"not a readable CSV ({exc})") from None


def _read_csv_text(path: Path, text: str, notes: list[str]) -> Extracted:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    out = Extracted(path.name)
    out.notes += notes
    # A single cell may be as large as the file (the size limit guards the whole); the csv module's
    # default of 128 KB per field would refuse a long but legitimate cell.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    head = list(itertools.islice(reader, HEADER_SCAN_ROWS))
    found = _table_header(path, head, out)
    if found is None:
        raise SourceError(path, "no header row naming the consortium (name / 联合体名称) found")
    header_index, mapping = found
    body = head[header_index + 1:] + list(reader)  # the same reader goes on below the rows scanned
    _add_records(out, mapping, _columns(body, mapping), header_index + 2)
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
    except RecursionError:
        raise SourceError(path, "JSON nested too deeply to be a list of records") from None
    if isinstance(doc, dict):
        doc = next((v for k, v in doc.items() if k in ("records", "data", "items", "consortia")), None)
    if not isinstance(doc, list):
        raise SourceError(path, "JSON is not a list of records")
    out = Extracted(path.name)
    keys = {k for obj in doc if isinstance(obj, dict) for k in obj}
    mapping = {k: HEADER_KEYS[text_key(k)] for k in keys if text_key(k) in HEADER_KEYS}
    if doc and "name" not in mapping.values():
        raise SourceError(path, "no record has a name / 联合体名称 field")
    # A non-object is a record without a name; of two keys for one field the later wins.
    records = [{mapping[k]: v for k, v in obj.items() if k in mapping} if isinstance(obj, dict) else {}
               for obj in doc]
    columns = {fld: [r.get(fld) for r in records] for fld in set(mapping.values())}
    out.table.add(path.name, "", list(range(1, len(doc) + 1)), columns)
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
