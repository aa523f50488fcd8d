"""Every dbt model and every column of the built warehouse is documented; the docs site builds
with the catalog of the published warehouse; the landing sources are fresh."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"


def test_every_model_and_column_documented(sample_warehouse: Path):
    manifest = json.loads(MANIFEST.read_text())
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    missing = []
    try:
        for node in manifest["nodes"].values():
            if node["resource_type"] not in ("model", "seed"):
                continue
            if not node.get("description", "").strip():
                missing.append(f"{node['name']}: no description")
            documented = {c.lower() for c, v in node["columns"].items() if v.get("description")}
            if node["config"].get("materialized") == "ephemeral":
                # no table (person-level registry records, issue 15): its YAML documents them
                if not documented:
                    missing.append(f"{node['name']}: no documented column")
                continue
            actual = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [node["schema"], node["name"]],
                ).fetchall()
            ]
            assert actual, f"{node['schema']}.{node['name']} is not in the warehouse"
            missing += [f"{node['name']}.{c}" for c in actual if c.lower() not in documented]
    finally:
        con.close()
    assert not missing, missing


def test_mart_descriptions_cite_the_methodology():
    manifest = json.loads(MANIFEST.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith(("fct_", "agg_")):
            assert "§" in node["description"], node["name"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_docs_site_builds_with_the_real_catalog(tmp_path: Path, warehouse_copy: Path):
    """``make docs`` (``python -m pipelines.warehouse.docs``): the catalog has every mart with
    its columns and types, read from a copy of the published warehouse, which stays untouched
    (same bytes, no WAL, no lock file) and is never opened."""
    published = warehouse_copy / "floorboard.duckdb"
    os.chmod(published, 0o444)
    before = (_sha256(published), published.stat().st_mtime_ns)
    target = tmp_path / "target"
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.warehouse.docs", "--target-path", str(target)],
        cwd=REPO,
        env={**os.environ, "FLOORBOARD_WAREHOUSE_DIR": str(warehouse_copy)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"dbt docs: {target / 'index.html'}" in result.stdout
    assert (target / "index.html").stat().st_size > 10_000
    assert (target / "static_index.html").stat().st_size > (target / "index.html").stat().st_size
    assert (_sha256(published), published.stat().st_mtime_ns) == before
    assert not list(warehouse_copy.glob("floorboard.duckdb.*"))  # no .wal beside it

    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    marts = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and "marts" in n["fqn"]
    ]
    assert len(marts) >= 16
    for node in marts:
        entry = catalog["nodes"].get(node["unique_id"])
        assert entry, f"{node['name']} not in the catalog"
        types = {c.lower(): v["type"].lower() for c, v in entry["columns"].items()}
        declared = {c.lower(): v["data_type"].lower() for c, v in node["columns"].items()}
        assert types == declared, node["name"]
        assert entry["stats"]["has_stats"]["value"] is not None


def test_docs_without_a_published_warehouse_says_so(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.warehouse.docs", "--target-path", str(tmp_path / "t")],
        cwd=REPO,
        env={**os.environ, "FLOORBOARD_WAREHOUSE_DIR": str(tmp_path / "empty")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "run `make run` first" in result.stderr
    assert not (tmp_path / "t").exists()


@pytest.fixture(scope="module")
def freshness_work(tmp_path_factory) -> Path:
    """dbt's target folder and (unused) database path, the same for every freshness check of
    this module: dbt then parses the project once, not once per check."""
    return tmp_path_factory.mktemp("freshness")


def _freshness(landing: Path, work: Path, *select: str) -> tuple[int, dict]:
    """``dbt source freshness`` on a landing folder: exit code, results by table (and stdout)."""
    target = work / "target"
    target.mkdir(parents=True, exist_ok=True)
    (target / "sources.json").unlink(missing_ok=True)  # a result of this check only
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "--no-use-colors",
            "source",
            "freshness",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            *(("--select", *select) if select else ()),
        ],
        cwd=REPO / "dbt_project",
        env={
            **os.environ,
            "FLOORBOARD_DUCKDB_PATH": str(work / "floorboard.duckdb"),
            "FLOORBOARD_LANDING_DIR": str(landing),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    sources = target / "sources.json"
    results = json.loads(sources.read_text())["results"] if sources.exists() else []
    return result.returncode, {r["unique_id"].split(".")[-1]: r for r in results} | {
        "_stdout": result.stdout
    }


def test_source_freshness_passes_on_the_sample_landing(
    sample_warehouse: Path, freshness_work: Path
):
    code, results = _freshness(sample_warehouse / "landing", freshness_work)
    stdout = results.pop("_stdout")
    assert code == 0, stdout[-3000:]
    assert {"ssi_submission", "ssi_beneficiaries", "national_population", "receipts"} <= set(
        results
    ), sorted(results)
    assert {r["status"] for r in results.values()} == {"pass"}, stdout[-3000:]
    for r in results.values():  # annual round: warn after 400 days, error after 800
        assert r["criteria"]["warn_after"] == {"count": 400, "period": "day"}
        assert r["criteria"]["error_after"] == {"count": 800, "period": "day"}
    # tables that may rightly be empty have no freshness
    assert not {"quarantine", "published_sdg_series"} & set(results)


def test_a_stale_landing_warns_then_errors(
    sample_warehouse: Path, freshness_work: Path, tmp_path: Path
):
    """One check of two tables: SSI beneficiaries last landed 500 days ago, a warning; SSI
    submissions 900 days ago, an error (and dbt's exit code 1). A few of the sample's files
    each: freshness is the newest ``loaded_at``."""
    landing = tmp_path / "landing"
    for table, days in (("ssi_beneficiaries", 500), ("ssi_submission", 900)):
        (landing / table).mkdir(parents=True)
        for f in sorted((sample_warehouse / "landing" / table).glob("*.parquet"))[:20]:
            frame = pl.read_parquet(f).with_columns(
                (pl.lit(datetime.now(UTC)) - timedelta(days=days)).alias("loaded_at")
            )
            frame.write_parquet(landing / table / f.name)
    got, results = _freshness(
        landing, freshness_work, "source:landing.ssi_beneficiaries", "source:landing.ssi_submission"
    )
    stdout = results.pop("_stdout")
    assert got == 1, stdout[-3000:]
    assert results["ssi_beneficiaries"]["status"] == "warn", stdout[-3000:]
    assert results["ssi_submission"]["status"] == "error", stdout[-3000:]
