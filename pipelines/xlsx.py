"""A small, deterministic .xlsx writer (Office Open XML, SpreadsheetML).

The bundled sample must be byte-identical when regenerated, and it must be fast to write
hundreds of workbooks: so must the validation report of every submission of a round
(``pipelines.reports``; openpyxl took a quarter of a submission's landing, issue 13).
General-purpose writers stamp the current time into the document properties and the zip
entries; this one writes the document properties it is given, fixed zip timestamps (1980-01-01)
and the parts in a fixed order. Strings are inline strings, numbers are numbers,
``None`` is an empty cell. The files open in Excel/LibreOffice, openpyxl and calamine.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

Cell = str | int | float | None

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: the most characters a cell holds in Excel; longer text is cut, ending in "…"
MAX_CELL_CHARS = 32767
#: a carriage return as a character reference: a literal one would be read back as a line feed
_CR = {"\r": "&#13;"}


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _num(v: int | float) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinity cannot be written to a workbook")
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


#: characters XML 1.0 cannot hold, written as SpreadsheetML's ``_xHHHH_`` escapes
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: text that Excel would read as one of its ``_xHHHH_`` escapes: its underscore is escaped
_LOOKS_ESCAPED = re.compile(r"(_x[0-9A-Fa-f]{4}_)")


def _text(v: str) -> str:
    """Cell text as XML: cut at Excel's limit, CR kept, illegal characters escaped. A literal
    ``_x003D_`` stays those seven characters (Excel would show "="), as xlsxwriter wrote it."""
    v = v if len(v) <= MAX_CELL_CHARS else v[: MAX_CELL_CHARS - 1] + "…"
    v = _LOOKS_ESCAPED.sub(r"_x005F\1", v)
    v = XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", v)
    return escape(v, _CR)


def _t(v: str) -> str:
    """The ``<t>`` element of a text, keeping its leading and trailing white space."""
    space = ' xml:space="preserve"' if v != v.strip() else ""
    return f"<t{space}>{_text(v)}</t>"


class _SharedStrings:
    """The workbook's shared strings: each distinct text once, in the order first seen, and
    how many cells point to them (filled by ``_sheet_xml``)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.cells = 0

    def xml(self) -> str:
        n = len(self.index)
        out = [_HEADER, f'<sst xmlns="{_NS_MAIN}" count="{self.cells}" uniqueCount="{n}">']
        out += [f"<si>{_t(text)}</si>" for text in self.index]  # in index order
        out.append("</sst>")
        return "".join(out)


#: characters a sheet name cannot hold
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _check_sheet_names(names: list[str]) -> None:
    """Excel's rules for sheet names (it repairs, i.e. renames, a workbook breaking them)."""
    seen: set[str] = set()
    for name in names:
        if not name or len(name) > 31 or _SHEET_FORBIDDEN.search(name):
            raise ValueError(f"{name!r} is not a sheet name: 1-31 characters, none of []:*?/\\")
        if name.startswith("'") or name.endswith("'") or name.casefold() == "history":
            raise ValueError(f"{name!r} is not a sheet name Excel accepts")
        if name.casefold() in seen:
            raise ValueError(f"two sheets are named {name!r} (names ignore case)")
        seen.add(name.casefold())


@dataclass(frozen=True)
class Layout:
    """How a sheet looks: its first ``bold_rows`` rows in bold, its first ``frozen_rows`` rows
    frozen, and column widths as (first column, last column, width), columns from 0."""

    bold_rows: int = 0
    frozen_rows: int = 0
    widths: tuple[tuple[int, int, float], ...] = field(default_factory=tuple)


def _sheet_xml(
    rows: Sequence[Sequence[Cell]],
    layout: Layout | None = None,
    shared: _SharedStrings | None = None,
) -> str:
    """A worksheet; text as inline strings, or as indexes into ``shared`` (filled here)."""
    layout = layout or Layout()
    out = [_HEADER, f'<worksheet xmlns="{_NS_MAIN}">']
    if layout.frozen_rows:
        n = layout.frozen_rows
        out.append(
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{n}" topLeftCell="A{n + 1}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="A{n + 1}" sqref="A{n + 1}"/>'
            "</sheetView></sheetViews>"
        )
    if layout.widths:
        out.append("<cols>")
        for first, last, width in layout.widths:
            out.append(f'<col min="{first + 1}" max="{last + 1}" width="{width}" customWidth="1"/>')
        out.append("</cols>")
    out.append("<sheetData>")
    # hot loop (a release workbook has about 400,000 cells): column letters computed once,
    # the shared-string index looked up inline
    letters = [_col(c) for c in range(max((len(row) for row in rows), default=0))]
    index = shared.index if shared is not None else None
    n_shared = 0
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        style = ' s="1"' if r <= layout.bold_rows else ""
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                # text is text whatever it holds ("=..." never becomes a formula)
                if index is not None:
                    i = index.get(v)
                    if i is None:
                        i = index[v] = len(index)
                    n_shared += 1
                    out.append(f'<c r="{letters[c]}{r}"{style} t="s"><v>{i}</v></c>')
                else:
                    out.append(f'<c r="{letters[c]}{r}"{style} t="inlineStr"><is>{_t(v)}</is></c>')
            else:
                out.append(f'<c r="{letters[c]}{r}"{style}><v>{_num(v)}</v></c>')
        out.append("</row>")
    if shared is not None:
        shared.cells += n_shared
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook_bytes(
    sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]],
    *,
    created: dt.datetime,
    creator: str = "Floorboard sample generator",
    title: str = "",
    description: str = "",
    layouts: Sequence[Layout | None] | None = None,
    shared_strings: bool = False,
) -> bytes:
    """The bytes of an .xlsx workbook with the given sheets (name, rows incl. header).
    ``layouts``: per sheet, bold and frozen rows and column widths. ``shared_strings``: each
    distinct text written once and pointed to by its cells (smaller when texts repeat)."""
    n = len(sheets)
    _check_sheet_names([name for name, _ in sheets])
    layouts = list(layouts or [None] * n)
    bold = any(layout is not None and layout.bold_rows for layout in layouts)
    shared = _SharedStrings() if shared_strings else None
    sheet_parts = [
        (f"xl/worksheets/sheet{i}.xml", _sheet_xml(rows, layout, shared))
        for i, ((_, rows), layout) in enumerate(zip(sheets, layouts, strict=True), start=1)
    ]
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    content_types = (
        _HEADER
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" '
        + 'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + '<Override PartName="/xl/workbook.xml" ContentType="application/'
        + 'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        + '<Override PartName="/xl/styles.xml" ContentType="application/'
        + 'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else ""
        )
        + '<Override PartName="/docProps/core.xml" '
        + 'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        + '<Override PartName="/docProps/app.xml" ContentType="application/'
        + 'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        + "</Types>"
    )
    root_rels = (
        _HEADER
        + f'<Relationships xmlns="{_NS_PKG_REL}">'
        + f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        + 'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        + f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" '
        + 'Target="docProps/app.xml"/>'
        + "</Relationships>"
    )
    workbook = (
        _HEADER
        + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        _HEADER
        + f'<Relationships xmlns="{_NS_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        + (
            f'<Relationship Id="rId{n + 2}" Type="{_NS_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            if shared is not None
            else ""
        )
        + "</Relationships>"
    )
    styles = (
        _HEADER
        + f'<styleSheet xmlns="{_NS_MAIN}">'
        + (
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            if bold
            else '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        )
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        + '<fill><patternFill patternType="gray125"/></fill></fills>'
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        + "</cellStyleXfs>"
        + (
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            if bold
            else '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        )
        + "</cellXfs>"
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        + "</styleSheet>"
    )
    core = (
        _HEADER
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        + 'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        + 'xmlns:dcterms="http://purl.org/dc/terms/" '
        + 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + f"<dc:title>{_text(title)}</dc:title>"
        + (f"<dc:description>{_text(description)}</dc:description>" if description else "")
        + f"<dc:creator>{escape(creator)}</dc:creator>"
        + f"<cp:lastModifiedBy>{escape(creator)}</cp:lastModifiedBy>"
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        + "</cp:coreProperties>"
    )
    app = (
        _HEADER
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        + f'extended-properties"><Application>{escape(creator)}</Application>'
        + "</Properties>"
    )
    parts: list[tuple[str, str]] = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", styles),
    ]
    parts += sheet_parts
    if shared is not None:
        parts.append(("xl/sharedStrings.xml", shared.xml()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            zf.writestr(info, text.encode("utf-8"), compresslevel=6)
    return buf.getvalue()


def write_workbook(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]],
    *,
    created: dt.datetime,
    title: str = "",
    creator: str = "Floorboard sample generator",
    **options: object,
) -> None:
    """Write ``workbook_bytes`` (its options as keywords) to ``path``."""
    path.write_bytes(
        workbook_bytes(sheets, created=created, title=title, creator=creator, **options)  # type: ignore[arg-type]
    )
