"""The code location loads, validates, and every asset is described, grouped and owned."""

from __future__ import annotations

import dagster as dg

from pipelines.definitions import defs


def test_definitions_validate():
    dg.Definitions.validate_loadable(defs)


def test_every_asset_is_described_grouped_owned():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert len(keys) > 20
    for key in keys:
        node = graph.get(key)
        assert node.description and node.description.strip(), key
        # a real sentence, not the fallback of the dbt translator (the model's name)
        assert node.description.strip() != key.path[-1], f"{key}: described by its name only"
        assert len(node.description.split()) >= 3, (key, node.description)
        assert node.group_name in {
            "raw",
            "ingest",
            "staging",
            "intermediate",
            "marts",
            "publish",
            "flagship",
            "extracts",
            "site",
        }, (key, node.group_name)
        assert node.owners, key


def test_lineage_from_raw_to_sdg_indicators():
    graph = defs.resolve_asset_graph()
    target = dg.AssetKey(["marts", "sdg_indicators"])
    upstream = graph.get_ancestor_asset_keys(target)
    for raw in (
        ["raw", "ssi_submissions"],
        ["raw", "national_statistics"],
        ["raw", "reference_code_lists"],
    ):
        assert dg.AssetKey(raw) in upstream
    published = dg.AssetKey(["warehouse", "floorboard_duckdb"])
    assert target in graph.get_ancestor_asset_keys(published)


def test_dbt_tests_are_asset_checks():
    graph = defs.resolve_asset_graph()
    checks = [c for c in graph.asset_check_keys if c.asset_key.path[0] == "marts"]
    assert any(c.asset_key.path == ["marts", "fct_effective_coverage"] for c in checks)
    assert any(c.name.startswith("rate_above_100_flagged") for c in checks)


def test_jobs_present():
    assert defs.resolve_job_def("build_warehouse")
    assert defs.resolve_job_def("ingest_ssi_submissions")


def test_extract_assets_follow_the_published_warehouse():
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["warehouse", "floorboard_duckdb"])
    for name in ("sdg_files", "what_changed", "release_manifest"):
        key = dg.AssetKey(["extracts", name])
        assert published in graph.get_ancestor_asset_keys(key), key
        assert graph.get(key).group_name == "extracts"
    manifest_parents = graph.get(dg.AssetKey(["extracts", "release_manifest"])).parent_keys
    assert {dg.AssetKey(["extracts", "sdg_files"]), dg.AssetKey(["extracts", "what_changed"])} <= (
        set(manifest_parents)
    )
    assert defs.resolve_job_def("extract_release") is not None


def test_release_outputs_rebuild_when_the_warehouse_is_published():
    """Extracts and country pages carry eager automation conditions, evaluated by a sensor
    that is on by default."""
    sensor = defs.resolve_sensor_def("release_outputs_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    targeted = sensor.asset_selection.resolve(graph)
    for key in (
        ["extracts", "sdg_files"],
        ["extracts", "release_manifest"],
        ["site", "country_pages"],
    ):
        assert dg.AssetKey(key) in targeted
        assert graph.get(dg.AssetKey(key)).automation_condition is not None
