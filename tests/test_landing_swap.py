"""Landing writes the new rows before removing the old, as one swap per submission (issue 11).

A process is killed (SIGKILL, via ``pipelines.faults``) while it lands a corrected submission over
an older one: before the swap, the old landing is intact; during the swap, the journal it left is
completed by the next process (``landing.recover``), so the landing is wholly the new version.
A swap never happens while the landing is being read (the dbt build holds ``landing.reading``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from pipelines import landing
from pipelines.ingest import submissions

REPO = Path(__file__).resolve().parents[1]
KEY = "KEN_2021"
LAND = "from pipelines.ingest import submissions as s; s.land_submission(s.find('KEN_2021'))"


@pytest.fixture
def zone(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(REPO / "raw" / "reference", raw / "reference")
    shutil.copy(REPO / "raw" / "ssi" / f"{KEY}.xlsx", raw / "ssi")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    submissions.land_submission(submissions.find(KEY))
    return raw / "ssi" / f"{KEY}.xlsx", wh


def _correct(path: Path) -> None:
    """A corrected version: one more scheme-level count changed (every table is rewritten)."""
    wb = load_workbook(path)
    ws = wb["beneficiaries"]
    ws["F2"] = int(ws["F2"].value) + 1
    wb.save(path)


def _landed_shas(wh: Path) -> set[str]:
    """The source_sha256 of every landed table file of the submission."""
    files = list((wh / "landing").glob(f"ssi_*/{KEY}.parquet"))
    assert files
    return {pl.read_parquet(f, columns=["source_sha256"])["source_sha256"][0] for f in files}


def _land_killed_at(point: str) -> None:
    env = {**os.environ, "FLOORBOARD_KILL_AT": point}
    proc = subprocess.run([sys.executable, "-c", LAND], cwd=REPO, env=env, timeout=120)
    assert proc.returncode == -9, f"{point} was never reached"


def _receipt_sha(wh: Path) -> str:
    meta = pq.read_schema(wh / "landing" / "_receipts" / "ssi" / f"{KEY}.parquet").metadata
    return meta[b"source_sha256"].decode()


def test_killed_before_the_swap_leaves_the_old_landing(zone):
    path, wh = zone
    old = _receipt_sha(wh)
    _correct(path)
    _land_killed_at("landing.files_written")
    assert _landed_shas(wh) == {old} and _receipt_sha(wh) == old
    assert list((wh / "landing").rglob(".*.tmp"))  # the dead process's temporary files
    assert landing.recover() == []  # no journal: nothing was decided
    assert not list((wh / "landing").rglob(".*.tmp"))  # its temporary files are removed
    assert _landed_shas(wh) == {old}
    # the next landing sees the file as changed and lands it
    receipt, changed = submissions.land_submission(submissions.find(KEY))
    assert changed and _landed_shas(wh) == {_receipt_sha(wh)} != {old}


@pytest.mark.parametrize("point", ["landing.mid_swap", "landing.before_receipt"])
def test_killed_during_the_swap_is_completed_by_the_next_process(zone, point):
    path, wh = zone
    old = _receipt_sha(wh)
    _correct(path)
    new = landing.sha256_of(path)
    _land_killed_at(point)
    journals = list((wh / "landing" / "_journal").glob("*.json"))
    assert len(journals) == 1
    assert _receipt_sha(wh) == old  # the receipt is renamed last
    if point == "landing.mid_swap":
        assert _landed_shas(wh) == {old, new}  # half swapped: what recover() is for
    assert landing.recover() == [journals[0].stem]
    assert _landed_shas(wh) == {new} and _receipt_sha(wh) == new
    assert not list((wh / "landing" / "_journal").glob("*.json"))
    assert not list((wh / "landing").rglob(".*.tmp"))
    # landed: the same bytes are a no-op now
    assert submissions.land_submission(submissions.find(KEY))[1] is False


def test_no_swap_while_the_landing_is_read(zone):
    path, wh = zone
    _correct(path)
    done = threading.Event()

    def land() -> None:
        submissions.land_submission(submissions.find(KEY))
        done.set()

    with landing.reading():
        worker = threading.Thread(target=land)
        worker.start()
        time.sleep(3)
        assert not done.is_set(), "a swap happened while the landing was being read"
    worker.join(60)
    assert done.is_set()
    assert _landed_shas(wh) == {landing.sha256_of(path)}


def test_a_withdrawal_is_one_swap(zone):
    path, wh = zone
    loaded = int(pl.read_parquet(landing.receipt_path("ssi", KEY))["rows_loaded"].sum())
    path.unlink()
    record = submissions.withdraw(KEY)
    assert record is not None and record["rows_withdrawn"][0] == loaded > 0
    assert not list((wh / "landing").rglob(f"{KEY}.parquet"))  # rows, quarantine, receipt
    assert KEY not in submissions.landed_ids()
    assert len(list(submissions.withdrawal_dir().glob(f"{KEY}.*.parquet"))) == 1
    assert submissions.withdraw(KEY) is None  # nothing left to withdraw
