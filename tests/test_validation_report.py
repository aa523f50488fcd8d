"""Validation reports and asset checks: one Markdown report and one Excel twin per submission,
written at landing time, listing every problem with sheet, row, column and value; a
multi-submission run reports each submission's failures in its own `no_quarantined_rows` WARN
check while `rows_reconcile` passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines import landing, reports
from pipelines.definitions import defs
from pipelines.ingest import submissions
from pipelines.ingest.assets import ssi_submission_partitions

HOSTILE = Path(__file__).resolve().parent / "hostile"
KEYS = ["KEN_2021", "KEN_2021_sex", "KEN_2021_truncated"]


@pytest.fixture
def drop_zone(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    for key in KEYS:
        shutil.copy(HOSTILE / "ssi" / f"{key}.xlsx", raw / "ssi")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    return raw, wh


def test_report_for_every_problem(drop_zone):
    _, wh = drop_zone
    sub = submissions.find("KEN_2021_sex")
    submissions.land_submission(sub)
    path = reports.report_path("KEN_2021_sex")
    assert path == wh / "reports" / "validation" / "KEN_2021_sex.md"
    text = path.read_text(encoding="utf-8")
    assert "raw/ssi/KEN_2021_sex.xlsx" in text
    assert "| sheet | row | column | value | problem | check |" in text
    for row in (2, 3, 4):
        assert f"| beneficiaries | {row} |" in text
    assert "female + male add up to 70000 but the total (_T) is 50000" in text
    # a deleted report is rewritten when the (unchanged) file is seen again, from the landed
    # files this time: the same report as the one made from the landing's own results
    path.unlink()
    assert submissions.land_submission(sub)[1] is False
    assert _without_time(path.read_text(encoding="utf-8")) == _without_time(text)


def _without_time(report: str) -> str:
    return "\n".join(line for line in report.splitlines() if not line.startswith("- Checked at"))


def test_clean_submission_report(drop_zone):
    submissions.land_submission(submissions.find("KEN_2021"))
    text = reports.report_path("KEN_2021").read_text(encoding="utf-8")
    assert "No problems found" in text and "Rows received: 24; loaded: 24" in text


def test_multi_partition_run_checks(drop_zone):
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(ssi_submission_partitions.name, KEYS)
        job = defs.resolve_job_def("ingest_ssi_submissions")
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": KEYS[0],
                "dagster/asset_partition_range_end": KEYS[-1],
            },
        )
        assert result.success
        # one evaluation of each check per submission (partition), not one for the batch
        evals = {(e.check_name, e.partition): e for e in result.get_asset_check_evaluations()}
        assert set(evals) == {
            (c, k) for c in ("rows_reconcile", "no_quarantined_rows") for k in KEYS
        }
        assert all(e.passed for (c, _), e in evals.items() if c == "rows_reconcile")
        assert evals[("no_quarantined_rows", "KEN_2021")].passed
        for key in ("KEN_2021_sex", "KEN_2021_truncated"):
            ben = evals[("no_quarantined_rows", key)]
            assert not ben.passed and ben.severity == dg.AssetCheckSeverity.WARN
            assert ben.metadata["files_with_problems"].value == key
            assert ben.metadata["validation_report"].value.endswith(f"{key}.md")
        # a file that cannot be read is reported like the others
        truncated = evals[("no_quarantined_rows", "KEN_2021_truncated")]
        assert "damaged" in str(truncated.metadata["first_failures"].value)


@pytest.mark.parametrize("key", ["KEN_2021_sex", "KEN_2021_formula", "KEN_2021_nul"])
def test_xlsx_report_has_the_markdown_problems_and_no_formula(tmp_path, monkeypatch, key):
    """``<key>.xlsx`` beside ``<key>.md``: one row per problem, the same problems (each xlsx row
    rendered as a Markdown row is in the Markdown), every cell a value, never a formula."""
    from openpyxl import load_workbook

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    src = HOSTILE / "ssi" / f"{key}.xlsx"
    src = src if src.exists() else HOSTILE / "ssi" / key
    if src.is_dir():
        shutil.copytree(src, raw / "ssi" / src.name)
    else:
        shutil.copy(src, raw / "ssi")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    receipt, _ = submissions.land_submission(submissions.find(key))
    markdown = reports.report_path(key).read_text(encoding="utf-8")
    wb = load_workbook(reports.xlsx_path(key))  # formulas would load as formulas here
    assert wb.sheetnames == ["Summary", "Rows per sheet", "Problems"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), [c.value for c in row]
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True)}
    assert summary["Outcome"] == landing.receipt_status(receipt)
    assert f"- Outcome: **{summary['Outcome']}**" in markdown
    problems = list(wb["Problems"].iter_rows(values_only=True))
    assert problems[0] == ("sheet", "row", "column", "value", "problem", "check")
    assert len(problems) - 1 == summary["Problems found"] > 0
    for sheet, row, column, value, problem, check in problems[1:]:
        line = (
            f"| {reports.cell(sheet)} | {'' if row is None else row} | {reports.cell(column)} "
            f"| {reports.cell(value, reports.MAX_VALUE_CHARS)} | {reports.cell(problem)} "
            f"| {reports.cell(check)} |"
        )
        assert line in markdown, line
    if key == "KEN_2021_formula":
        assert any(str(p[3] or "").lstrip().startswith("=") for p in problems[1:])
