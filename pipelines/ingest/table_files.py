"""Land single-table CSV files: national statistics and reference code lists.

Each file ``raw/<source>/<table>.csv`` is validated against ``schemas.<source>.TABLES[table]``
and landed as ``warehouse/landing/<source>_<table>/<table>.parquet``.
"""

from __future__ import annotations

from pathlib import Path

import pandera.polars as pa
import polars as pl

from pipelines import landing, paths
from pipelines.ingest.readers import UnreadableFile, check_name, read_csv
from pipelines.validation import problem, validate_table


def landing_table(source: str, table: str) -> str:
    return f"{source}_{table}"


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
    if not path.exists():
        prov = landing.Provenance(
            f"{source}/{table}", f"{source}/{path.name}", "", landing.now_utc()
        )
        res = problem(name, "missing_file", f"{source}/{path.name} was not found")
        return landing.write_results(source, table, [res], prov, res.quarantined["reason"][0]), True
    sha = landing.sha256_of(path)
    if not force and landing.landed_sha(source, table) == sha:
        return pl.read_parquet(landing.receipt_path(source, table)), False
    prov = landing.Provenance(f"{source}/{table}", f"{source}/{path.name}", sha, landing.now_utc())
    landing.remove_stale(source, table, [name])
    try:
        check_name(path, root)
        raw = read_csv(path)
    except UnreadableFile as exc:
        res = problem(name, "unreadable_file", exc.reason)
        return landing.write_results(source, table, [res], prov, exc.reason), True
    res = validate_table(raw, model, name)
    return landing.write_results(source, table, [res], prov), True
