"""Reproduce published SDG 1.3.1 values from real inputs (issue: reconciliation).

From the published SDG 1.3.1 country values and real population (UN WPP 2019, by sex and
5-year age group) and employment (ILO modelled estimates) in ``../shared/data/real``, the test
derives SSI-style submissions (beneficiary counts = published rate × the denominator the
methodology defines) and national statistics, lands them with the pipeline's landing, builds the
models ``marts.fct_reconciliation`` depends on (``dbt build --select``), and checks in
``marts.fct_reconciliation`` — the warehouse's own comparison with the published file, which is
landed unchanged — that every published value is reproduced within 0.1 percentage point.

Published totals are not always consistent with their female and male values (methodology §0:
different sources per sex; e.g. Bolivia SI_COV_BENFTS 2021 is 60.2 with F 39.3 and M 40.7), so
no single set of counts gives all three; the totals and the sex values are derived in separate
worlds. SI_COV_BENFTS (life-cycle partition of §2.2) is built from the other series' schemes, so
it has worlds of its own. Derived national statistics that real data lacks are stated below.

Poverty rates and severe-disability prevalence (§2.1 POOR, DISAB) are derived, not real: the
national statistics give them for F, M and _T (the optional `sex` column), with the same rate for
women, men and the total (stated assumption). A sex rate needs a sex-specific denominator (§0):
with the total only, the warehouse would publish no F or M DISAB/POOR value to compare.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from worlds import build_models, land_all

#: whole pipeline runs (minutes): left out of `make test-fast`
pytestmark = pytest.mark.slow

SPA = 65  # statutory pensionable age used for every country (assumption of the derivation)
BIRTH_RATE = 0.02  # live births per woman, all ages (derived national statistic)
MULTIPLE_BIRTHS = 0.015
DISABILITY_PCT = 4.6  # severe disability prevalence (derived), the same for F, M and _T
RATE_SEXES = ("F", "M", "_T")  # sexes the derived poverty and disability rates are stated for
DEFAULT_UR = 6.0  # unemployment rate where the ILO file has none
SECTIONS = {
    "submission": "iso3,reference_year,round,submitted_on,focal_point,currency",
    "schemes": "scheme_id,scheme_name,institution,scheme_type,affiliation,risks,groups_covered,"
    "legal_basis,legal_year",
    "legal_coverage": "scheme_id,risk,sex,legally_covered",
    "contributors": "scheme_id,sex,age_group,affiliated,active_contributors",
    "beneficiaries": "scheme_id,risk,benefit_type,sex,age_group,beneficiaries",
    "benefit_amounts": "scheme_id,risk,sex,average_benefit_lcu_month",
    "expenditure": "scheme_id,function,item,amount_lcu",
    "receipts": "scheme_id,source,amount_lcu",
}
# series of the "plain" worlds: scheme id, risk, scheme type
PLAIN = {
    "SI_COV_PENSN": ("PEN", "old_age", "employer_liability"),
    "SI_COV_CHLD": ("CHLD", "children", "employer_liability"),
    "SI_COV_MATNL": ("MAT", "maternity", "employer_liability"),
    "SI_COV_DISAB": ("DIS", "disability", "employer_liability"),
    "SI_COV_UEMP": ("UNE", "unemployment", "employer_liability"),
    "SI_COV_WKINJRY": ("INJ", "employment_injury", "employer_liability"),
    "SI_COV_VULN": ("VULN", "social_assistance", "universal"),
    "SI_COV_POOR": ("POOR", "social_assistance", "means_tested"),
}
AGE5 = [f"{a}-{a + 4}" for a in range(0, 80, 5)]


def _age_code(group: str) -> str:
    if group in AGE5:
        lo = int(group.split("-")[0])
        return f"Y{lo}T{lo + 4}"
    return "Y_GE80"


@pytest.fixture(scope="module")
def inputs(real_dir: Path):
    pub = pl.read_csv(real_dir / "sdg_131" / "sdg_131_ilo_series_by_sex.csv").filter(
        (pl.col("area_type") == "country") & pl.col("iso3").is_not_null()
    )
    wpp = pl.read_parquet(real_dir / "population" / "wpp2019_population_by_sex_age5.parquet")
    pop = (
        wpp.with_columns(
            pl.col("age_group").map_elements(_age_code, return_dtype=pl.String),
            pl.col("sex").replace({"female": "F", "male": "M"}),
        )
        .group_by("iso3", "year", "sex", "age_group")
        .agg((pl.col("population_thousands").sum() * 1000).round(0).cast(pl.Int64).alias("pop"))
    )
    emp = (
        pl.read_csv(real_dir / "labour" / "ilo_modelled_employment_by_sex.csv")
        .filter(pl.col("sex").is_in(["SEX_F", "SEX_M"]))
        .select(
            "iso3",
            "year",
            pl.col("sex").str.slice(4),
            (pl.col("employment_thousands") * 1000).round(0).alias("employed"),
        )
    )
    ur = pl.read_csv(real_dir / "labour" / "ilo_modelled_labour_rates_total.csv").select(
        "iso3", "year", pl.col("unemployment_rate_15plus").alias("ur")
    )
    return pub, pop, emp, ur


def _countries_csv(iso3s: list[str], real_dir: Path) -> pl.DataFrame:
    from pipelines.reference import countries

    wb = pl.read_csv(real_dir / "reference" / "wb_country_classification.csv")
    code = {
        "Low income": "LIC",
        "Lower middle income": "LMC",
        "Upper middle income": "UMC",
        "High income": "HIC",
    }
    income = {r["iso3"]: code.get(r["wb_income_group"]) for r in wb.iter_rows(named=True)}
    patch = {i: income.get(i) or "HIC" for i in iso3s}  # territories without a WB group: HIC
    saved = dict(countries.INCOME_GROUP_WB_FY2025)
    countries.INCOME_GROUP_WB_FY2025.update(patch)
    try:
        return countries.build_countries(iso3s)
    finally:
        countries.INCOME_GROUP_WB_FY2025.clear()
        countries.INCOME_GROUP_WB_FY2025.update(saved)


def _national(
    keys: pl.DataFrame, pop: pl.DataFrame, emp: pl.DataFrame, ur: pl.DataFrame, poverty: dict
) -> dict[str, pl.DataFrame]:
    p = pop.join(keys, on=["iso3", "year"])
    by_sex = p.group_by("iso3", "year", "sex").agg(
        pl.col("pop").sum().alias("total"),
        pl.col("pop")
        .filter(~pl.col("age_group").is_in(["Y0T4", "Y5T9", "Y10T14"]))
        .sum()
        .alias("p15"),
    )
    lab = (
        by_sex.join(emp, on=["iso3", "year", "sex"], how="left")
        .join(ur, on=["iso3", "year"], how="left")
        .with_columns(
            pl.col("employed").fill_null((pl.col("p15") * 0.5).round(0)).cast(pl.Int64),
            pl.col("ur").fill_null(DEFAULT_UR),
        )
        .with_columns(
            (pl.col("employed") * pl.col("ur") / (100 - pl.col("ur")))
            .round(0)
            .cast(pl.Int64)
            .alias("unemployed")
        )
    )
    labour = pl.concat(
        [
            lab.select(
                "iso3",
                "year",
                "sex",
                pl.lit("employed").alias("status"),
                pl.col("employed").alias("persons"),
            ),
            lab.select(
                "iso3",
                "year",
                "sex",
                pl.lit("unemployed").alias("status"),
                pl.col("unemployed").alias("persons"),
            ),
        ]
    )
    women = by_sex.filter(pl.col("sex") == "F")
    # one row per country-year and sex: the same derived rate for F, M and _T
    by_rate_sex = (
        keys.select("iso3", "year")
        .join(pl.DataFrame({"sex": list(RATE_SEXES)}), how="cross")
        .sort("iso3", "year", "sex")
    )
    return {
        "population": p.select(
            "iso3", "year", "sex", "age_group", pl.col("pop").alias("population")
        ).sort("iso3", "year", "sex", "age_group"),
        "pensionable_age": by_sex.select(
            "iso3", "year", "sex", pl.lit(float(SPA)).alias("statutory_pensionable_age")
        ),
        "births": women.select(
            "iso3",
            "year",
            (pl.col("total") * BIRTH_RATE).round(0).cast(pl.Int64).alias("live_births"),
            pl.lit(MULTIPLE_BIRTHS).alias("multiple_birth_share"),
        ),
        "disability_prevalence": by_rate_sex.select(
            "iso3",
            "year",
            "sex",
            pl.lit(DISABILITY_PCT).alias("severe_disability_prevalence_pct"),
            pl.lit("assumed for the test").alias("source"),
        ),
        "poverty": by_rate_sex.select("iso3", "year", "sex").with_columns(
            pl.struct("iso3", "year")
            .map_elements(
                lambda r: poverty.get((r["iso3"], r["year"]), 20.0), return_dtype=pl.Float64
            )
            .alias("poverty_headcount_pct")
        ),
        "labour_force": labour.sort("iso3", "year", "sex", "status"),
    }


def _denominators(nat: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The methodology's denominators, computed here independently of the dbt models."""
    p = nat["population"].with_columns(
        pl.col("age_group").is_in(["Y0T4", "Y5T9", "Y10T14"]).alias("child"),
        pl.col("age_group").is_in(["Y65T69", "Y70T74", "Y75T79", "Y_GE80"]).alias("old"),
    )
    d = p.group_by("iso3", "year", "sex").agg(
        pl.col("population").sum().alias("total"),
        pl.col("population").filter("child").sum().alias("children"),
        pl.col("population").filter("old").sum().alias("older"),
    )
    lab = nat["labour_force"].pivot(on="status", index=["iso3", "year", "sex"], values="persons")
    d = d.join(lab, on=["iso3", "year", "sex"], how="left")
    d = pl.concat(
        [
            d,
            d.group_by("iso3", "year")
            .agg(
                pl.lit("_T").alias("sex"),
                *[
                    pl.col(c).sum()
                    for c in ("total", "children", "older", "employed", "unemployed")
                ],
            )
            .select(d.columns),
        ]
    )
    births = nat["births"].select(
        "iso3", "year", (pl.col("live_births") / (1 + MULTIPLE_BIRTHS)).alias("mothers")
    )
    pov = nat["poverty"]
    return (
        d.join(births, on=["iso3", "year"], how="left")
        .join(pov, on=["iso3", "year", "sex"], how="left")
        .with_columns(
            (pl.col("total") * DISABILITY_PCT / 100).alias("disabled"),
            (pl.col("total") * pl.col("poverty_headcount_pct") / 100).alias("poor"),
            (pl.col("total") - pl.col("children") - pl.col("older")).alias("working_age"),
        )
    )


def _write_world(root: Path, real_dir: Path, nat: dict, subs: dict, iso3s: list[str]) -> None:
    (root / "reference").mkdir(parents=True)
    (root / "national").mkdir()
    (root / "published").mkdir()
    (root / "ssi").mkdir()
    _countries_csv(iso3s, real_dir).write_csv(root / "reference" / "countries.csv")
    for name, frame in nat.items():
        frame.rename({"year": "year"}).write_csv(root / "national" / f"{name}.csv")
    shutil.copy(real_dir / "sdg_131" / "sdg_131_ilo_series_by_sex.csv", root / "published")
    for (iso3, year), sheets in subs.items():
        folder = root / "ssi" / f"{iso3}_{year}"
        folder.mkdir()
        sheets = {
            "submission": [f"{iso3},{year},{year},{year}-12-31,test derivation,USD"],
            **sheets,
        }
        for section, header in SECTIONS.items():
            lines = [header, *sheets.get(section, [])]
            (folder / f"{section}.csv").write_text("\n".join(lines) + "\n")


def _plain_world(rows: pl.DataFrame, den: pl.DataFrame) -> dict:
    subs: dict = {}
    joined = rows.join(
        den, left_on=["iso3", "year", "sex_build"], right_on=["iso3", "year", "sex"], how="inner"
    )
    for r in joined.iter_rows(named=True):
        sid, risk, stype = PLAIN[r["series_code"]]
        d = {
            "SI_COV_PENSN": r["older"],
            "SI_COV_CHLD": r["children"],
            "SI_COV_MATNL": r["mothers"],
            "SI_COV_DISAB": r["disabled"],
            "SI_COV_UEMP": r["unemployed"],
            "SI_COV_WKINJRY": r["employed"],
            "SI_COV_VULN": r["total"],
            "SI_COV_POOR": r["poor"],
        }[r["series_code"]]
        count = round(r["value"] / 100 * d)
        if r["series_code"] == "SI_COV_VULN":  # the POOR scheme's recipients count in VULN too
            count -= r["poor_count"] or 0
        s = subs.setdefault(
            (r["iso3"], r["year"]), {"schemes": set(), "beneficiaries": [], "legal_coverage": []}
        )
        s["schemes"].add(f"{sid},{sid} scheme,test,{stype},mandatory,{risk},all,test,2000")
        sex = r["sex_build"]
        if r["series_code"] == "SI_COV_WKINJRY":
            s["legal_coverage"].append(f"{sid},{risk},{sex},{count}")
        else:
            s["beneficiaries"].append(f"{sid},{risk},cash_periodic,{sex},_T,{count}")
    return {k: {**v, "schemes": sorted(v["schemes"])} for k, v in subs.items()}


def _benfts_world(rows: pl.DataFrame, den: pl.DataFrame) -> dict:
    subs: dict = {}
    joined = rows.join(
        den, left_on=["iso3", "year", "sex_build"], right_on=["iso3", "year", "sex"], how="inner"
    )
    for r in joined.iter_rows(named=True):
        b, sex = r["value"] / 100, r["sex_build"]
        s = subs.setdefault(
            (r["iso3"], r["year"]),
            {
                "schemes": [
                    "CH,child,test,employer_liability,mandatory,children,all,test,2000",
                    "PEN,pension,test,employer_liability,mandatory,old_age,all,test,2000",
                    "SS,insurance,test,contributory,mandatory,sickness,all,test,2000",
                ],
                "beneficiaries": [],
                "contributors": [],
            },
        )
        s["beneficiaries"].append(f"CH,children,cash_periodic,{sex},_T,{round(b * r['children'])}")
        s["beneficiaries"].append(f"PEN,old_age,cash_periodic,{sex},_T,{round(b * r['older'])}")
        s["contributors"].append(f"SS,{sex},_T,,{round(b * r['working_age'])}")
    return subs


def _both_sexes(rows: pl.DataFrame) -> pl.DataFrame:
    """A submission reports both sexes or neither (a sex rate needs every scheme to report it):
    where only one sex is published, the other is derived at the same rate (not asserted)."""
    key = ["series_code", "iso3", "year"]
    present = rows.group_by(key).agg(pl.col("sex_build").alias("sexes"))
    missing = present.filter(pl.col("sexes").list.len() == 1).with_columns(
        pl.when(pl.col("sexes").list.first() == "F")
        .then(pl.lit("M"))
        .otherwise(pl.lit("F"))
        .alias("other")
    )
    filler = (
        rows.join(missing.select(*key, "other"), on=key)
        .with_columns(pl.col("other").alias("sex_build"), pl.col("other").alias("sex_sdmx"))
        .drop("other")
    )
    return pl.concat([rows, filler.select(rows.columns)])


def _run(
    raw: Path, wh: Path, work: Path, select: str = "+fct_reconciliation"
) -> duckdb.DuckDBPyConnection:
    """Land the world with the pipeline's landing and build the models ``select`` names with
    what they depend on: the numbers are the question here, not the run
    (tests/test_end_to_end.py and the sample warehouse's tests run whole pipelines)."""
    land_all(raw, wh)
    return duckdb.connect(str(build_models(wh, select, work)), read_only=True)


@pytest.fixture(scope="module")
def worlds(inputs, real_dir: Path, tmp_path_factory):
    pub, pop, emp, ur = inputs
    have_pop = pop.select("iso3", "year").unique()
    pub = pub.join(have_pop, on=["iso3", "year"], how="inner")
    keys = pub.select("iso3", "year").unique().sort("iso3", "year")
    iso3s = sorted(keys["iso3"].unique().to_list())
    # poverty rate per country-year, low enough that POOR recipients fit inside VULN's
    wide = (
        pub.filter(pl.col("series_code").is_in(["SI_COV_VULN", "SI_COV_POOR"]))
        .group_by("iso3", "year", "series_code")
        .agg(pl.col("value").min(), pl.col("value").max().alias("vmax"))
    )
    poverty = {}
    for (iso3, year), g in wide.group_by("iso3", "year"):
        v = g.filter(pl.col("series_code") == "SI_COV_VULN")["value"]
        p = g.filter(pl.col("series_code") == "SI_COV_POOR")["vmax"]
        if len(v) and len(p) and p[0] > 0:
            poverty[(iso3, year)] = max(min(20.0, 80 * v[0] / p[0]), 0.01)
    nat = _national(keys, pop, emp, ur, poverty)
    den = _denominators(nat)
    work = tmp_path_factory.mktemp("dbt")  # one parse of the project for the four worlds
    out = {}
    for world in ("total", "by_sex"):
        plain = pub.filter(pl.col("series_code") != "SI_COV_BENFTS")
        if world == "total":
            plain = plain.filter(
                (pl.col("sex_sdmx") == "_T") | (pl.col("series_code") == "SI_COV_MATNL")
            )
            plain = plain.with_columns(pl.lit("_T").alias("sex_build"))
        else:
            plain = plain.filter(
                pl.col("sex_sdmx").is_in(["F", "M"]) & (pl.col("series_code") != "SI_COV_MATNL")
            )
            plain = plain.with_columns(pl.col("sex_sdmx").alias("sex_build"))
        build_plain = _both_sexes(plain) if world == "by_sex" else plain
        poor = (
            build_plain.filter(pl.col("series_code") == "SI_COV_POOR")
            .join(den, left_on=["iso3", "year", "sex_build"], right_on=["iso3", "year", "sex"])
            .select(
                "iso3",
                "year",
                "sex_build",
                (pl.col("value") / 100 * pl.col("poor")).round(0).alias("poor_count"),
            )
        )
        build_plain = build_plain.join(poor, on=["iso3", "year", "sex_build"], how="left")
        benfts = (
            pub.filter(pl.col("series_code") == "SI_COV_BENFTS")
            .filter(pl.col("sex_sdmx") == "_T" if world == "total" else pl.col("sex_sdmx") != "_T")
            .with_columns(pl.col("sex_sdmx").alias("sex_build"))
        )
        build_benfts = _both_sexes(benfts) if world == "by_sex" else benfts
        for name, subs, rows in (
            (f"plain_{world}", _plain_world(build_plain, den), plain),
            (f"benfts_{world}", _benfts_world(build_benfts, den), benfts),
        ):
            raw = tmp_path_factory.mktemp(name) / "raw"
            _write_world(raw, real_dir, nat, subs, iso3s)
            con = _run(raw, raw.parent / "warehouse", work)
            out[name] = (con, rows)
    yield out, pub
    for con, _ in out.values():
        con.close()


def _statuses(con, rows: pl.DataFrame) -> pl.DataFrame:
    rec = con.sql(
        "select series_code, iso3, time_period as year, sex as sex_sdmx, status, computed_value, "
        "published_value from marts.fct_reconciliation"
    ).pl()
    return rows.select("series_code", "iso3", "year", "sex_sdmx").join(
        rec, on=["series_code", "iso3", "year", "sex_sdmx"], how="left"
    )


@pytest.mark.parametrize("world", ["plain_total", "plain_by_sex", "benfts_total", "benfts_by_sex"])
def test_published_values_reproduced(worlds, world):
    out, _ = worlds
    con, rows = out[world]
    got = _statuses(con, rows)
    assert got.height == rows.height > 0
    bad = got.filter(pl.col("status") != "match")
    assert bad.is_empty(), bad.head(20)


def test_every_published_value_is_covered_by_a_world(worlds):
    out, pub = worlds
    covered = pl.concat(
        [rows.select("series_code", "iso3", "year", "sex_sdmx") for _, rows in out.values()]
    ).unique()
    missing = pub.select("series_code", "iso3", "year", "sex_sdmx").join(
        covered, on=["series_code", "iso3", "year", "sex_sdmx"], how="anti"
    )
    assert missing.is_empty(), missing


def test_published_file_lands_unchanged(worlds, real_dir):
    out, _ = worlds
    con, _ = out["plain_total"]
    n = con.sql("select count(*) from staging.stg_published__sdg_values").fetchall()[0][0]
    src = pl.read_csv(real_dir / "sdg_131" / "sdg_131_ilo_series_by_sex.csv")
    assert n == src.height
