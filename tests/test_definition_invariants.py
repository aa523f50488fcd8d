"""Two promises of the ILO definitions, checked on the bundled sample (issue 10, "Done when"):

* re-adding ``Y_GE65`` rows beside the 5-year groups they span changes no published value
  (methodology §2.1, "Age groups never add twice");
* a universal pension in the same ``overlap_group`` as a larger contributory one leaves
  SI_COV_PENSN (and SI_COV_BENFTS) unchanged (§2.5); only SI_COV_VULN moves, since its
  recipients do receive a non-contributory benefit.

The sample's landing folder is copied, Argentina 2020 is changed there, and the models are
rebuilt with dbt alone (no pipeline run); the result is compared with the sample's published
``marts.sdg_indicators``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.registry_helpers import dbt_run

SUB = "ARG_2020"
PENSION, UNIVERSAL, GROUP = "ARG-PEN", "ARG-UNIV", "ARG old-age pensions"
OLDER = ["Y65T69", "Y70T74", "Y75T79", "Y_GE80"]


def _add_y_ge65(ben: pl.DataFrame) -> pl.DataFrame:
    """Y_GE65 = the sum of the four 5-year groups of 65+, for every series that has them all."""
    key = ["scheme_id", "risk", "benefit_type", "sex"]
    older = ben.filter(pl.col("age_group").is_in(OLDER))
    sums = (
        older.group_by(key)
        .agg(pl.col("age_group").n_unique().alias("n"), pl.col("beneficiaries").sum())
        .filter(pl.col("n") == len(OLDER))
        .drop("n")
    )
    template = older.unique(subset=key, keep="first").drop("beneficiaries", "age_group")
    extra = template.join(sums, on=key).with_columns(pl.lit("Y_GE65").alias("age_group"))
    return pl.concat([ben, extra.select(ben.columns)])


def _add_universal_pension(ben: pl.DataFrame, schemes: pl.DataFrame):
    """A universal pension paid on top of ARG-PEN to half of its pensioners, in ARG-PEN's
    overlap group (the sample's social-insurance group; GROUP if ARG-PEN had none)."""
    pen = schemes.filter(pl.col("scheme_id") == PENSION)
    univ = pen.with_columns(
        pl.lit(UNIVERSAL).alias("scheme_id"),
        pl.lit("Universal old-age pension (test)").alias("scheme_name"),
        pl.lit("universal").alias("scheme_type"),
        pl.lit("old_age").alias("risks"),
    )
    schemes = pl.concat([schemes, univ]).with_columns(
        pl.when(pl.col("scheme_id").is_in([PENSION, UNIVERSAL]))
        .then(pl.coalesce("overlap_group", pl.lit(GROUP)))
        .otherwise(pl.col("overlap_group"))
        .alias("overlap_group")
    )
    key = ["risk", "benefit_type", "sex"]
    paid = ben.filter(
        (pl.col("scheme_id") == PENSION)
        & (pl.col("risk") == "old_age")
        & (pl.col("benefit_type") == "cash_periodic")
    ).with_columns(
        pl.lit(UNIVERSAL).alias("scheme_id"),
        (pl.col("beneficiaries") // 2).alias("beneficiaries"),
    )
    # the total of a series with age rows is the sum of its (halved) age rows, as in ARG-PEN
    ages = (
        paid.filter(pl.col("age_group") != "_T")
        .group_by(key)
        .agg(pl.col("beneficiaries").sum().alias("age_sum"))
    )
    paid = (
        paid.join(ages, on=key, how="left")
        .with_columns(
            pl.when((pl.col("age_group") == "_T") & pl.col("age_sum").is_not_null())
            .then(pl.col("age_sum"))
            .otherwise(pl.col("beneficiaries"))
            .alias("beneficiaries")
        )
        .drop("age_sum")
    )
    return pl.concat([ben, paid.select(ben.columns)]), schemes


@pytest.fixture(scope="module")
def rebuilt(sample_warehouse: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("invariants")
    landing = root / "landing"
    shutil.copytree(sample_warehouse / "landing", landing)
    ben_path = landing / "ssi_beneficiaries" / f"{SUB}.parquet"
    schemes_path = landing / "ssi_schemes" / f"{SUB}.parquet"
    ben = pl.read_parquet(ben_path)
    schemes = pl.read_parquet(schemes_path)
    assert PENSION in schemes["scheme_id"].to_list()
    ben, schemes = _add_universal_pension(ben, schemes)
    ben = _add_y_ge65(ben)
    assert ben.filter(pl.col("age_group") == "Y_GE65").height > 0
    ben.write_parquet(ben_path)
    schemes.write_parquet(schemes_path)

    # the seeds and models sdg_indicators depends on, in one dbt invocation (no tests), into
    # <root>/floorboard.duckdb from the changed landing <root>/landing
    no_tests = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    done = dbt_run(root, root, "build", "--select", "+sdg_indicators", *no_tests)
    assert done.returncode == 0, done.stdout[-4000:]
    (finished,) = [line for line in done.stdout.splitlines() if "Finished running" in line]
    assert "seeds" in finished and "test" not in finished, finished
    return root / "floorboard.duckdb"


def _values(db: Path) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            'select series_code, iso3, time_period, sex, "value" from marts.sdg_indicators'
        ).pl()


def _compare(sample_warehouse: Path, rebuilt: Path) -> pl.DataFrame:
    before = _values(sample_warehouse / "floorboard.duckdb")
    after = _values(rebuilt)
    key = ["series_code", "iso3", "time_period", "sex"]
    joined = before.join(after, on=key, how="full", suffix="_after", coalesce=True)
    return joined.with_columns(
        (
            pl.col("value").is_null()
            | pl.col("value_after").is_null()
            | ((pl.col("value") - pl.col("value_after")).abs() > 1e-9)
        ).alias("changed")
    )


def test_y_ge65_and_universal_on_top_change_no_published_value(sample_warehouse, rebuilt):
    cmp = _compare(sample_warehouse, rebuilt)
    changed = cmp.filter(pl.col("changed"))
    # the universal pensioners are non-contributory recipients: only VULN of ARG 2020 moves
    unexpected = changed.filter(
        ~((pl.col("series_code") == "SI_COV_VULN") & (pl.col("iso3") == "ARG"))
    )
    with pl.Config(tbl_cols=10, tbl_width_chars=200):
        assert unexpected.is_empty(), str(unexpected)
    arg = cmp.filter((pl.col("iso3") == "ARG") & (pl.col("time_period") == 2020))
    pensn = arg.filter(pl.col("series_code") == "SI_COV_PENSN")
    assert pensn.height >= 1 and not pensn["changed"].any()
    vuln = arg.filter((pl.col("series_code") == "SI_COV_VULN") & (pl.col("sex") == "_T"))
    assert vuln["changed"].all(), "the universal pension was not seen by the models"
