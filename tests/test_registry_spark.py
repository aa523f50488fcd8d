"""The registry models on Spark (issue 15): dbt-spark's ``session`` method (pyspark in local
mode) builds the same models as DuckDB for a 100 000-person registry, and every count is equal.

Needs the ``spark`` dependency group (``make install UV_GROUPS="dev spark"``, as ``.ci/run``
does) and Java. Skipped when either is missing, except in CI (``CI`` set), where it fails.
Spark's tables are Parquet files (``+file_format: parquet``), read back here with DuckDB, so the
comparison needs no second Spark session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import duckdb
import pytest

from pipelines.registry import generate as gen
from tests.registry_helpers import PORTABLE_MODELS, dbt_run, land, scratch_warehouse

pytestmark = pytest.mark.slow

#: the tables compared, by schema
COMPARED = {
    "intermediate": ["int_registry_unduplicated"],
    "marts": ["fct_registry_persons", "fct_registry_unduplicated"],
}


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return 'pyspark is not installed (make install UV_GROUPS="dev spark")'
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        return 'dbt-spark is not installed (make install UV_GROUPS="dev spark")'
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "java is not installed (Debian: openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark_ready():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI runs the Spark test: {reason}")
    if reason:
        pytest.skip(reason)


def test_registry_models_on_spark_equal_duckdb(spark_ready, tmp_path, monkeypatch):
    wh = scratch_warehouse(tmp_path)
    # 100 000 persons, 250 000 records, a few planted problems (validated before either build)
    gen.generate(tmp_path / "raw" / "registry", 100_000, 250_000, errors=0.001)
    land(tmp_path / "raw", wh, monkeypatch)

    duck = tmp_path / "duck"
    done = dbt_run(wh, duck, "run", "--select", *PORTABLE_MODELS)
    assert done.returncode == 0, done.stdout[-4000:]

    spark = tmp_path / "spark"
    done = dbt_run(
        wh,
        spark,
        "run",
        "--target",
        "spark",
        "--select",
        *PORTABLE_MODELS,
        extra_env={
            "FLOORBOARD_SPARK_DIR": str(spark),
            # a fresh folder per run: no Derby metastore needed
            "FLOORBOARD_SPARK_CATALOG": "in-memory",
        },
    )
    assert done.returncode == 0, done.stdout[-6000:]

    con = duckdb.connect(str(duck / "floorboard.duckdb"), read_only=True)
    for schema, tables in COMPARED.items():
        for table in tables:
            folder = spark / "tables" / f"{schema}.db" / table
            assert folder.is_dir(), f"Spark wrote no table {schema}.{table}"
            spark_rel = f"read_parquet('{folder}/*.parquet')"
            cols = [r[0] for r in con.execute(f"describe {schema}.{table}").fetchall()]
            select = ", ".join(f'cast("{c}" as varchar)' for c in cols)
            (n_duck,) = con.execute(f"select count(*) from {schema}.{table}").fetchall()[0]
            (n_spark,) = con.execute(f"select count(*) from {spark_rel}").fetchall()[0]
            assert n_duck == n_spark > 0, f"{table}: {n_duck} rows on DuckDB, {n_spark} on Spark"
            for a, b in (
                (f"{schema}.{table}", spark_rel),
                (spark_rel, f"{schema}.{table}"),
            ):
                (diff,) = con.execute(
                    f"select count(*) from (select {select} from {a} "
                    f"except all select {select} from {b})"
                ).fetchall()[0]
                assert diff == 0, f"{table}: {diff} rows of {a} not in {b}"
