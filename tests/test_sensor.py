"""The drop-zone sensor: a new file in raw/ssi/ is ingested at the next tick; the same bytes
again do nothing; a changed national file launches the national landing."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines import automation
from pipelines.definitions import defs
from pipelines.ingest.assets import ssi_submission_partitions

REPO = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).resolve().parent / "hostile"


@pytest.fixture
def drop_zone(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    (raw / "national").mkdir()
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    monkeypatch.setenv("FLOORBOARD_MAX_FILE_MB", "0.05")
    return raw, wh


def _tick(instance, cursor):
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    result = automation.raw_files_sensor(ctx)
    assert isinstance(result, dg.SensorResult)
    for req in result.dynamic_partitions_requests or []:
        if isinstance(req, dg.DeleteDynamicPartitionsRequest):
            for key in req.partition_keys:
                instance.delete_dynamic_partition(req.partitions_def_name, key)
        else:
            instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
    return result


def _run(instance, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def(request.job_name)
    return job.execute_in_process(
        instance=instance, partition_key=request.partition_key, tags=request.tags
    )


def test_new_file_is_ingested_and_same_bytes_do_nothing(drop_zone):
    raw, wh = drop_zone
    with dg.instance_for_test() as instance:
        first = _tick(instance, None)
        assert first.run_requests == []
        shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi" / "KEN_2021.xlsx")

        second = _tick(instance, first.cursor)
        assert [r.partition_key for r in second.run_requests] == ["KEN_2021"]
        assert "KEN_2021" in instance.get_dynamic_partitions(ssi_submission_partitions.name)
        result = _run(instance, second.run_requests[0])
        assert result.success
        landed = pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "KEN_2021.parquet")
        assert landed.height == 8
        checks = {
            (e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()
        }
        assert checks[("ssi_submissions", "rows_reconcile")].passed
        assert checks[("ssi_submissions", "no_quarantined_rows")].passed

        # next tick: nothing new
        third = _tick(instance, second.cursor)
        assert third.run_requests == [] and not third.dynamic_partitions_requests
        # the same bytes dropped again (new mtime) do nothing either
        (raw / "ssi" / "KEN_2021.xlsx").unlink()
        shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi" / "KEN_2021.xlsx")
        fourth = _tick(instance, third.cursor)
        assert fourth.run_requests == []
        # without a cursor (e.g. a reset sensor) landed bytes still request no run
        assert _tick(instance, None).run_requests == []


def test_removed_submission_is_withdrawn_then_forgotten(drop_zone):
    raw, wh = drop_zone
    shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi" / "KEN_2021.xlsx")
    with dg.instance_for_test() as instance:
        first = _tick(instance, None)
        assert _run(instance, first.run_requests[0]).success
        cursor = _tick(instance, first.cursor).cursor
        (raw / "ssi" / "KEN_2021.xlsx").unlink()

        removed = _tick(instance, cursor)
        (request,) = removed.run_requests
        assert request.partition_key == "KEN_2021" and "/withdraw:" in request.run_key
        assert not removed.dynamic_partitions_requests  # its run needs the partition
        assert _tick(instance, removed.cursor).run_requests == []  # in flight: not twice
        result = _run(instance, request)
        assert result.success
        assert not list(wh.glob("landing/ssi_*/KEN_2021.parquet"))
        assert list(wh.glob("landing/_withdrawals/ssi/KEN_2021.*.parquet"))

        after = _tick(instance, removed.cursor)
        assert after.run_requests == []
        assert [list(r.partition_keys) for r in after.dynamic_partitions_requests] == [["KEN_2021"]]
        assert "KEN_2021" not in instance.get_dynamic_partitions(ssi_submission_partitions.name)
        last = _tick(instance, after.cursor)
        assert last.run_requests == [] and not last.dynamic_partitions_requests


def test_changed_and_broken_submission(drop_zone):
    raw, wh = drop_zone
    with dg.instance_for_test() as instance:
        shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi" / "KEN_2021.xlsx")
        first = _tick(instance, None)
        assert len(first.run_requests) == 1
        # a corrected file with the same name: new bytes, new run
        shutil.copy(HOSTILE / "ssi" / "KEN_2021_sex.xlsx", raw / "ssi" / "KEN_2021.xlsx")
        second = _tick(instance, first.cursor)
        assert [r.partition_key for r in second.run_requests] == ["KEN_2021"]
        assert second.run_requests[0].run_key != first.run_requests[0].run_key
        result = _run(instance, second.run_requests[0])
        assert result.success  # rows_reconcile passes: nothing was lost
        evals = {
            (e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()
        }
        warn = evals[("ssi_submissions", "no_quarantined_rows")]
        assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN
        assert "female + male add up to" in str(warn.metadata["first_failures"].value)
        report = Path(warn.metadata["validation_report"].value)
        assert report == wh / "reports" / "validation" / "KEN_2021.md" and report.exists()
        assert evals[("ssi_submissions", "rows_reconcile")].passed


def test_national_file_launches_national_landing(drop_zone):
    raw, wh = drop_zone
    with dg.instance_for_test() as instance:
        shutil.copy(HOSTILE / "national" / "bom" / "population.csv", raw / "national")
        first = _tick(instance, None)
        assert [r.job_name for r in first.run_requests] == ["ingest_national_statistics"]
        assert _tick(instance, first.cursor).run_requests == []
        result = _run(instance, first.run_requests[0])
        assert result.success
        assert (
            pl.read_parquet(wh / "landing" / "national_population" / "population.parquet").height
            == 2
        )


def test_schedules_and_sensor_registered():
    assert defs.resolve_sensor_def(automation.SENSOR_NAME)
    assert defs.resolve_schedule_def("ssi_round_schedule").cron_schedule == "0 6 1 11 *"
    assert defs.resolve_schedule_def("national_statistics_schedule").cron_schedule == "0 5 1 * *"
    assert defs.resolve_job_def("ingest_national_statistics")


def _fake_run(instance, request: dg.RunRequest, failed: bool) -> None:
    """A run of ``request`` as the daemon would record it, ended in failure or success."""
    run = instance.create_run_for_job(
        dg.GraphDefinition(name="fake", node_defs=[]).to_job(), tags=request.tags
    )
    if failed:
        instance.report_run_failed(run, "failed on purpose")
    else:
        instance.handle_run_event(
            run.run_id,
            dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name="fake", message="ok"),
        )


def test_a_failed_run_is_retried_at_the_next_tick(drop_zone):
    raw, wh = drop_zone
    with dg.instance_for_test() as instance:
        shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi" / "KEN_2021.xlsx")
        first = _tick(instance, None)
        [request] = first.run_requests
        # its run has not ended: the next tick waits for it
        assert _tick(instance, first.cursor).run_requests == []
        _fake_run(instance, request, failed=True)
        second = _tick(instance, first.cursor)
        [retry] = second.run_requests
        assert retry.partition_key == "KEN_2021" and retry.run_key == request.run_key + "/retry1"
        assert "KEN_2021" not in json.loads(second.cursor)["ssi"]
        _fake_run(instance, retry, failed=False)
        third = _tick(instance, second.cursor)
        assert third.run_requests == []
        cursor = json.loads(third.cursor)
        assert "KEN_2021" in cursor["ssi"] and not cursor.get("pending")
        # a run that keeps failing is given up after MAX_ATTEMPTS, until the file changes
        shutil.copy(HOSTILE / "ssi" / "KEN_2021_sex.xlsx", raw / "ssi" / "KEN_2021.xlsx")
        cur = third.cursor
        for attempt in range(automation.MAX_ATTEMPTS):
            result = _tick(instance, cur)
            [req] = result.run_requests
            assert req.run_key.endswith(f"/retry{attempt}") == bool(attempt)
            _fake_run(instance, req, failed=True)
            cur = result.cursor
        last = _tick(instance, cur)
        assert last.run_requests == [] and "KEN_2021" in json.loads(last.cursor)["ssi"]


def test_a_failed_national_run_is_retried(drop_zone):
    raw, wh = drop_zone
    with dg.instance_for_test() as instance:
        shutil.copy(HOSTILE / "national" / "bom" / "population.csv", raw / "national")
        first = _tick(instance, None)
        [request] = first.run_requests
        _fake_run(instance, request, failed=True)
        second = _tick(instance, first.cursor)
        assert [r.run_key for r in second.run_requests] == [request.run_key + "/retry1"]
        assert _run(instance, second.run_requests[0]).success
        assert _tick(instance, second.cursor).run_requests == []


def test_registry_folder_launches_registry_landing_and_its_removal_a_withdrawal(
    tmp_path, monkeypatch
):
    from pipelines.registry import generate as gen
    from tests.registry_helpers import scratch_warehouse

    raw = tmp_path / "raw"
    wh = scratch_warehouse(tmp_path)  # a landed SSI submission of WSM 2022 (its scheme ids)
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    gen.generate(raw / "registry", 200, 400, iso3="WSM", year=2022)
    with dg.instance_for_test() as instance:
        first = _tick(instance, None)
        assert [r.job_name for r in first.run_requests] == ["ingest_registry_microdata"]
        assert first.run_requests[0].tags["floorboard/changed_files"] == "WSM_2022"
        # requested, not finished: the next tick does not ask again
        assert _tick(instance, first.cursor).run_requests == []
        assert _run(instance, first.run_requests[0]).success
        landed = wh / "landing" / "registry_beneficiaries" / "WSM_2022.parquet"
        assert pl.read_parquet(landed).height > 0
        # the same bytes after a successful run: nothing
        settled = _tick(instance, _tick(instance, first.cursor).cursor)
        assert settled.run_requests == []
        assert "WSM_2022" in json.loads(settled.cursor)["registry"]

        kept = tmp_path / "kept"
        shutil.move(raw / "registry" / "WSM_2022", kept)
        gone = _tick(instance, settled.cursor)
        assert [r.job_name for r in gone.run_requests] == ["ingest_registry_microdata"]
        assert _run(instance, gone.run_requests[0]).success
        assert not landed.exists()
        cursor = _tick(instance, _tick(instance, gone.cursor).cursor).cursor
        assert _tick(instance, cursor).run_requests == []

        # back, landed again, removed again: a new withdrawal (a new run key; Dagster launches
        # a run key once). The landing is stamped to the second (its receipt's loaded_at), and
        # sensor ticks are 30 s apart: land it again in a later second, as a real round would
        second = int(time.time())
        while int(time.time()) == second:
            time.sleep(0.05)
        shutil.move(kept, raw / "registry" / "WSM_2022")
        again = _tick(instance, cursor)
        assert _run(instance, again.run_requests[0]).success and landed.exists()
        cursor = _tick(instance, _tick(instance, again.cursor).cursor).cursor
        shutil.rmtree(raw / "registry" / "WSM_2022")
        second = _tick(instance, cursor)
        assert [r.job_name for r in second.run_requests] == ["ingest_registry_microdata"]
        assert second.run_requests[0].run_key != gone.run_requests[0].run_key
        assert _run(instance, second.run_requests[0]).success
        assert not landed.exists()


def test_a_registry_waits_for_the_ssi_run_of_its_country_year(tmp_path, monkeypatch):
    """Its scheme ids are that submission's: landed first, every record would be quarantined."""
    from pipelines.registry import generate as gen

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(REPO / "raw" / "reference", raw / "reference")
    shutil.copy(REPO / "raw" / "ssi" / "WSM_2022.xlsx", raw / "ssi")
    gen.generate(raw / "registry", 200, 400, iso3="WSM", year=2022)
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    with dg.instance_for_test() as instance:
        first = _tick(instance, None)
        assert [r.job_name for r in first.run_requests] == ["ingest_ssi_submissions"]
        assert _tick(instance, first.cursor).run_requests == []  # SSI run still pending
        assert _run(instance, first.run_requests[0]).success
        after = _tick(instance, first.cursor)
        assert [r.job_name for r in after.run_requests] == ["ingest_registry_microdata"]
        assert _run(instance, after.run_requests[0]).success
        landed = pl.read_parquet(wh / "landing" / "registry_beneficiaries" / "WSM_2022.parquet")
        assert landed.height > 0
