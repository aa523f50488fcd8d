"""SSI submissions landed in batches, on every core when there are many (issue 13).

Validation is CPU-bound and each submission writes only its own files, so batches of
submissions go to worker processes. The workers are *spawned* (a fork would copy the run's
threads and SQLite connections): each starts a new interpreter and imports this module, which
imports no Dagster (about a second less per worker than the asset module did). A run that knows
it will land many submissions starts them early (``prestart``), so that they import while the
run is being created, and the asset finds them ready (``land_many``).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

import polars as pl

from pipelines import landing, progress
from pipelines.ingest import submissions

#: submissions validated together (one pandera call per section): large enough that a call's
#: fixed cost is spread thin, small enough that every core gets a share of the work
BATCH_SIZE = 32
#: at most this many worker processes (each holds a few hundred MB)
MAX_WORKERS = 4

#: (key, receipt, changed, gone) of one submission (``land_batch``)
Landed = tuple[str, pl.DataFrame, bool, bool]

#: workers started by ``prestart`` and not yet used or discarded
_READY: tuple[ProcessPoolExecutor, int] | None = None
_READY_LOCK = threading.Lock()
#: called once by the next ``land_many`` when no batch is left waiting for a worker
_AT_LAST_BATCHES: Callable[[], None] | None = None


def at_last_batches(callback: Callable[[], None] | None) -> None:
    """Have the next landing call ``callback`` once every batch has a worker: from then on a
    core is freed at each batch's end (the run starts its background dbt parse there,
    ``partial_parse.Deferred``). None: no call."""
    global _AT_LAST_BATCHES
    _AT_LAST_BATCHES = callback


def _call_at_last_batches() -> None:
    global _AT_LAST_BATCHES
    callback, _AT_LAST_BATCHES = _AT_LAST_BATCHES, None
    if callback is not None:
        callback()


def land_batch(items: list[tuple[str, submissions.SubmissionFile | None]]) -> list[Landed]:
    """Land a batch of submissions (in a worker process for large runs). Returns, per item,
    (key, receipt, changed, gone): ``gone`` when it is no longer in raw/ssi, in which case
    what was landed for it is withdrawn (``changed``) — never a failure."""
    present = [sub for _, sub in items if sub is not None]
    landed = iter(submissions.land_submissions(present))
    out = []
    for key, sub in items:
        if sub is None:
            withdrawn = submissions.withdraw(key) is not None
            empty = pl.DataFrame(schema={**landing.RECEIPT_SCHEMA, **landing.PROVENANCE_SCHEMA})
            out.append((key, empty, withdrawn, True))
            continue
        receipt, did_change = next(landed)
        out.append((key, receipt, did_change, False))
    return out


def _workers(n_submissions: int) -> int:
    batches = -(-n_submissions // BATCH_SIZE)
    return min(os.cpu_count() or 1, MAX_WORKERS, batches)


def _ready() -> int:
    # run in each new worker: its imports are done once this returns
    return os.getpid()


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def prestart(n_submissions: int) -> None:
    """Start the worker processes for a landing of ``n_submissions`` now, so that they have
    imported what they need when the landing asset runs. Nothing when one process will do.
    A pool started and never used is shut down by ``discard`` (or at exit)."""
    global _READY
    workers = _workers(n_submissions)
    if workers < 2:
        return
    with _READY_LOCK:
        if _READY is not None:
            return
        pool = _new_pool(workers)
        for _ in range(workers):  # a spawn pool starts a process per task waiting, up to max
            pool.submit(_ready)
        _READY = (pool, workers)


def discard() -> None:
    """Shut down workers started by ``prestart`` that no landing used."""
    global _READY
    with _READY_LOCK:
        ready, _READY = _READY, None
    if ready is not None:
        ready[0].shutdown(cancel_futures=True)


def _take_pool(workers: int) -> ProcessPoolExecutor:
    global _READY
    with _READY_LOCK:
        ready, _READY = _READY, None
    if ready is not None and ready[1] == workers:
        return ready[0]
    if ready is not None:
        ready[0].shutdown(cancel_futures=True)
    return _new_pool(workers)


def land_many(keys: list[str]) -> list[Landed]:
    """Land submissions ``keys`` in batches, on every core when there are many. The drop zone
    is scanned once for the whole run (one scan per submission made a run over all of them
    quadratic)."""
    by_id = {s.submission_id: s for s in submissions.discover()}
    items = [(k, by_id.get(k)) for k in keys]
    batches = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
    workers = _workers(len(keys))
    if workers < 2:
        discard()
    pool: Executor | None = _take_pool(workers) if workers >= 2 else None
    out: list[Landed] = []
    # batches are handed out in order, one to each worker as it finishes the last: once this
    # many have ended, every remaining batch is running
    last_batches_from = len(batches) - (workers if pool is not None else 1)
    with progress.bar("Validating and landing SSI submissions", len(keys)) as advance:
        results = map(land_batch, batches) if pool is None else pool.map(land_batch, batches)
        try:
            if last_batches_from <= 0:
                _call_at_last_batches()
            for done, batch in enumerate(results):
                for result in batch:
                    out.append(result)
                    advance(note=result[0])
                if done + 1 >= last_batches_from:
                    _call_at_last_batches()
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    return out
