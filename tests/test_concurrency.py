"""Concurrency (issue 11, item 7): a sensor-triggered run, a scheduled run and ``make run`` overlap
while 4 readers query the published file continuously. Every reader query succeeds, every run
either publishes or waits (and says what it waits for), and no release disappears; two runs
never interleave (each build is published within its own dbt step, before the next one starts).

Everything is real, nothing is mocked: a small world (raw/national, raw/reference, raw/flagship
and 2 SSI submissions copied from raw/) with its own DAGSTER_HOME holding the repository's
``dagster.yaml`` (queued runs, ``max_concurrent_runs: 2``, single-slot ``landing`` and
``warehouse`` pools, run monitoring), a real code server, a real ``dagster-daemon``:

1. while the code server loads: a first (small) release is published through the real publish
   path, and what raw/ holds is landed by the ingest jobs, as earlier runs would have done;
2. 4 reader processes loop ``duckdb.connect(published, read_only=True)`` + queries of the marts
   (the current release, and the observation count against its release row, so a half-built or
   mixed file would show) until the end, recording every error and every release they saw;
3. a new submission (KEN_2019) is dropped into raw/ssi, then, overlapping:
   - ``dagster-daemon run`` on the workspace: its sensor daemon ticks ``raw_files_sensor``
     (RUNNING by default), which registers the partition and requests the ingest run; its run
     queue launches the queued runs in run workers (and ``release_outputs_automation``
     evaluates the extract/site conditions);
   - ``dagster job launch -j build_warehouse`` (a build launched from the CLI, as from the UI),
     queued and launched by the daemon. The sensor and schedule jobs only land data: nothing
     builds and publishes the warehouse after them automatically, so this run is the daemon-side
     build that competes with ``make run``;
   - the scheduled run: ``ssi_round_schedule`` is evaluated against the instance (its cron is
     annual, so the daemon would not tick it during a test) and its RunRequest is submitted,
     with the schedule's tag, through ``dagster job launch`` into the same queue, as the
     schedule daemon does;
   - ``make run`` (the Makefile target, ``DAGSTER_HOME`` pointed at the test instance), started
     once the sensor has requested its run.
   The first build to reach its dbt step (holding the ``warehouse`` pool) is paused there
   (``FLOORBOARD_PAUSE_AT``, ``pipelines/faults.py``) until the other one waits for that pool:
   on a fast machine one build could otherwise publish before the other starts.

Two dbt builds, serialized by the ``warehouse`` pool, are the critical path. The daemon, the CLI
launches and the run workers share one ``dagster api grpc`` code server, so the code location
(~9 s to import on 2 cores) is loaded once for them; the build launched from the CLI runs its
steps in its run worker (``execution: in_process``), not one process per step.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import automation, faults, locks, releases
from pipelines.ingest.assets import ssi_submission_partitions
from pipelines.warehouse import build
from pipelines.warehouse.publish import PUBLISHED

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
N_READERS = 4
#: run config of a launch whose steps run in its run worker (the default executor starts one
#: process per step, each loading the code location again: ~9 s a step on 2 cores)
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}
#: only catches a deadlock: the overlap took 3 to 8 minutes on the shared 2-core machine, under
#: load averages of 4 to 15 from other work (two dbt builds, serialized, are its critical path)
OVERLAP_TIMEOUT = 600

READER = r"""
import json, os, sys, time
import duckdb
path, stop, out = sys.argv[1:4]
ok, errors, seen = 0, [], {}
while not os.path.exists(stop):
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            release, n_obs = con.execute(
                "select release_id, n_observations from marts.releases "
                "order by published_at desc, release_id desc limit 1").fetchone()
            n = con.execute(
                "select (select count(*) from marts.sdg_indicators)"
                " + (select count(*) from marts.agg_regional)").fetchone()[0]
        finally:
            con.close()
        if n != n_obs:
            errors.append(f"release {release}: {n} observations, its release row says {n_obs}")
        ok += 1
        seen[release] = seen.get(release, 0) + 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(0.5)
with open(out, "w") as f:
    json.dump({"ok": ok, "errors": errors, "releases": seen}, f)
"""

WORKSPACE = """
load_from:
  - grpc_server:
      host: 127.0.0.1
      port: {port}
      location_name: floorboard
"""


def _small_world(tmp_path: Path) -> tuple[Path, Path, Path]:
    raw, wh, home = tmp_path / "raw", tmp_path / "warehouse", tmp_path / "home"
    (raw / "ssi").mkdir(parents=True)
    for name in ("national", "reference", "flagship"):
        shutil.copytree(REPO / "raw" / name, raw / name)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2020", raw / "ssi" / "URY_2020")
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return raw, wh, home


class Procs:
    """Background processes of the test, each logging to its own file; stopped at the end."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env, self.procs = root, env, {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [*args],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, timeout: float = 30) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name, timeout=10)


def _seed_release() -> str:
    """Publish a first, small release (one country observation, one regional) through the real
    publish path (``pipelines.warehouse.build.publish``); returns its release id."""
    _tiny_build(build.build_path("seed"))
    return build.publish("seed")[2].release_id


def _tiny_build(path: Path) -> None:
    """A build file with the contract tables and one observation each: enough to publish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(duckdb.connect(str(path))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_country as select 'KEN' as iso3")
        con.execute("create table marts.dim_risk as select 'OLD_AGE' as risk")
        con.execute("create table marts.fct_effective_coverage as select 1 as x")
        con.execute(
            "create table marts.sdg_indicators as select 'KEN' as iso3, 'SI_COV_PENSN' as "
            "series_code, 2018 as time_period, '_T' as sex, null::varchar as age, "
            "25.0::double as value, 'PT' as unit_measure, 'C' as nature, "
            "null::varchar as obs_status, null::varchar as source_detail"
        )
        con.execute(
            "create table marts.agg_regional as select 'ilo_region' as region_type, 'Africa' as "
            "region, 'SI_COV_PENSN' as series_code, 2018 as time_period, '_T' as sex, "
            "25.0::double as value, 'PT' as unit_measure, 'C' as nature"
        )


def _land_everything(instance: dg.DagsterInstance) -> None:
    """Land what raw/ holds with the ingest jobs (as earlier sensor runs would have)."""
    from pipelines.definitions import defs

    keys = ["KEN_2020", "URY_2020"]
    instance.add_dynamic_partitions(ssi_submission_partitions.name, keys)
    ranged = {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }
    for job, tags in (
        ("ingest_ssi_submissions", ranged),
        ("ingest_national_statistics", {}),
        ("ingest_flagship_records", {}),
    ):
        result = defs.resolve_job_def(job).execute_in_process(instance=instance, tags=tags)
        assert result.success, job


HOLD = """
import sys, time
from pipelines import locks
with locks.warehouse_lock("make run: pruning"):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def test_a_publish_waiting_for_the_lock_says_so_in_its_log(tmp_path, monkeypatch):
    """The publish step waits for the warehouse lock (here held by another process, as by
    ``make run`` while it prunes) and says for whom in its run's log (``log``: the step's
    Dagster log), not only on the stderr of a run worker."""
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv(locks.HELD_ENV, raising=False)
    _tiny_build(build.build_path("run1"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, "2"], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        messages: list[str] = []
        _, _, release = build.publish("run1", log=messages.append)
    finally:
        holder.kill()
        holder.wait()
    assert release.previous_release_id is None
    assert len(messages) == 1, messages
    assert "publish of run run1: waiting for the warehouse lock" in messages[0]
    assert f"held by pid {holder.pid}" in messages[0] and "make run: pruning" in messages[0]


def _launch(job: str, tags: dict[str, str], config: dict | None = None) -> None:
    """``dagster job launch -w <workspace> ...`` (the CLI entry point, in this process, which
    already has dagster imported): the run is created from the code server's snapshot and
    submitted to the instance's run queue; the daemon launches it in a run worker."""
    from dagster._cli import cli  # what the `dagster` console script calls

    args = ["job", "launch", "-w", os.environ["FLOORBOARD_TEST_WORKSPACE"], "-j", job]
    args += ["--tags", json.dumps(tags), "--config-json", json.dumps(config or {})]
    cli.main(args=args, prog_name="dagster", standalone_mode=False)


@pytest.mark.slow
def test_sensor_schedule_and_make_run_overlap_while_readers_query(tmp_path: Path, monkeypatch):
    raw, wh, home = _small_world(tmp_path)
    published = wh / "floorboard.duckdb"
    port = _free_port()
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(WORKSPACE.format(port=port))
    world = {
        "DAGSTER_HOME": str(home),
        "FLOORBOARD_RAW_DIR": str(raw),
        "FLOORBOARD_WAREHOUSE_DIR": str(wh),
    }
    # the environment of every process started here
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORBOARD_")}
    env |= {**world, "PYTHONUNBUFFERED": "1"}
    # the first build to reach its dbt step (holding the warehouse pool) waits there until the
    # other build waits for that pool: the overlap is made, not left to timing (a fast build
    # could publish before the other one starts)
    builds_may_go = tmp_path / "builds-may-go"
    env[faults.PAUSE_ENV] = f"dbt.mid_build:{builds_may_go}"
    # this process runs the first make run, evaluates the schedule and submits runs: it sees
    # the same world (the dbt asset sets the FLOORBOARD_DUCKDB_PATH/LANDING_DIR of its build)
    for key, value in world.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FLOORBOARD_TEST_WORKSPACE", str(workspace))
    for key in ("FLOORBOARD_DUCKDB_PATH", "FLOORBOARD_LANDING_DIR"):
        monkeypatch.setenv(key, "")
    monkeypatch.delenv(locks.HELD_ENV, raising=False)
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Procs(logs, env)
    stop_readers = tmp_path / "stop-readers"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # the storage of a new instance is created (and migrated) by the first process that
        # opens it: this one, before the code server and the daemon open it concurrently
        instance.get_runs(limit=1)
    try:
        # 1. while the code server loads: a release is already published (a small one), and
        #    what is in raw/ is already landed (so the sensor's first tick only sees the news)
        procs.start(
            "code_server",
            str(BIN / "dagster"),
            "api",
            "grpc",
            "-m",
            "pipelines.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--location-name",
            "floorboard",
        )
        first_release = _seed_release()
        with dg.DagsterInstance.from_config(str(home)) as instance:
            _land_everything(instance)
            before = {r.run_id for r in instance.get_runs()}

        # 2. four readers, querying the published file continuously until the end
        readers = [
            procs.start(
                f"reader{i}",
                sys.executable,
                "-c",
                READER,
                str(published),
                str(stop_readers),
                str(logs / f"reader{i}.json"),
            )
            for i in range(N_READERS)
        ]

        _wait_for("the code server", lambda: _listening(port), time.monotonic() + 60, procs)

        # 3. a new submission arrives; the daemon (sensor), the scheduled run, a build
        #    launched from the CLI (as from the UI) and `make run`, all at once
        shutil.copy(REPO / "raw" / "ssi" / "KEN_2019.xlsx", raw / "ssi")
        started = time.monotonic()
        deadline = started + OVERLAP_TIMEOUT
        procs.start("daemon", str(BIN / "dagster-daemon"), "run", "-w", str(workspace))
        with dg.DagsterInstance.from_config(str(home)) as instance:
            context = dg.build_schedule_context(
                instance=instance, scheduled_execution_time=datetime(2026, 11, 1, 6, tzinfo=UTC)
            )
            request = automation.ssi_round_schedule(context)
            assert isinstance(request, dg.RunRequest)
            assert set(instance.get_dynamic_partitions(ssi_submission_partitions.name)) == {
                "KEN_2019",
                "KEN_2020",
                "URY_2020",
            }
            # what the schedule daemon does with the request: a run with the schedule's tag
            _launch(
                "ingest_ssi_submissions",
                {**request.tags, "dagster/schedule_name": "ssi_round_schedule"},
            )

            def sensor_runs() -> list[dg.DagsterRun]:
                return instance.get_runs(
                    filters=dg.RunsFilter(tags={"dagster/sensor_name": automation.SENSOR_NAME})
                )

            # the build and make run start once the sensor has seen the new file: had one of
            # them landed it first, the sensor would rightly request nothing (bytes landed).
            # Every run the daemon launches touches the landing pool, and make run holds one of
            # the 2 run slots: the daemon runs one run at a time, in queue order
            _wait_for("the sensor's run request", lambda: bool(sensor_runs()), deadline, procs)
            _launch("build_warehouse", {}, IN_PROCESS)
            make_run = procs.start(
                "make_run", "make", "--no-print-directory", "run", f"DAGSTER_HOME={home}"
            )

            def scenario_ended() -> bool:
                """make run has exited and the daemon's three runs (sensor, schedule, build)
                have ended."""
                mine = [
                    r
                    for r in instance.get_runs()
                    if r.run_id not in before and locks.PID_TAG not in r.tags
                    if not r.tags.get("dagster/sensor_name", "").startswith("release_outputs")
                ]
                return len(mine) == 3 and all(r.is_finished for r in mine)

            def launched_ended() -> bool:
                return all(
                    r.is_finished or r.status == dg.DagsterRunStatus.QUEUED
                    for r in instance.get_runs()
                )

            def a_build_waits_for_the_warehouse() -> bool:
                """(or make run has ended, which the assertions below explain)"""
                return make_run.poll() is not None or any(
                    pool == "warehouse"
                    for r in instance.get_runs()
                    for _, pool in _blocked_waits(instance, r.run_id).values()
                )

            _wait_for(
                "a build to wait for the other",
                a_build_waits_for_the_warehouse,
                deadline,
                procs,
                poll=1,
            )
            builds_may_go.touch()
            _wait_for("the make run to end", lambda: make_run.poll() is not None, deadline, procs)
            _wait_for("the daemon's runs to end", scenario_ended, deadline, procs, poll=1)
            procs.stop("daemon")
            # release_outputs_automation may have queued a run of the extract and site assets
            # after the publications: one it launched is waited for (and must succeed); one
            # still queued when the daemon stopped never started (neither publishes nor waits)
            _wait_for("every launched run to end", launched_ended, deadline, procs, poll=1)
            overlap_seconds = time.monotonic() - started

            stop_readers.touch()
            for reader in readers:
                reader.wait(timeout=30)
            runs = [r for r in instance.get_runs() if r.status != dg.DagsterRunStatus.QUEUED]
            published_ids = {
                r.event_log_entry.asset_materialization.metadata["release_id"].value
                for r in instance.fetch_materializations(PUBLISHED, limit=100).records
            }
            waits = {r.run_id: _blocked_waits(instance, r.run_id) for r in runs}
            dbt_steps = {
                r.run_id: _step_span(instance, r.run_id, "floorboard_dbt")
                for r in runs
                if r.job_name == "build_warehouse"
            }

        make_run_log = procs.log("make_run")
        assert make_run.returncode == 0, make_run_log[-3000:]

        # every reader query succeeded (and saw a consistent file), many times each
        seen: set[str] = set()
        for i in range(N_READERS):
            result = json.loads((logs / f"reader{i}.json").read_text())
            assert result["errors"] == [], f"reader {i}: {result['errors'][:5]}"
            assert result["ok"] >= 50, f"reader {i} made only {result['ok']} queries"
            seen |= set(result["releases"])
        assert len(seen) >= 2, f"the readers saw only {seen}: no publication under them"

        # every run ended in success: the ones that could not start or step waited
        failed = {
            r.run_id: (r.job_name, r.status.value)
            for r in runs
            if r.status != dg.DagsterRunStatus.SUCCESS
        }
        assert not failed, failed
        new = [r for r in runs if r.run_id not in before]
        assert sum(r.job_name == "build_warehouse" for r in new) == 2
        [sensor_run] = [
            r for r in new if r.tags.get("dagster/sensor_name") == automation.SENSOR_NAME
        ]
        assert sensor_run.tags["dagster/partition"] == "KEN_2019"
        assert any(r.tags.get("dagster/schedule_name") == "ssi_round_schedule" for r in new)
        # a run that waited for a slot says which pool in its own log ("Step blocked by limit
        # for pool <pool>", Dagster); make run also prints, while it waits, what holds it
        waited = {(run_id, step): w for run_id, steps in waits.items() for step, w in steps.items()}
        assert any(pool == "warehouse" for _, pool in waited.values()), (
            "no run waited for the warehouse pool: the builds did not overlap"
        )
        by_id = {r.run_id: r for r in runs}
        for (run_id, step), (seconds, pool) in waited.items():
            make_runs = locks.PID_TAG in by_id[run_id].tags and run_id not in before
            if make_runs and seconds > 2 * locks.WAIT_REPORT_SECONDS:
                assert f"waiting for pool '{pool}'" in make_run_log, (step, seconds)

        # no release disappeared: every release a reader saw or a run published is in the
        # final file, with its observations in indicator_vintages, as one chain
        with closing(duckdb.connect(str(published), read_only=True)) as con:
            history = releases.releases(con)
            ids = [r.release_id for r in history]
            assert {first_release} | seen | published_ids <= set(ids), (seen, published_ids, ids)
            assert ids[0] == first_release and len(ids) == 3 and len(published_ids) == 2
            assert [r.previous_release_id for r in history] == [None, *ids[:-1]]
            vintages = dict(
                con.execute(
                    "select release_id, count(*) from marts.indicator_vintages group by 1"
                ).fetchall()
            )
            for r in history:
                assert vintages.get(r.release_id) == r.n_observations, r.release_id
            current = history[-1]
            assert releases._content_sha256(con) == (current.n_observations, current.content_sha256)
            kenya_2019 = con.execute(
                "select count(*) from marts.fct_effective_coverage where iso3 = 'KEN' "
                "and year = 2019"
            ).fetchall()[0][0]
            assert kenya_2019 > 0, "the new submission never reached the published warehouse"
        # two runs never interleave: each build is published within its own dbt step, before
        # the next build starts (the dbt step holds the warehouse pool from build to publication)
        by_run = {r.run_id: r for r in history}
        spans = sorted(dbt_steps.items(), key=lambda item: item[1][0])
        assert [by_run[run_id].release_id for run_id, _ in spans] == ids[1:]
        for (run_id, (start, end)), nxt in zip(spans, [*spans[1:], None], strict=True):
            published_at = by_run[run_id].published_at.replace(tzinfo=UTC).timestamp()
            assert start - 1 <= published_at <= end + 1, (run_id, start, published_at, end)
            assert nxt is None or end <= nxt[1][0], f"run {nxt[0]} built before {run_id} ended"
        # the release files of the current release are there, complete (whoever wrote last)
        manifest = json.loads((wh / "extracts" / current.release_id / "manifest.json").read_text())
        assert manifest["release_id"] == current.release_id
        assert manifest["content_sha256"] == current.content_sha256
        names = {f["path"] for f in manifest["files"]}
        assert {"sdg_sdmx.csv", "what_changed.csv"} <= names
        print(f"overlap phase {overlap_seconds:.0f} s; releases {ids}; waits {waited}")
    finally:
        stop_readers.touch()
        procs.stop_all()


def _wait_for(what: str, ready, deadline: float, procs: Procs, poll: float = 0.5):
    while not ready():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n}\n{procs.log(n)[-1500:]}" for n in procs.procs)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(poll)


def _blocked_waits(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, str]]:
    """step key -> (seconds it waited for a pool slot, pool) from the run's own event log:
    Dagster records "Step blocked by limit for pool <pool>" when a step waits for a slot."""
    first_blocked, started, pool = {}, {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type == dg.DagsterEventType.ENGINE_EVENT and (
            event.message or ""
        ).startswith("Step blocked by limit for pool"):
            first_blocked.setdefault(event.step_key, entry.timestamp)
            pool[event.step_key] = event.message.rsplit(" ", 1)[-1]
        elif event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
    return {k: (started.get(k, time.time()) - t, pool[k]) for k, t in first_blocked.items()}


def _step_span(instance: dg.DagsterInstance, run_id: str, step_key: str) -> tuple[float, float]:
    """(start, end) timestamps of a step of a run, from its event log."""
    times = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.step_key == step_key:
            times.setdefault(event.event_type, entry.timestamp)
    return times[dg.DagsterEventType.STEP_START], times[dg.DagsterEventType.STEP_SUCCESS]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
