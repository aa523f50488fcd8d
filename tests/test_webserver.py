"""A real dagster-webserver on 127.0.0.1 serves the asset graph with lineage raw → marts."""

from __future__ import annotations

from pathlib import Path

import pytest
from webserver_harness import graphql as _graphql
from webserver_harness import serve

#: starts a webserver and a browser: left out of `make test-fast`
pytestmark = pytest.mark.slow

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


def test_asset_graph_renders_in_chromium(webserver):
    """The Dagster UI draws the lineage of marts/sdg_indicators in a real headless chromium;
    a screenshot is kept as a test artifact (tests/artifacts/asset_graph.png)."""
    from browser import chromium_page

    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with chromium_page() as (page, errors):
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.goto(
            f"http://127.0.0.1:{webserver}/assets/marts/sdg_indicators"
            "?view=lineage&lineageScope=upstream&lineageDepth=1",
            wait_until="networkidle",
        )
        skip = page.get_by_text("Skip", exact=True)  # the first-visit newsletter dialog
        if skip.count():
            skip.first.click()
        # the upstream marts of sdg_indicators drawn as graph nodes
        for name in ("dim_country", "fct_effective_coverage", "fct_uhc_service_coverage"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=120_000)
        assert page.locator("svg").count() > 0
        assert not [e for e in errors if "failed request" not in e], errors
        page.screenshot(path=str(artifacts / "asset_graph.png"))
    assert (artifacts / "asset_graph.png").stat().st_size > 10_000
    print(f"screenshot: {artifacts / 'asset_graph.png'}")
