"""When a run parses the dbt project in the background (``pipelines/warehouse/partial_parse.py``):
only for a new warehouse, and only before a landing long enough to hide the parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.warehouse import partial_parse


@pytest.fixture
def new_warehouse(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
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
