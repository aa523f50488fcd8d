"""Crash safety: a run killed during the dbt build never blocks the next one."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import fsutil, locks, paths, prune, releases
from pipelines.warehouse import build

REPO = Path(__file__).resolve().parents[1]


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


def _tiny_build(path: Path, value: float) -> None:
    """A DuckDB file with the contract tables, one observation each: enough to publish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(duckdb.connect(str(path))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_country as select 'KEN' as iso3")
        con.execute("create table marts.dim_risk as select 'OLD_AGE' as risk")
        con.execute("create table marts.fct_effective_coverage as select 1 as x")
        con.execute(
            "create table marts.sdg_indicators as select 'KEN' as iso3, 'SI_COV_PENSN' as "
            "series_code, 2020 as time_period, '_T' as sex, null::varchar as age, "
            f"{value}::double as value, 'PT' as unit_measure, 'C' as nature, "
            "null::varchar as obs_status, null::varchar as source_detail"
        )
        con.execute(
            "create table marts.agg_regional as select 'ilo_region' as region_type, 'Africa' as "
            "region, 'SI_COV_PENSN' as series_code, 2020 as time_period, '_T' as sex, "
            f"{value}::double as value, 'PT' as unit_measure, 'C' as nature"
        )


@pytest.fixture
def warehouse_dir(tmp_path, monkeypatch):
    wh = tmp_path / "warehouse"
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    monkeypatch.delenv(locks.HELD_ENV, raising=False)
    return wh


def test_partial_build_from_an_older_release_never_publishes_over_a_newer(warehouse_dir):
    _tiny_build(build.build_path("run1"), 1.0)
    _, _, r1 = build.publish("run1")
    # run2 starts a partial build: a copy of the published file (release r1)
    build.start_build("run2", full=False)
    # meanwhile run3 (a full build) publishes r2
    _tiny_build(build.build_path("run3"), 3.0)
    _, _, r2 = build.publish("run3")
    with pytest.raises(
        build.PublishError,
        match=f"started from release {r1.release_id}.*"
        f"release {r2.release_id} has been published since",
    ):
        build.publish("run2")
    with closing(duckdb.connect(str(paths.published_path()), read_only=True)) as con:
        assert [r.release_id for r in releases.releases(con)] == [r1.release_id, r2.release_id]
        assert con.execute("select count(*) from marts.indicator_vintages").fetchall() == [(4,)]
    # a partial build that starts from the current release publishes, keeping the history
    build.start_build("run4", full=False)
    _, _, r3 = build.publish("run4")
    assert r3.previous_release_id == r2.release_id


HOLD = """
import sys, time
from pipelines import locks
with locks.warehouse_lock("test holder"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_warehouse_lock_waits_says_for_whom_and_is_freed_by_a_dead_holder(
    warehouse_dir, capsys, monkeypatch
):
    monkeypatch.setattr(locks, "WAIT_REPORT_SECONDS", 0.2)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TimeoutError), locks.warehouse_lock("waiter", timeout=1):
            pass
        err = capsys.readouterr().err
        assert "waiting for the warehouse lock" in err and f"pid {holder.pid}" in err
        assert "test holder" in err
    finally:
        holder.kill()  # SIGKILL: the holder never releases it itself
        holder.wait()
    # re-entrant within the holding process (the publish step of make run)
    with locks.warehouse_lock("after", timeout=5), locks.warehouse_lock("nested", timeout=0):
        assert locks.lock_holder()["purpose"] == "after"
    assert locks.HELD_ENV not in os.environ


def test_free_dead_runs_frees_slots_of_a_dead_process_only(tmp_path):
    with dg.instance_for_test() as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots("warehouse", 1)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        runs = {}
        for name, pid in (("dead", dead.pid), ("alive", os.getpid())):
            tags = {**locks.run_tags(), locks.PID_TAG: str(pid)}
            if name == "dead":
                tags[locks.START_TAG] = ""
            run = instance.create_run_for_job(
                dg.GraphDefinition(name="g", node_defs=[]).to_job(), tags=tags
            )
            instance.handle_run_event(
                run.run_id,
                dg.DagsterEvent(
                    event_type_value="PIPELINE_START", job_name=run.job_name, message="start"
                ),
            )
            runs[name] = run.run_id
        claim = storage.claim_concurrency_slot("warehouse", runs["dead"], "floorboard_dbt")
        assert claim.is_claimed
        storage.claim_concurrency_slot("warehouse", runs["alive"], "published")
        waits = locks.describe_waits(instance, {runs["alive"]})
        assert waits and runs["dead"] in waits[0] and "waiting for pool 'warehouse'" in waits[0]
        messages = locks.free_dead_runs(instance)
        assert messages == [
            f"freed the pool slots of run {runs['dead']} (its process {dead.pid} no longer exists)"
        ]
        assert instance.get_run_by_id(runs["dead"]).status == dg.DagsterRunStatus.FAILURE
        info = storage.get_concurrency_info("warehouse")
        assert {s.run_id for s in info.claimed_slots} <= {runs["alive"]}
        assert locks.free_dead_runs(instance) == []


def test_publish_dir_is_one_rename_and_leaves_no_temporary_folder(tmp_path):
    target = tmp_path / "site"
    for version in ("old", "new"):
        tmp = fsutil.temporary_sibling(target, version)
        (tmp / "sub").mkdir(parents=True)
        (tmp / "sub" / "page.html").write_text(version)
        inode = tmp.stat().st_ino
        fsutil.publish_dir(tmp, target)
        assert target.stat().st_ino == inode  # the folder written is the folder published
        assert (target / "sub" / "page.html").read_text() == version
        assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_pruning_policy(warehouse_dir):
    ids = []
    for n in range(7):
        _tiny_build(build.build_path(f"run{n}"), float(n))
        ids.append(build.publish(f"run{n}")[2].release_id)
        (paths.extracts_dir() / ids[-1]).mkdir(parents=True)
        (paths.extracts_dir() / ids[-1] / "SHA256SUMS").write_text("")
    dead_build = build.build_path("3f9a1c2e-0000-4000-8000-000000000001")
    dead_build.write_bytes(b"partial")
    orphans = [
        warehouse_dir / ".tmp-site-3f9a1c2e-0000-4000-8000-000000000002",
        paths.extracts_dir() / f".tmp-{ids[-1]}-3f9a1c2e-0000-4000-8000-000000000003",
    ]
    live = warehouse_dir / f".tmp-site-cli-{os.getpid()}"  # a `make site` still working
    for folder in (*orphans, live):
        folder.mkdir()
    unknown = paths.extracts_dir() / "R20200101-000000"  # not a release of this warehouse
    unknown.mkdir()
    with dg.instance_for_test() as instance:
        removed = prune.prune(instance)
    assert dead_build in removed and not dead_build.exists()
    assert all(not p.exists() for p in orphans) and live.exists() and unknown.exists()
    kept = sorted(p.name for p in paths.extracts_dir().iterdir() if p.name in ids)
    assert kept == ids[-5:]
    with closing(duckdb.connect(str(paths.published_path()), read_only=True)) as con:
        assert [r.release_id for r in releases.releases(con)] == ids  # history keeps all
        assert con.execute("select count(*) from marts.indicator_vintages").fetchall() == [(14,)]
    with dg.instance_for_test() as instance:
        assert prune.prune(instance) == []


HOLD_BUILD = """
import sys, time
from pipelines import locks
with locks.build_lock("test builder"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_every_build_writes_the_working_file_under_the_build_lock(warehouse_dir):
    """dbt always writes ``floorboard.building.duckdb`` (one profile path: dbt's partial
    parsing survives from run to run), holding the build lock; on leaving, the file and its
    write-ahead log become the run's own build file, and nothing is left at the working path."""
    _tiny_build(build.build_path("run1"), 1.0)
    build.publish("run1")
    work = build.working_path()
    work.parent.mkdir(parents=True, exist_ok=True)
    work.write_bytes(b"left by a build killed earlier")
    with build.building("run2", full=False) as path:
        assert path == work and work.read_bytes() == paths.published_path().read_bytes()
        # another build would wait
        with pytest.raises(TimeoutError, match="build lock"), locks.build_lock("other", timeout=0):
            pass
        work.with_name(work.name + ".wal").write_bytes(b"wal")
    mine = build.build_path("run2")
    assert mine.read_bytes() == paths.published_path().read_bytes()
    assert mine.with_name(mine.name + ".wal").read_bytes() == b"wal"
    assert not any(p.exists() for p in build.companions(work))
    with build.building("run3", full=True):  # a full build starts from nothing
        assert not work.exists()
    assert not build.build_path("run3").exists()  # dbt wrote nothing: nothing to keep


def test_pruning_removes_a_dead_builds_working_file_never_a_live_ones(warehouse_dir):
    work = build.working_path()
    work.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_BUILD], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        work.write_bytes(b"being built")
        with dg.instance_for_test() as instance:
            assert prune.prune(instance) == [] and work.exists()  # a build holds it
    finally:
        holder.kill()
        holder.wait()
    with dg.instance_for_test() as instance:  # the builder died (kill -9): its file goes
        assert prune.prune(instance) == [work] and not work.exists()


def test_a_dead_builds_dbt_is_stopped_before_the_working_file_is_reused(warehouse_dir):
    """dbt is a child of the step's process: killed alone (kill -9), that process frees the
    build lock while its dbt goes on writing the working file. The next build kills that dbt
    (recorded in ``warehouse/.build.dbt``) before it removes and reuses the file."""
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        build.record_dbt_child(orphan.pid)
        with build.building("run1", full=True):
            assert orphan.poll() is not None  # killed, and waited for
            assert not build.dbt_child_path().exists()
    finally:
        orphan.kill()
        orphan.wait()
    # a launcher and the waiting dbt process running its command (warm_dbt): both stopped
    launcher, helper = (
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) for _ in "ab"
    )
    try:
        build.record_dbt_child(launcher.pid, helper=helper.pid)
        with build.building("run1b", full=True):
            assert launcher.poll() is not None and helper.poll() is not None
    finally:
        for process in (launcher, helper):
            process.kill()
            process.wait()
    # a record of a process that is gone, or unreadable, is only removed
    build.dbt_child_path().write_text("not json")
    with build.building("run2", full=True):
        assert not build.dbt_child_path().exists()
