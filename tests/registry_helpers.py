"""Helpers of the registry tests (issue 15): a scratch warehouse with an SSI scheme list, a
generated registry landed in it, and dbt runs of the registry models against it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"
#: the registry models that build on DuckDB and on Spark (macros/registry.sql)
PORTABLE_MODELS = [
    "stg_registry__beneficiaries",
    "stg_registry__contributors",
    "int_registry_unduplicated",
    "fct_registry_persons",
    "fct_registry_unduplicated",
]
SCHEMES = ["WSM-PEN", "WSM-SOCPEN", "WSM-CHILD", "WSM-UNEMP", "WSM-SOCASSIST", "WSM-HEALTH"]


def scratch_warehouse(root: Path, schemes: list[str] = SCHEMES) -> Path:
    """A warehouse folder whose landing has the SSI schemes of WSM 2022 (what the registry's
    scheme ids are checked against) and nothing else."""
    wh = root / "warehouse"
    folder = wh / "landing" / "ssi_schemes"
    folder.mkdir(parents=True)
    pl.DataFrame({"scheme_id": schemes}).write_parquet(folder / "WSM_2022.parquet")
    return wh


def land(raw: Path, wh: Path, monkeypatch) -> list:
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    from pipelines.registry import land as land_mod

    return land_mod.land_all()


def dbt_run(wh: Path, scratch: Path, *args: str, extra_env: dict | None = None):
    env = {
        **os.environ,
        "FLOORBOARD_DUCKDB_PATH": str(scratch / "floorboard.duckdb"),
        "FLOORBOARD_LANDING_DIR": str(wh / "landing"),
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
        **(extra_env or {}),
    }
    return subprocess.run(
        [str(DBT), "--no-use-colors", *args, "--profiles-dir", "."],
        cwd=REPO / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
