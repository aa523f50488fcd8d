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

import defusedxml.ElementTree as SafeET
import fastexcel
import polars as pl
from defusedxml import DefusedXmlException

from pipelines import dropzone

#: sheet -> {Excel row number: [(zero-based column index, formula text)]}
Formulas = dict[str, dict[int, list[tuple[int, str]]]]
#: sheet -> (Excel row, zero-based column) of its first cell holding a value
Origins = dict[str, tuple[int, int]]
#: a zip member may expand to at most this many times its compressed size (xlsx XML compresses
#: 5-30 times; zip bombs by thousands), checked on members declaring more than 1 MiB
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 2000
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
    e = dropzone.entry(path)
    if not e.regular:
        raise UnreadableFile(dropzone.not_regular_reason(e))
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError as exc:
        raise UnreadableFile(f"{path.name} lies outside {root.name}/") from exc


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file (links, FIFOs and devices are refused, never opened)."""
    try:
        fh = dropzone.open_regular(path)
    except dropzone.NotRegularFile as exc:
        raise UnreadableFile(dropzone.not_regular_reason(dropzone.entry(path))) from exc
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{path.name} disappeared before it could be read") from exc
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise UnreadableFile(f"{path.name} is empty (0 bytes)")
        limit = max_file_bytes()
        if size > limit:
            raise UnreadableFile(
                f"{path.name} is {size / 1048576:.1f} MiB, over the limit of "
                f"{limit / 1048576:.0f} MiB"
            )
        return fh.read(limit + 1)


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
    workbook = SafeET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    out = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_DOC_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name", "")] = posixpath.normpath(member)
    return out


def workbook_formulas(zf: zipfile.ZipFile) -> Formulas:
    """Cells that hold a formula (``<f>`` element), per sheet."""
    return workbook_cells(zf)[0]


def workbook_cells(zf: zipfile.ZipFile) -> tuple[Formulas, Origins]:
    """Cells that hold a formula (``<f>`` element), and the first cell holding a value, per sheet.

    calamine (fastexcel) returns the value a formula last showed, never the formula itself, so
    formulas are found in the worksheet XML. It also starts a sheet at its first non-empty row
    and column, so a header below row 1 (or right of column A) is found here, to be reported.
    XML is parsed with defusedxml and a DOCTYPE is refused.
    """
    found: Formulas = {}
    origins: Origins = {}
    names = set(zf.namelist())
    for sheet, member in _sheet_parts(zf).items():
        if member not in names:
            continue
        data = zf.read(member)
        has_formula = bool(_FORMULA_TAG.search(data))
        cells: dict[int, list[tuple[int, str]]] = {}
        first: tuple[int, int] | None = None
        for _, elem in SafeET.iterparse(io.BytesIO(data), forbid_dtd=True):
            if elem.tag != f"{_NS_MAIN}c":
                continue
            m = _CELL_REF.match(elem.get("r", ""))
            if m:
                row, col = int(m.group(2)), _column_index(m.group(1))
                value = elem.find(f"{_NS_MAIN}v")
                inline = elem.find(f"{_NS_MAIN}is")
                if (value is not None and value.text) or inline is not None:
                    first = (
                        (row, col) if first is None else (min(first[0], row), min(first[1], col))
                    )
                formula = elem.find(f"{_NS_MAIN}f") if has_formula else None
                if formula is not None:
                    cells.setdefault(row, []).append((col, (formula.text or "").strip()))
            elem.clear()
        if cells:
            found[sheet] = cells
        if first is not None:
            origins[sheet] = first
    return found, origins


def _check_zip(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook by what its central directory declares, before inflating anything:
    parts pointing outside, too many parts, too large a total, too high a compression ratio."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnreadableFile(
            f"{name} is refused: it holds {len(infos)} parts (a workbook has tens)"
        )
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        if info.filename.startswith("/") or ".." in parts:
            raise UnreadableFile(
                f"{name} is refused: it holds a part named {info.filename!r} that "
                "points outside the workbook"
            )
        if info.file_size > (1 << 20) and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise UnreadableFile(
                f"{name} is refused: its part {info.filename!r} declares "
                f"{info.file_size} bytes from {info.compress_size} compressed "
                f"(more than {MAX_ZIP_RATIO} times): it looks like a zip bomb"
            )
    total = sum(i.file_size for i in infos)
    if total > 20 * max_file_bytes():
        raise UnreadableFile(f"{name} expands to {total} bytes: refused")


def read_workbook(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet of an .xlsx workbook as text columns (cached values, never formulas)."""
    return read_workbook_with_formulas(path)[0]


def read_workbook_with_formulas(path: Path) -> tuple[dict[str, pl.DataFrame], Formulas]:
    """Every sheet of an .xlsx workbook as text columns, and the cells holding formulas."""
    sheets, formulas, _ = read_workbook_layout(path)
    return sheets, formulas


def read_workbook_layout(path: Path) -> tuple[dict[str, pl.DataFrame], Formulas, Origins]:
    """Every sheet of an .xlsx workbook as text columns, the cells holding formulas, and where
    each sheet's first value sits (its header, normally row 1, column A)."""
    data = read_bytes(path)
    if not data.startswith(b"PK\x03\x04"):
        hint = " (it looks like CSV text renamed to .xlsx)" if b"," in data[:512] else ""
        raise UnreadableFile(f"{path.name} is not an .xlsx workbook{hint}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_zip(zf, path.name)  # the central directory only: nothing inflated yet
            if zf.testzip() is not None:
                raise UnreadableFile(f"{path.name} is a damaged workbook (bad zip member)")
            for info in zf.infolist():
                xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
                if xml and b"<!doctype" in zf.read(info.filename)[:4096].lower():
                    raise UnreadableFile(
                        f"{path.name} is refused: its part {info.filename!r} declares a "
                        "DOCTYPE, which a workbook never needs; save it again from Excel"
                    )
            formulas, origins = workbook_cells(zf)
        reader = fastexcel.read_excel(data)
        sheets = {}
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, dtypes="string", eager=True)
            frame = pl.from_arrow(sheet)
            assert isinstance(frame, pl.DataFrame)
            sheets[name] = frame.cast(pl.String)
        return sheets, formulas, origins
    except UnreadableFile:
        raise
    except DefusedXmlException as exc:
        raise UnreadableFile(
            f"{path.name} is refused: its XML declares a DOCTYPE or entities ({exc})"
        ) from exc
    except Exception as exc:  # zipfile/fastexcel/XML raise many types for damaged files
        raise UnreadableFile(f"{path.name} is a damaged or unsupported workbook: {exc}") from exc
