"""A real dagster-webserver on 127.0.0.1 serves the asset graph with lineage raw → marts."""

from __future__ import annotations

from pathlib import Path

import pytest
from webserver_harness import graphql as _graphql
from webserver_harness import serve

REPO = Path(__file__).resolve().parents[1]
QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } groupName description } }"


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())

    def ready(port: int) -> bool:
        return bool((_graphql(port, QUERY).get("data") or {}).get("assetNodes"))

    with serve(home, ready) as port:
        yield port


def test_asset_graph_lineage_over_graphql(webserver):
    data = _graphql(webserver, QUERY)
    assert "errors" not in data, data
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["data"]["assetNodes"]}
    assert "marts/sdg_indicators" in nodes
    deps = {k: ["/".join(d["path"]) for d in n["dependencyKeys"]] for k, n in nodes.items()}

    def ancestors(key: str) -> set[str]:
        seen, todo = set(), [key]
        while todo:
            for parent in deps.get(todo.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    up = ancestors("marts/sdg_indicators")
    assert "raw/ssi_submissions" in up
    assert "raw/national_statistics" in up
    assert "landing/ssi_submissions" in up
    assert "landing/national_population" in up
    assert nodes["marts/sdg_indicators"]["groupName"] == "marts"
    assert nodes["raw/ssi_submissions"]["groupName"] == "raw"
    assert "warehouse/floorboard_duckdb" in nodes
    assert "marts/sdg_indicators" in ancestors("warehouse/floorboard_duckdb")
