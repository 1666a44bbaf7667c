"""Chinese in exported PDFs reads back as the characters that were drawn.

Noto Sans CJK draws a radical and its ideograph with one glyph (⼭ U+2F2D and 山 U+5C71, ⻓ U+2ED3 and
长 U+957F). Chromium's PDF writer names each glyph by one of the code points that map to it, and often
picks the radical, so copying or searching "山东" in an exported PDF found "⼭东". This rewrites the PDF's
ToUnicode maps: a radical is replaced by the ideograph that shares its glyph in the font (read from the
font's own cmap), or by its NFKC form where the font is not there.
"""
from __future__ import annotations

import io
import re
import struct
import unicodedata
from functools import cache
from pathlib import Path

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"  # the face exports ask for (exports.render.EXPORT_FONT_FAMILY)
RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement and Kangxi Radicals
IDEOGRAPHS = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000))  # Extension A, then the common block


def _tables(data: bytes, offset: int) -> dict[bytes, tuple[int, int]]:
    count = struct.unpack_from(">H", data, offset + 4)[0]
    return {data[r:r + 4]: struct.unpack_from(">II", data, r + 8)
            for r in range(offset + 12, offset + 12 + 16 * count, 16)}


def _names(data: bytes, start: int) -> set[str]:
    _, count, strings = struct.unpack_from(">HHH", data, start)
    names = set()
    for r in range(start + 6, start + 6 + 12 * count, 12):
        platform, _, _, name_id, length, at = struct.unpack_from(">HHHHHH", data, r)
        if platform == 3 and name_id in (1, 4):
            names.add(data[start + strings + at:start + strings + at + length].decode("utf-16-be", "replace"))
    return names


def _cmap(data: bytes, start: int, wanted) -> dict[int, int]:
    """Code point -> glyph id for the code points ``wanted`` says yes to (format 12 subtable)."""
    count = struct.unpack_from(">H", data, start + 2)[0]
    for r in range(start + 4, start + 4 + 8 * count, 8):
        platform, encoding, at = struct.unpack_from(">HHI", data, r)
        sub = start + at
        if platform == 3 and encoding == 10 and struct.unpack_from(">H", data, sub)[0] == 12:
            groups = struct.unpack_from(">I", data, sub + 12)[0]
            out = {}
            for g in range(sub + 16, sub + 16 + 12 * groups, 12):
                first, last, glyph = struct.unpack_from(">III", data, g)
                for cp in range(first, last + 1):
                    if wanted(cp):
                        out[cp] = glyph + cp - first
            return out
    return {}


def _in(cp: int, ranges) -> bool:
    return any(cp in r for r in ranges)


@cache
def radical_equivalents(font: Path = FONT, face: str = FACE) -> dict[int, int]:
    """Radical (or Extension A) code point -> the common ideograph drawn with the same glyph in ``face``
    (else, for a radical, its NFKC form)."""
    table = {}
    for cp in RADICALS:
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if len(nfkc) == 1 and nfkc != chr(cp):
            table[cp] = ord(nfkc)
    try:
        data = font.read_bytes()
    except OSError:
        return table
    faces = [struct.unpack_from(">I", data, 12 + 4 * i)[0] for i in range(struct.unpack_from(">I", data, 8)[0])] \
        if data[:4] == b"ttcf" else [0]
    for offset in faces:
        tables = _tables(data, offset)
        if b"name" not in tables or b"cmap" not in tables or face not in _names(data, tables[b"name"][0]):
            continue
        cmap = _cmap(data, tables[b"cmap"][0], lambda cp: cp in RADICALS or _in(cp, IDEOGRAPHS))
        # the common ideograph of each glyph (the smallest in U+4E00–U+9FFF); a radical, or a rare
        # Extension A character drawn with the same glyph (㬵 for 胶), reads as that one
        common = {cmap[cp]: cp for cp in sorted(cmap, reverse=True) if cp in IDEOGRAPHS[1]}
        table.update({cp: common[g] for cp, g in cmap.items() if cp not in IDEOGRAPHS[1] and g in common})
        break
    return table


def _hex(cp: int) -> str:
    return f"{cp:04X}" if cp < 0x10000 else chr(cp).encode("utf-16-be").hex().upper()


def fix_cmap(text: str, table: dict[int, int]) -> str:
    """A ToUnicode CMap with every radical destination replaced by its ideograph. A range whose
    destinations cross a radical is split into one-code ranges."""
    def dest(hexcode: str) -> str:
        cp = int(hexcode, 16) if len(hexcode) <= 4 else None
        return _hex(table[cp]) if cp in table else hexcode

    def chars(m: re.Match) -> str:
        lines = re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", m.group(2))
        body = "".join(f"<{src}> <{dest(dst)}>\n" for src, dst in lines)
        return f"{len(lines)} beginbfchar\n{body}endbfchar"

    def ranges(m: re.Match) -> str:
        out = []
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", m.group(2)):
            a, b, d = int(lo, 16), int(hi, 16), int(dst, 16)
            width = len(lo)
            if len(dst) <= 4 and any(d + i in table for i in range(b - a + 1)):
                out += [f"<{a + i:0{width}X}> <{a + i:0{width}X}> <{dest(f'{d + i:04X}')}>" for i in range(b - a + 1)]
            else:
                out.append(f"<{lo}> <{hi}> <{dst}>")
        return f"{len(out)} beginbfrange\n" + "".join(line + "\n" for line in out) + "endbfrange"

    text = re.sub(r"(\d+) beginbfchar\s*(.*?)endbfchar", chars, text, flags=re.S)
    return re.sub(r"(\d+) beginbfrange\s*(.*?)endbfrange", ranges, text, flags=re.S)


def readable_cjk(pdf: bytes) -> bytes:
    """``pdf`` with its text mapped back to ideographs where it named radicals (unchanged otherwise)."""
    from pypdf import PdfReader, PdfWriter

    table = radical_equivalents()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    changed = False
    seen: set[int] = set()

    def visit(resources) -> None:
        nonlocal changed
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            stream = font.get("/ToUnicode")
            if stream is not None and id(stream.get_object()) not in seen:
                stream = stream.get_object()
                seen.add(id(stream))
                text = stream.get_data().decode("latin-1")
                fixed = fix_cmap(text, table)
                if fixed != text:
                    stream.set_data(fixed.encode("latin-1"))
                    changed = True
            visit(font.get("/Resources"))
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in writer.pages:
        visit(page.get("/Resources"))
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
