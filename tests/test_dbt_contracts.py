"""The marts' enforced contracts: every mart declares every column with the type the build gives
it, and a model that drifts from its contract fails the build. The exposures name what reads
the marts outside dbt."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
MANIFEST = DBT_PROJECT / "target" / "manifest.json"
DBT = Path(sys.executable).parent / "dbt"

#: tables of schema marts written by the publish step, not by dbt (pipelines/releases.py); the
#: vintages are the released rows of these marts
NOT_DBT = {
    "releases": set(),
    "release_withdrawals": set(),
    "indicator_vintages": {"sdg_indicators", "agg_regional"},
}


def _manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and "marts" in n["fqn"]
    }


def test_every_mart_has_an_enforced_contract():
    marts = _marts(_manifest())
    assert len(marts) >= 16
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"], f"{name}: contract not enforced"
        assert node["columns"], f"{name}: no columns declared"
        untyped = [c for c, col in node["columns"].items() if not col.get("data_type")]
        assert not untyped, f"{name}: columns without data_type: {untyped}"
        undocumented = [c for c, col in node["columns"].items() if not col.get("description")]
        assert not undocumented, f"{name}: columns without description: {undocumented}"


def test_contracts_match_the_built_warehouse(sample_warehouse: Path):
    """Names, order and types declared = those of the published tables (describe)."""
    marts = _marts(_manifest())
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        for name, node in marts.items():
            actual = con.execute(
                "select column_name, lower(data_type) from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            declared = [(c["name"], c["data_type"].lower()) for c in node["columns"].values()]
            assert declared == actual, name
    finally:
        con.close()


#: the YAML of the registry models, which also run on Spark (tests/test_registry_spark.py)
SPARK_PORTABLE = "_registry__models.yml"


def _declared_constraints(node: dict) -> tuple[int, list[str]]:
    """(not-null columns, check expressions) a contracted model's YAML declares."""
    not_null, checks = 0, []
    for col in node["columns"].values():
        for c in col.get("constraints") or []:
            if c["type"] == "not_null":
                not_null += 1
            elif c["type"] == "check":
                checks.append(c["expression"])
    return not_null, checks


def test_column_rules_are_enforced_constraints(sample_warehouse: Path, tmp_path):
    """The not-null and value rules of every model with a contract (every mart, and the staging
    and intermediate models that have such rules) are constraints of the published tables
    (DuckDB refuses a row that breaks one, so a build that would publish it fails), not data
    tests: every declared constraint is in its table, and a row breaking one is refused."""
    manifest = _manifest()
    contracted = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["contract"]["enforced"]
    }
    assert set(_marts(manifest)) < set(contracted)
    tests_of: dict[str, list[dict]] = {}
    for t in manifest["nodes"].values():
        if t["resource_type"] == "test" and t.get("test_metadata") and t.get("attached_node"):
            tests_of.setdefault(t["attached_node"], []).append(t)
    db = tmp_path / "floorboard.duckdb"
    shutil.copyfile(sample_warehouse / "floorboard.duckdb", db)
    os.chmod(db, 0o600)
    con = duckdb.connect(str(db))
    try:
        total = 0
        for name, node in contracted.items():
            not_null, checks = _declared_constraints(node)
            total += not_null + len(checks)
            rows = con.execute(
                "select constraint_type, count(*) from duckdb_constraints() "
                "where schema_name = ? and table_name = ? group by all",
                [node["schema"], name],
            ).fetchall()
            found = dict(rows)
            assert found.get("NOT NULL", 0) == not_null, name
            assert found.get("CHECK", 0) == len(checks), name
            if SPARK_PORTABLE in node["patch_path"]:
                continue  # kept as data tests: dbt-spark enforces no constraint on parquet
            # a rule that moved to a constraint is no data test any more (one check, once)
            tests = {
                t["test_metadata"]["name"]
                for t in tests_of.get(node["unique_id"], [])
                if not t["config"].get("where")
                and t["config"].get("severity", "").lower() != "warn"
            }
            assert not {"not_null", "accepted_values", "accepted_range"} & tests, name
        assert total >= 100
        country = con.execute("select * from marts.dim_country limit 1").fetchone()
        assert country is not None
        cols = [r[0] for r in con.execute("describe marts.dim_country").fetchall()]
        row = dict(zip(cols, country, strict=True))
        placeholders = ", ".join("?" for _ in cols)
        for column, bad in (("name", None), ("ilo_region", "Atlantis")):
            with pytest.raises(duckdb.ConstraintException):
                con.execute(
                    f"insert into marts.dim_country values ({placeholders})",
                    list({**row, "iso3": "ZZZ", "m49": 999, column: bad}.values()),
                )
    finally:
        con.close()


@pytest.mark.slow
def test_a_model_drifting_from_its_contract_fails_the_build(sample_warehouse: Path, tmp_path):
    """dim_country.m49 declared bigint while the model gives integer: dbt refuses to build it
    (the upstream tables come from a copy of the sample warehouse)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    models = project / "models" / "marts" / "_marts__models.yml"
    text = models.read_text()
    drifted = text.replace(
        "      - name: m49\n        data_type: integer\n",
        "      - name: m49\n        data_type: bigint\n",
        1,
    )
    assert drifted != text
    models.write_text(drifted)
    db = tmp_path / "floorboard.duckdb"
    shutil.copyfile(sample_warehouse / "floorboard.duckdb", db)
    os.chmod(db, 0o600)
    done = subprocess.run(
        [str(DBT), "--no-use-colors", "run", "--select", "dim_country", "--profiles-dir", "."],
        cwd=project,
        env={
            **os.environ,
            "FLOORBOARD_DUCKDB_PATH": str(db),
            "FLOORBOARD_LANDING_DIR": str(sample_warehouse / "landing"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0, done.stdout[-3000:]
    assert "contract" in done.stdout.lower(), done.stdout[-3000:]
    assert "m49" in done.stdout, done.stdout[-3000:]


def _code_text(path: Path) -> str:
    """The code of a file; of a notebook, its code cells only (markdown is not a read)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return path.read_text(encoding="utf-8")


def test_exposures_depend_on_the_marts_their_code_reads():
    """Each exposure's depends_on = the marts its code queries (``marts.<table>``); a table the
    publish step derives from marts counts as those marts."""
    manifest = _manifest()
    marts = set(_marts(manifest))
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {
        "sdg_sdmx_extract",
        "open_sdg_extract",
        "indicators_workbook",
        "country_pages",
        "coverage_explorer_notebook",
        "release_review_notebook",
    } <= set(exposures)
    declared = yaml.safe_load((DBT_PROJECT / "models" / "exposures.yml").read_text())
    code = {e["name"]: e["meta"]["code"] for e in declared["exposures"]}
    for name, exposure in exposures.items():
        assert exposure["description"].strip() and exposure["owner"]["name"], name
        depends = {
            manifest["nodes"][n]["name"]
            for n in exposure["depends_on"]["nodes"]
            if n in manifest["nodes"]
        }
        read: set[str] = set()
        for file in code[name]:
            for table in re.findall(r"\bmarts\.(\w+)", _code_text(REPO / file)):
                read |= NOT_DBT.get(table, {table})
        assert read, f"{name}: no marts.<table> found in {code[name]}"
        assert read <= marts, f"{name} reads tables that are no marts: {read - marts}"
        assert depends == read, f"{name}: depends_on {sorted(depends)}, code reads {sorted(read)}"
