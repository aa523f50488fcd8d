"""The whole asset graph on the bundled sample: the warehouse contract and hand-checked values.

Hand computation (raw/ssi/KEN_2020.xlsx, raw/ssi/URY_2020/, raw/national/*.csv), SI_COV_PENSN
2020, SPA 60 for both sexes in both countries, so "at or above the SPA" is the age groups
Y60T64 … Y_GE80 with no split group; periodic old-age pensions only (lump sums excluded),
pensioners aged 55–59 (early retirees) excluded:

KEN  F: KEN-PEN 636,392 + KEN-SOCPEN 721,097 = 1,357,489 over 2,320,385 women 60+ → 58.5027 %
     M: KEN-PEN 687,493 + KEN-SOCPEN 421,275 = 1,108,768 over 1,853,783 men 60+   → 59.8111 %
     _T: 2,466,257 over 4,174,168                                                    → 59.0838 %
URY  F: URY-PEN 317,068 + URY-SOCPEN 35,216 = 352,284 over 403,498 → 87.3075 %
     M: URY-PEN 271,107 + URY-SOCPEN 24,971 = 296,078 over 339,940 → 87.0971 %
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from worlds import run_process

from pipelines import releases

REPO = Path(__file__).resolve().parents[1]

#: whole pipeline runs (minutes): left out of `make test-fast`
pytestmark = pytest.mark.slow

CONTRACT = {
    "dim_country": {
        "iso3",
        "m49",
        "name",
        "ilo_region",
        "ilo_subregion",
        "sdg_region",
        "income_group",
        "is_flagship_focus",
    },
    "dim_risk": {"risk", "label", "sdg_series_code"},
    "fct_effective_coverage": {
        "iso3",
        "year",
        "risk",
        "sex",
        "covered",
        "reference_population",
        "coverage_rate",
    },
    "sdg_indicators": {
        "series_code",
        "iso3",
        "m49",
        "time_period",
        "sex",
        "age",
        "value",
        "unit_measure",
        "nature",
        "obs_status",
        "source_detail",
    },
}

HAND = [
    # iso3, sex, covered, reference population
    ("KEN", "F", 1_357_489, 2_320_385),
    ("KEN", "M", 1_108_768, 1_853_783),
    ("KEN", "_T", 2_466_257, 4_174_168),
    ("URY", "F", 352_284, 403_498),
    ("URY", "M", 296_078, 339_940),
    ("URY", "_T", 648_362, 743_438),
]


@pytest.fixture(scope="module")
def con(sample_warehouse: Path):
    c = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    yield c
    c.close()


def test_contract_tables_and_columns(con):
    for table, columns in CONTRACT.items():
        got = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [table],
            ).fetchall()
        }
        assert columns <= got, (table, columns - got)
        assert con.execute(f"select count(*) from marts.{table}").fetchall()[0][0] > 0


def _documented_models() -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(schema, table) -> (description, {column: description}) of every model, read from the
    models' YAML files (not from dbt)."""
    import yaml

    layers = {"staging", "intermediate", "marts"}
    out = {}
    for path in sorted((REPO / "dbt_project" / "models").rglob("*.yml")):
        layer = path.relative_to(REPO / "dbt_project" / "models").parts[0]
        if layer not in layers:
            continue
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            columns = {c["name"]: c.get("description", "") for c in model.get("columns", [])}
            out[(layer, model["name"])] = (model.get("description", ""), columns)
    return out


def test_descriptions_are_duckdb_comments(con):
    """Every documented model and column carries its description as a DuckDB comment
    (``+persist_docs``, written at the end of the build: dbt_project/macros/persist_docs.sql)."""
    tables = dict(
        ((s, t), c)
        for s, t, c in con.execute(
            "select schema_name, table_name, comment from duckdb_tables()"
        ).fetchall()
    )
    columns = {
        (s, t, c): comment
        for s, t, c, comment in con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns()"
        ).fetchall()
    }
    documented = _documented_models()
    built = [key for key in documented if key in tables]
    assert len(built) > 40, built
    for key in built:
        description, cols = documented[key]
        if description:
            assert tables[key] == description, key
        for name, text in cols.items():
            if text and (*key, name) in columns:
                assert columns[(*key, name)] == text, (key, name)


def test_sample_breadth(con):
    n, focus, regions = con.execute(
        "select count(*), count(*) filter (where is_flagship_focus), count(distinct ilo_region) "
        "from marts.dim_country"
    ).fetchall()[0]
    assert focus == 50 and n >= 70 and regions == 5


@pytest.mark.parametrize(("iso3", "sex", "covered", "population"), HAND)
def test_pension_coverage_by_hand(con, iso3, sex, covered, population):
    row = con.execute(
        "select covered, reference_population, coverage_rate from marts.fct_effective_coverage "
        "where iso3 = ? and year = 2020 and risk = 'old_age' and sex = ?",
        [iso3, sex],
    ).fetchall()
    assert len(row) == 1
    got_cov, got_pop, rate = row[0]
    assert got_cov == pytest.approx(covered, abs=0.5)
    assert got_pop == pytest.approx(population, abs=0.5)
    assert rate == pytest.approx(100 * covered / population, abs=1e-9)
    sdg = con.execute(
        "select value, m49, unit_measure, nature from marts.sdg_indicators "
        "where series_code = 'SI_COV_PENSN' and iso3 = ? and time_period = 2020 and sex = ?",
        [iso3, sex],
    ).fetchall()
    assert len(sdg) == 1
    assert sdg[0][0] == pytest.approx(100 * covered / population, abs=1e-9)
    assert sdg[0][1] == {"KEN": 404, "URY": 858}[iso3]
    assert sdg[0][2] == "PT"


def test_ken_rate_matches_the_figure_in_the_docstring(con):
    rate = con.execute(
        "select coverage_rate from marts.fct_effective_coverage where iso3 = 'KEN' "
        "and year = 2020 and risk = 'old_age' and sex = 'F'"
    ).fetchall()[0][0]
    assert round(rate, 4) == 58.5027


def _marts_digest(path: Path) -> dict[str, str]:
    c = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in c.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_name not in ('releases', 'indicator_vintages') order by 1"
            ).fetchall()
        ]
        out = {}
        for t in tables:
            rows = c.execute(f"select * from marts.{t} order by all").fetchall()
            out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return out
    finally:
        c.close()


def test_second_run_gives_identical_marts_and_an_open_reader_does_not_block_it(
    warehouse_copy: Path, tmp_path: Path
):
    """``python -m pipelines.run`` again on the same inputs (a copy of the sample's warehouse,
    a new Dagster instance), while another process (this one) holds the published file open
    read-only: the build is published (a new file in place, the reader keeps its snapshot),
    with the same marts, as a new release chained to the first."""
    published = warehouse_copy / "floorboard.duckdb"
    before = _marts_digest(published)
    old_inode = published.stat().st_ino
    reader = duckdb.connect(str(published), read_only=True)
    try:
        count = "select count(*) from marts.sdg_indicators"
        n_before = reader.execute(count).fetchall()[0][0]
        result = run_process(warehouse_copy, tmp_path / "home")
        assert result.returncode == 0, result.stderr[-3000:]
        assert reader.execute(count).fetchall()[0][0] == n_before
    finally:
        reader.close()
    assert published.stat().st_ino != old_inode
    assert "Published warehouse" in result.stdout
    assert _marts_digest(published) == before
    # the second publish is a new release with the same content, and release 1 is kept as it was
    with closing(duckdb.connect(str(published), read_only=True)) as c:
        found = releases.releases(c)
        first_again = c.execute(
            "select count(*) from marts.indicator_vintages where release_id = ?",
            [found[0].release_id],
        ).fetchall()[0][0]
    assert len(found) == 2
    assert found[1].previous_release_id == found[0].release_id
    assert found[1].content_sha256 == found[0].content_sha256
    assert first_again == found[0].n_observations
