"""What ``make run`` has to do (``pipelines.inputs.check``), on a hand-made warehouse: nothing
(UNCHANGED), finish a release a dead run published (UNFINISHED), or build (CHANGED).

The published warehouse here is a DuckDB file holding only ``marts.releases``, the table the
check reads; the whole path (a run killed after its publish, then ``make run``) is
tests/test_fault_injection.py.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from pipelines import inputs


@pytest.fixture
def world(tmp_path, monkeypatch) -> Path:
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    (raw / "ssi" / "KEN_2020.csv").write_text("a\n1\n")
    wh.mkdir()
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    return tmp_path


def _publish(world: Path, release_id: str, run_id: str) -> None:
    """A published warehouse whose newest release is ``release_id``, published by ``run_id``."""
    with closing(duckdb.connect(str(world / "warehouse" / "floorboard.duckdb"))) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create table if not exists marts.releases "
            "(release_id varchar, published_at timestamp, run_id varchar)"
        )
        con.execute("insert into marts.releases values (?, now(), ?)", [release_id, run_id])


def _outputs(world: Path, release_id: str) -> None:
    (world / "warehouse" / "extracts" / release_id).mkdir(parents=True)
    (world / "warehouse" / "site").mkdir(exist_ok=True)
    (world / "warehouse" / "site" / "index.html").write_text("<html></html>")


def test_no_record_means_build(world):
    _publish(world, "R1", "run-a")
    assert inputs.check().state == inputs.CHANGED


def test_a_release_published_by_a_run_that_died_is_unfinished(world):
    inputs.record_pending(inputs.check().snap, "run-a")
    _publish(world, "R1", "run-a")  # the run published, then died: no release folder, no site
    found = inputs.check()
    assert (found.state, found.release, found.build_run_id) == (inputs.UNFINISHED, "R1", "run-a")
    _outputs(world, "R1")  # even with the outputs there: the run never said it was done
    assert inputs.check().state == inputs.UNFINISHED
    inputs.record(found.snap, "R1")  # the finishing run succeeded
    assert (inputs.check().state, inputs.check().release) == (inputs.UNCHANGED, "R1")


def test_unfinished_only_with_the_same_inputs_and_the_same_run(world):
    inputs.record_pending(inputs.check().snap, "run-a")
    _publish(world, "R1", "run-b")  # published by another run (sensor, UI)
    assert inputs.check().state == inputs.CHANGED
    _publish(world, "R2", "run-a")
    assert inputs.check().state == inputs.UNFINISHED
    (world / "raw" / "ssi" / "KEN_2020.csv").write_text("a\n2\n")  # raw changed since
    assert inputs.check().state == inputs.CHANGED


def test_nothing_changed_needs_the_release_files_and_the_site(world):
    snap = inputs.check().snap
    _publish(world, "R1", "run-a")
    inputs.record(snap, "R1")
    assert inputs.check().state == inputs.CHANGED  # no release folder, no site: build
    _outputs(world, "R1")
    assert inputs.check().state == inputs.UNCHANGED
    (world / "warehouse" / "site" / "index.html").unlink()
    assert inputs.check().state == inputs.CHANGED


def test_a_run_whose_release_was_replaced_records_nothing(world):
    snap = inputs.check().snap
    _publish(world, "R1", "run-a")
    _publish(world, "R2", "run-b")  # another run published after ours
    inputs.record(snap, "R1")
    assert not inputs.record_path().exists()
    assert inputs.check().state == inputs.CHANGED


def test_a_record_written_before_this_version(world):
    """Records from before the pending record had no ``build_run_id``."""
    snap = inputs.check().snap
    _publish(world, "R1", "run-a")
    _outputs(world, "R1")
    old = {"release_id": "R1", "fingerprint": inputs.fingerprint(snap), "files": snap}
    inputs.record_path().write_text(json.dumps(old))
    assert inputs.check().state == inputs.UNCHANGED
    inputs.record_path().write_text(json.dumps({**old, "release_id": "R0"}))
    assert inputs.check().state == inputs.CHANGED


def test_what_changed_since_the_published_release(world):
    """Only SSI submissions changed since the published release was built (same code, same
    other drop zones): ``make run`` refreshes only what depends on them. Anything else, or no
    record of the published release, and it builds everything."""
    (world / "raw" / "national").mkdir()
    (world / "raw" / "national" / "population.csv").write_text("p\n1\n")
    snap = inputs.check().snap
    _publish(world, "R1", "run-a")
    _outputs(world, "R1")
    inputs.record(snap, "R1")
    ssi = world / "raw" / "ssi"
    (ssi / "KEN_2020.csv").touch()  # touched, same bytes: nothing changed
    assert inputs.check().state == inputs.UNCHANGED
    (ssi / "KEN_2020_r2.csv").write_text("a\n2\n")  # a correction dropped in
    found = inputs.check()
    assert found.since_published == {"raw/ssi/KEN_2020_r2.csv"} and found.only_ssi_changed()
    (ssi / "KEN_2020.csv").unlink()  # a submission removed (withdrawn)
    found = inputs.check()
    assert found.since_published == {"raw/ssi/KEN_2020.csv", "raw/ssi/KEN_2020_r2.csv"}
    assert found.only_ssi_changed()
    (world / "raw" / "national" / "population.csv").write_text("p\n2\n")
    found = inputs.check()
    assert "raw/national/population.csv" in found.since_published
    assert not found.only_ssi_changed()
    (world / "raw" / "national" / "population.csv").write_text("p\n1\n")
    assert inputs.check().only_ssi_changed()
    # a run started since and died (or failed) before publishing, twice: the next run still
    # knows what changed since the published release (the pending record kept its inputs)
    expected = {"raw/ssi/KEN_2020.csv", "raw/ssi/KEN_2020_r2.csv"}
    for run_id in ("run-b", "run-c"):
        inputs.record_pending(inputs.check().snap, run_id)
        found = inputs.check()
        assert found.state == inputs.CHANGED and found.since_published == expected, run_id
        assert found.only_ssi_changed()
    # another run (a sensor's) published since: what it was built from is not known
    _publish(world, "R2", "run-x")
    found = inputs.check()
    assert found.state == inputs.CHANGED and found.since_published is None
    assert not found.only_ssi_changed()
    # a record written before the pending record kept the published inputs
    old = json.loads(inputs.record_path().read_text())
    _publish(world, "R3", "run-a")
    inputs.record(inputs.check().snap, "R3")
    inputs.record_pending(inputs.check().snap, "run-d")
    assert inputs.check().since_published == frozenset()
    inputs.record_path().write_text(json.dumps({k: v for k, v in old.items() if k != "published"}))
    assert inputs.check().since_published is None


def test_a_code_change_is_never_only_ssi(world, monkeypatch):
    snap = inputs.check().snap
    code = next(n for n in snap if n.startswith("code/"))
    changed = {**snap, code: ["another lstat key", "0" * 64]}
    _publish(world, "R1", "run-a")
    _outputs(world, "R1")
    inputs.record(changed, "R1")  # as if the release had been built from other code
    found = inputs.check()
    assert code in found.since_published and not found.only_ssi_changed()


def test_known_sha_is_the_landing_sha_of_a_file_unchanged_since_the_snapshot(world):
    """``runner.changed_submissions`` reuses the snapshot's sha256 of a file the run has just
    hashed (issue 13), only while its ``lstat`` key is the recorded one, and only for a regular
    file (a folder submission or a link is hashed by ``landing.sha256_of`` as before)."""
    import os

    from pipelines import landing

    raw = world / "raw"
    path = raw / "ssi" / "KEN_2020.csv"
    (raw / "ssi" / "URY_2020").mkdir()
    (raw / "ssi" / "URY_2020" / "submission.csv").write_text("b\n2\n")
    os.symlink(path, raw / "ssi" / "TZA_2020.csv")
    snap = inputs.snapshot()
    assert inputs.known_sha(snap, path) == landing.sha256_of(path)
    assert inputs.known_sha(snap, raw / "ssi" / "URY_2020") is None  # a folder submission
    assert inputs.known_sha(snap, raw / "ssi" / "TZA_2020.csv") is None  # a link
    assert inputs.known_sha(None, path) is None and inputs.known_sha(snap, world / "x") is None
    path.write_text("a\n2\n")  # same size: the modification time (and inode key) differ
    os.utime(path, ns=(1, 1))
    assert inputs.known_sha(snap, path) is None
