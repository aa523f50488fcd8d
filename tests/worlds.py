"""Small raw folders for tests that run the whole pipeline (a few submissions, not 722), and
the landing and dbt build of a raw folder for tests of the models' numbers."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_process(
    warehouse: Path, home: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``python -m pipelines.run`` (what ``make run`` runs) into ``warehouse``, with the Dagster
    instance of ``home`` (created if missing); its output captured as text."""
    home.mkdir(exist_ok=True)
    env = {**os.environ, "FLOORBOARD_WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env={**env, **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


def small_raw(raw: Path) -> Path:
    """Two SSI submissions (a workbook and a CSV folder) and every other input of the bundled
    sample, in ``raw``. Returns ``raw``."""
    (raw / "ssi").mkdir(parents=True)
    for name in ("national", "reference", "flagship"):
        shutil.copytree(REPO / "raw" / name, raw / name)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2020", raw / "ssi" / "URY_2020")
    return raw


class _AssetContext:
    """What the landing assets' bodies use of Dagster's execution context: the asset, the
    partition keys of the run and a logger."""

    def __init__(self, asset, partition_keys: list[str] | None = None):
        self.assets_def = asset
        self.partition_keys = partition_keys or []
        self.log = logging.getLogger("floorboard.tests.landing")


def land_all(raw: Path, wh: Path) -> None:
    """Land every drop zone of ``raw`` into ``<wh>/landing`` with the bodies of the pipeline's
    landing assets: the same validation, files, receipts and check results as a run, without a
    Dagster run around them (its run, partitions and per-partition events cost seconds per
    hundred submissions; tests of the pipeline's runs cover those). Every ``rows_reconcile``
    check must pass."""
    import dagster as dg

    from pipelines.ingest import assets, submissions
    from pipelines.registry import assets as registry_assets

    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLOORBOARD_RAW_DIR", str(raw))
        env.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
        keys = [s.submission_id for s in submissions.discover()]
        landings = [(assets.ssi_submissions_landing, keys)] + [
            (asset, None) for asset in (*assets.ingest_assets[1:], registry_assets.registry_landing)
        ]
        for asset, partition_keys in landings:
            body = asset.op.compute_fn.decorated_fn
            for result in body(_AssetContext(asset, partition_keys)):
                is_check = isinstance(result, dg.AssetCheckResult | dg.AssetCheckEvaluation)
                if is_check and result.check_name == "rows_reconcile":
                    assert result.passed, (asset.key, result.metadata)


def build_models(wh: Path, select: str, work: Path) -> Path:
    """``dbt build --select <select>`` (no unit tests, as the pipeline) on the landing of
    ``wh`` into ``<wh>/floorboard.duckdb``; returns that path. ``work``: dbt's target folder and
    build file, the same for every call of a test module so that dbt parses the project once
    (a new build path would make it parse everything again)."""
    from tests.registry_helpers import dbt_run

    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("floorboard.duckdb*"):
        stale.unlink()
    proc = dbt_run(
        wh, work, "build", "--select", select, "--indirect-selection", "cautious",
        "--exclude-resource-type", "unit_test",
        # the real reference tables of the aggregates, as the pipeline's build (build.dbt_env)
        extra_env={"FLOORBOARD_REFERENCE_DIR": str(REPO / "raw" / "reference")},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:]
    target = wh / "floorboard.duckdb"
    shutil.move(work / "floorboard.duckdb", target)
    return target
