"""The dbt assets carry row counts and column schemas in the Dagster UI: declared ones (the
contracts' data types) on the definitions, measured ones on every materialization, read from
the run's build file after dbt has exited, so the publish step of the same process opens the
file for writing right after."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"
SELECTED = (dg.AssetKey(["marts", "dim_risk"]), dg.AssetKey(["marts", "dim_country"]))


def _value(metadata, key: str):
    """A metadata entry's plain value (definitions hold it bare, events as a MetadataValue)."""
    entry = metadata[key]
    return getattr(entry, "value", entry)


def _declared(name: str) -> list[tuple[str, str]]:
    node = json.loads(MANIFEST.read_text())["nodes"][f"model.floorboard.{name}"]
    return [(c["name"], c["data_type"].lower()) for c in node["columns"].values()]


def test_mart_definitions_declare_their_column_schema():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in SELECTED:
        schema = _value(graph.get(key).metadata, "dagster/column_schema")
        declared = [(c.name, c.type.lower()) for c in schema.columns]
        assert declared == _declared(key.path[-1]), key
        assert all(c.description for c in schema.columns), key


@pytest.mark.slow
def test_materializations_carry_row_counts_and_column_schemas(warehouse_copy: Path, monkeypatch):
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(warehouse_copy))
    from pipelines.warehouse.dbt_assets import dbt_resource, floorboard_dbt_assets
    from pipelines.warehouse.publish import PUBLISHED, published_warehouse

    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [floorboard_dbt_assets, published_warehouse],
            selection=[*SELECTED, PUBLISHED],
            resources={"dbt": dbt_resource},
            instance=instance,
            raise_on_error=False,
        )
        assert result.success, [
            e.step_failure_data.error.message
            for e in result.all_events
            if e.is_step_failure and e.step_failure_data and e.step_failure_data.error
        ]
        materialized = {
            m.asset_key: m.metadata
            for m in result.asset_materializations_for_node("floorboard_dbt")
        }
    con = duckdb.connect(str(warehouse_copy / "floorboard.duckdb"), read_only=True)
    try:
        for key in SELECTED:
            metadata = materialized[key]
            table = f"marts.{key.path[-1]}"
            rows = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            assert _value(metadata, "dagster/row_count") == rows > 0, key
            columns = _value(metadata, "dagster/column_schema").columns
            # as fetched from the build file (DuckDB's names; dbt would say varchar(256))
            assert [(c.name, c.type.lower()) for c in columns] == _declared(key.path[-1]), key
    finally:
        con.close()


def test_manifest_relations_are_those_of_the_build_files(tmp_path: Path):
    """A manifest written by a `dbt build` by hand into /tmp/x.duckdb names its relations
    "x"."marts"."..."; the code location reads them as "floorboard"."marts"."...", the database
    of every run's build file (warehouse/build/floorboard.<run_id>.duckdb)."""
    from pipelines.warehouse import build
    from pipelines.warehouse.dbt_assets import load_manifest

    manifest = json.loads(MANIFEST.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            node["database"] = "x"
            node["relation_name"] = f'"x"."{node["schema"]}"."{node["alias"]}"'
    written = tmp_path / "manifest.json"
    written.write_text(json.dumps(manifest))
    node = load_manifest(written)["nodes"]["model.floorboard.dim_risk"]
    assert node["database"] == build.DATABASE == "floorboard"
    assert node["relation_name"] == '"floorboard"."marts"."dim_risk"'
    with duckdb.connect(str(tmp_path / build.build_path("r1").name)) as con:
        assert con.execute("select current_database()").fetchall() == [("floorboard",)]
