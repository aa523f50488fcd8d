"""Validation reports: one Markdown file per submission (or national/published file).

``warehouse/reports/validation/<key>.md`` lists every problem found in a file with its sheet,
row, column, value and a sentence a focal point understands — the file a data engineer sends
back to the country. It is written each time a file is landed (re-landing the same bytes leaves
it as it is, and rewrites it if it was deleted).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl

from pipelines import landing, paths

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
    received = int(receipt["rows_received"].sum()) if receipt.height else 0
    loaded = int(receipt["rows_loaded"].sum()) if receipt.height else 0
    rejected = int(receipt["rows_quarantined"].sum()) if receipt.height else 0
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
    ordered = quarantine.with_columns(
        pl.col("table_name")
        .replace_strict(
            {t: i for i, t in enumerate(sheet_of)}, default=len(sheet_of), return_dtype=pl.Int64
        )
        .alias("_order")
    ).sort(["_order", "row_number", "column_name"], nulls_last=False, maintain_order=True)
    for r in ordered.iter_rows(named=True):
        sheet = sheet_of.get(r["table_name"], r["table_name"])
        row = "" if r["row_number"] is None else str(r["row_number"])
        lines.append(
            f"| {cell(sheet)} | {row} | {cell(r['column_name'])} "
            f"| {cell(r['value'], MAX_VALUE_CHARS)} "
            f"| {cell(r['reason'])} | {cell(r['check_name'])} |"
        )
    lines.append("")
    return "\n".join(lines)


def write_report(key: str, text: str) -> Path:
    target = report_path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target
