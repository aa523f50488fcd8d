"""Land single-table CSV files: national statistics, reference code lists, published indicators.

- ``raw/<source>/<table>.csv`` (national, reference) is validated against
  ``schemas.<source>.TABLES[table]`` and landed as
  ``warehouse/landing/<source>_<table>/<table>.parquet``.
- ``raw/published/<name>.csv`` (indicators already published by ILO/UN, any file name) is
  recognised by its header row (``schemas.published.LAYOUTS``) and landed as
  ``warehouse/landing/published_<layout>/<name>.parquet``; a file in no known layout has its
  rows quarantined in ``_quarantine/published_file/<name>.parquet``.

Every landed file also gets a validation report, ``warehouse/reports/validation/<key>.md``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandera.polars as pa
import polars as pl

from pipelines import dropzone, landing, paths, reports
from pipelines.ingest.readers import UnreadableFile, check_name, read_csv
from pipelines.validation import ValidationResult, problem, reject_all, validate_table
from schemas import published

PUBLISHED = "published"
#: quarantine table for published files that cannot be read or have no known layout
PUBLISHED_FILE_TABLE = "published_file"
PUBLISHED_TABLES = [f"{PUBLISHED}_{layout}" for layout in published.LAYOUTS]


def landing_table(source: str, table: str) -> str:
    return f"{source}_{table}"


def report_key(source: str, key: str) -> str:
    """The validation report name of a table file: ``<source>_<key>``."""
    return f"{source}_{key}"


def _write_report(source: str, key: str, file_name: str, receipt: pl.DataFrame, tables) -> None:
    quarantine = reports.read_quarantine(key, tables)
    reports.write_reports(
        report_key(source, key),
        f"{source}/{file_name}",
        f"raw/{source}/{file_name}",
        receipt,
        quarantine,
    )


def land_table_file(
    source: str,
    table: str,
    model: type[pa.DataFrameModel],
    root: Path | None = None,
    force: bool = False,
) -> tuple[pl.DataFrame, bool]:
    """Validate and land ``raw/<source>/<table>.csv``. Returns (receipt, changed)."""
    root = root or paths.raw_dir() / source
    path = root / f"{table}.csv"
    name = landing_table(source, table)
    if dropzone.entry(path).kind == "missing entry":
        prov = landing.Provenance(
            f"{source}/{table}", f"{source}/{path.name}", "", landing.now_utc()
        )
        res = problem(name, "missing_file", f"{source}/{path.name} was not found")
        reason = res.quarantined["reason"][0]
        receipt = landing.write_results(source, table, [res], prov, reason)
        _write_report(source, table, path.name, receipt, [name])
        return receipt, True
    sha = landing.sha256_of(path)
    if not force and landing.landed_sha(source, table) == sha:
        receipt = pl.read_parquet(landing.receipt_path(source, table))
        if not reports.report_path(report_key(source, table)).exists():
            _write_report(source, table, path.name, receipt, [name])
        return receipt, False
    prov = landing.Provenance(f"{source}/{table}", f"{source}/{path.name}", sha, landing.now_utc())
    try:
        check_name(path, root)
        raw = read_csv(path)
    except UnreadableFile as exc:
        res = problem(name, "unreadable_file", exc.reason)
        receipt = landing.write_results(source, table, [res], prov, exc.reason, stale=[name])
    else:
        res = validate_table(raw, model, name)
        receipt = landing.write_results(source, table, [res], prov, stale=[name])
    _write_report(source, table, path.name, receipt, [name])
    return receipt, True


def file_table(source: str) -> str:
    """Quarantine table of the entries of ``raw/<source>/`` that are not one of its tables."""
    return f"{source}_file"


def land_other_entries(source: str, tables) -> list[tuple[str, pl.DataFrame]]:
    """A refused receipt and a report for every entry of ``raw/<source>/`` that is not one of
    its ``<table>.csv`` files (another format, a folder, a link, a FIFO...): nothing in a drop
    zone is silently ignored. Nothing is opened. Returns (key, receipt) pairs."""
    root = paths.raw_dir() / source
    expected = {f"{t}.csv" for t in tables}
    out = []
    for e in dropzone.scan(root):
        name = e.path.name
        if name in expected and e.kind == dropzone.FILE:
            continue
        if not e.regular:
            reason = dropzone.not_regular_reason(e, f"{source}/")
        elif name in expected:
            reason = f"{source}/{name} is a folder; a file was expected"
        else:
            hint = (
                "save it as CSV UTF-8 under one of these names"
                if e.path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".ods", ".txt", ".tsv")
                else "rename it to one of these names, or move it out of the folder"
            )
            reason = (
                f"{source}/{name} is refused: raw/{source}/ holds only "
                f"{', '.join(sorted(expected))} ({hint}); it was not read"
            )
        key = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".") or "entry"
        if key != name:
            key += "-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        key = f"other.{key}"
        sha = landing.sha256_of(e.path)  # never opens anything but a regular file
        table = file_table(source)
        if landing.landed_sha(source, key) == sha:
            out.append((key, pl.read_parquet(landing.receipt_path(source, key))))
            continue
        prov = landing.Provenance(f"{source}/{key}", f"{source}/{name}", sha, landing.now_utc())
        res = problem(table, "refused", reason)
        receipt = landing.write_results(source, key, [res], prov, reason)
        _write_report(source, key, name, receipt, [table])
        out.append((key, receipt))
    return out


def discover_published(root: Path | None = None) -> list[Path]:
    """Candidate files under ``raw/published`` (hidden files and README ignored)."""
    root = root or paths.raw_dir() / PUBLISHED
    if not root.is_dir():
        return []
    # every entry but folders, classified by lstat: a link, FIFO or device gets its receipt
    # ("not a regular file") from land_published_file, without being opened
    return [e.path for e in dropzone.scan(root) if e.kind != dropzone.FOLDER]


def land_published_file(
    path: Path, root: Path | None = None, force: bool = False
) -> tuple[pl.DataFrame, bool]:
    """Validate and land one file of published indicators. Returns (receipt, changed).

    The key of the file (landing file name, receipt, report) is its stem.
    """
    root = root or path.parent
    key = path.stem
    tables = PUBLISHED_TABLES + [PUBLISHED_FILE_TABLE]
    sha = landing.sha256_of(path)
    if not force and landing.landed_sha(PUBLISHED, key) == sha:
        receipt = pl.read_parquet(landing.receipt_path(PUBLISHED, key))
        if not reports.report_path(report_key(PUBLISHED, key)).exists():
            _write_report(PUBLISHED, key, path.name, receipt, tables)
        return receipt, False
    prov = landing.Provenance(
        f"{PUBLISHED}/{key}", f"{PUBLISHED}/{path.name}", sha, landing.now_utc()
    )
    error = None
    try:
        check_name(path, root)
        if path.suffix.lower() != ".csv":
            raise UnreadableFile(f"{path.name}: published indicators are read from .csv files")
        raw = read_csv(path)
    except UnreadableFile as exc:
        res: ValidationResult = problem(PUBLISHED_FILE_TABLE, "unreadable_file", exc.reason)
        error = exc.reason
    else:
        layout = next(
            (n for n, m in published.LAYOUTS.items() if raw.columns == list(m.to_schema().columns)),
            None,
        )
        if layout is None:
            expected = "; ".join(
                f"{n}: {', '.join(m.to_schema().columns)}" for n, m in published.LAYOUTS.items()
            )
            reason = f"{path.name}: the header row matches no known layout ({expected})"
            res = reject_all(raw, PUBLISHED_FILE_TABLE, "columns", reason)
        else:
            res = validate_table(raw, published.LAYOUTS[layout], f"{PUBLISHED}_{layout}")
    receipt = landing.write_results(PUBLISHED, key, [res], prov, error, stale=tables)
    _write_report(PUBLISHED, key, path.name, receipt, tables)
    return receipt, True
