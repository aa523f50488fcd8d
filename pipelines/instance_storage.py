"""How this process writes the local Dagster instance (SQLite, under DAGSTER_HOME).

Dagster's SQLite storage opens a new connection and commits one transaction for every event it
stores: a materialization or a check evaluation of every partition, a few per dbt model. With
SQLite's default ``synchronous=FULL`` every commit waits for the disk (fsync of the write-ahead
log, then a checkpoint when the connection closes), and those waits were most of a cold run:
about 60 ms per partition on this 2-core machine, 722 partitions, several events each
(``make bench``; issue 13). ``synchronous=OFF`` hands the writes to the operating system instead.
A process that dies (kill -9, out of memory) loses nothing that way: SQLite's journal still makes
each transaction all-or-nothing. Only an operating-system crash or power loss can lose or damage
the *run history* of a local instance, never the warehouse: releases, vintages, the landing zone
and its journal live in the warehouse folder and are fsynced by Floorboard itself
(pipelines/landing.py, pipelines/releases.py). A deployment on PostgreSQL storage is unaffected.

The same storage also builds a new SQLAlchemy engine, opens a new SQLite connection, and asks SQLite
whether the asset-check table exists, for every event (three times for a check result). In this
process the event-log engines are kept per database file (a few files at most, one open connection
each), and a table (or a column of the asset-key table) once found is not looked up again: about 2 s
of the 5 s a run of the fault-injection world spent storing its ~700 events. Each event is still its
own transaction, committed before the call returns, exactly as before. This patches Dagster's
private ``SqliteEventLogStorage`` class; it is not imported here (0.4 s of start-up for every
process that loads the code location, most of which never write a local instance): it is patched at
the first SQLite connection the process opens once Dagster has imported it.

A run over many submissions (one partition each, one run for all of them) also logged one
"materialization planned" event per partition before its first step: 722 events, 2-3 s of a
cold run. Dagster's own setting ``DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS`` logs one
event naming the whole range instead (set here unless the environment sets it). What it gives
up, as Dagster documents: the partitions of a run that fails are not marked failed in the UI
(they stay as they were: missing, or their last materialization). Nothing of Floorboard reads
that status: a submission's receipt says whether it landed, and the next run lands what did not.
See docs/decisions.md.

Dagster's SQL storage also serialized a run's "check evaluation planned" event once per
partition of the run, although the event (which names every partition) is the same for all:
quadratic in the number of submissions landed at once. It is serialized once here
(``_store_asset_check_evaluation_planned``). Likewise a check evaluation (two per submission
landed) was serialized twice, for the event log row and again for the check's row; the second
time returns the first text (``_serialized_once``). And the UPDATE that records a check
evaluation on its planned row was a new statement with the values in it, compiled by SQLAlchemy
for every evaluation; it is one statement with bound parameters, compiled once
(``_update_asset_check_evaluation``: 0.9 ms → 0.4 ms per evaluation, py-spy on 1,400).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

_INSTALLED = False
#: Dagster's SQLite event log, patched once imported (by Dagster, when it builds an instance)
_SQLITE_EVENT_LOG = "dagster._core.storage.event_log.sqlite.sqlite_event_log"
_PATCHED = False
#: event-log database files with a live engine in this process (least recently used first):
#: connection string -> (engine, (st_dev, st_ino) of the file when the engine was made)
_ENGINES: OrderedDict[str, tuple[Engine, tuple[int, int] | None]] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
#: one planned event per asset for a run over a range of partitions (see the module doc)
PLANNED_SUBSET_SETTING = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
#: engines kept at once: a run writes its own file and the index; the rest are closed
MAX_ENGINES = 8
#: the module of Dagster's SQL event storage once patched: its check table and statuses, for
#: ``_store_asset_check_evaluation_planned``
_SQL_EVENT_LOG: list = []


def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
    if not _PATCHED and _SQLITE_EVENT_LOG in sys.modules:
        _patch_sqlite_event_log(sys.modules[_SQLITE_EVENT_LOG])


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _engine(conn_string: str, path: str, timeout: float) -> Engine:
    """The kept engine of one database file, usable from any thread (SQLite connections are
    used by one thread at a time: each storage object holds its lock while it uses one). A file
    deleted or replaced since (a wipe, ``make clean``, another process) gets a new engine, as
    every event did before."""
    file_id = _file_id(path)
    with _ENGINES_LOCK:
        kept = _ENGINES.get(conn_string)
        if kept is not None and kept[1] == file_id and file_id is not None:
            _ENGINES.move_to_end(conn_string)
            return kept[0]
        if kept is not None:
            kept[0].dispose()
        engine = create_engine(
            conn_string,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=-1,  # as many connections as callers at once, as without the pool
            connect_args={"timeout": timeout, "check_same_thread": False},
        )
        _ENGINES[conn_string] = (engine, file_id)
        while len(_ENGINES) > MAX_ENGINES:
            _, (old, _) = _ENGINES.popitem(last=False)
            old.dispose()
        return engine


def _dispose_engines() -> None:
    with _ENGINES_LOCK:
        for engine, _ in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _forget_engines_in_child() -> None:
    # a forked child must not use the parent's SQLite connections (nor close them: they are
    # the parent's), and must not inherit a lock another thread of the parent held
    global _ENGINES_LOCK
    _ENGINES_LOCK = threading.Lock()
    for engine, _ in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


def _patch_sqlite_event_log(module) -> None:
    global _PATCHED
    with _ENGINES_LOCK:
        if _PATCHED:
            return
        _PATCHED = True
    storage = module.SqliteEventLogStorage
    timeout = module.SQLITE_BUSY_TIMEOUT_SECONDS

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's own _connect, with a kept engine instead of a new one per call
        with self._db_lock:
            engine = _engine(self.conn_string_for_shard(shard), self.path_for_shard(shard), timeout)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    original_has_table = storage.has_table

    def has_table(self, table_name: str) -> bool:
        # Dagster asks before every check event; a table that exists does not go away (a wipe
        # keeps the tables)
        found = self.__dict__.setdefault("_floorboard_tables", set())
        if table_name in found:
            return True
        if original_has_table(self, table_name):
            found.add(table_name)
            return True
        return False

    original_has_column = storage._has_asset_key_col_on_connection

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        # Dagster reflects the asset-key table's columns (a schema query) for every
        # materialization it stores; a column, once there, stays (migrations add columns)
        found = self.__dict__.setdefault("_floorboard_asset_key_columns", set())
        if column_name in found:
            return True
        if original_has_column(self, conn, column_name):
            found.add(column_name)
            return True
        return False

    original_wipe = storage.wipe

    def wipe(self) -> None:
        _dispose_engines()  # no kept connection to a file the wipe deletes
        original_wipe(self)

    storage._connect = _connect
    storage.has_table = has_table
    storage._has_asset_key_col_on_connection = _has_asset_key_col_on_connection
    storage.wipe = wipe
    owner = next(
        (c for c in storage.__mro__ if "_store_asset_check_evaluation_planned" in c.__dict__), None
    )
    if owner is not None:  # Dagster's SQL storage, whose module has the table and the status
        sql = sys.modules[owner.__module__]
        _SQL_EVENT_LOG.append(sql)
        storage._store_asset_check_evaluation_planned = _store_asset_check_evaluation_planned
        sql.serialize_value = _serialized_once(sql.serialize_value, sql.EventLogEntry)
        _DAGSTER_UPDATE.append(storage._update_asset_check_evaluation)
        storage._update_asset_check_evaluation = _update_asset_check_evaluation


#: Dagster's own ``_update_asset_check_evaluation`` (the fallback of ours)
_DAGSTER_UPDATE: list = []
#: the UPDATE of a check evaluation, built once per kind of partition (``_check_update``)
_CHECK_UPDATES: dict[bool, object] = {}


def _check_update(partitioned: bool):
    """Dagster's UPDATE of the row its planned event made for a check evaluation, with bound
    parameters instead of the values: one statement object, so SQLAlchemy compiles it once and
    takes it from its cache afterwards. Dagster builds a new statement with the values in it
    for every evaluation, and SQLAlchemy compiled each one again: 0.9 ms per evaluation against
    0.4 ms (py-spy, 1,400 evaluations), about 0.7 s of the 1,444 of a cold run."""
    stmt = _CHECK_UPDATES.get(partitioned)
    if stmt is None:
        from sqlalchemy import and_, bindparam

        (sql,) = _SQL_EVENT_LOG
        table = sql.AssetCheckExecutionsTable
        partition = (
            table.c.partition == bindparam("w_partition")
            if partitioned
            else table.c.partition.is_(None)
        )
        stmt = (
            table.update()
            .where(
                and_(
                    table.c.asset_key == bindparam("w_asset_key"),
                    table.c.check_name == bindparam("w_check_name"),
                    table.c.run_id == bindparam("w_run_id"),
                    partition,
                )
            )
            .values(
                execution_status=bindparam("v_execution_status"),
                evaluation_event=bindparam("v_evaluation_event"),
                evaluation_event_timestamp=bindparam("v_evaluation_event_timestamp"),
                evaluation_event_storage_id=bindparam("v_evaluation_event_storage_id"),
                materialization_event_storage_id=bindparam("v_materialization_event_storage_id"),
                partition=bindparam("v_partition"),
            )
        )
        _CHECK_UPDATES[partitioned] = stmt
    return stmt


def _update_asset_check_evaluation(self, event, event_id) -> None:
    """Dagster's own (``SqlEventLogStorage._update_asset_check_evaluation``) with a statement
    compiled once (``_check_update``): the same row updated with the same values
    (tests/test_instance_storage.py). When no planned row is found, Dagster's method does what
    it does then (it inserts the row)."""
    (sql,) = _SQL_EVENT_LOG
    evaluation = event.dagster_event.event_specific_data
    status = sql.AssetCheckExecutionRecordStatus
    target = evaluation.target_materialization_data
    params = {
        "w_asset_key": evaluation.asset_key.to_string(),
        "w_check_name": evaluation.check_name,
        "w_run_id": event.run_id,
        "v_execution_status": (
            status.SUCCEEDED.value if evaluation.passed else status.FAILED.value
        ),
        "v_evaluation_event": sql.serialize_value(event),
        "v_evaluation_event_timestamp": self._event_insert_timestamp(event),
        "v_evaluation_event_storage_id": event_id,
        "v_materialization_event_storage_id": target.storage_id if target else None,
        "v_partition": evaluation.partition,
    }
    if evaluation.partition is not None:
        params["w_partition"] = evaluation.partition
    with self.index_connection() as conn:
        updated = conn.execute(_check_update(evaluation.partition is not None), params).rowcount
    if updated == 0:  # no planned row (Dagster: step launchers): Dagster's own method inserts
        (dagster_update,) = _DAGSTER_UPDATE
        dagster_update(self, event, event_id)
    elif updated > 1:
        raise sql.DagsterInvariantViolationError(
            f"Updated {updated} rows for asset check evaluation {evaluation.asset_check_key} "
            "as a result of duplicate AssetCheckPlanned events."
        )


def _serialized_once(serialize_value, event_type: type):
    """Dagster's ``serialize_value`` for its SQL event storage, returning the text of the last
    event again when asked for the same object: a check evaluation is serialized for the event
    log row, then again, the same object, for the check's row (1,444 evaluations of a cold run).
    Only an ``event_type`` (Dagster's ``EventLogEntry``) is kept: an event is immutable, and
    the last one is held, so its identity cannot be reused by another object."""
    last: tuple[object, str] | None = None

    def serialize(value, *args, **kwargs):
        nonlocal last
        if args or kwargs:
            return serialize_value(value, *args, **kwargs)
        seen = last
        if seen is not None and seen[0] is value:
            return seen[1]
        text = serialize_value(value)
        if isinstance(value, event_type):
            last = (value, text)
        return text

    return serialize


def _store_asset_check_evaluation_planned(self, event, event_id) -> None:
    """Dagster's own (``SqlEventLogStorage._store_asset_check_evaluation_planned``: one row per
    partition of the run), with the event serialized once instead of once per row: the event
    names every partition of the run, so a run over 722 submissions serialized 722 times an
    event naming 722 partitions, for each of its two checks (1.5-2 s of a cold run, growing with
    the square of the range). The rows are the same (tests/test_instance_storage.py)."""
    (sql,) = _SQL_EVENT_LOG
    planned = event.dagster_event.event_specific_data
    subset = planned.partitions_subset
    partition_keys = subset.get_partition_keys() if subset else [None]
    serialized = sql.serialize_value(event)
    timestamp = self._event_insert_timestamp(event)
    with self.index_connection() as conn:
        conn.execute(
            sql.AssetCheckExecutionsTable.insert().values(
                [
                    dict(
                        asset_key=planned.asset_key.to_string(),
                        check_name=planned.check_name,
                        partition=partition_key,
                        run_id=event.run_id,
                        execution_status=sql.AssetCheckExecutionRecordStatus.PLANNED.value,
                        evaluation_event=serialized,
                        evaluation_event_timestamp=timestamp,
                        evaluation_event_storage_id=event_id,
                    )
                    for partition_key in partition_keys
                ]
            )
        )


def install() -> None:
    """Apply ``synchronous=OFF`` to every SQLite connection SQLAlchemy opens in this process
    (only Dagster's storage uses SQLAlchemy here), and keep the event log's engines once
    Dagster has imported its SQLite storage (see the module doc). Idempotent."""
    global _INSTALLED
    if not _INSTALLED:
        os.environ.setdefault(PLANNED_SUBSET_SETTING, "true")
        event.listen(Engine, "connect", _on_connect)
        os.register_at_fork(after_in_child=_forget_engines_in_child)
        _INSTALLED = True
