"""Validation reports: one Markdown file and one Excel workbook per submission (or file).

``warehouse/reports/validation/<key>.md`` lists every problem found in a file with its sheet,
row, column, value and a sentence a focal point understands — the file a data engineer sends
back to the country. ``<key>.xlsx`` holds the same problems, one row each, for focal points who
work in Excel; every cell is written as a value (text or number), never a formula, whatever the
submitted text was. It is written each time a file is landed (re-landing the same bytes leaves
it as it is, and rewrites it if it was deleted).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import polars as pl

from pipelines import landing, paths, xlsx

MAX_VALUE_CHARS = 80


def report_dir() -> Path:
    return paths.warehouse_dir() / "reports" / "validation"


def report_path(key: str) -> Path:
    return report_dir() / f"{key.replace('/', '_')}.md"


def read_quarantine(key: str, tables: list[str]) -> pl.DataFrame:
    """Every quarantine record landed for ``key`` in ``tables`` (empty frame with the columns
    when there is none)."""
    frames = []
    for table in tables:
        path = paths.quarantine_dir() / table / f"{key}.parquet"
        if path.exists():
            frames.append(pl.read_parquet(path))
    if not frames:
        return pl.DataFrame(schema=landing.quarantine_schema())
    return pl.concat(frames, how="vertical_relaxed")


#: characters with a meaning in Markdown (or HTML inside it), escaped with a backslash
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~&#!])")
#: a ``_`` followed by a letter or digit can never close emphasis (CommonMark flanking rules),
#: so only the others are escaped: ``scheme_id`` and ``_T`` stay readable, ``_x_`` is no emphasis
_MD_UNDERSCORE = re.compile(r"_(?![^\W_])")
_CONTROLS = {"\r": "r", "\n": "n", "\t": "t"}


def _control(ch: str) -> str:
    r"""A control character as visible text: an escaped backslash (renders as ``\``) + code."""
    if ord(ch) < 32 or ord(ch) == 127 or ch in "\u0085\u2028\u2029":
        return "\\\\" + _CONTROLS.get(ch, f"x{ord(ch):02x}")
    return ch


def cell(value: object, limit: int | None = None) -> str:
    """Text as one Markdown table cell that shows exactly what was received: Markdown and HTML
    characters are escaped, line breaks and other control characters are shown as ``\n``,
    ``\x01``... (never a new row, a link, emphasis or markup)."""
    if value is None:
        return ""
    text = str(value)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    return "".join(_control(ch) for ch in text)


def _code(text: str) -> str:
    """A file name as a code span, or escaped text when it holds a backtick or a control."""
    if "`" in text or any(_control(ch) != ch for ch in text):
        return cell(text)
    return f"`{text}`"


def _totals(receipt: pl.DataFrame) -> tuple[int, int, int]:
    """Rows received, loaded and rejected over every table of a receipt."""
    if not receipt.height:
        return 0, 0, 0
    return tuple(
        int(receipt[c].sum()) for c in ("rows_received", "rows_loaded", "rows_quarantined")
    )


def render(
    title: str,
    source_file: str,
    receipt: pl.DataFrame,
    quarantine: pl.DataFrame,
    sheet_of: dict[str, str] | None = None,
    sections: list[str] | None = None,
) -> str:
    """The report as Markdown. ``sheet_of`` maps a table name to the sheet/file a person sees;
    ``sections`` are Markdown lines about the loaded data, shown after the rows per sheet."""
    sheet_of = sheet_of or {}
    sha = receipt["source_sha256"][0] if receipt.height else ""
    loaded_at = receipt["loaded_at"][0] if receipt.height else None
    received, loaded, rejected = _totals(receipt)
    errors = [e for e in receipt["file_error"].to_list() if e] if receipt.height else []
    lines = [
        f"# Validation report: {title}",
        "",
        f"- File: {_code(source_file)}",
        f"- sha256: `{sha}`",
        f"- Checked at: {loaded_at:%Y-%m-%d %H:%M} UTC" if loaded_at else "- Checked at: -",
        f"- Outcome: **{landing.receipt_status(receipt)}**",
        f"- Rows received: {received}; loaded: {loaded}; rejected: {rejected}",
        f"- Problems found: {quarantine.height}",
        "",
    ]
    if errors:
        head = (
            "**The file could not be read, so none of its rows were loaded.**"
            if not loaded
            else "**The file was refused. The rows counted below were landed earlier and are "
            "kept.**"
        )
        lines += [head, "", *[f"> {cell(e)}" for e in dict.fromkeys(errors)], ""]
    if receipt.height:
        lines += ["## Rows per sheet", "", "| sheet | received | loaded | rejected |"]
        lines += ["| --- | ---: | ---: | ---: |"]
        for r in receipt.iter_rows(named=True):
            sheet = sheet_of.get(r["table_name"], r["table_name"])
            lines.append(
                f"| {cell(sheet)} | {r['rows_received']} | {r['rows_loaded']} "
                f"| {r['rows_quarantined']} |"
            )
        lines.append("")
    lines += sections or []
    if quarantine.is_empty():
        lines += ["No problems found: every row was loaded.", ""]
        return "\n".join(lines)
    lines += [
        "## Problems",
        "",
        "Row numbers are the row of the sheet (the header is row 1). Please correct these rows "
        "and send the whole file again: the corrected file replaces this one.",
        "",
        "| sheet | row | column | value | problem | check |",
        "| --- | ---: | --- | --- | --- | --- |",
    ]
    for r in _ordered(quarantine, sheet_of).iter_rows(named=True):
        sheet = sheet_of.get(r["table_name"], r["table_name"])
        row = "" if r["row_number"] is None else str(r["row_number"])
        lines.append(
            f"| {cell(sheet)} | {row} | {cell(r['column_name'])} "
            f"| {cell(r['value'], MAX_VALUE_CHARS)} "
            f"| {cell(r['reason'])} | {cell(r['check_name'])} |"
        )
    lines.append("")
    return "\n".join(lines)


def xlsx_path(key: str) -> Path:
    return report_path(key).with_suffix(".xlsx")


def write_reports(
    key: str,
    title: str,
    source_file: str,
    receipt: pl.DataFrame,
    quarantine: pl.DataFrame,
    sheet_of: dict[str, str] | None = None,
    sections: list[str] | None = None,
) -> Path:
    """Write the Markdown report and its Excel twin; returns the Markdown's path."""
    write_workbook(key, title, source_file, receipt, quarantine, sheet_of)
    return write_report(key, render(title, source_file, receipt, quarantine, sheet_of, sections))


def _text(value: object) -> str | None:
    # characters XML cannot hold are shown as \x01... like in the Markdown report
    if value is None:
        return None
    return xlsx.XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(value))


def write_workbook(
    key: str,
    title: str,
    source_file: str,
    receipt: pl.DataFrame,
    quarantine: pl.DataFrame,
    sheet_of: dict[str, str] | None = None,
) -> Path:
    """``<key>.xlsx``: sheets *Summary*, *Rows per sheet* and *Problems* (sheet, row, column,
    value, problem, check; one row per problem, in the Markdown's order). Text cells are typed
    as text explicitly: a submitted ``=HYPERLINK(…)`` shows as the text it was, never runs."""
    sheet_of = sheet_of or {}

    def row(values: list[object]) -> list[xlsx.Cell]:
        # text is written as text (inline strings): a submitted "=HYPERLINK(…)" never runs
        return [
            v if isinstance(v, int | float) and not isinstance(v, bool) else _text(v)
            for v in values
        ]

    received, loaded, rejected = _totals(receipt)
    loaded_at = receipt["loaded_at"][0] if receipt.height else None
    summary = [
        row(["Validation report", title]),
        row(["File", source_file]),
        row(["sha256", receipt["source_sha256"][0] if receipt.height else ""]),
        row(["Checked at (UTC)", f"{loaded_at:%Y-%m-%d %H:%M}" if loaded_at else "-"]),
        row(["Outcome", landing.receipt_status(receipt)]),
        row(["Rows received", received]),
        row(["Rows loaded", loaded]),
        row(["Rows rejected", rejected]),
        row(["Problems found", quarantine.height]),
    ]
    for error in dict.fromkeys(e for e in receipt["file_error"].to_list() if e):
        summary.append(row(["File refused", error]))
    per_sheet = [row(["sheet", "received", "loaded", "rejected"])]
    for r in receipt.iter_rows(named=True):
        sheet = sheet_of.get(r["table_name"], r["table_name"])
        per_sheet.append(row([sheet, r["rows_received"], r["rows_loaded"], r["rows_quarantined"]]))
    problems = [row(["sheet", "row", "column", "value", "problem", "check"])]
    for r in _ordered(quarantine, sheet_of).iter_rows(named=True):
        problems.append(
            row(
                [
                    sheet_of.get(r["table_name"], r["table_name"]),
                    r["row_number"],
                    r["column_name"],
                    r["value"],
                    r["reason"],
                    r["check_name"],
                ]
            )
        )
    target = xlsx_path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    xlsx.write_workbook(
        tmp,
        [("Summary", summary), ("Rows per sheet", per_sheet), ("Problems", problems)],
        created=(loaded_at or dt.datetime(1980, 1, 1)).replace(tzinfo=None),
        title=f"Validation report: {_text(title)}",
        creator="Floorboard",
    )
    os.replace(tmp, target)
    return target


def _ordered(quarantine: pl.DataFrame, sheet_of: dict[str, str]) -> pl.DataFrame:
    """Problems in the order of the sheets, then rows, then columns."""
    return quarantine.with_columns(
        pl.col("table_name")
        .replace_strict(
            {t: i for i, t in enumerate(sheet_of)}, default=len(sheet_of), return_dtype=pl.Int64
        )
        .alias("_order")
    ).sort(["_order", "row_number", "column_name"], nulls_last=False, maintain_order=True)


def write_report(key: str, text: str) -> Path:
    target = report_path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target
