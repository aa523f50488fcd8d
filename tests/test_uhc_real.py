"""SDG 3.8.1 from real WHO figures: the UHC index pipeline reproduces the published index.

The WHO GHO pull in ``../shared/data/real/sdg_381`` has, for 2015 and 2017, each country's four
category sub-indices (RMNCH, infectious diseases, NCD, service capacity) and the reported UHC
index; the tracer pull itself lacks DTP3, ART, care seeking and the health workforce. So the test
derives, per category, tracer values whose rescaled score (methodology §6.1, parameters 2023-01)
equals the published sub-index — inverting each tracer's rescaling (percent as is; glucose
x = 7.4 − 2.3 s; tobacco use x = 70 − 0.7 s; beds x = 0.18 s; physicians, psychiatrists,
surgeons x = T s) — writes them as national statistics with real WPP 2019 population, lands
them with the pipeline's landing, builds ``marts.sdg_indicators`` with what it depends on, and
checks that its SH_ACS_UNHC equals the published index (reported as an integer: within
0.5 + 1e-6) and ``fct_uhc_service_coverage`` the sub-indices.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from test_reconciliation_real import _age_code, _national, _run, _write_world

#: whole pipeline runs (minutes): left out of `make test-fast`
pytestmark = pytest.mark.slow

CATEGORY = {
    "UHC_SCI_RMNCH": "rmnch",
    "UHC_SCI_INFECT": "infectious",
    "UHC_SCI_NCD": "ncd",
    "UHC_SCI_CAPACITY": "capacity",
}
TRACERS = {
    "rmnch": {"FP": lambda s: s, "ANC4": lambda s: s, "DTP3": lambda s: s, "CARE_ARI": lambda s: s},
    "infectious": {"TB": lambda s: s, "ART": lambda s: s, "WASH": lambda s: s},
    "ncd": {
        "HTN": lambda s: s,
        "FPG": lambda s: 7.4 - 2.3 * s / 100,
        "TOBACCO": lambda s: 70 - 0.7 * s,
    },
    "capacity": {
        "BEDS": lambda s: 0.18 * s,
        "PHYS": lambda s: 0.9 * s / 100,
        "PSYCH": lambda s: 1.0 * s / 100,
        "SURG": lambda s: 14 * s / 100,
        "IHR": lambda s: s,
    },
}


@pytest.fixture(scope="module")
def uhc_world(real_dir: Path, tmp_path_factory):
    gho = (
        pl.read_csv(real_dir / "sdg_381" / "sdg_381_uhc_sci_who_gho_2020.csv")
        .filter((pl.col("area_type") == "country") & pl.col("year").is_in(["2015", "2017"]))
        .with_columns(pl.col("year").cast(pl.Int64))
    )
    wide = gho.pivot(on="gho_code", index=["iso3", "year"], values="numeric_value").drop_nulls()
    wpp = pl.read_parquet(real_dir / "population" / "wpp2019_population_by_sex_age5.parquet")
    pop = (
        wpp.with_columns(
            pl.col("age_group").map_elements(_age_code, return_dtype=pl.String),
            pl.col("sex").replace({"female": "F", "male": "M"}),
        )
        .group_by("iso3", "year", "sex", "age_group")
        .agg((pl.col("population_thousands").sum() * 1000).round(0).cast(pl.Int64).alias("pop"))
    )
    wide = wide.join(pop.select("iso3", "year").unique(), on=["iso3", "year"])
    keys = wide.select("iso3", "year").unique().sort("iso3", "year")
    empty_emp = pl.DataFrame(
        schema={"iso3": pl.String, "year": pl.Int64, "sex": pl.String, "employed": pl.Float64}
    )
    empty_ur = pl.DataFrame(schema={"iso3": pl.String, "year": pl.Int64, "ur": pl.Float64})
    nat = _national(keys, pop, empty_emp, empty_ur, {})
    rows = []
    for r in wide.iter_rows(named=True):
        for code, category in CATEGORY.items():
            s = r[code] * 100
            for tracer, invert in TRACERS[category].items():
                rows.append((r["iso3"], r["year"], tracer, round(invert(s), 6)))
    nat["uhc_tracers"] = pl.DataFrame(
        rows, schema=["iso3", "year", "tracer", "value"], orient="row"
    )
    # one small SSI submission so that the coverage marts are not empty
    first = keys.row(0)
    subs = {
        first: {
            "schemes": ["PEN,pension,test,contributory,mandatory,old_age,all,test,2000"],
            "beneficiaries": ["PEN,old_age,cash_periodic,_T,_T,1000"],
        }
    }
    raw = tmp_path_factory.mktemp("uhc") / "raw"
    _write_world(raw, real_dir, nat, subs, sorted(keys["iso3"].unique().to_list()))
    for f in (raw / "published").iterdir():
        f.unlink()
    # the UHC index and its category scores, with what they depend on
    con = _run(raw, raw.parent / "warehouse", tmp_path_factory.mktemp("dbt"), "+sdg_indicators")
    yield con, wide
    con.close()


def test_uhc_index_reproduces_published(uhc_world):
    con, wide = uhc_world
    got = con.sql(
        "select iso3, time_period as year, value from marts.sdg_indicators "
        "where series_code = 'SH_ACS_UNHC'"
    ).pl()
    joined = wide.join(got, on=["iso3", "year"], how="left")
    assert joined.height > 100
    assert joined["value"].null_count() == 0
    bad = joined.filter((pl.col("value") - pl.col("UHC_INDEX_REPORTED")).abs() > 0.5 + 1e-6)
    assert bad.is_empty(), bad.head(10)


def test_category_scores_are_the_published_sub_indices(uhc_world):
    con, wide = uhc_world
    got = con.sql(
        'select iso3, "year", rmnch_score, infectious_score, ncd_score, capacity_score, '
        "uhc_index, n_imputed from marts.fct_uhc_service_coverage"
    ).pl()
    joined = wide.join(got, on=["iso3", "year"])
    for r in joined.iter_rows(named=True):
        assert r["n_imputed"] == 0
        for code, col in (
            ("UHC_SCI_RMNCH", "rmnch_score"),
            ("UHC_SCI_INFECT", "infectious_score"),
            ("UHC_SCI_NCD", "ncd_score"),
            ("UHC_SCI_CAPACITY", "capacity_score"),
        ):
            expected = min(max(r[code] * 100, 1), 100)
            assert r[col] == pytest.approx(expected, rel=1e-6, abs=1e-4), (r["iso3"], col)
        geo = math.exp(sum(math.log(min(max(r[c] * 100, 1), 100)) for c in CATEGORY) / 4)
        assert r["uhc_index"] == pytest.approx(geo, rel=1e-9)
