"""Fault injection (issue 11): ``kill -9`` the pipeline at every named point of
``pipelines.faults.POINTS``: landing, the dbt build, the release transaction, the publish
rename, the release files and the site.

One small world (three SSI submissions, a registry, the national, reference and Flagship inputs)
is published once, and a new submission is dropped into raw/ssi. The points are then taken in
the order of POINTS, one chain of runs, and for each point:

1. a run with ``FLOORBOARD_KILL_AT=<point>`` that must die by SIGKILL (the point was reached);
   its process group is killed too (dbt with it, as a power cut would). This run is also the
   next run after the previous point's kill: it starts from that kill's debris (and frees the
   pool slot of a run killed in the build) and must get as far as its own point; after the
   kill that published, it only finishes that release ("finishing release R…");
2. checks: the published warehouse opens read-only and is the previous release (byte-identical)
   or a new one whose content is what its release row says; no release row and no
   ``indicator_vintages`` row of an earlier release was lost or changed; the previous release
   folder is intact and every published release folder verifies; the site is the previous one
   or a complete one of the published warehouse. A killed run that published (after the
   publish rename) published a new release holding the new submission, built by refreshing
   only what depends on SSI submissions, from dbt's partial-parsing state;
3. after the last point, a run without the variable that must succeed and publish, with a
   release folder whose SHA256SUMS verify, the site of the published warehouse, and no debris
   left: when no killed run had published the new submission, a new release holding it, built
   by refreshing only what depends on SSI submissions; when one had, that same release,
   finished: its release files and site written without a second build or a second release of
   the same content ("finishing release R…").

Every point is reached by a run of its own and checked after its kill, and the debris of every
kill is recovered by a later run; a run after every kill (22 runs, a whole build each for the
points before the publish) cost about twice the CPU of the whole module (issue 13).
``FLOORBOARD_FAULT_POINTS`` (or ``-k``) selects points: the chain is then made of the selected
ones.

The module's last run is the base of the partial-build test after it; every check of a point
depends only on what the world held just before its killed run (and before the first). The
landing points are skipped until landing places them (``faults.point("landing.…")`` in
pipelines/).

The last test (cheap) covers ``fsutil.publish_dir``'s fallback without RENAME_EXCHANGE, whose
two renames no kill point of a Linux run reaches.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import faults, fsutil, locks, prune, releases
from pipelines.extracts import manifest
from tests.conftest import dbt_log_of_run

REPO = Path(__file__).resolve().parents[1]
#: points reached more than once per run: the kill comes at the N-th time (dbt.mid_build is
#: reached once per model built: die with a few models in the build file, not after the first)
NTH = {"dbt.mid_build": 5}
#: dropped into raw/ssi before the first killed run: what the killed runs land, build and publish
NEW_SUBMISSION = "KEN_2015"
RUN_TIMEOUT = 600


def _selected_points() -> tuple[str, ...]:
    """Every point of ``faults.POINTS`` (``make test``, ``make test-faults``);
    ``FLOORBOARD_FAULT_POINTS`` set to a comma-separated list runs those only."""
    chosen = os.environ.get("FLOORBOARD_FAULT_POINTS", "")
    if chosen in ("", "all"):
        return faults.POINTS
    wanted = set(chosen.split(","))
    unknown = wanted - set(faults.POINTS)
    assert not unknown, f"unknown kill points {sorted(unknown)}"
    return tuple(p for p in faults.POINTS if p in wanted)


def _placed(point: str) -> bool:
    """Is ``point`` called somewhere in pipelines/ (other than in the list of points)?"""
    quoted = re.compile(rf"""["']{re.escape(point)}["']""")
    return any(
        quoted.search(path.read_text(encoding="utf-8"))
        for path in (REPO / "pipelines").rglob("*.py")
        if path.name != "faults.py"
    )


@dataclass
class World:
    root: Path
    raw: Path
    warehouse: Path
    env: dict[str, str]
    #: the world just before the first killed run (``Snapshot``)
    first_before: Snapshot | None = None
    #: the runs killed holding the warehouse pool's slot (dbt.mid_build), not yet freed
    dead: set[str] = field(default_factory=set)

    @property
    def published(self) -> Path:
        return self.warehouse / "floorboard.duckdb"

    @property
    def extracts(self) -> Path:
        return self.warehouse / "extracts"

    @property
    def site(self) -> Path:
        return self.warehouse / "site"


def _run(
    world: World, log_name: str, kill_at: str | None = None, args: tuple[str, ...] = ()
) -> tuple[int, str]:
    """``python -m pipelines.run`` in its own session; returns (returncode, log). Whatever it
    left running (dbt) is killed with it, as a power cut would."""
    env = dict(world.env)
    if kill_at:
        env[faults.ENV] = kill_at
    # dbt's debug-level log file: dbt says that it parsed partially at debug level only
    # (_dbt_parsed_partially), checked for the runs that publish, killed or not
    env["DBT_LOG_LEVEL_FILE"] = "debug"
    # what a killed run printed is in its log (its checks read it), not lost in a buffer
    env["PYTHONUNBUFFERED"] = "1"
    log = world.root / "logs" / f"{log_name}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.run", *args],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            rc = proc.wait(timeout=RUN_TIMEOUT)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return rc, log.read_text(errors="replace")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    """A small world with one published release (and its release folder and site)."""
    root = tmp_path_factory.mktemp("faults")
    raw, wh, home = root / "raw", root / "warehouse", root / "home"
    (raw / "ssi").mkdir(parents=True)
    for name in ("national", "reference", "flagship"):
        shutil.copytree(REPO / "raw" / name, raw / name)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2020", raw / "ssi" / "URY_2020")
    # a registry and the SSI submission its scheme ids are checked against: the partial builds
    # leave the registry models as published (no registry lands again), and the last test
    # checks that against a full rebuild
    shutil.copy(REPO / "raw" / "ssi" / "WSM_2022.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "registry", raw / "registry")
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FLOORBOARD_RAW_DIR": str(raw),
        "FLOORBOARD_WAREHOUSE_DIR": str(wh),
    }
    for name in (faults.ENV, locks.HELD_ENV):
        env.pop(name, None)
    w = World(root, raw, wh, env)
    rc, log = _run(w, "base")
    assert rc == 0, f"the base run of the fault-injection world failed:\n{log[-3000:]}"
    # not a terminal: the progress bar is printed as plain lines, ending with the whole count
    assert "Validating and landing SSI submissions: 3/3" in log, log[-3000:]
    with closing(duckdb.connect(str(w.published), read_only=True)) as con:
        release = releases.current_release(con)
        assert releases._content_sha256(con) == (release.n_observations, release.content_sha256)
    # nothing changed (same bytes, even copied again with a new time; same code): nothing is
    # built or published, and the run says so (issue 13)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    rc, log = _run(w, "nothing-changed")
    assert rc == 0 and f"nothing changed since {release.release_id}" in log, log[-3000:]
    with closing(duckdb.connect(str(w.published), read_only=True)) as con:
        assert releases.current_release(con).release_id == release.release_id
    return w


# --- what the world holds, and its checks ----------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str] | None:
    """Every file under ``folder`` with its sha256 (None: no such folder)."""
    if not folder.is_dir():
        return None
    return {
        p.relative_to(folder).as_posix(): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


@dataclass
class Snapshot:
    file_sha: str
    history: list[releases.Release]
    vintages: dict[str, int]
    release_folder: dict[str, str] | None  # the current release's extracts folder
    site: dict[str, str] | None

    @property
    def current(self) -> releases.Release:
        return self.history[-1]


def _read_published(world: World, point: str) -> tuple[list[releases.Release], dict[str, int]]:
    """Open the published warehouse read-only; check that it is the release its newest row
    says; return its release history and vintage rows per release."""
    try:
        con = duckdb.connect(str(world.published), read_only=True)
    except duckdb.Error as exc:
        pytest.fail(f"{point}: the published warehouse does not open read-only: {exc}")
    with closing(con):
        current = releases.current_release(con)
        assert releases._content_sha256(con) == (current.n_observations, current.content_sha256), (
            f"{point}: the published content is not what release {current.release_id} recorded"
        )
        vintages = dict(
            con.execute(
                "select release_id, count(*) from marts.indicator_vintages group by all"
            ).fetchall()
        )
        return releases.releases(con), vintages


def _snapshot(world: World, point: str) -> Snapshot:
    history, vintages = _read_published(world, point)
    return Snapshot(
        _sha(world.published),
        history,
        vintages,
        _tree(world.extracts / history[-1].release_id),
        _tree(world.site),
    )


def _history_kept(point: str, before: Snapshot, history, vintages) -> None:
    """Every release row and every vintage row of ``before`` is still there, unchanged."""
    assert history[: len(before.history)] == before.history, (
        f"{point}: release history changed: {[r.release_id for r in before.history]} -> "
        f"{[r.release_id for r in history]}"
    )
    lost = {r: (n, vintages.get(r)) for r, n in before.vintages.items() if vintages.get(r) != n}
    assert not lost, f"{point}: indicator_vintages rows of earlier releases lost: {lost}"


def _release_folders_intact(world: World, point: str, before: Snapshot) -> None:
    previous = world.extracts / before.current.release_id
    if before.release_folder is not None:
        assert _tree(previous) == before.release_folder, (
            f"{point}: the previous release folder {previous.name} was changed or removed"
        )
    for folder in sorted(world.extracts.iterdir()) if world.extracts.is_dir() else []:
        if folder.name.startswith("."):
            continue  # a staging folder, not published
        assert (folder / manifest.MANIFEST).exists(), f"{point}: {folder.name} has no manifest"
        assert manifest.verify_manifest(folder) == [], f"{point}: {folder.name} is damaged"


def _site_intact(world: World, point: str, before: Snapshot) -> None:
    """The site is the previous one or a complete site of the published warehouse (it is
    rebuilt byte-identical from the same warehouse)."""
    site = _tree(world.site)
    if before.site is None or site == before.site:
        return
    assert site is not None, f"{point}: the published site disappeared"
    assert _site_of_published(world), (
        f"{point}: the site is neither the previous one nor a complete site of the published "
        "warehouse"
    )


def _site_of_published(world: World) -> bool:
    """Is the site the one built from the published warehouse (byte for byte)?"""
    from pipelines.site.build import build_site

    expected = world.root / "expected-site"
    shutil.rmtree(expected, ignore_errors=True)
    build_site(world.published, expected)
    return _tree(world.site) == _tree(expected)


def _sha256sums_ok(folder: Path, point: str) -> None:
    sums = folder / manifest.CHECKSUMS
    assert sums.exists(), f"{point}: no {sums}"
    lines = sums.read_text(encoding="utf-8").splitlines()
    assert lines, f"{point}: {sums} is empty"
    for line in lines:
        digest, name = line.split("  ", 1)
        assert manifest.sha256_file(folder / name) == digest, f"{point}: {name} != SHA256SUMS"
    assert manifest.verify_manifest(folder) == [], f"{point}: {folder} does not verify"


def _submission_published(world: World, submission_id: str) -> bool:
    with closing(duckdb.connect(str(world.published), read_only=True)) as con:
        return bool(
            con.execute(
                "select count(*) from marts.dim_submission where submission_id = ?",
                [submission_id],
            ).fetchall()[0][0]
        )


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("point", _selected_points())
def test_kill_at_point_never_damages_the_published_warehouse(
    point: str, world: World, request: pytest.FixtureRequest
):
    if not _placed(point):
        if point.startswith("landing."):
            pytest.skip(f"{point} is not placed in pipelines/ yet (landing is being rewritten)")
        pytest.fail(f"kill point {point} is listed in faults.POINTS but placed nowhere")
    before = _snapshot(world, point)
    if world.first_before is None:  # the new submission the killed runs land, build and publish
        world.first_before = before
        shutil.copy(REPO / "raw" / "ssi" / f"{NEW_SUBMISSION}.xlsx", world.raw / "ssi")
    first_before = world.first_before

    # 1. the killed run (also the next run after the previous point's kill)
    kill_at = f"{point}:{NTH[point]}" if point in NTH else point
    rc, log = _run(world, f"{point}-killed", kill_at)
    assert rc == -signal.SIGKILL, (
        f"{point}: the run was not killed there (exit {rc}); the point was never reached\n"
        f"{log[-3000:]}"
    )
    if world.dead:  # this run came after the one killed in the build: it freed its slot
        _dead_run_freed(world, log)

    # 2. after the kill
    history, vintages = _read_published(world, point)
    current = history[-1]
    if before.current.release_id != first_before.current.release_id:
        # an earlier kill of the chain published the new release: this run only finishes it
        assert f"finishing release {before.current.release_id}" in log, log[-3000:]
        assert current.release_id == before.current.release_id, (
            f"{point}: {current.release_id} published after {before.current.release_id}, "
            "which only had to be finished"
        )
    if current.release_id == before.current.release_id:
        assert _sha(world.published) == before.file_sha, (
            f"{point}: the published file changed but is still release {current.release_id}"
        )
    else:
        assert current.previous_release_id == before.current.release_id, (
            f"{point}: published {current.release_id} does not follow {before.current.release_id}"
        )
        assert len(history) == len(before.history) + 1, f"{point}: more than one new release"
        _published_by_a_partial_build(world, point, current, log)
    _history_kept(point, before, history, vintages)
    _release_folders_intact(world, point, before)
    _site_intact(world, point, before)
    if point == "dbt.mid_build":
        world.dead = _dead_slot_holders(world)
    if point != _chain(request)[-1]:
        return  # the next point's killed run is this kill's next run

    # 3. after the last kill: the next run succeeds and publishes
    killed_sha = _sha(world.published)
    rc, log = _run(world, f"{point}-recovery")
    assert rc == 0, f"{point}: the run after the kill failed (exit {rc})\n{log[-3000:]}"
    if world.dead:
        _dead_run_freed(world, log)
    after = _snapshot(world, point)
    if current.release_id == first_before.current.release_id:  # no killed run had published
        assert after.current.release_id not in {r.release_id for r in history}, (
            f"{point}: the run after the kill published no new release"
        )
        assert after.current.previous_release_id == current.release_id, point
        _published_by_a_partial_build(world, point, after.current, log)
    else:  # one had: the next run finishes that release, it does not build it again
        assert f"finishing release {current.release_id}" in log, log[-3000:]
        assert after.history == history, f"{point}: the finished release was published again"
        assert _sha(world.published) == killed_sha, f"{point}: the published file changed"
        assert _site_of_published(world), f"{point}: the site is not of {current.release_id}"
    # one new release for the whole chain, and the run ends with the drop-zone summary
    assert len(after.history) == len(first_before.history) + 1, [
        r.release_id for r in after.history
    ]
    assert re.search(r"SSI submissions: \d+ — \d+ loaded, 0 quarantined", log), log[-3000:]
    for earlier in (first_before, before):
        _history_kept(point, earlier, after.history, after.vintages)
    _history_kept(point, Snapshot("", history, vintages, None, None), after.history, after.vintages)
    assert _submission_published(world, NEW_SUBMISSION), (
        f"{point}: submission {NEW_SUBMISSION} is not in the published marts.dim_submission"
    )
    _sha256sums_ok(world.extracts / after.current.release_id, point)
    assert (world.site / "index.html").exists(), f"{point}: no site/index.html"
    debris = [
        p.relative_to(world.warehouse).as_posix()
        for p in (
            *world.warehouse.glob(".tmp-*"),
            *world.extracts.glob(".tmp-*"),
            *(world.warehouse / "build").glob("*"),
        )
    ]
    assert not debris, f"{point}: the run after the kill left debris of the killed runs: {debris}"
    with dg.DagsterInstance.from_config(world.env["DAGSTER_HOME"]) as instance:
        for pool in ("warehouse", "landing"):
            held = instance.event_log_storage.get_concurrency_info(pool).claimed_slots
            assert not held, f"{point}: slots of the {pool} pool still held: {held}"


def _chain(request: pytest.FixtureRequest) -> list[str]:
    """The points of this module's kill test that this session runs (``FLOORBOARD_FAULT_POINTS``,
    then ``-k``, ``--lf`` or test ids), in order: the last is followed by the run that must
    succeed."""
    return [
        item.callspec.params["point"]
        for item in request.session.items
        if item.module is request.module and item.originalname == request.node.originalname
    ]


def _published_by_a_partial_build(
    world: World, point: str, release: releases.Release, log: str
) -> None:
    """``release``, published by the run whose output is ``log``, holds the new submission and
    was built by refreshing only what depends on SSI submissions (the killed runs' records
    kept the published release's inputs, pipelines/inputs.py), from the parsing state an
    earlier build of this warehouse left (pipelines/warehouse/partial_parse.py)."""
    assert _submission_published(world, NEW_SUBMISSION), point
    assert "only SSI submissions changed since the published release" in log, log[-3000:]
    assert _dbt_parsed_partially(release.run_id), point


def _dbt_parsed_partially(run_id: str) -> bool:
    """Did the dbt build of run ``run_id`` start from dbt's partial-parsing state (its own log,
    in the target folder of its invocation, at debug level: ``_run``)?"""
    text = dbt_log_of_run(run_id)
    return "Partial parsing enabled" in text and "Unable to do partial parsing" not in text


def _dead_slot_holders(world: World) -> set[str]:
    """Killed during the dbt build, the run still holds the single slot of the warehouse pool
    (the bug of issue 11: every later run waited for it forever)."""
    with dg.DagsterInstance.from_config(world.env["DAGSTER_HOME"]) as instance:
        info = instance.event_log_storage.get_concurrency_info("warehouse")
        dead = {s.run_id for s in info.claimed_slots}
    assert dead, "dbt.mid_build: the killed run held no slot of the warehouse pool"
    return dead


def _dead_run_freed(world: World, log: str) -> None:
    """The run after the one killed in the build freed the dead run's slot, said so (on
    stderr, written before any later kill) and marked it failed."""
    for run_id in world.dead:
        assert f"freed the pool slots of run {run_id}" in log, log[-3000:]
    with dg.DagsterInstance.from_config(world.env["DAGSTER_HOME"]) as instance:
        for run_id in world.dead:
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        held = instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
        assert not world.dead & {s.run_id for s in held}, held
    world.dead = set()


# --- publish_dir's fallback (two renames), killed between them (cheap) -------------------------

KILLED_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from pipelines import fsutil

fsutil._exchange = lambda a, b: False  # as where RENAME_EXCHANGE is not supported
rename = Path.rename

def rename_then_die(self, target):
    moved = rename(self, target)
    if "-old-" in Path(target).name:  # the published folder moved aside, the new one not in
        os.kill(os.getpid(), signal.SIGKILL)
    return moved

Path.rename = rename_then_die
fsutil.publish_dir(Path(sys.argv[1]), Path(sys.argv[2]))
"""


#: tables of a release's own bookkeeping, which differ from release to release
RELEASE_TABLES = {"releases", "indicator_vintages", "release_withdrawals"}


def _marts(world: World) -> dict[str, list[tuple]]:
    """Every row of every table of ``marts`` in the published warehouse, sorted, but the release
    bookkeeping; values as their ``repr`` (a NaN is not equal to itself, its repr is)."""
    with closing(duckdb.connect(str(world.published), read_only=True)) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
            if t not in RELEASE_TABLES
        ]
        return {
            t: [
                tuple(map(repr, row))
                for row in con.execute(f"select * from marts.{t} order by all").fetchall()
            ]
            for t in tables
        }


def _comments(world: World) -> set[tuple]:
    """The DuckDB comments (model and column descriptions) of the published warehouse."""
    with closing(duckdb.connect(str(world.published), read_only=True)) as con:
        return set(
            con.execute(
                "select schema_name, table_name, null, comment from duckdb_tables() "
                "union all select schema_name, table_name, column_name, comment "
                "from duckdb_columns()"
            ).fetchall()
        )


@pytest.mark.slow
def test_a_new_submission_alone_rebuilds_only_what_depends_on_it(world: World):
    """Issue 13: only SSI submissions changed since the published release was built (same code,
    same other drop zones): one added, one revised, one withdrawn. ``make run`` rebuilds only
    the models that depend on them, in a copy of the published warehouse. The oracle is a
    full rebuild of the same inputs right after (``make run --full``): its marts must be the
    same, row for row. Runs in this module's world (a finished release at any point of the
    module) to save a cold run."""
    ssi = world.raw / "ssi"
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2023", ssi / "URY_2023")  # a new submission
    shutil.copy(ssi / "KEN_2020.xlsx", ssi / "KEN_2020_r2.xlsx")  # a revision
    shutil.rmtree(ssi / "URY_2020")  # a submission withdrawn
    rc, log = _run(world, "only-ssi")
    assert rc == 0, log[-3000:]
    assert "only SSI submissions changed since the published release" in log, log[-3000:]
    # no registry lands again (same files, same schemes of WSM 2022): its models stay as
    # published (pipelines/registry/land.py::nothing_to_land), which the full rebuild checks
    assert "0 new or changed" in _registry_line(log), log[-3000:]
    assert "fct_registry_persons" not in _dbt_selection(log), log[-3000:]
    with closing(duckdb.connect(str(world.published), read_only=True)) as con:
        assert con.execute("select count(*) from marts.fct_registry_persons").fetchall()[0][0]
    assert _submission_published(world, "URY_2023")
    assert _submission_published(world, "KEN_2020_r2")
    assert not _submission_published(world, "URY_2020")
    partial, partial_comments = _marts(world), _comments(world)
    rc, log = _run(world, "full-after-only-ssi", args=("--full",))
    assert rc == 0, log[-3000:]
    assert "only SSI submissions changed" not in log
    full = _marts(world)
    assert partial.keys() == full.keys()
    differ = {
        t: (sorted(set(partial[t]) - set(full[t]))[:3], sorted(set(full[t]) - set(partial[t]))[:3])
        for t in full
        if partial[t] != full[t]
    }
    assert not differ, f"the partial build differs from a full rebuild (partial, full): {differ}"
    # the models it rebuilt got their descriptions back (dbt_project/macros/persist_docs.sql)
    assert partial_comments == _comments(world), sorted(partial_comments ^ _comments(world))[:5]


def _registry_line(log: str) -> str:
    """The registry landing's line of a run's log ("N registr(y/ies), M new or changed")."""
    lines = [line for line in log.splitlines() if "registr(y/ies)" in line]
    assert lines, log[-3000:]
    return lines[-1]


def _dbt_selection(log: str) -> str:
    """The dbt command of a run's build (its --select names what it rebuilt)."""
    lines = [line for line in log.splitlines() if "Running dbt command" in line]
    assert lines, log[-3000:]
    return lines[-1]


def test_prune_puts_back_a_folder_left_between_the_two_renames_of_the_fallback(
    tmp_path, monkeypatch
):
    wh = tmp_path / "warehouse"
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    monkeypatch.delenv(locks.HELD_ENV, raising=False)
    for target in (wh / "site", wh / "extracts" / "R20260101-000000"):
        (target / "sub").mkdir(parents=True)
        (target / "sub" / "page.html").write_text("old")
        new = fsutil.temporary_sibling(target, "3f9a1c2e-0000-4000-8000-000000000001")
        (new / "sub").mkdir(parents=True)
        (new / "sub" / "page.html").write_text("new")
        died = subprocess.run(
            [sys.executable, "-c", KILLED_BETWEEN_RENAMES, str(new), str(target)], cwd=REPO
        )
        assert died.returncode == -signal.SIGKILL
        assert not target.exists()  # the window: only the moved-aside copy is left
        with dg.instance_for_test() as instance:
            prune.prune(instance)
        assert (target / "sub" / "page.html").read_text() == "old", target
        assert not list(target.parent.glob(".tmp-*"))
