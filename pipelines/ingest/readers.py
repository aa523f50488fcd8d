"""Read raw files defensively: every failure becomes an ``UnreadableFile`` with a plain reason.

Raw files are hostile until proven otherwise: names are checked before use, sizes are capped,
text must be UTF-8 (a byte-order mark is accepted and dropped), and a workbook must really be a
workbook. Cells are read as text; typing happens in validation, so nothing is silently coerced.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import polars as pl

#: sheet -> {Excel row number: [(zero-based column index, formula text)]}
Formulas = dict[str, dict[int, list[tuple[int, str]]]]
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(Exception):  # noqa: N818 - reads as a sentence in error messages
    """A file that cannot be read at all; ``reason`` says why in plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def max_file_bytes() -> int:
    return int(float(os.environ.get("FLOORBOARD_MAX_FILE_MB", "25")) * 1024 * 1024)


def check_name(path: Path, root: Path) -> None:
    """Reject names that could escape ``root`` or confuse tools (``..``, separators, controls)."""
    if not SAFE_NAME.match(path.name) or ".." in path.name:
        raise UnreadableFile(
            f"file name {path.name!r} is not allowed: use letters, digits, '_', '-' and '.' only"
        )
    if path.is_symlink():
        raise UnreadableFile(f"{path.name} is a symbolic link; copy the file itself")
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError as exc:
        raise UnreadableFile(f"{path.name} lies outside {root.name}/") from exc


def read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"{path.name} is empty (0 bytes)")
    limit = max_file_bytes()
    if size > limit:
        raise UnreadableFile(
            f"{path.name} is {size / 1048576:.1f} MiB, over the limit of {limit / 1048576:.0f} MiB"
        )
    return path.read_bytes()


def decode_text(data: bytes, name: str) -> str:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save it as 'CSV UTF-8'"
        ) from exc


def read_csv(path: Path) -> pl.DataFrame:
    """A CSV file as text columns."""
    text = decode_text(read_bytes(path), path.name)
    if not text.strip():
        raise UnreadableFile(f"{path.name} holds no data")
    if "\x00" in text:
        raise UnreadableFile(f"{path.name} contains NUL bytes: it is not a text file")
    try:
        return pl.read_csv(
            io.StringIO(text), infer_schema=False, truncate_ragged_lines=False, raise_if_empty=True
        )
    except Exception as exc:  # polars raises several error types for malformed CSV
        raise UnreadableFile(f"{path.name} is not a readable CSV table: {exc}") from exc


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letter(index: int) -> str:
    """Zero-based column index -> spreadsheet letters (0 -> A)."""
    name, i = "", index + 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet XML."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    out = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_DOC_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name", "")] = posixpath.normpath(member)
    return out


def workbook_formulas(zf: zipfile.ZipFile) -> Formulas:
    """Cells that hold a formula (``<f>`` element), per sheet.

    calamine (fastexcel) returns the value a formula last showed, never the formula itself, so
    formulas are found in the worksheet XML. Sheets without any ``<f`` tag are not parsed.
    """
    found: Formulas = {}
    names = set(zf.namelist())
    for sheet, member in _sheet_parts(zf).items():
        if member not in names:
            continue
        data = zf.read(member)
        if not _FORMULA_TAG.search(data):
            continue
        cells: dict[int, list[tuple[int, str]]] = {}
        for _, elem in ElementTree.iterparse(io.BytesIO(data)):
            if elem.tag != f"{_NS_MAIN}c":
                continue
            formula = elem.find(f"{_NS_MAIN}f")
            if formula is not None:
                m = _CELL_REF.match(elem.get("r", ""))
                if m:
                    row, col = int(m.group(2)), _column_index(m.group(1))
                    cells.setdefault(row, []).append((col, (formula.text or "").strip()))
            elem.clear()
        if cells:
            found[sheet] = cells
    return found


def read_workbook(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet of an .xlsx workbook as text columns (cached values, never formulas)."""
    return read_workbook_with_formulas(path)[0]


def read_workbook_with_formulas(path: Path) -> tuple[dict[str, pl.DataFrame], Formulas]:
    """Every sheet of an .xlsx workbook as text columns, and the cells holding formulas."""
    data = read_bytes(path)
    if not data.startswith(b"PK\x03\x04"):
        hint = " (it looks like CSV text renamed to .xlsx)" if b"," in data[:512] else ""
        raise UnreadableFile(f"{path.name} is not an .xlsx workbook{hint}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:
                raise UnreadableFile(f"{path.name} is a damaged workbook (bad zip member)")
            for info in zf.infolist():
                parts = info.filename.replace("\\", "/").split("/")
                if info.filename.startswith("/") or ".." in parts:
                    raise UnreadableFile(
                        f"{path.name} is refused: it holds a part named {info.filename!r} that "
                        "points outside the workbook"
                    )
            total = sum(i.file_size for i in zf.infolist())
            if total > 20 * max_file_bytes():
                raise UnreadableFile(f"{path.name} expands to {total} bytes: refused")
            formulas = workbook_formulas(zf)
        reader = fastexcel.read_excel(data)
        sheets = {}
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, dtypes="string", eager=True)
            frame = pl.from_arrow(sheet)
            assert isinstance(frame, pl.DataFrame)
            sheets[name] = frame.cast(pl.String)
        return sheets, formulas
    except UnreadableFile:
        raise
    except Exception as exc:  # zipfile/fastexcel/XML raise many types for damaged files
        raise UnreadableFile(f"{path.name} is a damaged or unsupported workbook: {exc}") from exc
