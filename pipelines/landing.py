"""Landing zone: accepted rows and quarantined rows as Parquet, with provenance.

Layout under ``warehouse/landing/``::

    <table>/<key>.parquet               accepted rows of one file (or submission)
    _quarantine/<table>/<key>.parquet   rejected rows, one record per problem
    _receipts/<source>/<key>.parquet    one row per table: received, loaded, quarantined,
                                        file_error, quarantine_records (+ provenance)

Every landed row carries ``submission_id``, ``source_file``, ``source_sha256`` and ``loaded_at``.
Writes go to a temporary file first and are renamed into place, so a reader never sees half a
file. Re-landing the same bytes (same ``source_sha256``) under the same validation rules
(``RULES_VERSION``) is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines import dropzone, paths
from pipelines.validation import QUARANTINE_SCHEMA, ValidationResult

#: version of the validation rules and landed columns. Bump it when a check or a landed column
#: changes: every file landed under another version is then landed again (re-landing the same
#: bytes under the same rules stays a no-op). 2: SSI ``overlap_group``, age-group identities of
#: broad groups, reference years from 1990. 3: formulas behind white space, counts beyond 2**53,
#: header not in row 1, files of a folder refused one by one (issue 11).
RULES_VERSION = "3"

PROVENANCE_SCHEMA: dict[str, pl.DataType] = {
    "submission_id": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "loaded_at": pl.Datetime("us", "UTC"),
}
RECEIPT_SCHEMA: dict[str, pl.DataType] = {
    "table_name": pl.String(),
    "rows_received": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "file_error": pl.String(),
    #: quarantine records of the table (a row with several problems has several; file- and
    #: sheet-level problems such as a missing sheet have a record but reject no row)
    "quarantine_records": pl.Int64(),
}


@dataclass(frozen=True)
class Provenance:
    submission_id: str
    source_file: str
    source_sha256: str
    loaded_at: dt.datetime

    def columns(self) -> list[pl.Expr]:
        return [
            pl.lit(self.submission_id, pl.String).alias("submission_id"),
            pl.lit(self.source_file, pl.String).alias("source_file"),
            pl.lit(self.source_sha256, pl.String).alias("source_sha256"),
            pl.lit(self.loaded_at, pl.Datetime("us", "UTC")).alias("loaded_at"),
        ]


def sha256_of(path: Path) -> str:
    """sha256 of a file, or of a folder submission (sorted names and contents of its files).

    Links are never followed and only regular files are opened: a link, FIFO, device or socket
    (at the top or inside a folder) counts by its name and kind only (``pipelines.dropzone``)."""
    digest = hashlib.sha256()
    top = dropzone.entry(path)
    if not top.regular:
        digest.update(f"not a regular file\0{top.kind}\0{path.name}".encode())
        return digest.hexdigest()
    entries = dropzone.walk(path) if top.kind == dropzone.FOLDER else [top]
    for e in entries:
        if e.kind == dropzone.FOLDER:
            continue
        if top.kind == dropzone.FOLDER:
            digest.update(e.path.relative_to(path).as_posix().encode() + b"\0")
        if e.kind != dropzone.FILE:
            digest.update(f"\0not a regular file\0{e.kind}\0".encode())
            continue
        try:
            with dropzone.open_regular(e.path) as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
        except (dropzone.NotRegularFile, FileNotFoundError):
            digest.update(b"\0vanished or not a regular file\0")
    return digest.hexdigest()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _atomic_write(df: pl.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    df.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, target)


def receipt_path(source: str, key: str) -> Path:
    return paths.landing_dir() / "_receipts" / source / f"{key}.parquet"


def landed_sha(source: str, key: str) -> str | None:
    """The ``source_sha256`` already landed for this file/submission, if any.

    A file landed under other validation rules (``RULES_VERSION``) counts as not landed, so
    that it is validated and landed again with the current rules and columns."""
    path = receipt_path(source, key)
    if not path.exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    if meta.get(b"rules_version", b"").decode() != RULES_VERSION:
        return None
    value = meta.get(b"source_sha256")
    return value.decode() if value else None


def write_results(
    source: str,
    key: str,
    results: list[ValidationResult],
    prov: Provenance,
    file_error: str | None = None,
    keep: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Write accepted, quarantined and receipt files for one source file. Returns the receipt.

    ``keep``: receipt lines of an earlier landing whose rows stay landed (a refused clash)."""
    receipts = []
    for res in results:
        if res.accepted.width:
            accepted = res.accepted.with_columns(prov.columns())
            _atomic_write(accepted, paths.landing_dir() / res.table_name / f"{key}.parquet")
        quarantined = res.quarantined.with_columns(prov.columns()).select(
            list(PROVENANCE_SCHEMA) + list(QUARANTINE_SCHEMA)
        )
        _atomic_write(quarantined, paths.quarantine_dir() / res.table_name / f"{key}.parquet")
        receipts.append(
            {
                "table_name": res.table_name,
                "rows_received": res.received,
                "rows_loaded": res.accepted.height,
                "rows_quarantined": res.rows_quarantined,
                "file_error": file_error,
                "quarantine_records": res.quarantined.height,
            }
        )
    receipt = pl.DataFrame(receipts, schema=RECEIPT_SCHEMA).with_columns(prov.columns())
    if keep is not None and keep.height:
        receipt = pl.concat([keep.select(receipt.columns).cast(receipt.schema), receipt])
    # the receipt is written last: its sha256 marks the file as completely landed
    target = receipt_path(source, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    table = receipt.to_arrow()
    table = table.replace_schema_metadata(
        {"source_sha256": prov.source_sha256, "rules_version": RULES_VERSION}
    )
    pq.write_table(table, tmp)
    os.replace(tmp, target)
    return receipt


def receipt_status(receipt: pl.DataFrame) -> str:
    """What became of a file: ``refused`` (not read, or not read at all: ``file_error``),
    ``quarantined`` (some rows or sheets rejected) or ``loaded`` (every row loaded)."""
    if receipt.height == 0 or receipt["file_error"].is_not_null().any():
        return "refused"
    records = receipt["quarantine_records"].fill_null(0).sum()
    if int(receipt["rows_quarantined"].sum()) or int(records):
        return "quarantined"
    return "loaded"


def remove_stale(source: str, key: str, tables: list[str]) -> None:
    """Remove files of a key that the new version of the file no longer produces."""
    for table in tables:
        for base in (paths.landing_dir(), paths.quarantine_dir()):
            (base / table / f"{key}.parquet").unlink(missing_ok=True)


def ensure_schema_file(
    table: str, schema: dict[str, pl.DataType], quarantine: bool = False
) -> None:
    """A zero-row ``_schema.parquet`` so that readers of an empty table still get its columns."""
    base = paths.quarantine_dir() if quarantine else paths.landing_dir()
    target = base / table / "_schema.parquet"
    if target.exists() and pl.read_parquet_schema(target) == dict(schema):
        return
    # absent, or written for an older version of the format (e.g. before a column was added)
    _atomic_write(pl.DataFrame(schema=schema), target)


def quarantine_schema() -> dict[str, pl.DataType]:
    return {**PROVENANCE_SCHEMA, **QUARANTINE_SCHEMA}
