"""Files uploaded in the browser: limited in size and number, recognised by content (never by name),
zip bombs refused before anything is unpacked, then read by the ordinary ingest as a staged snapshot."""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from .store import SourceFile

UNPACK_RATIO = 20  # an XLSX may unpack to at most this many times the upload limit


def max_upload_bytes() -> int:
    return int(os.environ.get("ATLAS_UPLOAD_MAX_MB", "20")) * 1024 * 1024


def max_upload_files() -> int:
    return int(os.environ.get("ATLAS_UPLOAD_MAX_FILES", "10"))


@dataclass
class Refusal:
    file: str
    reason: str


def sniff(data: bytes) -> str | None:
    """'.xlsx', '.json' or '.csv' by what the bytes are, or None for anything else."""
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        return ".xlsx" if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names) else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in data[:8192]:
        return None
    if head[:1] in (b"[", b"{"):
        return ".json"
    for encoding in ("utf-8", "gb18030"):
        try:
            data[:65536].decode(encoding)
            return ".csv"
        except UnicodeDecodeError as exc:
            if exc.start > 65536 - 4:  # a character cut by the sample's end
                return ".csv"
    return None


def unpacked_size(data: bytes) -> int:
    """What an XLSX would unpack to, from its directory alone (nothing is decompressed)."""
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


def accept_uploads(files: list[tuple[str, bytes]], max_bytes: int | None = None,
                   max_files: int | None = None) -> tuple[list[SourceFile], list[Refusal]]:
    """The uploads that may be read, each named by the type its content shows; and the refusals, with why."""
    max_bytes = max_bytes or max_upload_bytes()
    max_files = max_files or max_upload_files()
    accepted, refused = [], []
    for i, (name, data) in enumerate(files):
        name = os.path.basename(name or f"upload-{i + 1}")[:120] or f"upload-{i + 1}"
        if i >= max_files:
            refused.append(Refusal(name, f"more than {max_files} files at once; not read"))
            continue
        if not data:
            refused.append(Refusal(name, "empty file"))
            continue
        if len(data) > max_bytes:
            refused.append(Refusal(name, f"{len(data) / 2**20:.1f} MB is above the {max_bytes / 2**20:.0f} MB "
                                         "upload limit"))
            continue
        kind = sniff(data)
        if kind is None:
            refused.append(Refusal(name, "not a CSV, XLSX or JSON file by its content (whatever its name says)"))
            continue
        unpacked = unpacked_size(data) if kind == ".xlsx" else 0
        if unpacked > UNPACK_RATIO * max_bytes:
            refused.append(Refusal(name, f"the workbook would unpack to {unpacked / 2**20:.0f} MB, "
                                         "far above the limit (a zip bomb?); not opened"))
            continue
        stem = name.rsplit(".", 1)[0] if "." in name else name
        accepted.append(SourceFile(stem + kind if not name.lower().endswith(kind) else name, data,
                                   f"upload:{name}"))
    return accepted, refused


def stage(engine, sources: list[SourceFile], user: str):
    """Read ``sources`` by the ordinary ingest into a staged snapshot that no viewer sees, ``user``'s to
    publish or discard (an IngestResult)."""
    from .ingest import ingest_sources
    from .store import STAGED, own_staged

    result = ingest_sources(engine, sources, kind=STAGED)
    if result.published:
        own_staged(engine, result.snapshot_id, user)
    return result


def unmapped_words(report: dict) -> list[dict]:
    """The texts the tagger did not understand: unmapped sectors and technologies, and places that
    resolved nowhere (their rows were rejected), each with how often it occurs."""
    words = [{"kind": kind, "text": text, "count": n}
             for kind in ("sector", "technology") for text, n in report.get("unmapped", {}).get(kind, {}).items()]
    places: dict[tuple[str, str], int] = {}
    for r in report.get("rejections", []):
        if r.get("field") in ("province", "city") and r.get("value"):
            key = (r["field"], r["value"])
            places[key] = places.get(key, 0) + 1
    words += [{"kind": kind, "text": text, "count": n} for (kind, text), n in places.items()]
    return sorted(words, key=lambda w: (-w["count"], w["kind"], w["text"]))
