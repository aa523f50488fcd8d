"""A real dagster-webserver on 127.0.0.1 serves the asset graph with lineage raw → marts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } groupName description } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    port = _free_port()
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    log = (home / "webserver.log").open("w")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-m",
            "pipelines.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"webserver exited: {(home / 'webserver.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("webserver did not start within 120 s")
                time.sleep(1)
        # the code location loads asynchronously: wait until asset nodes are served
        while True:
            data = _graphql(port, QUERY)
            nodes = (data.get("data") or {}).get("assetNodes") or []
            if nodes or time.monotonic() > deadline:
                break
            time.sleep(1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


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
