"""When a run parses the dbt project in the background (``pipelines/warehouse/partial_parse.py``):
only for a new warehouse, only after a landing long enough to hide the parse, and only once the
landing's last batches run (``ssi_batches.at_last_batches``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines import releases
from pipelines.ingest import ssi_batches
from pipelines.warehouse import partial_parse
from tests.conftest import dbt_log_of_run


@pytest.fixture
def new_warehouse(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    (tmp_path / "raw" / "ssi").mkdir(parents=True)
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(tmp_path / "raw"))
    return tmp_path / "warehouse"


def test_a_short_landing_starts_no_background_parse(new_warehouse: Path):
    for n in (0, 1, 2, partial_parse.BACKGROUND_FROM - 1):
        assert partial_parse.start_parse(n) is None, n


def test_a_long_landing_on_a_new_warehouse_parses_in_the_background(new_warehouse: Path):
    parse = partial_parse.start_parse(partial_parse.BACKGROUND_FROM)
    assert parse is not None
    try:
        assert parse.process.poll() is None  # running while the submissions land
        assert parse.target.is_dir()
    finally:
        partial_parse.abandon(parse)
    assert parse.process.returncode is not None
    assert not parse.target.exists()


def test_a_warehouse_with_a_parsing_state_starts_none(new_warehouse: Path):
    state = partial_parse.cache_path()
    state.parent.mkdir(parents=True)
    state.write_bytes(b"state")
    assert partial_parse.start_parse(10 * partial_parse.BACKGROUND_FROM) is None


def test_a_deferred_parse_starts_once_when_the_landing_says_so(new_warehouse: Path):
    deferred = partial_parse.Deferred(partial_parse.BACKGROUND_FROM)
    assert deferred.parse is None  # nothing runs while the landing keeps the cores busy
    try:
        deferred.start()
        first = deferred.parse
        assert first is not None and first.process.poll() is None
        deferred.start()
        assert deferred.parse is first  # one parse per run
    finally:
        partial_parse.abandon(deferred.parse)


def test_the_landing_calls_the_hook_once_and_only_the_next_landing(new_warehouse: Path):
    calls: list[str] = []
    # submissions no longer in raw/ssi: nothing to read, nothing to withdraw
    keys = [f"KEN_{year}" for year in range(2000, 2000 + ssi_batches.BATCH_SIZE)]
    ssi_batches.at_last_batches(lambda: calls.append("parse"))
    try:
        assert [gone for *_, gone in ssi_batches.land_many(keys)] == [True] * len(keys)
        assert calls == ["parse"]
        ssi_batches.land_many(keys[:1])
        assert calls == ["parse"]
    finally:
        ssi_batches.at_last_batches(None)


def test_the_sample_warehouse_was_built_from_the_background_parse(sample_warehouse: Path):
    """The sample's cold run (722 submissions to land, a new warehouse): its build started from
    the state the background parse left, not from a whole parse of its own. dbt writes "Unable
    to do partial parsing because …" (info level: in the build's log file) when it has no state
    or cannot use it."""
    with duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True) as con:
        run_id = releases.current_release(con).run_id
    text = dbt_log_of_run(run_id)
    assert "Running with dbt" in text
    assert "Unable to do partial parsing" not in text, text[-3000:]


def test_a_parse_that_cannot_start_costs_the_landing_nothing(new_warehouse: Path, monkeypatch):
    def cannot(_name: str) -> Path:
        raise PermissionError("target folder")

    monkeypatch.setattr(partial_parse, "_fresh_target", cannot)
    deferred = partial_parse.Deferred(partial_parse.BACKGROUND_FROM)
    deferred.start()  # called from inside the landing: must not raise
    assert deferred.parse is None


def test_only_the_build_it_was_handed_to_waits_for_the_parse(new_warehouse: Path):
    deferred = partial_parse.Deferred(partial_parse.BACKGROUND_FROM)
    deferred.start()
    try:
        partial_parse.hand_to_build("build-run", deferred.parse)
        partial_parse.finish_pending("another-run")  # another run's dbt step: no wait
        assert deferred.parse.process.poll() is None
        assert deferred.parse.target.is_dir()
    finally:
        partial_parse.hand_to_build("", None)
        partial_parse.abandon(deferred.parse)
    partial_parse.finish_pending("build-run")  # handed back: nothing left to wait for
    assert not deferred.parse.target.exists()
