"""How this process writes the local Dagster instance (``pipelines.instance_storage``): the
event log keeps its engines (one SQLite connection per file, not one per event), every event is
still committed before the call returns, and connections run with ``synchronous=OFF``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import warnings
from contextlib import closing

import dagster as dg
from sqlalchemy import event
from sqlalchemy.engine import Engine

import pipelines.definitions  # noqa: F401  (installs the storage settings, as every run does)
from pipelines import instance_storage

N_EVENTS = 40


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
def numbers():
    yield dg.Output(1)
    yield dg.AssetCheckResult(passed=True)


def _opened_connections() -> tuple[list[sqlite3.Connection], object]:
    """SQLite connections opened on the event log's files (history/runs/*.db) from now on."""
    opened: list[sqlite3.Connection] = []

    def on_connect(dbapi_connection, _record):
        (_, _, file), *_ = dbapi_connection.execute("PRAGMA database_list").fetchall()
        if file.endswith(".db") and "/history/runs/" in file:
            opened.append(dbapi_connection)

    event.listen(Engine, "connect", on_connect)
    return opened, on_connect


def test_events_are_committed_at_once_through_few_connections(tmp_path):
    opened, listener = _opened_connections()
    try:
        with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
            for i in range(N_EVENTS):
                instance.report_runless_asset_event(
                    dg.AssetMaterialization("numbers", metadata={"i": i})
                )
                # committed before the call returned: another connection sees it
                with closing(sqlite3.connect(tmp_path / "history" / "runs" / "index.db")) as raw:
                    (count,) = raw.execute(
                        "select count(*) from event_logs where asset_key like '%numbers%'"
                    ).fetchone()
                assert count == i + 1
            result = dg.materialize([numbers], instance=instance)
            assert result.success
            records = instance.fetch_materializations(dg.AssetKey("numbers"), limit=100).records
            assert len(records) == N_EVENTS + 1
            check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
                [dg.AssetCheckKey(dg.AssetKey("numbers"), "positive")]
            )
            assert check[dg.AssetCheckKey(dg.AssetKey("numbers"), "positive")].status.value in (
                "SUCCEEDED",
            )
    finally:
        event.remove(Engine, "connect", listener)
    # a kept connection per file (the index, the run's file), not one or more per event
    assert 0 < len(opened) < N_EVENTS / 2, len(opened)
    for conn in opened:
        try:
            (mode,) = conn.execute("PRAGMA synchronous").fetchone()
        except sqlite3.ProgrammingError:
            continue  # closed since
        assert mode == 0  # OFF


def test_wipe_closes_the_kept_connections_to_the_files_it_deletes(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        assert dg.materialize([numbers], instance=instance).success
        assert any(not k.endswith("/index.db") for k in instance_storage._ENGINES)
        instance.wipe()  # deletes the runs' files: no connection to them is kept
        assert all(k.endswith("/index.db") for k in instance_storage._ENGINES)
        assert dg.materialize([numbers], instance=instance).success
        assert len(instance.fetch_materializations(dg.AssetKey("numbers"), limit=10).records) == 1


def test_a_replaced_database_file_gets_a_new_connection(tmp_path):
    """A file restored or replaced under a live process (another process's wipe, a restore):
    the next event goes into the file now at that path, as it did with a connection per event."""
    index = tmp_path / "history" / "runs" / "index.db"
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization("numbers"))
        copy = tmp_path / "copy.db"
        with closing(sqlite3.connect(index)) as src, closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)
        os.replace(copy, index)  # a new inode at the same path
        instance.report_runless_asset_event(dg.AssetMaterialization("numbers"))
        with closing(sqlite3.connect(index)) as raw:
            (count,) = raw.execute(
                "select count(*) from event_logs where asset_key like '%numbers%'"
            ).fetchone()
        assert count == 2


def test_loading_the_code_location_does_not_import_the_sqlite_storage():
    """The patch waits for Dagster to import its SQLite storage: loading the code location (the
    code server, every run worker, `floorboard`) does not pay 0.4 s for it."""
    probe = (
        "import sys, pipelines.definitions; "
        f"print({instance_storage._SQLITE_EVENT_LOG!r} in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


letters = dg.StaticPartitionsDefinition(["a", "b", "c"])


with warnings.catch_warnings():  # as pipelines/ingest/assets.py: preview and beta features
    warnings.simplefilter("ignore")

    @dg.asset(
        partitions_def=letters,
        backfill_policy=dg.BackfillPolicy.single_run(),
        check_specs=[dg.AssetCheckSpec("fine", asset="lettered", partitions_def=letters)],
    )
    def lettered(context):
        yield dg.MaterializeResult()
        check_key = dg.AssetCheckKey(dg.AssetKey("lettered"), "fine")
        for key in context.partition_keys:
            yield dg.AssetCheckEvaluation(
                asset_key=check_key.asset_key, check_name="fine", passed=True, partition=key
            )
        # as pipelines/ingest/assets.py: the check's output, once evaluated per partition
        output = context.assets_def.get_output_name_for_asset_check_key(check_key)
        yield dg.Output(None, output_name=output)


def test_a_planned_check_of_a_partition_range_is_stored_as_dagster_stores_it(tmp_path):
    """instance_storage._store_asset_check_evaluation_planned serializes the event once; the
    rows it writes are those of Dagster's own method (one per partition of the run)."""
    from dagster._core.storage.event_log import sql_event_log
    from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable

    job = dg.define_asset_job("letters_job", selection=[lettered])
    defs = dg.Definitions(assets=[lettered], jobs=[job])
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = defs.resolve_job_def("letters_job").execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "a",
                "dagster/asset_partition_range_end": "c",
            },
        )
        assert result.success
        storage = instance.event_log_storage
        assert (
            type(storage)._store_asset_check_evaluation_planned
            is instance_storage._store_asset_check_evaluation_planned
        )
        (planned,) = instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
        ).records
        rows = {}
        for name, method in (
            ("ours", type(storage)._store_asset_check_evaluation_planned),
            ("dagster", sql_event_log.SqlEventLogStorage._store_asset_check_evaluation_planned),
        ):
            with storage.index_connection() as conn:
                conn.execute(AssetCheckExecutionsTable.delete())
            method(storage, planned.event_log_entry, planned.storage_id)
            with storage.index_connection() as conn:
                found = conn.execute(AssetCheckExecutionsTable.select()).mappings().all()
            rows[name] = sorted(
                (tuple((k, v) for k, v in r.items() if k != "id") for r in found), key=str
            )
        assert rows["ours"] == rows["dagster"]
        assert sorted(dict(r)["partition"] for r in rows["ours"]) == ["a", "b", "c"]


def test_a_check_evaluation_is_serialized_once_and_stored_as_dagster_serializes_it(tmp_path):
    """The check evaluation's text in the check table is the event log's, and both are what
    Dagster's own ``serialize_value`` gives for the event (instance_storage._serialized_once)."""
    from dagster import serialize_value
    from dagster._core.storage.event_log import sql_event_log
    from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable

    job = dg.define_asset_job("numbers_job", selection=[numbers])
    defs = dg.Definitions(assets=[numbers], jobs=[job])
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = defs.resolve_job_def("numbers_job").execute_in_process(instance=instance)
        assert result.success
        assert sql_event_log.serialize_value is not serialize_value  # the memo is in place
        (evaluation,) = instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        with instance.event_log_storage.index_connection() as conn:
            (stored,) = (
                conn.execute(
                    AssetCheckExecutionsTable.select().where(
                        AssetCheckExecutionsTable.c.run_id == result.run_id
                    )
                )
                .mappings()
                .all()
            )
        assert stored["execution_status"] == "SUCCEEDED"
        assert stored["evaluation_event"] == serialize_value(evaluation.event_log_entry)
        # a new object equal to the last one is serialized again, not looked up
        other = evaluation.event_log_entry._replace(user_message="another")
        assert (
            sql_event_log.serialize_value(other)
            == serialize_value(other)
            != (stored["evaluation_event"])
        )


def test_a_check_evaluation_updates_its_planned_row_as_dagster_does(tmp_path):
    """instance_storage._update_asset_check_evaluation (a statement compiled once) leaves the
    check table as Dagster's own method does: for each partition of a run and for an
    unpartitioned check, from the planned rows; and with no planned row it inserts one."""
    from dagster._core.storage.event_log import sql_event_log
    from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable

    jobs = [
        dg.define_asset_job("letters_job", selection=[lettered]),
        dg.define_asset_job("numbers_job", selection=[numbers]),
    ]
    defs = dg.Definitions(assets=[lettered, numbers], jobs=jobs)
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        storage = instance.event_log_storage
        assert (
            type(storage)._update_asset_check_evaluation
            is instance_storage._update_asset_check_evaluation
        )
        for job, tags in (
            ("letters_job", {
                "dagster/asset_partition_range_start": "a",
                "dagster/asset_partition_range_end": "c",
            }),
            ("numbers_job", {}),
        ):  # fmt: skip
            result = defs.resolve_job_def(job).execute_in_process(instance=instance, tags=tags)
            assert result.success

            def records(kind, run_id=result.run_id):
                return instance.get_records_for_run(run_id, of_type=kind).records

            planned = records(dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
            evaluations = records(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            assert len(evaluations) == (3 if job == "letters_job" else 1)
            rows = {}
            for name, method in (
                ("ours", type(storage)._update_asset_check_evaluation),
                ("dagster", sql_event_log.SqlEventLogStorage._update_asset_check_evaluation),
                ("dagster, no planned row", None),
            ):
                with storage.index_connection() as conn:
                    conn.execute(AssetCheckExecutionsTable.delete())
                for p in planned if method else []:
                    storage._store_asset_check_evaluation_planned(p.event_log_entry, p.storage_id)
                for e in evaluations:
                    (method or type(storage)._update_asset_check_evaluation)(
                        storage, e.event_log_entry, e.storage_id
                    )
                with storage.index_connection() as conn:
                    found = conn.execute(AssetCheckExecutionsTable.select()).mappings().all()
                rows[name] = sorted(
                    (tuple((k, v) for k, v in r.items() if k not in ("id", "create_timestamp"))
                     for r in found),
                    key=str,
                )  # fmt: skip
            assert rows["ours"] == rows["dagster"] == rows["dagster, no planned row"], job
            assert {dict(r)["execution_status"] for r in rows["ours"]} == {"SUCCEEDED"}
            assert len(rows["ours"]) == len(evaluations)


def test_the_asset_key_table_is_reflected_once_not_per_materialization(tmp_path):
    """Dagster asks the database for the asset-key table's columns before every
    materialization it stores; a column found is remembered (the columns are still read from
    the database the first time, so a migrated table is seen)."""
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", on_execute)
    try:
        with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
            for i in range(N_EVENTS):
                instance.report_runless_asset_event(
                    dg.AssetMaterialization("numbers", metadata={"i": i})
                )
            assert len(instance.fetch_materializations(dg.AssetKey("numbers"), 100).records) == (
                N_EVENTS
            )
            entry = instance.get_asset_records([dg.AssetKey("numbers")])[0].asset_entry
            assert entry.last_materialization_record is not None
    finally:
        event.remove(Engine, "before_cursor_execute", on_execute)
    reflections = [s for s in statements if "table_xinfo" in s and "asset_keys" in s]
    assert 1 <= len(reflections) < 3, len(reflections)
