"""Crash safety: the warehouse lock, and freeing what dead runs hold.

- ``warehouse_lock()`` — one file lock, ``warehouse/.warehouse.lock``, taken by the publish
  over check → release → rename (and by the pruning at the start of ``make run``), whatever
  launched the run (``make run``, sensor, UI). Build and publish are one step (the dbt step)
  holding the single slot of the ``warehouse`` pool, so two runs never interleave (build A,
  publish A, then build B, publish B), and a build that started from an older release would
  be refused at publish (``pipelines.warehouse.build.check_base_release``). The lock is
  re-entrant for its holder and the holder's children. It is an
  ``flock``: the kernel frees it when the holder dies (kill -9, power cut), so a dead process
  never keeps it; the file records the holder's pid, host and purpose, and a waiting process says
  whom it waits for.
- ``build_lock()`` — ``warehouse/.build.lock``, held by a dbt build over the one working build
  file every build writes to (a stable path: dbt's partial parsing survives from run to run).
- ``free_dead_runs(instance)`` — at the start of ``make run``: every run that holds a slot (or
  waits for one) in a concurrency pool, but is finished, unknown, or was started by a process
  of this host that no longer exists, has its slots freed; a dead in-progress run is marked
  failed. Runs of ``make run`` carry their process in tags (``run_tags()``) for this check; runs
  launched by the daemon are watched by Dagster's run monitoring (``dagster.yaml``).
- ``describe_waits(instance, run_ids)`` — what a waiting run waits for (pool, holder).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import paths

if TYPE_CHECKING:  # only annotations: the landing imports this module in its worker processes,
    # which never touch Dagster (importing it is about 1 s of each worker's start)
    import dagster as dg

PID_TAG = "floorboard/pid"
HOST_TAG = "floorboard/host"
START_TAG = "floorboard/pid_start"
#: set in the environment of a process holding the warehouse lock (inherited by its children)
HELD_ENV = "FLOORBOARD_WAREHOUSE_LOCK_HELD"
#: seconds between two "still waiting" messages
WAIT_REPORT_SECONDS = 15.0


def pid_start(pid: int) -> str:
    """The start time of a process (clock ticks since boot, Linux), '' when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def process_alive(pid: int, start: str = "") -> bool:
    """Is process ``pid`` running (and, when ``start`` is given, the same process, not a new
    one that reused the pid)?"""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if _state(pid) == "Z":  # a zombie: dead, not yet reaped by its parent
        return False
    return not start or not pid_start(pid) or pid_start(pid) == start


def _state(pid: int) -> str:
    """The state letter of a process (R, S, D, Z…; Linux), '' when unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def run_tags() -> dict[str, str]:
    """Tags naming this process, put on every run ``make run`` executes in-process."""
    pid = os.getpid()
    return {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), START_TAG: pid_start(pid)}


def run_is_dead(run: dg.DagsterRun | None) -> str | None:
    """Why a run holding a pool slot cannot be running any more (None: it may be alive)."""
    if run is None:
        return "unknown to this instance"
    if run.is_finished:
        return f"already {run.status.value}"
    pid = run.tags.get(PID_TAG)
    same_host = run.tags.get(HOST_TAG) == socket.gethostname()
    if pid and same_host and not process_alive(int(pid), run.tags.get(START_TAG, "")):
        return f"its process {pid} no longer exists"
    return None


def free_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Free the pool slots (and pending claims) of runs that are no longer alive; mark a dead
    in-progress run failed. Returns one message per run freed."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    run_ids: set[str] = set(storage.get_concurrency_run_ids())
    for key in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        run_ids.update(s.run_id for s in info.claimed_slots)
        run_ids.update(s.run_id for s in info.pending_steps)
    messages = []
    for run_id in sorted(run_ids):
        run = instance.get_run_by_id(run_id)
        why = run_is_dead(run)
        if why is None:
            continue
        if run is not None and not run.is_finished:
            instance.report_run_failed(run, f"Run died ({why}); freed by a later run")
        storage.free_concurrency_slots_for_run(run_id)
        messages.append(f"freed the pool slots of run {run_id} ({why})")
    return messages


def describe_waits(instance: dg.DagsterInstance, run_ids: set[str]) -> list[str]:
    """For each pool in which a step of ``run_ids`` waits: what holds the pool's slots."""
    storage = instance.event_log_storage
    out = []
    for key in sorted(storage.get_concurrency_keys()):
        info = storage.get_concurrency_info(key)
        waiting = [
            p for p in info.pending_steps if p.run_id in run_ids and not p.assigned_timestamp
        ]
        if not waiting:
            continue
        holders = []
        for slot in info.claimed_slots:
            run = instance.get_run_by_id(slot.run_id)
            desc = f"run {slot.run_id} step {slot.step_key}"
            if run is not None:
                desc += f" ({run.job_name}, {run.status.value}"
                if run.tags.get(PID_TAG):
                    desc += f", pid {run.tags[PID_TAG]} on {run.tags.get(HOST_TAG)}"
                desc += ")"
            holders.append(desc)
        steps = ", ".join(p.step_key for p in waiting)
        out.append(
            f"waiting for pool '{key}' ({info.slot_count} slot(s)) for {steps}; held by "
            + ("; ".join(holders) or "nobody yet (being assigned)")
        )
    return out


@contextlib.contextmanager
def report_waits(instance: dg.DagsterInstance, run_ids: set[str]) -> Iterator[None]:
    """While the body runs, print every WAIT_REPORT_SECONDS what ``run_ids`` wait for."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(WAIT_REPORT_SECONDS):
            try:
                for line in describe_waits(instance, run_ids):
                    print(line, file=sys.stderr, flush=True)
            except Exception:  # a report must never break the run
                pass

    thread = threading.Thread(target=watch, name="floorboard-wait-report", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def lock_path() -> Path:
    return paths.warehouse_dir() / ".warehouse.lock"


def build_lock_path() -> Path:
    return paths.warehouse_dir() / ".build.lock"


def _holder(path: Path) -> dict | None:
    """Who holds (or last held) a lock, from its file."""
    try:
        return json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def lock_holder() -> dict | None:
    """Who holds (or last held) the warehouse lock, from the lock file."""
    return _holder(lock_path())


def _held_here() -> bool:
    """Does this process or an ancestor already hold the lock?"""
    token = os.environ.get(HELD_ENV)
    holder = lock_holder()
    return bool(token and holder and holder.get("token") == token)


@contextlib.contextmanager
def _flock(
    path: Path, name: str, purpose: str, timeout: float | None, log: Callable[[str], object] | None
) -> Iterator[str]:
    """Hold the file lock ``path`` (``flock``: the kernel frees it when the holder dies),
    recording this process as its holder; yields the holder's token. Waits, saying for whom
    every ``WAIT_REPORT_SECONDS`` (on stderr and to ``log``); after ``timeout`` seconds raises
    TimeoutError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        last_report = -WAIT_REPORT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if timeout is not None and waited >= timeout:
                    raise TimeoutError(
                        f"the {name} {path} is still held by {_holder(path)}"
                    ) from None
                if waited - last_report >= WAIT_REPORT_SECONDS:
                    last_report = waited
                    h = _holder(path) or {}
                    message = (
                        f"{purpose}: waiting for the {name} {path}, held by pid "
                        f"{h.get('pid')} on {h.get('host')} ({h.get('purpose')}, since "
                        f"{h.get('since')})"
                    )
                    print(message, file=sys.stderr, flush=True)
                    if log is not None:
                        log(message)
                time.sleep(0.5)
        token = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "purpose": purpose,
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "token": token,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield token
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def warehouse_lock(
    purpose: str, timeout: float | None = None, log: Callable[[str], object] | None = None
) -> Iterator[None]:
    """Hold the warehouse lock (build → publish → release). Re-entrant for the process that
    holds it and its children. Waits, saying for whom (on stderr, and to ``log``: the Dagster
    log of the step, so that a run launched by the daemon says it in its own log), until it is
    free; ``timeout`` seconds then raises TimeoutError. A lock left by a dead process is free
    (flock)."""
    if _held_here():
        yield
        return
    with _flock(lock_path(), "warehouse lock", purpose, timeout, log) as token:
        previous = os.environ.get(HELD_ENV)
        os.environ[HELD_ENV] = token
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(HELD_ENV, None)
            else:
                os.environ[HELD_ENV] = previous


@contextlib.contextmanager
def build_lock(
    purpose: str, timeout: float | None = None, log: Callable[[str], object] | None = None
) -> Iterator[None]:
    """Hold the build lock, ``warehouse/.build.lock``: whoever holds it owns the working build
    file (``pipelines.warehouse.build.working_path``), which every dbt build writes to. Runs of
    one Dagster instance are already serialized by the ``warehouse`` pool; this lock also
    serializes builds of other instances on the same warehouse (``--ephemeral``, a second
    DAGSTER_HOME). Not re-entrant. Taken after the pool slot, and never waited for while the
    warehouse lock is held (pruning tries it with ``timeout=0``), so no two processes can wait
    for each other."""
    with _flock(build_lock_path(), "build lock", purpose, timeout, log):
        yield
