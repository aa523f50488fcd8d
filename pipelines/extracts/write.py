"""The one entry point: every extract of a release, from the published warehouse.

``write_extracts(warehouse, out_dir, release_id, prepared, selection)`` writes, under ``out_dir``:
``sdg_sdmx.csv`` (SDMX-CSV 1.0), ``sdg_sdmx.xml`` (SDMX-ML 2.1 structure-specific),
``open_sdg/<ISO3>/{data,meta}/…``, ``floorboard_indicators.xlsx`` and
``floorboard_indicators.csv``. The bytes depend only on the warehouse's content and the
arguments: rows are sorted, timestamps come from ``prepared``, no absolute paths are written.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from pipelines.extracts import (
    codelists,
    downloads,
    observations,
    open_sdg,
    reuse,
    sdmx_csv,
    sdmx_ml,
)
from pipelines.extracts.selection import ExtractSelection

SDMX_ML = "sdg_sdmx.xml"
WORKBOOK = "floorboard_indicators.xlsx"
# the files that do not name the release (reuse.py names them too)
SDMX_CSV, OPEN_SDG, DOWNLOAD_CSV = reuse.SDMX_CSV, reuse.OPEN_SDG, reuse.DOWNLOAD_CSV


def _risks(warehouse_path: Path) -> dict[str, tuple[str, str]]:
    con = observations.connect(warehouse_path)
    try:
        rows = con.execute(
            "select sdg_series_code, risk, label from marts.dim_risk "
            "where sdg_series_code is not null order by 1"
        ).fetchall()
    finally:
        con.close()
    return {code: (risk, label) for code, risk, label in rows}


def write_extracts(
    warehouse_path: Path,
    out_dir: Path,
    release_id: str,
    prepared: datetime,
    selection: ExtractSelection | None = None,
    *,
    reporting_type: str = sdmx_csv.DEFAULT_REPORTING_TYPE,
    dataflow_version: str = sdmx_csv.DATAFLOW_VERSION,
    reuse_previous: bool = False,
) -> list[Path]:
    """Write all extracts; returns the files written, sorted. Raises ``CodeListError`` or
    ``ContentConstraintError`` (nothing half-validated is written: validation runs first).
    ``reuse_previous`` (a whole release, no selection): the files that do not name the release
    are copied from the last release written from the same observations (``reuse``)."""
    if prepared.tzinfo is None:
        prepared = prepared.replace(tzinfo=UTC)
    prepared = prepared.astimezone(UTC)
    cl = codelists.load()
    if selection is not None and selection.series is not None:
        cl.validate({"SERIES": selection.series})  # a misspelt series is an error, not "no data"
    obs = observations.read(Path(warehouse_path), selection)
    frame = sdmx_csv.sdmx_frame(obs, cl, reporting_type)  # validates codes and constraints

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / OPEN_SDG, ignore_errors=True)  # stale countries of an earlier run
    cache_key = None
    if reuse_previous and selection is None:
        cache_key = reuse.key(obs, cl, (reporting_type, dataflow_version))
    # the files that do not name the release (copied when their key is unchanged)
    same = reuse.copy(cache_key, out_dir, obs) if cache_key else None
    if same is None:
        same = [
            sdmx_csv.write(frame, out_dir / SDMX_CSV, dataflow_version),
            *open_sdg.write(obs, out_dir / OPEN_SDG, cl),
            downloads.write_csv(obs, out_dir / DOWNLOAD_CSV),
        ]
    if cache_key:  # the next release copies from this one (older release folders are pruned)
        reuse.record(cache_key, release_id, out_dir, same)
    written = [
        *same,
        sdmx_ml.write(frame, cl, out_dir / SDMX_ML, release_id, prepared, dataflow_version),
        downloads.write_workbook(
            obs, out_dir / WORKBOOK, _risks(Path(warehouse_path)), cl, release_id, prepared
        ),
    ]
    return sorted(written)
