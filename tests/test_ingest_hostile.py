"""The hostile corpus (tests/hostile/, made by make_corpus.py): every file gets its clear error,
the other files of the batch still load, and per file loaded + quarantined = received."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines import landing, paths, reports
from pipelines.ingest import submissions
from pipelines.ingest.table_files import land_table_file
from schemas import national

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPECTED: dict[str, dict] = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
SSI_CASES = {k: v for k, v in EXPECTED.items() if v["kind"] == "ssi"}
NATIONAL_CASES = {k: v for k, v in EXPECTED.items() if v["kind"] == "national"}


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _env(mp: pytest.MonkeyPatch, raw: Path, wh: Path) -> None:
    mp.setenv("FLOORBOARD_RAW_DIR", str(raw))
    mp.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    mp.setenv("FLOORBOARD_MAX_FILE_MB", "0.05")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Land the whole SSI corpus as one batch; returns (raw, receipts, quarantine, hashes)."""
    base = tmp_path_factory.mktemp("hostile")
    raw, wh = base / "raw", base / "warehouse"
    shutil.copytree(HOSTILE / "ssi", raw / "ssi")
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    before = _hashes(raw)
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, wh)
        receipts, quarantine = {}, {}
        for sub in submissions.discover():
            receipt, changed = submissions.land_submission(sub)
            assert changed
            receipts[sub.path.name] = receipt
            quarantine[sub.path.name] = reports.read_quarantine(
                sub.submission_id,
                submissions.LANDING_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE],
            )
        report_text = {
            name: reports.report_path(r["submission_id"][0]).read_text(encoding="utf-8")
            for name, r in receipts.items()
        }
        yield raw, wh, receipts, quarantine, report_text, before


def test_corpus_is_large_and_committed():
    assert len(EXPECTED) >= 25
    for case in EXPECTED.values():
        assert (HOSTILE / case["path"]).exists(), case["path"]


def test_every_file_of_the_batch_was_landed(batch):
    raw, _, receipts, *_ = batch
    names = {Path(c["path"]).name for c in SSI_CASES.values()}
    assert names == set(receipts)


@pytest.mark.parametrize("case", sorted(SSI_CASES))
def test_ssi_case(batch, case):
    _, _, receipts, quarantine, report_text, _ = batch
    exp = SSI_CASES[case]
    name = Path(exp["path"]).name
    receipt, q, report = receipts[name], quarantine[name], report_text[name]
    # per file (and per sheet): loaded + quarantined = received
    bad = receipt.filter(
        pl.col("rows_loaded") + pl.col("rows_quarantined") != pl.col("rows_received")
    )
    assert bad.is_empty(), bad
    assert report.startswith("# Validation report") and f"raw/ssi/{name}" in report
    if exp["check"] is None:
        assert q.is_empty(), q.select("check_name", "reason").to_dicts()
        assert int(receipt["rows_loaded"].sum()) == int(receipt["rows_received"].sum()) > 0
        assert "No problems found" in report
        return
    hits = q.filter(pl.col("check_name").str.starts_with(exp["check"]))
    assert not hits.is_empty(), (exp, q.select("check_name", "reason").to_dicts())
    reasons = hits["reason"].to_list()
    assert any(exp["text"].lower() in r.lower() for r in reasons), (exp["text"], reasons)
    # every record names its file, and the report lists the problem with sheet/row/column/value
    assert set(q["source_file"].to_list()) == {f"ssi/{name}"}
    assert exp["check"] in report
    if exp["file_level"]:
        assert q.height == 1 and q["row_number"][0] is None
        assert name in reasons[0]
        assert receipt["file_error"][0] == reasons[0]
        assert "could not be read" in report
    else:
        assert int(receipt["rows_quarantined"].sum()) + int(q["row_number"].is_null().sum()) > 0


def test_good_files_of_the_batch_load(batch):
    _, wh, receipts, quarantine, *_ = batch
    for name in ("KEN_2021.xlsx", "UGA_2021", "GHA_2021_bom"):
        assert quarantine[name].is_empty()
        r = receipts[name]
        assert int(r["rows_loaded"].sum()) == int(r["rows_received"].sum()) > 20
    ben = pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "KEN_2021.parquet")
    assert ben.height == 8
    assert {"submission_id", "source_file", "source_sha256", "loaded_at"} <= set(ben.columns)
    assert ben["iso3"].unique().to_list() == ["KEN"]


def test_partial_submission_keeps_its_valid_rows(batch):
    """A bad row rejects that row only: the rest of the sheet and the other sheets load."""
    _, _, receipts, _, _, _ = batch
    r = receipts["KEN_2021_risk.xlsx"]
    ben = r.filter(pl.col("table_name") == "ssi_beneficiaries")
    assert ben.select("rows_received", "rows_loaded", "rows_quarantined").row(0) == (8, 7, 1)
    others = r.filter(pl.col("table_name") != "ssi_beneficiaries")
    assert int(others["rows_quarantined"].sum()) == 0 and int(others["rows_loaded"].sum()) > 10


def test_report_lists_sheet_row_column_value(batch):
    *_, report_text, _ = batch
    report = report_text["KEN_2021_text.xlsx"]
    assert "| beneficiaries | 2 | beneficiaries | about 30 000 |" in report
    report = report_text["KEN_2021_formula.xlsx"]
    assert "| schemes | 2 | scheme_name |" in report


def test_raw_files_are_never_modified(batch):
    raw, *_, before = batch
    assert _hashes(raw) == before


def test_relanding_identical_bytes_changes_nothing(batch):
    raw, wh, *_ = batch
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, wh)
        landing_before = _hashes(wh / "landing")
        for sub in submissions.discover():
            _, changed = submissions.land_submission(sub)
            assert not changed, sub.path.name
        assert _hashes(wh / "landing") == landing_before


@pytest.mark.parametrize("case", sorted(NATIONAL_CASES))
def test_national_case(tmp_path, monkeypatch, case):
    exp = NATIONAL_CASES[case]
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "national").mkdir(parents=True)
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    shutil.copy(HOSTILE / exp["path"], raw / "national" / "population.csv")
    _env(monkeypatch, raw, wh)
    receipt, _ = land_table_file("national", "population", national.Population)
    r = receipt.row(0, named=True)
    assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_received"]
    q = reports.read_quarantine("population", ["national_population"])
    if exp["check"] is None:
        assert q.is_empty() and r["rows_loaded"] == 2
        return
    hits = q.filter(pl.col("check_name").str.starts_with(exp["check"]))
    assert any(exp["text"].lower() in x.lower() for x in hits["reason"].to_list()), q.to_dicts()
    if exp["file_level"]:
        assert "population.csv" in hits["reason"][0]
    else:
        assert r["rows_loaded"] == 2 and r["rows_quarantined"] == 1
    assert reports.report_path("national_population").exists()


def test_symlink_and_traversal_are_refused(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    folder = raw / "ssi" / "KEN_2021_link"
    shutil.copytree(HOSTILE / "ssi" / "UGA_2021", folder)
    secret = tmp_path / "secret.csv"
    secret.write_text("scheme_id,source,amount_lcu\nKEN-NSSF,other,1\n")
    (folder / "receipts.csv").unlink()
    (folder / "receipts.csv").symlink_to(secret)
    _env(monkeypatch, raw, wh)
    receipt, _ = submissions.land_submission(submissions.find("KEN_2021_link"))
    assert "symbolic link" in receipt["file_error"][0]
    with pytest.raises(FileNotFoundError):
        submissions.find("../KEN_2021")
    assert landing.landed_sha("ssi", "KEN_2021_link") == landing.sha256_of(folder)
    assert paths.raw_dir() == raw.resolve()
