"""dbt's partial parsing from one pipeline run to the next (issue 13).

dagster-dbt gives every dbt invocation a fresh target folder, so dbt found no
``partial_parse.msgpack`` there and parsed the whole project at every run (4 s of the sample's
build on 2 cores). A run's dbt now starts from the state the last successful build of the same
warehouse left, kept in ``<warehouse>/cache/``: dbt checks it (dbt's version, the profile, the
project's variables and environment, every file's checksum) and re-parses only what changed,
or everything when any of those changed, so a stale or foreign state costs time, never
correctness. The state is per warehouse because the profile's path (the working build file,
``build.working_path``) is: the state written by a ``dbt build`` by hand, or by another
warehouse, would not match; and per dbt project folder, as dbt's own is.

A new warehouse has no state yet, so its first build parsed the whole project (4-6 s on 2
cores). A run that lands many submissions first now has that parse done meanwhile, in the
background (``Deferred``: started by the landing once its last batches are under way, and
waited for by the build's dbt step, ``hand_to_build``; a short landing does not hide it,
``BACKGROUND_FROM``): the
same dbt, the same profile and environment as the build (``build.dbt_env``), its state kept as a
build's is. dbt checks it at the build like any other state, so the worst a background parse can
cost is time.

Why at the end of the landing and not before it: the landing's workers keep both cores busy,
and a parse started with them took its 7 s of CPU from them; the landing is followed by about
8 s on one core (Dagster records a materialization and two check results per submission, then
the build run lands the other drop zones), where the second core was idle. The parse now runs
there: the landing of the sample took 16.5 s instead of 21 s (py-spy, same sitting).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipelines import fsutil, paths

#: dbt's partial-parsing state, in a target folder
NAME = "partial_parse.msgpack"


def cache_path() -> Path:
    """Per warehouse and per dbt project folder (a test's copy of the project has its own)."""
    project = hashlib.sha256(str(paths.DBT_PROJECT_DIR.resolve()).encode()).hexdigest()[:12]
    return paths.cache_dir() / f"dbt_partial_parse-{project}.msgpack"


#: the target folders of earlier dbt calls (dbt's log, compiled SQL: a few MB each) are
#: removed once they are this old
KEEP_TARGET_SECONDS = 24 * 3600


#: how long ``finish_parse`` waits for a background parse before the build parses by itself
PARSE_WAIT_SECONDS = 120


def _fresh_target(name: str) -> Path:
    """A new target folder ``target/floorboard_dbt-<name>-<random>``; folders of calls older
    than ``KEEP_TARGET_SECONDS`` are removed."""
    root = paths.DBT_PROJECT_DIR / "target"
    cutoff = time.time() - KEEP_TARGET_SECONDS
    for old in root.glob("floorboard_dbt-*"):
        with contextlib.suppress(OSError):
            if old.is_dir() and not old.is_symlink() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    target = root / f"floorboard_dbt-{name}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True, exist_ok=True)
    return target


def target_path(run_id: str) -> Path:
    """A fresh target folder for a run's dbt invocation (named as dagster-dbt names its own),
    holding the warehouse's last partial-parsing state when there is one."""
    target = _fresh_target(run_id[:7])
    state = fsutil.read_cache(cache_path())
    if state is not None:
        (target / NAME).write_bytes(state)
    return target


def keep(target: Path) -> None:
    """Keep the state of a successful invocation for the next run."""
    state = fsutil.read_cache(target / NAME)
    if state is not None:
        fsutil.write_cache(cache_path(), state)


@dataclass
class Parse:
    """A ``dbt parse`` running in the background for this warehouse (``start_parse``)."""

    process: subprocess.Popen
    target: Path


#: a landing of fewer submissions than this does not start a background parse: what follows
#: the landing ends before the parse does (dbt's import and a whole parse, about 8 s on one
#: core), so the build waited for the parse, which a whole parse inside the build (about 5 s)
#: beats. Measured when the parse started before the landing, on a new warehouse with two
#: submissions to land (3 runs each, alternating, medians): ``floorboard run`` 32.9 s -> 31.3 s;
#: the in-process ``run.run`` of the tests 33.9 s -> 31.9 s (issue 13). Started at the landing's
#: end, it is hidden by the ~8 ms per submission Dagster then spends, plus the 1-2 s of the
#: build run's other landings: still about 64 submissions and more.
BACKGROUND_FROM = 64


def start_parse(n_to_land: int) -> Parse | None:
    """Start ``dbt parse`` for this warehouse in the background, at the end of a landing of
    ``n_to_land`` submissions, when it has no state yet (a new warehouse) and the landing is long
    enough for what follows it to hide the parse (``BACKGROUND_FROM``), with the profile and
    environment of its builds; None otherwise (the build parses by itself: its own partial parse
    when there is a state is faster than a second dbt process) or when dbt cannot start."""
    from pipelines.warehouse import build

    if n_to_land < BACKGROUND_FROM or cache_path().exists():
        return None
    target = _fresh_target("parse")
    try:
        process = subprocess.Popen(
            [paths.DBT_EXECUTABLE, "parse", "--quiet", "--no-write-json"],
            cwd=paths.DBT_PROJECT_DIR,
            env={
                **os.environ,
                **build.dbt_env(),
                "DBT_PROFILES_DIR": str(paths.DBT_PROJECT_DIR),
                "DBT_PROJECT_DIR": str(paths.DBT_PROJECT_DIR),
                "DBT_TARGET_PATH": str(target),
                "DBT_LOG_PATH": str(target),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            },
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return None
    return Parse(process, target)


class Deferred:
    """A background parse for a landing of ``n_to_land`` submissions, started when the landing
    calls ``start`` (``ssi_batches.land_many``, once no batch is left waiting for a worker), at
    most once, if ``start_parse`` finds it worth it; ``parse`` is then the running parse."""

    def __init__(self, n_to_land: int) -> None:
        self.n_to_land = n_to_land
        self.parse: Parse | None = None
        self.started = False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        try:
            self.parse = start_parse(self.n_to_land)
        except Exception:  # noqa: BLE001
            # called from inside the landing: a parse that cannot start (a folder that cannot
            # be made…) costs the build its own whole parse, never the landing
            self.parse = None


#: the background parse of this process's run, handed to its build: build run id -> parse
_PENDING: dict[str, Parse] = {}


def hand_to_build(run_id: str, parse: Parse | None) -> None:
    """Have the dbt step of build run ``run_id`` wait for ``parse`` (``finish_pending``), so
    that the steps before it (the other drop zones' landing) run while the parse ends. None: no
    parse to wait for. The wait is inside the dbt step, which holds the warehouse pool's slot:
    another run waits as long for the slot (seconds; at most ``PARSE_WAIT_SECONDS``)."""
    _PENDING.clear()
    if parse is not None:
        _PENDING[run_id] = parse


def finish_pending(run_id: str) -> None:
    """``finish_parse`` of the parse handed to build run ``run_id``, if any (a build run by
    another process, the daemon's, has none and parses as it always does)."""
    finish_parse(_PENDING.pop(run_id, None))


def finish_parse(parse: Parse | None) -> None:
    """Wait for a background parse and keep its state for the build (``keep``). A parse that
    failed or takes too long is dropped: the build then parses by itself, and reports what is
    wrong with the project."""
    if parse is None:
        return
    try:
        if parse.process.wait(timeout=PARSE_WAIT_SECONDS) == 0:
            keep(parse.target)
    except subprocess.TimeoutExpired:
        parse.process.kill()
        parse.process.wait()
    finally:
        shutil.rmtree(parse.target, ignore_errors=True)


def abandon(parse: Parse | None) -> None:
    """Stop a background parse whose build will not happen (the landing failed)."""
    if parse is None or parse.process.poll() is not None:
        if parse is not None:
            shutil.rmtree(parse.target, ignore_errors=True)
        return
    parse.process.kill()
    parse.process.wait()
    shutil.rmtree(parse.target, ignore_errors=True)
