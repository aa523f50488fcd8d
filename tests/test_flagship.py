"""Flagship Programme monitoring (issue 6, methodology §9).

- The scorecard of the sample warehouse equals values computed by hand in Python straight from
  the raw/flagship CSV files (countries with a change at each step and the number of changes,
  people per impact type by sex and risk, joint share, outputs, ratifications of C102 and of the
  up-to-date social security standards, people deduplicated across types), counting only the
  focus countries of each phase.
- The deduplication rule on a small hand-made case, through the real landing and a real dbt
  build of the Flagship models.
- A hostile Flagship file: bad rows quarantined with their reasons, loaded + quarantined =
  received, through the Dagster landing asset and its checks.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines import paths, reports
from schemas import flagship

RAW = paths.REPO_ROOT / "raw" / "flagship"
PHASES = {p: (start, end) for p, start, end in flagship.PHASES}


def _rows(table: str, root: Path = RAW) -> list[dict]:
    with (root / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _phase(date: str) -> str:
    return next(p for p, (a, b) in PHASES.items() if a.isoformat() <= date <= b.isoformat())


def _joint(partners: str) -> bool:
    return any(p.strip() and p.strip() != "ILO" for p in partners.split(";"))


def _scorecard(con) -> dict[tuple, tuple]:
    rows = con.execute(
        "select phase, measure, risk, sex, achieved, achieved_computed, ambition, "
        "achieved_source, share_of_ambition, is_reference_phase from marts.fct_flagship_scorecard"
    ).fetchall()
    return {r[:4]: r[4:] for r in rows}


def focus_by_phase(root: Path = RAW) -> set[tuple[str, str]]:
    """(phase, iso3) of the focus countries of each phase (raw/flagship/focus_countries.csv)."""
    return {(r["phase"], r["iso3"]) for r in _rows("focus_countries", root)}


def _standards() -> set[str]:
    with (paths.DBT_PROJECT_DIR / "seeds" / "social_security_standards.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        return {
            r["convention"]
            for r in csv.DictReader(f)
            if r["counts_for_flagship_indicator"] == "true"
        }


def hand_scorecard(root: Path = RAW, n_changes: dict | None = None) -> dict[tuple, float]:
    """(phase, measure, risk, sex) -> value, computed from the raw CSV files; only records of
    a focus country of their phase count. ``n_changes``, when given, receives the number of
    changes behind each countries measure."""
    out: dict[tuple, float] = defaultdict(float)
    focus = focus_by_phase(root)
    changes = [
        c
        for c in _rows("institutional_changes", root)
        if (_phase(c["change_date"]), c["iso3"]) in focus
    ]
    impacts = [
        i for i in _rows("impact_on_people", root) if (_phase(i["impact_date"]), i["iso3"]) in focus
    ]
    interventions = [
        iv
        for iv in _rows("interventions", root)
        if (_phase(f"{iv['end_year']}-06-30"), iv["iso3"]) in focus
    ]
    step_countries, step_changes = defaultdict(set), defaultdict(set)
    for c in changes:
        ph = _phase(c["change_date"])
        for risk in ["_T", *c["risks"].split(";")]:
            step_countries[(ph, c["step"], risk)].add(c["iso3"])
            step_changes[(ph, c["step"], risk)].add(c["change_id"])
    for (ph, step, risk), isos in step_countries.items():
        out[(ph, f"step_{step}_countries", risk, "_T")] = len(isos)
        if n_changes is not None:
            n_changes[(ph, f"step_{step}_countries", risk, "_T")] = len(
                step_changes[(ph, step, risk)]
            )
    by_key = {(i["impact_id"], i["sex"]): i for i in impacts}
    for i in impacts:
        ph = _phase(i["impact_date"])
        n = int(i["persons"])
        measure = f"{i['impact_type']}_persons"
        out[(ph, measure, "_T", i["sex"])] += n  # one row per record and sex: counted once
        target = by_key.get((i["same_people_as"], i["sex"]))
        linked = target is not None and _phase(target["impact_date"]) == ph
        if not linked:
            out[(ph, "people_reached_deduplicated", "_T", i["sex"])] += n
        for risk in i["risks"].split(";"):
            out[(ph, measure, risk, i["sex"])] += n
            if not (linked and risk in target["risks"].split(";")):
                out[(ph, "people_reached_deduplicated", risk, i["sex"])] += n
    results = defaultdict(dict)
    for c in changes:
        results[_phase(c["change_date"])][c["change_id"]] = _joint(c["partners_involved"])
    for i in impacts:
        results[_phase(i["impact_date"])][i["impact_id"]] = _joint(i["partners_involved"])
    for ph, recs in results.items():
        out[(ph, "share_results_joint", "_T", "_T")] = 100.0 * sum(recs.values()) / len(recs)
    for iv in interventions:
        ph = _phase(f"{iv['end_year']}-06-30")
        out[(ph, "persons_trained", "_T", "_T")] += int(iv["persons_trained"] or 0)
        out[(ph, "knowledge_products_endorsed", "_T", "_T")] += int(
            iv["knowledge_products_endorsed"] or 0
        )
    standards = _standards()
    for measure, kept in (
        ("countries_ratifying_c102", {"C102"}),
        ("countries_ratifying_social_security_standards", standards),
    ):
        ratified = [c for c in changes if c["ratification"] in kept]
        for ph in {_phase(c["change_date"]) for c in ratified}:
            in_phase = [c for c in ratified if _phase(c["change_date"]) == ph]
            out[(ph, measure, "_T", "_T")] = len({c["iso3"] for c in in_phase})
            if n_changes is not None:
                n_changes[(ph, measure, "_T", "_T")] = len(in_phase)
    return dict(out)


def test_sample_covers_focus_countries_and_both_phases():
    focus = flagship.focus_countries()
    assert len(focus) == 50
    for table in flagship.TABLES:
        rows = _rows(table)
        assert {r["iso3"] for r in rows} <= focus, table
    assert {r["iso3"] for r in _rows("interventions")} == focus
    # focus countries differ by phase (methodology §9): 21 in phase I, 50 in phase II
    by_phase = defaultdict(set)
    for phase, iso3 in focus_by_phase():
        by_phase[phase].add(iso3)
    assert {p: len(v) for p, v in by_phase.items()} == {"2016-2020": 21, "2021-2025": 50}
    assert by_phase["2016-2020"] <= by_phase["2021-2025"] == focus
    changes = _rows("institutional_changes")
    # ratifications of C102 and of other up-to-date social security standards
    ratified = {c["ratification"] for c in changes if c["ratification"]}
    assert "C102" in ratified and ratified - {"C102"}
    # results dated in phase I in a country that was not a phase I focus country
    assert any(
        _phase(c["change_date"]) == "2016-2020" and c["iso3"] not in by_phase["2016-2020"]
        for c in changes
    )
    assert {_phase(c["change_date"]) for c in changes} == set(PHASES)
    impacts = _rows("impact_on_people")
    assert {_phase(i["impact_date"]) for i in impacts} == set(PHASES)
    # the overlaps the deduplication rule is about
    assert any(i["same_people_as"] for i in impacts)
    assert any(";" in i["risks"] for i in impacts)
    assert any(";" in c["risks"] for c in changes)


def test_results_mart_has_one_row_per_record_risk_sex(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        n_changes = con.execute(
            "select count(distinct result_id) from marts.fct_flagship_results "
            "where result_type = 'institutional_change'"
        ).fetchall()[0][0]
        expected_rows = sum(len(c["risks"].split(";")) for c in _rows("institutional_changes"))
        expected_rows += sum(len(i["risks"].split(";")) for i in _rows("impact_on_people"))
        n_rows = con.execute("select count(*) from marts.fct_flagship_results").fetchall()[0][0]
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_flagship_results'"
            ).fetchall()
        )
    finally:
        con.close()
    assert n_changes == len(_rows("institutional_changes"))
    assert n_rows == expected_rows
    contract = {
        "result_id": "VARCHAR",
        "iso3": "VARCHAR",
        "year": "INTEGER",
        "result_date": "DATE",
        "phase": "VARCHAR",
        "result_type": "VARCHAR",
        "step": "INTEGER",
        "impact_type": "VARCHAR",
        "risk": "VARCHAR",
        "sex": "VARCHAR",
        "persons": "BIGINT",
        "description": "VARCHAR",
        "source": "VARCHAR",
        "thematic_area": "VARCHAR",
        "is_joint": "BOOLEAN",
    }
    assert {c: types.get(c) for c in contract} == contract


def test_scorecard_equals_hand_computation(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        mart = _scorecard(con)
        seed = con.execute(
            "select phase, measure, ambition, published_achieved "
            "from staging.flagship_phase_ambitions"
        ).fetchall()
    finally:
        con.close()
    hand_changes: dict[tuple, int] = {}
    hand = hand_scorecard(n_changes=hand_changes)
    # countries and, beside them, the number of changes
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        changes = dict(
            (r[:4], r[4])
            for r in con.execute(
                "select phase, measure, risk, sex, n_changes from marts.fct_flagship_scorecard "
                "where unit = 'countries'"
            ).fetchall()
        )
    finally:
        con.close()
    assert changes == {k: hand_changes.get(k, 0) for k in changes}
    assert set(hand_changes) <= set(changes)
    assert any(n > hand[k] for k, n in hand_changes.items())  # some countries had 2+ changes
    # every hand value is in the mart; every mart row without a hand value is zero
    for key, value in hand.items():
        assert key in mart, key
        assert mart[key][1] == pytest.approx(value), key
    for key, (_, computed, *_rest) in mart.items():
        if key not in hand:
            assert computed == 0, key
    # the current phase shows computed values against the ambitions
    ambitions = {(p, m): (a, pub) for p, m, a, pub in seed}
    current = "2021-2025"
    for measure, amb in {
        "step_1_countries": 10,
        "step_2_countries": 30,
        "step_3_countries": 40,
        "legal_coverage_persons": 20e6,
        "effective_coverage_persons": 30e6,
        "adequacy_persons": 10e6,
    }.items():
        achieved, computed, ambition, source, share, is_ref = mart[(current, measure, "_T", "_T")]
        assert (achieved, source, ambition, is_ref) == (computed, "computed", amb, False)
        assert share == pytest.approx(100 * computed / amb)
        assert ambitions[(current, measure)][0] == amb
    # the reference phase shows the published figures, ours alongside
    reference = {
        "step_1_countries": (21, 10),
        "step_2_countries": (14, 13),
        "step_3_countries": (7, 16),
        "legal_coverage_persons": (None, 11.6e6),
        "effective_coverage_persons": (None, 10.9e6),
        "adequacy_persons": (None, 2.6e6),
    }
    for measure, (amb, published) in reference.items():
        achieved, computed, ambition, source, share, is_ref = mart[
            ("2016-2020", measure, "_T", "_T")
        ]
        assert (achieved, ambition, source, is_ref) == (published, amb, "published", True)
        assert computed == pytest.approx(hand.get(("2016-2020", measure, "_T", "_T"), 0))
    # people are never summed across impact types without deduplication
    for ph in PHASES:
        for sex in ("_T", "F", "M"):
            by_type = [hand.get((ph, f"{t}_persons", "_T", sex), 0) for t in flagship.IMPACT_TYPES]
            dedup = mart[(ph, "people_reached_deduplicated", "_T", sex)][1]
            assert max(by_type) <= dedup < sum(by_type), (ph, sex)


# --- the deduplication rule on a hand-made case -------------------------------------------

IMPACT_HEADER = list(flagship.ImpactOnPeople.to_schema().columns)
CHANGE_HEADER = list(flagship.InstitutionalChanges.to_schema().columns)
INTERVENTION_HEADER = list(flagship.Interventions.to_schema().columns)
FOCUS_HEADER = list(flagship.FocusCountries.to_schema().columns)


def _impact(impact_id, kind, risks, sex, persons, date, same="", iso3="KHM", text=""):
    return [impact_id, iso3, kind, risks, sex, persons, date, text, "test", "", "", "", same]


HAND_IMPACTS = [
    # legal coverage for two risks: 1000 people (600 women), counted once in the all-risks row
    _impact("L1", "legal_coverage", "old_age;disability", "_T", 1000, "2022-03-01"),
    _impact("L1", "legal_coverage", "old_age;disability", "F", 600, "2022-03-01"),
    _impact("L1", "legal_coverage", "old_age;disability", "M", 400, "2022-03-01"),
    # 700 of the same people became effectively covered (old age)
    _impact("E1", "effective_coverage", "old_age", "_T", 700, "2023-05-01", "L1"),
    _impact("E1", "effective_coverage", "old_age", "F", 420, "2023-05-01", "L1"),
    _impact("E1", "effective_coverage", "old_age", "M", 280, "2023-05-01", "L1"),
    # other people: better benefits, no sex breakdown
    _impact("A1", "adequacy", "old_age", "_T", 300, "2024-01-01"),
    # legal coverage in phase I, effective coverage of those people in phase II: within phase
    # II nobody counted them yet, so they count there
    _impact("L2", "legal_coverage", "children", "_T", 200, "2019-06-01"),
    _impact("E2", "effective_coverage", "children", "_T", 150, "2022-06-01", "L2"),
]
#: (phase, measure, risk, sex) -> expected achieved_computed
HAND_EXPECTED = {
    ("2021-2025", "legal_coverage_persons", "_T", "_T"): 1000,
    ("2021-2025", "legal_coverage_persons", "old_age", "_T"): 1000,
    ("2021-2025", "legal_coverage_persons", "disability", "_T"): 1000,
    ("2021-2025", "legal_coverage_persons", "_T", "F"): 600,
    ("2021-2025", "effective_coverage_persons", "_T", "_T"): 850,
    ("2021-2025", "effective_coverage_persons", "_T", "F"): 420,
    ("2021-2025", "adequacy_persons", "_T", "_T"): 300,
    ("2021-2025", "adequacy_persons", "_T", "F"): 0,
    # 1000 (L1) + 300 (A1) + 150 (E2): E1's people are L1's; naive sum would be 2150
    ("2021-2025", "people_reached_deduplicated", "_T", "_T"): 1450,
    ("2021-2025", "people_reached_deduplicated", "_T", "F"): 600,
    ("2021-2025", "people_reached_deduplicated", "old_age", "_T"): 1300,
    ("2021-2025", "people_reached_deduplicated", "disability", "_T"): 1000,
    ("2021-2025", "people_reached_deduplicated", "children", "_T"): 150,
    ("2016-2020", "legal_coverage_persons", "_T", "_T"): 200,
    ("2016-2020", "people_reached_deduplicated", "_T", "_T"): 200,
    ("2021-2025", "step_2_countries", "_T", "_T"): 1,
    ("2021-2025", "step_2_countries", "old_age", "_T"): 1,
    ("2021-2025", "step_2_countries", "children", "_T"): 0,
    ("2021-2025", "share_results_joint", "_T", "_T"): 100 / 5,
    ("2021-2025", "persons_trained", "_T", "_T"): 10,
    ("2021-2025", "countries_ratifying_c102", "_T", "_T"): 1,
    ("2021-2025", "countries_ratifying_social_security_standards", "_T", "_T"): 1,
}


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


@pytest.mark.slow
def test_deduplication_rule_on_hand_made_case(tmp_path, monkeypatch):
    from pipelines.ingest.table_files import land_table_file

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    _write(raw / "flagship" / "impact_on_people.csv", IMPACT_HEADER, HAND_IMPACTS)
    _write(
        raw / "flagship" / "institutional_changes.csv",
        CHANGE_HEADER,
        [
            ["C1", "KHM", 2, "2022-01-15", "old_age;disability", "Pension law", "Gazette",
             "I1", "UNICEF", "C102"],
        ],
    )  # fmt: skip
    _write(
        raw / "flagship" / "interventions.csv",
        INTERVENTION_HEADER,
        [["I1", "KHM", 2021, 2023, "old_age_pensions", "Pensions", "ILO;UNICEF", 1000, 10, 1]],
    )
    _write(
        raw / "flagship" / "focus_countries.csv",
        FOCUS_HEADER,
        [["2016-2020", "KHM"], ["2021-2025", "KHM"]],
    )
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    for table, model in flagship.TABLES.items():
        receipt, _ = land_table_file("flagship", table, model)
        assert receipt["rows_quarantined"].sum() == 0, reports.read_quarantine(
            table, [f"flagship_{table}"]
        ).to_dicts()
    db = tmp_path / "flagship.duckdb"
    env = {
        **os.environ,
        "FLOORBOARD_DUCKDB_PATH": str(db),
        "FLOORBOARD_LANDING_DIR": str(wh / "landing"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), "build", "--select", "+fct_flagship_scorecard",
         "--indirect-selection", "cautious", "--target-path", str(tmp_path / "target"),
         "--profiles-dir", ".", "--no-use-colors"],
        cwd=paths.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "assert_flagship_people_deduplicated" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        mart = _scorecard(con)
    finally:
        con.close()
    for key, value in HAND_EXPECTED.items():
        assert mart[key][1] == pytest.approx(value), key
    assert mart[("2021-2025", "people_reached_deduplicated", "_T", "_T")][0] == 1450
    # the same hand computation as for the sample agrees on this case
    for key, value in hand_scorecard(raw / "flagship").items():
        assert mart[key][1] == pytest.approx(value), key
    # the singular test catches a naive sum across impact types
    guard = next(
        (tmp_path / "target" / "compiled").rglob("assert_flagship_people_deduplicated.sql")
    )
    con = duckdb.connect(str(db))
    try:
        assert con.execute(guard.read_text()).fetchall() == []
        con.execute(
            "update marts.fct_flagship_scorecard as s set achieved_computed = ("
            "  select sum(achieved_computed) from marts.fct_flagship_scorecard as t"
            "  where t.phase = s.phase and t.risk = s.risk and t.sex = s.sex"
            "  and t.measure in ('legal_coverage_persons', 'effective_coverage_persons',"
            "  'adequacy_persons'))"
            " where measure = 'people_reached_deduplicated'"
        )
        failures = con.execute(guard.read_text()).fetchall()
    finally:
        con.close()
    assert len(failures) >= 2  # phase II, both sexes and women at least


def test_code_list_seeds_match_the_schema():
    seed = paths.DBT_PROJECT_DIR / "seeds"
    with (seed / "flagship_thematic_areas.csv").open(encoding="utf-8", newline="") as f:
        assert {r["thematic_area"]: r["label"] for r in csv.DictReader(f)} == (
            flagship.THEMATIC_AREAS
        )
    assert len(flagship.THEMATIC_AREAS) == 16
    with (seed / "flagship_phases.csv").open(encoding="utf-8", newline="") as f:
        phases = [(r["phase"], r["start_date"], r["end_date"]) for r in csv.DictReader(f)]
    assert phases == [(p, a.isoformat(), b.isoformat()) for p, a, b in flagship.PHASES]
    with (seed / "social_security_standards.csv").open(encoding="utf-8", newline="") as f:
        standards = list(csv.DictReader(f))
    assert [r["convention"] for r in standards] == list(flagship.CONVENTIONS)
    assert all(r["description"] and r["title"] for r in standards)
    # C102 and at least the up-to-date branch standards count for the Flagship indicator
    assert {"C102", "C121", "C128", "C130", "C168", "C183"} <= _standards()


# --- a hostile Flagship file ----------------------------------------------------------------


def test_bad_flagship_file_is_quarantined(tmp_path, monkeypatch):
    from pipelines.ingest.assets import flagship_landing

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "flagship").mkdir(parents=True)
    for table in ("interventions", "institutional_changes", "focus_countries"):
        (raw / "flagship" / f"{table}.csv").write_bytes((RAW / f"{table}.csv").read_bytes())
    good = HAND_IMPACTS[:7]
    bad = [
        _impact("X1", "legal_coverage", "old_age", "_T", 10, "2022-01-01", iso3="FRA"),
        _impact("X2", "new_coverage", "old_age", "_T", 10, "2022-01-01"),  # unknown type
        _impact("X3", "adequacy", "old_age;pets", "_T", 10, "2022-01-01"),  # unknown risk
        _impact("X4", "adequacy", "old_age", "_T", -5, "2022-01-01"),  # negative persons
        _impact("X5", "adequacy", "old_age", "_T", 10, "2031-01-01"),  # after the programme
        _impact("X6", "adequacy", "old_age", "F", 10, "2022-01-01"),  # no total row
        _impact("X7", "adequacy", "old_age", "_T", 10, "2022-01-01"),  # F + M above _T
        _impact("X7", "adequacy", "old_age", "F", 8, "2022-01-01"),
        _impact("X7", "adequacy", "old_age", "M", 8, "2022-01-01"),
        _impact("X8", "adequacy", "old_age", "_T", 5000, "2022-01-01", "L1"),  # more than L1
        _impact("X9", "adequacy", "old_age", "_T", 10, "2022-01-01", text="=cmd|'/C calc'!A0"),
        _impact("L1", "legal_coverage", "old_age;disability", "_T", 1000, "2022-03-01"),  # dup
    ]
    _write(raw / "flagship" / "impact_on_people.csv", IMPACT_HEADER, good + bad)
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    with dg.instance_for_test() as instance:
        result = dg.materialize([flagship_landing], instance=instance, raise_on_error=False)
    assert result.success
    checks = {
        (e.asset_key.path[-1], e.check_name): e
        for e in result.get_asset_check_evaluations()
    }  # fmt: skip
    impact_key = "flagship_impact_on_people"
    assert checks[(impact_key, "rows_reconcile")].passed
    assert not checks[(impact_key, "no_quarantined_rows")].passed
    for table in ("flagship_interventions", "flagship_institutional_changes"):
        assert checks[(table, "rows_reconcile")].passed
        assert checks[(table, "no_quarantined_rows")].passed
    q = reports.read_quarantine("impact_on_people", [impact_key])
    rejected = set(q["row_number"].to_list())
    # rows 2-8 are the good records, 9.. the bad ones; the duplicated L1 _T row rejects L1
    assert {r for r in range(9, 9 + len(bad))} <= rejected
    reasons = " ".join(q["reason"].to_list())
    for text in (
        "not a Flagship focus country",
        "not an allowed code",
        "not a risk",
        "must be at least 0",
        "must be at most",
        "exactly one is required",
        "female + male add up to 16",
        "same_people_as L1",
        "spreadsheet formula",
        "duplicates another row",
    ):
        assert text in reasons, text
    from pipelines import landing

    receipt = pl.read_parquet(landing.receipt_path("flagship", "impact_on_people"))
    r = receipt.row(0, named=True)
    assert r["rows_received"] == len(good) + len(bad)
    assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_received"]
    landed = pl.read_parquet(wh / "landing" / impact_key / "*.parquet")
    assert landed.height == r["rows_loaded"]
    assert set(landed["impact_id"]) <= {"E1", "A1"}
    assert reports.report_path("flagship_impact_on_people").exists()


def test_flagship_file_launches_flagship_landing(tmp_path, monkeypatch):
    from pipelines import automation
    from pipelines.definitions import defs

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    shutil.copytree(RAW, raw / "flagship")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance, cursor=None, definitions=defs)
        first = automation.raw_files_sensor(ctx)
        assert [r.job_name for r in first.run_requests] == ["ingest_flagship_records"]
        job = defs.resolve_job_def("ingest_flagship_records")
        assert job.execute_in_process(instance=instance, tags=first.run_requests[0].tags).success
        # landed bytes request nothing, with or without the cursor
        for cursor in (first.cursor, None):
            ctx = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
            assert automation.raw_files_sensor(ctx).run_requests == []
    landed = pl.read_parquet(wh / "landing" / "flagship_impact_on_people" / "*.parquet")
    assert landed.height == len(_rows("impact_on_people"))


def test_no_flagship_folder_lands_empty_tables(tmp_path, monkeypatch):
    """raw/flagship/ is optional: without it the landing succeeds, empty, with no problem."""
    from pipelines.ingest.assets import flagship_landing

    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    with dg.instance_for_test() as instance:
        result = dg.materialize([flagship_landing], instance=instance)
    assert all(e.passed for e in result.get_asset_check_evaluations())
    for table in flagship.TABLES:
        landed = pl.read_parquet(tmp_path / "warehouse" / "landing" / f"flagship_{table}")
        assert landed.height == 0 and "source_file" in landed.columns
