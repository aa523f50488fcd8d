"""Crash safety: a run killed during the dbt build never blocks the next one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import releases

REPO = Path(__file__).resolve().parents[1]


def _small_raw(raw: Path) -> None:
    """Two SSI submissions and every other input of the bundled sample."""
    (raw / "ssi").mkdir(parents=True)
    for name in ("national", "reference", "flagship"):
        shutil.copytree(REPO / "raw" / name, raw / name)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2020", raw / "ssi" / "URY_2020")


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill -9 takes dbt with it
    )


@pytest.mark.slow
def test_run_killed_during_dbt_build_never_blocks_the_next(tmp_path: Path):
    raw, wh, home = tmp_path / "raw", tmp_path / "warehouse", tmp_path / "home"
    _small_raw(raw)
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FLOORBOARD_RAW_DIR": str(raw),
        "FLOORBOARD_WAREHOUSE_DIR": str(wh),
    }

    first = _start(env, tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 180
        while not list((wh / "build").glob("*.duckdb")):  # dbt has started writing
            assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "dbt never started"
            time.sleep(0.2)
        time.sleep(2)
        assert first.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert not (wh / "floorboard.duckdb").exists()

    # the dead run holds the single slot of the warehouse pool
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info("warehouse")
        dead = {s.run_id for s in info.claimed_slots}
        assert dead, "the killed run held no slot: nothing was tested"

    second = subprocess.run(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stderr[-3000:]
    for run_id in dead:
        assert f"freed the pool slots of run {run_id}" in second.stderr

    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run_id in dead:
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots

    # the published warehouse is a valid release: its content is what its release row says
    with closing(duckdb.connect(str(wh / "floorboard.duckdb"), read_only=True)) as con:
        release = releases.current_release(con)
        assert release.previous_release_id is None
        assert releases._content_sha256(con) == (release.n_observations, release.content_sha256)
