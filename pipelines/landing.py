"""Landing zone: accepted rows and quarantined rows as Parquet, with provenance.

Layout under ``warehouse/landing/``::

    <table>/<key>.parquet               accepted rows of one file (or submission)
    _quarantine/<table>/<key>.parquet   rejected rows, one record per problem
    _receipts/<source>/<key>.parquet    one row per table: received, loaded, quarantined,
                                        file_error, quarantine_records (+ provenance)

Every landed row carries ``submission_id``, ``source_file``, ``source_sha256`` and ``loaded_at``.
The files of one source file (tables, quarantine, receipt) are written under temporary names and
swapped in together, journalled (``swap``): a reader never sees half a file or half a landing,
whenever the process dies. Re-landing the same bytes (same ``source_sha256``) under the same
validation rules (``RULES_VERSION``) is a no-op.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines import dropzone, faults, fsutil, locks, paths
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

    @cached_property
    def _columns(self) -> list[pl.Expr]:
        return [
            pl.lit(self.submission_id, pl.String).alias("submission_id"),
            pl.lit(self.source_file, pl.String).alias("source_file"),
            pl.lit(self.source_sha256, pl.String).alias("source_sha256"),
            pl.lit(self.loaded_at, pl.Datetime("us", "UTC")).alias("loaded_at"),
        ]

    def columns(self) -> list[pl.Expr]:
        """The provenance columns, made once per file: a landing adds them to every table of
        the file, and building the literals again each time was 9 % of a cold run's landing."""
        return self._columns


def quarantine_files(results: list[ValidationResult], prov: Provenance) -> dict[str, pl.DataFrame]:
    """Table -> what ``write_results`` lands as that table's quarantine file: the records with
    their provenance, the last result of a table with records winning; no file for a table
    without records (most have none). A report made right after a landing reads them from
    here, not from disk."""
    return {
        res.table_name: res.quarantined.with_columns(prov.columns()).select(
            list(PROVENANCE_SCHEMA) + list(QUARANTINE_SCHEMA)
        )
        for res in results
        if res.quarantined.height
    }


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
    tmp = _write_tmp(target, lambda t: df.write_parquet(t, compression="zstd", statistics=True))
    os.replace(tmp, target)


def receipt_path(source: str, key: str) -> Path:
    return paths.landing_dir() / "_receipts" / source / f"{key}.parquet"


def landed_metadata(source: str, key: str) -> dict[str, str]:
    """The metadata of the receipt already landed for this file/submission (``source_sha256``
    and what the source wrote beside it); empty when there is none.

    A file landed under other validation rules (``RULES_VERSION``) counts as not landed, so
    that it is validated and landed again with the current rules and columns."""
    path = receipt_path(source, key)
    if not path.exists():
        return {}
    raw = pq.read_schema(path).metadata or {}
    meta = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}
    return meta if meta.get("rules_version") == RULES_VERSION else {}


def landed_sha(source: str, key: str) -> str | None:
    """The ``source_sha256`` already landed for this file/submission, if any."""
    return landed_metadata(source, key).get("source_sha256") or None


def write_results(
    source: str,
    key: str,
    results: list[ValidationResult],
    prov: Provenance,
    file_error: str | None = None,
    keep: pl.DataFrame | None = None,
    stale: Iterable[str] = (),
) -> pl.DataFrame:
    """Land one source file (or submission): accepted, quarantined and receipt files, swapped
    in together (``swap``). Returns the receipt.

    ``stale``: tables whose files of this key are removed in the same swap unless this version
    writes them again (a table the new version of the file no longer produces).
    ``keep``: receipt lines of an earlier landing whose rows stay landed (a refused clash)."""
    receipts = []
    files: dict[Path, pl.DataFrame] = {}
    quarantined = quarantine_files(results, prov)
    for res in results:
        if res.accepted.width:
            accepted = res.accepted.with_columns(prov.columns())
            files[paths.landing_dir() / res.table_name / f"{key}.parquet"] = accepted
        if res.table_name in quarantined:
            target = paths.quarantine_dir() / res.table_name / f"{key}.parquet"
            files[target] = quarantined[res.table_name]
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
    removes = [
        base / table / f"{key}.parquet"
        for table in stale
        for base in (paths.landing_dir(), paths.quarantine_dir())
    ]
    # a table whose quarantine is empty now loses its old quarantine file (it was overwritten by
    # an empty one before; most files have no quarantined row, and every file costs a write)
    removes += [paths.quarantine_dir() / r.table_name / f"{key}.parquet" for r in results]
    table = receipt.to_arrow().replace_schema_metadata(
        {"source_sha256": prov.source_sha256, "rules_version": RULES_VERSION}
    )
    writes = [(target, _parquet_writer(df)) for target, df in files.items()]
    writes.append((receipt_path(source, key), lambda t: pq.write_table(table, t)))
    swap(writes, [r for r in removes if r not in files])
    return receipt


# --- one atomic swap per landed file ------------------------------------------------------------
#
# A file's new landing (its tables, its quarantine, its receipt) replaces the old one as a whole
# or not at all, whatever happens to the process:
#   1. every new file is written under a temporary name and flushed to disk (the old landing is
#      intact);
#   2. under the exclusive landing lock, a journal listing the renames and removals is written
#      (atomically) — from then on the swap is decided;
#   3. the renames and removals are done, the receipt last (its sha256 marks the file landed),
#      then the journal is removed.
# A process killed during 3. leaves its journal: ``recover()`` (at the start of every landing and
# before every dbt build) completes it, so a reader never sees half of a swap. The dbt build
# holds the landing lock shared (``reading()``): a swap never happens under a running build.

JOURNAL_DIR = "_journal"
LOCK_NAME = ".landing.lock"


#: the writer's pid in a temporary file's name (``_tmp_name``)
TMP_OWNER = re.compile(r"\.(\d+)\.[0-9a-f]{8}\.tmp$")


def _tmp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _write_tmp(target: Path, write, durable: bool = True) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(target)
    write(tmp)
    if durable:
        fsutil.fsync_path(tmp)
    return tmp


@contextlib.contextmanager
def _lock(mode: int) -> Iterator[None]:
    root = paths.landing_dir()
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, mode)  # freed by the kernel if the holder dies
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Hold while reading the landing as a whole (the dbt build): no swap happens meanwhile,
    and a swap left half done by a dead process is completed first."""
    recover()
    with _lock(fcntl.LOCK_SH):
        yield


def _apply(journal: dict) -> None:
    renames = journal["renames"]
    for i, (tmp, target) in enumerate(renames):
        if i == len(renames) // 2:
            faults.point("landing.mid_swap")
        if i == len(renames) - 1:
            faults.point("landing.before_receipt")  # the last rename is the receipt's
        if os.path.lexists(tmp):
            os.replace(tmp, target)
        elif not os.path.lexists(target):
            raise FileNotFoundError(f"landing swap: neither {tmp} nor {target} exists")
    for gone in journal["removes"]:
        Path(gone).unlink(missing_ok=True)
    folders = {Path(t).parent for _, t in renames}
    folders |= {Path(r).parent for r in journal["removes"] if Path(r).parent.is_dir()}
    fsutil.sync_all(sorted(folders), paths.landing_dir())


def _write_journal(journal: dict) -> Path:
    folder = paths.landing_dir() / JOURNAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{journal['id']}.json"
    tmp = _write_tmp(target, lambda t: Path(t).write_text(json.dumps(journal), encoding="utf-8"))
    os.replace(tmp, target)
    fsutil.fsync_path(folder)
    return target


def _parquet_writer(df: pl.DataFrame) -> Callable[[Path], None]:
    return lambda t: df.write_parquet(t, compression="zstd", statistics=True)


def swap(writes: list[tuple[Path, Callable[[Path], None]]], removes: list[Path]) -> None:
    """Replace files in one swap: every ``(target, write)`` of ``writes`` is written to a
    temporary file, then all are renamed into place and ``removes`` go. The last write is the
    marker of a completed landing (the receipt), renamed last."""
    renames = []
    try:
        for target, write in writes:
            renames.append([str(_write_tmp(target, write, durable=False)), str(target)])
        # all new files on disk before the journal names them (one sync for all of them)
        fsutil.sync_all([Path(tmp) for tmp, _ in renames], paths.landing_dir())
    except BaseException:
        for tmp, _ in renames:
            Path(tmp).unlink(missing_ok=True)
        raise
    faults.point("landing.files_written")
    marker = Path(renames[-1][1]) if renames else Path("nothing")
    journal = {
        "id": f"{marker.parent.name}-{marker.stem}-{uuid.uuid4().hex[:8]}",
        "renames": renames,
        "removes": [str(r) for r in removes],
    }
    with _lock(fcntl.LOCK_EX):
        path = _write_journal(journal)
        _apply(journal)
        path.unlink()


def recover() -> list[str]:
    """Complete the swaps that dead processes left half done (their journals), and remove the
    temporary files of dead processes. Returns what was completed."""
    root = paths.landing_dir()
    folder = root / JOURNAL_DIR
    done = []
    if not folder.is_dir() and not root.is_dir():
        return done
    with _lock(fcntl.LOCK_EX):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            _apply(json.loads(path.read_text(encoding="utf-8")))
            path.unlink()
            done.append(path.stem)
        for tmp in root.rglob(".*.tmp"):
            owner = TMP_OWNER.search(tmp.name)
            if owner is None or not locks.process_alive(int(owner.group(1))):
                tmp.unlink(missing_ok=True)
    return done


#: what became of a file, over the rows of its receipt: ``refused`` (not read, or not read at
#: all: ``file_error``), ``quarantined`` (some rows or sheets rejected) or ``loaded`` (every row
#: loaded); a receipt with no row is ``refused`` (``receipt_status``)
_STATUS = (
    pl.when(pl.col("file_error").is_not_null().any())
    .then(pl.lit("refused"))
    .when(
        (pl.col("rows_quarantined").sum() != 0)
        | (pl.col("quarantine_records").fill_null(0).sum() != 0)
    )
    .then(pl.lit("quarantined"))
    .otherwise(pl.lit("loaded"))
    .alias("status")
)


def receipt_status(receipt: pl.DataFrame) -> str:
    """What became of a file (``_STATUS``)."""
    if receipt.height == 0:
        return "refused"
    return receipt.select(_STATUS)["status"][0]


def outcomes(source: str) -> dict[str, list[str]]:
    """Outcome (``receipt_status``) -> keys, over every receipt of ``source``: the receipts are
    read in one scan (726 files one by one took 0.8 s of every run of the sample), names taken
    literally (no glob), a column missing from older receipts read as null; when the scan fails
    (a type that differs), the receipts are read one by one."""
    out: dict[str, list[str]] = {"loaded": [], "quarantined": [], "refused": []}
    files = sorted((paths.landing_dir() / "_receipts" / source).glob("*.parquet"))
    try:
        receipts = (
            pl.read_parquet(
                files, include_file_paths="_receipt", glob=False, missing_columns="insert"
            )
            if files
            else None
        )
    except (pl.exceptions.PolarsError, OSError):
        receipts = None
    # receipt_status of every file at once (one call per file took 0.25 s of every run)
    status = (
        dict(receipts.group_by("_receipt").agg(_STATUS).iter_rows()) if receipts is not None else {}
    )
    for path in files:
        found = status.get(str(path))
        if found is None:  # no row (refused), or not in the scan: read alone
            found = receipt_status(pl.read_parquet(path))
        out[found].append(path.stem)
    return out


def schema_file(table: str, quarantine: bool = False) -> Path:
    """Where ``ensure_schema_file`` writes the zero-row file of ``table``."""
    base = paths.quarantine_dir() if quarantine else paths.landing_dir()
    return base / table / "_schema.parquet"


def ensure_schema_file(
    table: str, schema: dict[str, pl.DataType], quarantine: bool = False
) -> None:
    """A zero-row ``_schema.parquet`` so that readers of an empty table still get its columns."""
    target = schema_file(table, quarantine)
    if target.exists() and pl.read_parquet_schema(target) == dict(schema):
        return
    # absent, or written for an older version of the format (e.g. before a column was added)
    _atomic_write(pl.DataFrame(schema=schema), target)


def quarantine_schema() -> dict[str, pl.DataType]:
    return {**PROVENANCE_SCHEMA, **QUARANTINE_SCHEMA}
