"""Build, then publish: dbt writes a fresh DuckDB file; only a passing build replaces the
published ``warehouse/floorboard.duckdb``, by an atomic rename.

A reader holding the published file open (read-only) keeps its inode and is never blocked; a
failed build leaves the published file byte-identical. A failed build file is kept under
``warehouse/build/`` for diagnosis until the next ``make run`` prunes it (``pipelines.prune``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from pipelines import faults, fsutil, locks, paths, releases
from pipelines.fsutil import fsync_path

#: tables that must exist in a build before it may be published (the warehouse contract)
REQUIRED_TABLES = (
    "marts.dim_country",
    "marts.dim_risk",
    "marts.fct_effective_coverage",
    "marts.sdg_indicators",
)


class PublishError(RuntimeError):
    pass


#: the database (DuckDB catalog) name of every build file and of the published file
DATABASE = "floorboard"

#: the dbt command of a pipeline run (and of the bench's bare-dbt baseline). --full-refresh:
#: seeds are recreated, so a changed seed schema never meets an old table. No unit tests: their
#: inputs and expected rows are fixed in the project, so they give the same answer on every
#: run's data; they run where the code changes, in `make test`
#: (tests/test_dbt_unit_tests.py), as dbt's documentation recommends for production runs.
#: About 4 s of a 12 s build of the sample.
DBT_BUILD_ARGS = ("build", "--full-refresh", "--exclude-resource-type", "unit_test")


def build_path(run_id: str) -> Path:
    """``warehouse/build/floorboard.<run_id>.duckdb``. DuckDB names a file's catalog after the
    first dot-separated part of its name, so every build file, like the published
    ``floorboard.duckdb``, holds ``"floorboard"."marts"."..."``: the relation names that
    dagster-dbt reads from the manifest (row counts, column schemas) are those of the run's
    build file."""
    return paths.build_dir() / f"{DATABASE}.{run_id}.duckdb"


def working_path() -> Path:
    """``warehouse/build/floorboard.building.duckdb``: the file every dbt build writes to, under
    the build lock, renamed to the run's ``build_path`` when dbt has exited. One path for every
    run because dbt re-parses the whole project when the profile's ``path`` changes (and
    dbt-duckdb counts an ``attach`` in the profile too): with the run's own file as ``path``,
    every run paid a full parse (4 s of the sample's build); with this one, dbt's partial
    parsing reads only what changed since the last build (issue 13)."""
    return paths.build_dir() / f"{DATABASE}.building.duckdb"


def companions(path: Path) -> list[Path]:
    """A DuckDB file, its write-ahead log and its spill folder."""
    return [path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp")]


def remove_working_files() -> None:
    """What a build that died (kill -9) left in the working file. Only under the build lock,
    after ``stop_orphan_dbt``."""
    for stale in companions(working_path()):
        fsutil.remove(stale)


def dbt_child_path() -> Path:
    """The dbt process of the build holding the build lock (pid and start time)."""
    return paths.warehouse_dir() / ".build.dbt"


def record_dbt_child(pid: int, helper: int | None = None) -> None:
    """Record the dbt process writing the working file (its parent holds the build lock), and
    the process running its command for it, if any (``warm_dbt``: ``pid`` is then the
    launcher)."""
    target = dbt_child_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    processes = [pid] if helper is None else [pid, helper]
    record = [{"pid": p, "start": locks.pid_start(p)} for p in processes]
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, target)


def stop_orphan_dbt(timeout: float = 30) -> None:
    """Under the build lock: the dbt process of a build whose own process died. dbt is a child
    process and outlives a kill -9 of its parent alone (the kernel then frees the parent's
    lock), and it would go on writing the working file and its write-ahead log under the next
    build. It is killed and waited for before the working file is reused."""
    try:
        record = json.loads(dbt_child_path().read_text(encoding="utf-8"))
        if isinstance(record, dict):  # one process, as recorded before warm_dbt
            record = [record]
        processes = [(int(r["pid"]), str(r.get("start", ""))) for r in record]
    except (OSError, ValueError, KeyError, TypeError):
        dbt_child_path().unlink(missing_ok=True)
        return
    for pid, start in processes:
        if locks.process_alive(pid, start):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    for pid, start in processes:
        while locks.process_alive(pid, start) and time.monotonic() < deadline:
            time.sleep(0.1)
        if locks.process_alive(pid, start):
            raise PublishError(f"dbt process {pid} of a dead build is still running")
    dbt_child_path().unlink(missing_ok=True)


def keep_build(run_id: str) -> Path:
    """The working file (and its write-ahead log) becomes the run's ``build_path``, whatever
    dbt wrote: a passing build to publish, or a failed one kept for diagnosis until
    ``pipelines.prune`` removes it. Does nothing when already done."""
    mine = build_path(run_id)
    work_file, work_wal, _ = companions(working_path())
    if work_wal.exists():
        os.replace(work_wal, mine.with_name(mine.name + ".wal"))
    if work_file.exists():
        os.replace(work_file, mine)
    remove_working_files()
    return mine


@contextlib.contextmanager
def building(run_id: str, full: bool, log: Callable[[str], object] | None = None) -> Iterator[Path]:
    """Hold the build lock over the build of run ``run_id`` and its publish, and prepare the
    working build file (``working_path``): empty for a full build; for a run refreshing only
    some models, a copy of the published warehouse, so that it still publishes a complete one.
    ``keep_build`` (at the latest on leaving) makes it the run's ``build_path``, which
    ``publish`` renames onto the published path. The lock is held until the publish so that a
    build of another Dagster instance on the same warehouse never starts from the release this
    one is about to replace."""
    with locks.build_lock(f"build of run {run_id}", log=log):
        work = working_path()
        work.parent.mkdir(parents=True, exist_ok=True)
        stop_orphan_dbt()
        remove_working_files()
        for stale in companions(build_path(run_id)):
            fsutil.remove(stale)
        published = paths.published_path()
        if not full and published.exists():
            shutil.copyfile(published, work)
            os.chmod(work, 0o644)
        try:
            yield work
        finally:
            stop_orphan_dbt()  # normally exited; killed when the step failed under it
            keep_build(run_id)


def start_build(run_id: str, full: bool) -> Path:
    """The run's build file as a build would start it (``building``), with nothing built."""
    with building(run_id, full):
        pass
    return build_path(run_id)


def dbt_env() -> dict[str, str]:
    """Environment for the dbt process of a build (under ``building``)."""
    return {
        "FLOORBOARD_DUCKDB_PATH": str(working_path()),
        "FLOORBOARD_LANDING_DIR": str(paths.landing_dir()),
        # the real reference tables of the aggregates (source `reference`): the repository's,
        # wherever the dbt project or the raw folder is
        "FLOORBOARD_REFERENCE_DIR": str(paths.REPO_ROOT / "raw" / "reference"),
        # dbt's own log file (dbt.log in the invocation's target folder) as text, dbt's
        # default: dagster-dbt sets JSON for the whole process, and formatting the file's
        # records as JSON cost 1.5-2 s of every build (issue 13); the events dagster-dbt reads
        # from stdout stay JSON
        "DBT_LOG_FORMAT_FILE": "text",
    }


def pipeline_dbt_flags() -> list[str]:
    """dbt's flags for the pipeline's build, beyond ``DBT_BUILD_ARGS`` (flags, not environment
    variables: ``dbt_env`` is set in the process, and every later dbt call of that process, a
    parse or a freshness check, needs dbt's defaults):

    - its log file at info level (what dbt prints, its errors, and "Unable to do partial
      parsing because …" whenever it parses everything), not dbt's default debug level: 80,000
      lines, every query's SQL, about 0.6 s of every build of the sample (issue 13);
      ``DBT_LOG_LEVEL_FILE=debug`` in the environment brings the queries back;
    - no manifest.json, run_results.json nor semantic_manifest.json: nothing reads them
      (dagster-dbt reads dbt's events from stdout; the code location's manifest is the one
      ``make install`` parses), and writing them cost about 0.5 s of every build; dbt's
      partial-parsing state (partial_parse.msgpack) is written all the same.
      ``DBT_WRITE_JSON=true`` in the environment writes them."""
    flags = []
    if "DBT_LOG_LEVEL_FILE" not in os.environ:
        flags += ["--log-level-file", "info"]
    if "DBT_WRITE_JSON" not in os.environ:
        flags.append("--no-write-json")
    return flags


def verify(path: Path, required: tuple[str, ...] = REQUIRED_TABLES) -> dict[str, int]:
    """Open the build read-write once (checkpointing any WAL), check the contract tables exist
    and are not empty. Returns row counts."""
    if not path.exists():
        raise PublishError(f"no build file at {path}: the dbt step did not run in this run")
    counts = {}
    con = duckdb.connect(str(path))
    try:
        for table in required:
            try:
                counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            except duckdb.CatalogException as exc:
                raise PublishError(f"{table} is missing from the build: {exc}") from exc
            if counts[table] == 0:
                raise PublishError(f"{table} is empty in the build")
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def _newest_release(path: Path) -> str | None:
    """The newest release recorded in a DuckDB file (None: no release table or no row)."""
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchall()[0][0]
        if not releases._has_table(con, catalog, "releases"):
            return None
        found = releases.releases(con)
    finally:
        con.close()
    return found[-1].release_id if found else None


def check_base_release(source: Path, target: Path) -> None:
    """A build that already carries release history (a partial build, copied from the published
    file when it started) may publish only over the release it started from: otherwise a release
    published since would disappear from ``marts.releases`` and ``marts.indicator_vintages``."""
    base = _newest_release(source)
    if base is None:
        return  # a full build: the history is copied from the published file at publish time
    current = _newest_release(target)
    if current is not None and current != base:
        raise PublishError(
            f"this build started from release {base}, but release {current} has been "
            f"published since; refusing to publish over it (run again to build on {current})"
        )


def release_of_run(run_id: str) -> releases.Release | None:
    """The release run ``run_id`` published (None: it published none), read from the published
    warehouse, which carries every release (a later release may have replaced it since)."""
    published = paths.published_path()
    if not published.exists():
        return None
    con = duckdb.connect(str(published), read_only=True)
    try:
        return next((r for r in releases.releases(con) if r.run_id == run_id), None)
    finally:
        con.close()


def publish(
    run_id: str, log: Callable[[str], object] | None = None
) -> tuple[Path, dict[str, int], releases.Release]:
    """Under the warehouse lock: verify the run's build file, check it started from the release
    now published (``check_base_release``), record it as a release (``marts.releases`` and the
    append-only ``marts.indicator_vintages``, history carried over from the published file) and
    atomically rename it onto the published path (then fsync the folder). ``log`` also gets
    the messages of a wait for the lock."""
    with locks.warehouse_lock(f"publish of run {run_id}", log=log):
        source = build_path(run_id)
        verify(source)
        target = paths.published_path()
        check_base_release(source, target)
        release = releases.record_release(source, run_id, previous_published=target)
        counts = verify(source, (*REQUIRED_TABLES, "marts.releases", "marts.indicator_vintages"))
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            raise PublishError(f"{wal} still exists after checkpoint; refusing to publish")
        fsync_path(source)
        os.chmod(source, 0o444)  # published files are read-only for everyone
        faults.point("publish.before_rename")
        os.replace(source, target)
        faults.point("publish.after_rename")
        fsync_path(target.parent)
    return target, counts, release
