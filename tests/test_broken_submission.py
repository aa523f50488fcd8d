"""Acceptance: sample submissions plus one deliberately broken submission materialize; the broken
one is quarantined and reported, every other country's numbers reach the marts, and the failed
checks are visible for its partition through the webserver's GraphQL API.

A small copy of the bundled sample (reference lists, national statistics and a few SSI
submissions) is materialized in-process with ``pipelines.run.run`` on a persistent instance, as an
operator would: first the good submissions, then a new batch in which a real sample submission
(``CHL_2020``, a CSV folder) arrives with two corrupted beneficiaries lines (a negative count, an
unknown risk code) next to a good one (``GHA_2020``). A real ``dagster-webserver`` is then started
on that instance and queried over GraphQL.

The ingestion job lands a whole batch of new submissions in one run; ``landing/ssi_submissions``
records one evaluation of each check per submission (partition), so the good submission that
arrived in the same run as the broken one shows its own passed checks.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from webserver_harness import graphql as graphql_raw
from webserver_harness import serve

#: whole pipeline runs (minutes): left out of `make test-fast`
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
ASSET = '{path: ["landing", "ssi_submissions"]}'

#: landed by the first run (all clean)
FIRST_BATCH = ["KEN_2020.xlsx", "KEN_2021.xlsx", "URY_2020", "ARG_2020"]
#: arrives later, landed by the second run
BROKEN = "CHL_2020"
BATCHED_GOOD = "GHA_2020.xlsx"
GOOD_IDS = ["ARG_2020", "GHA_2020", "KEN_2020", "KEN_2021", "URY_2020"]

#: (scheme_id, risk, benefit_type, sex, age_group) of the corrupted beneficiaries lines
NEGATIVE = ("CHL-PEN", "disability", "cash_periodic", "_T", "_T")
BAD_RISK = ("CHL-CHILD", "children", "cash_periodic", "M", "_T")


def _corrupt(folder: Path) -> dict:
    """Make one count negative and give one line an unknown risk; returns their sheet rows
    (header = row 1)."""
    path = folder / "beneficiaries.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["scheme_id", "risk", "benefit_type", "sex", "age_group", "beneficiaries"]
    where = {"group": []}
    for i, row in enumerate(rows):
        if tuple(row[:3]) == NEGATIVE[:3] and row[4] == NEGATIVE[4]:
            where["group"].append(i + 1)  # F, M and _T of the negative total
        if tuple(row[:5]) == NEGATIVE:
            row[5] = f"-{row[5]}"
            where["negative"] = i + 1
        elif tuple(row[:5]) == BAD_RISK:
            row[1] = "pension"
            where["bad_risk"] = i + 1
    assert set(where) == {"group", "negative", "bad_risk"} and len(where["group"]) == 3, where
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return where


def _run(instance: dg.DagsterInstance) -> None:
    from pipelines import run

    # landing, build and publish; nothing here looks at release files or country pages
    # (tests/test_release_files.py, tests/test_site.py)
    assert run.run(instance, release_files=False) == 0


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    base = tmp_path_factory.mktemp("broken_submission")
    raw, wh, home = base / "raw", base / "warehouse", base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    shutil.copytree(RAW / "reference", raw / "reference")
    shutil.copytree(RAW / "national", raw / "national")
    (raw / "ssi").mkdir()

    def add(name: str) -> Path:
        src, dst = RAW / "ssi" / name, raw / "ssi" / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
        return dst

    with pytest.MonkeyPatch.context() as mp, dg.DagsterInstance.from_config(str(home)) as inst:
        mp.setenv("FLOORBOARD_RAW_DIR", str(raw))
        mp.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
        for name in FIRST_BATCH:
            add(name)
        _run(inst)
        # a new batch arrives: a broken submission and a good one
        rows = _corrupt(add(BROKEN))
        add(BATCHED_GOOD)
        _run(inst)
    assert os.environ.get("FLOORBOARD_WAREHOUSE_DIR") != str(wh)
    return {"raw": raw, "wh": wh, "home": home, "rows": rows}


# -- files: report, quarantine, marts -------------------------------------------------------------


def test_broken_submission_is_reported(scenario):
    report = scenario["wh"] / "reports" / "validation" / f"{BROKEN}.md"
    assert report.exists()
    text = report.read_text(encoding="utf-8")
    assert f"`raw/ssi/{BROKEN}`" in text
    assert "Rows received: 212; loaded: 208; rejected: 4" in text
    assert "| beneficiaries.csv | 71 | 67 | 4 |" in text
    assert "beneficiaries = -140850: must be at least 0" in text
    assert "risk = pension: is not an allowed code" in text
    # the negative total also breaks F + M = total: the whole group is rejected
    assert "female + male add up to 140850 but the total (_T) is -140850" in text
    for key in GOOD_IDS:
        good = (scenario["wh"] / "reports" / "validation" / f"{key}.md").read_text("utf-8")
        assert "No problems found" in good, key


def test_rejected_rows_are_quarantined(scenario):
    qdir = scenario["wh"] / "landing" / "_quarantine"
    q = pl.read_parquet(qdir / "ssi_beneficiaries" / f"{BROKEN}.parquet")
    assert set(q["submission_id"]) == {BROKEN}
    assert set(q["source_file"]) == {f"ssi/{BROKEN}"}
    rows = scenario["rows"]
    records = {(r["row_number"], r["column_name"], r["value"]) for r in q.iter_rows(named=True)}
    assert (rows["negative"], "beneficiaries", "-140850") in records
    assert (rows["bad_risk"], "risk", "pension") in records
    # the negative total also fails F + M = total: its whole sex group is rejected with it
    sex = q.filter(pl.col("check_name").str.starts_with("female + male do not match"))
    assert sorted(sex["row_number"]) == rows["group"]
    assert q.height == 5
    assert sorted(q["row_number"].unique()) == sorted({*rows["group"], rows["bad_risk"]})
    # nothing else of the broken submission, and nothing of the good ones, is quarantined
    for table_dir in qdir.glob("ssi_*"):
        for f in table_dir.glob("*.parquet"):
            if f.stem == "_schema" or (f.stem == BROKEN and table_dir.name == "ssi_beneficiaries"):
                continue
            assert pl.read_parquet(f).is_empty(), f


def test_marts_have_every_other_country_and_no_rejected_line(scenario):
    con = duckdb.connect(str(scenario["wh"] / "floorboard.duckdb"), read_only=True)
    try:
        pensn = {
            (iso3, year, sex): value
            for iso3, year, sex, value in con.execute(
                "select iso3, time_period, sex, value from marts.sdg_indicators "
                "where series_code = 'SI_COV_PENSN'"
            ).fetchall()
        }
        for key in GOOD_IDS:
            iso3, year = key.split("_")
            for sex in ("_T", "F", "M"):
                value = pensn.get((iso3, int(year), sex))
                assert value is not None and 0 < value <= 100, (key, sex, value)
        # the accepted rows of the broken submission are still loaded
        assert ("CHL", 2020, "_T") in pensn
        submissions = {
            r[0] for r in con.execute("select submission_id from marts.dim_submission").fetchall()
        }
        assert {*GOOD_IDS, BROKEN} <= submissions

        ben = con.execute(
            "select scheme_id, risk, benefit_type, sex, age_group, beneficiaries "
            "from staging.stg_ssi__beneficiaries where submission_id = ?",
            [BROKEN],
        ).fetchall()
        assert len(ben) == 71 - 4
        assert all(r[5] >= 0 for r in ben)
        assert not [r for r in ben if r[1] == "pension" or tuple(r[:5]) == BAD_RISK]
        assert not [r for r in ben if r[:3] == NEGATIVE[:3] and r[4] == "_T"]
        assert [r for r in ben if r[:2] == ("CHL-PEN", "old_age")]

        quarantined = con.execute(
            "select submission_id, row_number, reason from marts.fct_quarantine "
            "where source_file like 'ssi/%'"
        ).fetchall()
        assert {r[0] for r in quarantined} == {BROKEN}
        assert len(quarantined) == 5
        assert any("must be at least 0" in r[2] for r in quarantined)
    finally:
        con.close()


# -- the webserver --------------------------------------------------------------------------------


def _graphql(port: int, query: str) -> dict:
    data = graphql_raw(port, query)
    assert "errors" not in data, data["errors"]
    return data["data"]


@pytest.fixture(scope="module")
def webserver(scenario):
    query = f"{{ assetNodeOrError(assetKey: {ASSET}) {{ __typename }} }}"

    def ready(port: int) -> bool:
        return _graphql(port, query)["assetNodeOrError"]["__typename"] == "AssetNode"

    env = {
        "FLOORBOARD_RAW_DIR": str(scenario["raw"]),
        "FLOORBOARD_WAREHOUSE_DIR": str(scenario["wh"]),
    }
    with serve(scenario["home"], ready, env) as port:
        yield port


def _executions(name: str) -> str:
    return f"""
  {name}: assetCheckExecutions(assetKey: {ASSET}, checkName: "{name}", limit: 50) {{
    runId status partition
    evaluation {{
      success severity description
      metadataEntries {{
        label
        ... on TextMetadataEntry {{ text }}
        ... on IntMetadataEntry {{ intValue }}
        ... on JsonMetadataEntry {{ jsonString }}
        ... on MarkdownMetadataEntry {{ mdStr }}
        ... on PathMetadataEntry {{ path }}
      }}
    }}
  }}"""


def _checks_by_partition(port: int) -> dict[str, dict[str, dict]]:
    """partition -> check name -> the check execution of the run that last materialized it
    (with ``metadata``: label -> value)."""
    keys = json.dumps([*GOOD_IDS, BROKEN])
    data = _graphql(
        port,
        "{ asset: assetNodeOrError(assetKey: " + ASSET + ") { ... on AssetNode {"
        " latestMaterializationByPartition(partitions: "
        + keys
        + ") { partition runId } } }"
        + _executions("no_quarantined_rows")
        + _executions("rows_reconcile")
        + " }",
    )
    run_of = {m["partition"]: m["runId"] for m in data["asset"]["latestMaterializationByPartition"]}
    assert set(run_of) == {*GOOD_IDS, BROKEN}
    out: dict[str, dict[str, dict]] = {}
    for check in ("no_quarantined_rows", "rows_reconcile"):
        by_run = {(e["runId"], e["partition"]): e for e in data[check]}
        for partition, run_id in run_of.items():
            execution = dict(by_run[(run_id, partition)])
            execution["metadata"] = {
                m["label"]: next((v for k, v in m.items() if k != "label"), None)
                for m in execution["evaluation"]["metadataEntries"]
            }
            out.setdefault(partition, {})[check] = execution
    return out


def _run_tags(port: int, run_id: str) -> dict:
    data = _graphql(
        port,
        "{ runOrError(runId: " + json.dumps(run_id) + ") { ... on Run { status "
        "tags { key value } assetMaterializations { partition } } } }",
    )
    run = data["runOrError"]
    assert run["status"] == "SUCCESS"
    tags = {t["key"]: t["value"] for t in run["tags"]}
    tags["materialized"] = sorted(m["partition"] for m in run["assetMaterializations"])
    return tags


def test_failed_check_visible_for_the_broken_partition(webserver):
    checks = _checks_by_partition(webserver)
    broken = checks[BROKEN]
    warn = broken["no_quarantined_rows"]
    assert warn["status"] == "FAILED"
    assert warn["evaluation"]["success"] is False
    assert warn["evaluation"]["severity"] == "WARN"
    meta = warn["metadata"]
    assert meta["files_with_problems"] == BROKEN
    assert meta["rows_quarantined"] == 4
    assert meta["quarantine_records"] == 5
    reasons = json.loads(meta["first_reasons"])
    assert any("beneficiaries = -140850: must be at least 0" in r for r in reasons)
    assert any("risk = pension: is not an allowed code" in r for r in reasons)
    assert "| ssi/CHL_2020 |" in meta["first_failures"]
    assert meta["validation_report"].endswith(f"{BROKEN}.md")
    # the blocking check of the same run passed: rows reconcile, so the run went on
    reconcile = broken["rows_reconcile"]
    assert reconcile["runId"] == warn["runId"]
    assert reconcile["status"] == "SUCCEEDED" and reconcile["evaluation"]["success"] is True
    assert reconcile["metadata"]["mismatched_files"] == "none"
    assert reconcile["metadata"]["rows_quarantined"] == 4
    # the run is the one that landed the broken submission (and the one batched with it)
    tags = _run_tags(webserver, warn["runId"])
    assert tags["dagster/asset_partition_range_start"] == BROKEN
    assert tags["materialized"] == sorted([BROKEN, "GHA_2020"])


def test_checks_passed_for_the_good_partitions_landed_before(webserver):
    checks = _checks_by_partition(webserver)
    runs = set()
    for key in ("ARG_2020", "KEN_2020", "KEN_2021", "URY_2020"):
        for name in ("no_quarantined_rows", "rows_reconcile"):
            execution = checks[key][name]
            assert execution["status"] == "SUCCEEDED", (key, name, execution)
            assert execution["evaluation"]["success"] is True
        assert checks[key]["no_quarantined_rows"]["metadata"]["files_with_problems"] == "none"
        runs.add(checks[key]["no_quarantined_rows"]["runId"])
    assert len(runs) == 1
    assert runs.isdisjoint({checks[BROKEN]["no_quarantined_rows"]["runId"]})


def test_good_submission_batched_with_the_broken_one_passes(webserver):
    """The good submission landed in the same run as the broken one has its own checks, and
    they passed (one evaluation per partition, not one for the run)."""
    checks = _checks_by_partition(webserver)
    assert (
        checks["GHA_2020"]["no_quarantined_rows"]["runId"]
        == (checks[BROKEN]["no_quarantined_rows"]["runId"])
    )
    for name in ("no_quarantined_rows", "rows_reconcile"):
        assert checks["GHA_2020"][name]["status"] == "SUCCEEDED", name
        assert checks["GHA_2020"][name]["partition"] == "GHA_2020"
    assert checks["GHA_2020"]["no_quarantined_rows"]["metadata"]["files_with_problems"] == "none"
