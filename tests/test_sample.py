"""The bundled synthetic sample (`raw/`): deterministic, complete and internally consistent."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from pipelines.sample import params as P
from pipelines.sample.generate import generate
from pipelines.sample.national import AGE_GROUPS, NATIONAL_TABLES
from pipelines.sample.ssi import OVERLAP_COLUMN, PENSION_AGE_GROUPS, SECTIONS

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
REAL_DIR = Path(os.environ.get("FLOORBOARD_REAL_DATA", REPO.parent / "shared/data/real"))
YEARS = list(range(2015, 2025))
SEX_T = "_T"


@pytest.fixture(scope="module")
def real_dir() -> Path:
    """The real data; skipped locally when absent, a failure in CI (``CI`` set)."""
    if not REAL_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real data folder {REAL_DIR} is missing (required in CI)")
        pytest.skip(f"real data folder {REAL_DIR} not present")
    return REAL_DIR


#: what the generator owns under raw/ (other drop-zone folders may be added by hand)
GENERATED = ("README.md", "reference", "national", "ssi", "flagship", "registry")
#: files in those folders that are authored by hand, not generated
NOT_GENERATED = (
    "reference/sdg_dsd_pinned.csv",  # pinned SDG DSD codes (pipelines/extracts)
    # real reference tables of the aggregates (pipelines/reference/aggregates.py)
    "reference/region_memberships.csv",
    "reference/aggregate_populations.csv",
    "reference/gdp_per_capita.csv",
)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.relative_to(root).parts[0] in GENERATED
        and p.relative_to(root).as_posix() not in NOT_GENERATED
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a = tmp_path_factory.mktemp("raw_a")
    b = tmp_path_factory.mktemp("raw_b")
    generate(a)
    generate(b)
    return a, b


def test_generation_is_deterministic(generated: tuple[Path, Path]) -> None:
    a, b = generated
    ha, hb = _hashes(a), _hashes(b)
    assert len(ha) > 1000
    assert ha == hb


def test_committed_raw_is_up_to_date(generated: tuple[Path, Path]) -> None:
    """`raw/` in the repository is exactly what the generator writes (regenerate if not)."""
    expected = _hashes(generated[0])
    committed = _hashes(RAW)
    missing = sorted(set(expected) - set(committed))
    extra = sorted(set(committed) - set(expected))
    changed = sorted(k for k in set(expected) & set(committed) if expected[k] != committed[k])
    assert not (missing or extra or changed), (
        "raw/ differs from `python -m pipelines.sample.generate`: "
        f"missing {missing[:5]}, extra {extra[:5]}, changed {changed[:5]}"
    )


def test_readme_says_synthetic() -> None:
    text = (RAW / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "python -m pipelines.sample.generate" in text
    assert str(P.SEED) in text
    assert "NOT official statistics" in text


# --------------------------------------------------------------------------------------------
# contents (read from the committed raw/, identical to a fresh generation by the tests above)


@pytest.fixture(scope="module")
def countries() -> pl.DataFrame:
    return pl.read_csv(RAW / "reference/countries.csv")


@pytest.fixture(scope="module")
def national() -> dict[str, pl.DataFrame]:
    return {t: pl.read_csv(RAW / "national" / f"{t}.csv") for t in NATIONAL_TABLES}


def _whole(values: pl.Series) -> bool:
    return bool((values == values.round(0)).all())


def _submissions() -> list[Path]:
    return sorted((RAW / "ssi").iterdir())


@pytest.fixture(scope="module")
def ssi() -> dict[str, pl.DataFrame]:
    """Every section of every submission, stacked, with `submission_id`, `iso3`, `year`."""
    frames: dict[str, list[pl.DataFrame]] = {s: [] for s in SECTIONS}
    for path in _submissions():
        stem = path.name.removesuffix(".xlsx")
        if path.suffix == ".xlsx":
            reader = fastexcel.read_excel(str(path))  # calamine, as pl.read_excel does
            sheets = {s: reader.load_sheet(s).to_polars() for s in SECTIONS}
        else:
            sheets = {s: pl.read_csv(path / f"{s}.csv") for s in SECTIONS}
        for s, df in sheets.items():
            # every submission gives the optional overlap_group column of the schemes sheet
            assert tuple(df.columns) == SECTIONS[s], (stem, s)
            if s == "schemes":
                df = df.with_columns(pl.col(OVERLAP_COLUMN).cast(pl.String))
            if df.height == 0:
                continue
            frames[s].append(
                df.with_columns(
                    pl.lit(stem).alias("submission_id"),
                    pl.lit(stem[:3]).alias("iso3") if "iso3" not in df.columns else pl.col("iso3"),
                    pl.lit(int(stem[4:8])).alias("year"),
                )
            )
    return {s: pl.concat(f, how="diagonal_relaxed") for s, f in frames.items()}


def _persons(
    b: pl.DataFrame, schemes: pl.DataFrame, key: list[str], value: str = "beneficiaries"
) -> pl.DataFrame:
    """Persons (``value``) per ``key`` across schemes by the overlap rule (methodology §2.5):
    the largest count within an overlap group, counts of different or no groups added up."""
    groups = schemes.select(
        "submission_id",
        "scheme_id",
        pl.coalesce(OVERLAP_COLUMN, pl.lit("#") + pl.col("scheme_id")).alias("_group"),
    )
    return (
        b.join(groups, on=["submission_id", "scheme_id"], how="left")
        .group_by(*key, "_group")
        .agg(pl.col(value).max())
        .group_by(key)
        .agg(pl.col(value).sum())
    )


def test_countries_cover_focus_regions_and_income_groups(countries: pl.DataFrame) -> None:
    assert countries.filter(pl.col("is_flagship_focus")).height == 50
    assert countries.height >= 75
    assert set(countries["ilo_region"]) == {
        "Africa",
        "Americas",
        "Arab States",
        "Asia and the Pacific",
        "Europe and Central Asia",
    }
    assert set(countries["income_group"]) == {"LIC", "LMC", "UMC", "HIC"}


def test_national_tables_cover_every_country_and_year(
    countries: pl.DataFrame, national: dict[str, pl.DataFrame]
) -> None:
    iso3s = set(countries["iso3"])
    for table, df in national.items():
        assert tuple(df.columns) == NATIONAL_TABLES[table]
        assert set(df["iso3"]) == iso3s, table
        assert sorted(set(df["year"])) == YEARS, table
    pop = national["population"]
    assert pop.height == len(iso3s) * len(YEARS) * 2 * len(AGE_GROUPS)
    assert set(pop["age_group"]) == set(AGE_GROUPS)
    assert pop["population"].dtype == pl.Int64 and pop["population"].min() > 0
    lf = national["labour_force"]
    assert lf["persons"].dtype == pl.Int64
    spa = national["pensionable_age"]["statutory_pensionable_age"]
    assert spa.min() >= 50 and spa.max() <= 67
    assert national["economy"]["currency"].str.len_chars().eq(3).all()


def test_population_magnitude_close_to_wdi(real_dir: Path, national: dict[str, pl.DataFrame]):
    wdi = pl.read_csv(real_dir / "population/wdi_population_total.csv").filter(
        pl.col("year") == 2020
    )
    ours = (
        national["population"]
        .filter(pl.col("year") == 2020)
        .group_by("iso3")
        .agg(pl.col("population").sum())
    )
    joined = ours.join(wdi.select("iso3", pl.col("population").alias("wdi")), on="iso3")
    assert joined.height == ours.height
    ratio = joined.with_columns(r=pl.col("population") / pl.col("wdi"))
    bad = ratio.filter((pl.col("r") < 0.5) | (pl.col("r") > 2))
    assert bad.is_empty(), bad


def test_submissions_years_and_formats(countries: pl.DataFrame) -> None:
    focus = set(countries.filter(pl.col("is_flagship_focus"))["iso3"])
    by_country: dict[str, set[int]] = {}
    for path in _submissions():
        stem = path.name.removesuffix(".xlsx")
        iso3, year = stem[:3], int(stem[4:8])
        assert year in YEARS
        by_country.setdefault(iso3, set()).add(year)
        if iso3 in focus:
            assert path.suffix == ".xlsx", path.name
        else:
            assert path.is_dir(), path.name
            assert sorted(p.name for p in path.iterdir()) == sorted(f"{s}.csv" for s in SECTIONS)
    assert set(by_country) == set(countries["iso3"])
    for iso3 in ("KEN", "URY"):
        assert by_country[iso3] == set(YEARS)
    n = sum(len(v) for v in by_country.values())
    share_missing = 1 - n / (len(by_country) * len(YEARS))
    assert 0.08 < share_missing < 0.25


def test_workbooks_open_with_calamine_and_have_the_sheets() -> None:
    books = [p for p in _submissions() if p.suffix == ".xlsx"]
    assert len(books) > 300
    for path in books:
        reader = fastexcel.read_excel(str(path))
        assert reader.sheet_names == list(SECTIONS), path.name
    sub = pl.read_excel(RAW / "ssi/KEN_2020.xlsx", sheet_name="submission", engine="calamine")
    assert sub.row(0)[:2] == ("KEN", 2020)


def test_submission_rows(ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]):
    sub = ssi["submission"]
    assert sub.group_by("submission_id").len()["len"].max() == 1
    assert (sub["reference_year"] == sub["year"]).all()
    cur = national["economy"].select("iso3", "year", pl.col("currency").alias("nat_currency"))
    joined = sub.join(cur, on=["iso3", "year"])
    assert (joined["currency"] == joined["nat_currency"]).all()


def test_beneficiary_totals_are_consistent(ssi: dict[str, pl.DataFrame]) -> None:
    b = ssi["beneficiaries"]
    assert _whole(b["beneficiaries"])  # counts are integers (workbooks read back as float)
    assert b["beneficiaries"].min() >= 0
    key = ["submission_id", "scheme_id", "risk", "benefit_type", "sex"]
    ages = b.filter(pl.col("age_group") != "_T").group_by(key).agg(pl.col("beneficiaries").sum())
    tot = b.filter(pl.col("age_group") == "_T").select(*key, pl.col("beneficiaries").alias("t"))
    joined = ages.join(tot, on=key, how="left")
    assert joined["t"].null_count() == 0
    assert (joined["beneficiaries"] == joined["t"]).all()
    # old-age pensions are broken down by age from Y55T59 to Y_GE80
    old = b.filter(pl.col("risk") == "old_age", pl.col("benefit_type") == "cash_periodic")
    assert set(old["age_group"]) == set(PENSION_AGE_GROUPS) | {"_T"}
    # _T >= F + M, equal for most countries
    k2 = ["submission_id", "scheme_id", "risk", "benefit_type", "age_group"]
    fm = b.filter(pl.col("sex") != SEX_T).group_by(k2).agg(pl.col("beneficiaries").sum())
    t = b.filter(pl.col("sex") == SEX_T).select(*k2, pl.col("beneficiaries").alias("t"))
    j = t.join(fm, on=k2, how="inner")
    assert (j["t"] >= j["beneficiaries"]).all()
    larger = set(j.filter(pl.col("t") > pl.col("beneficiaries"))["submission_id"].str.slice(0, 3))
    assert larger == set(P.SEX_UNKNOWN_COUNTRIES)
    # some old-age pensioners are below the statutory pensionable age
    assert old.filter(pl.col("age_group") == "Y55T59", pl.col("beneficiaries") > 0).height > 0


def test_beneficiaries_within_reference_population(
    ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]
) -> None:
    pop = national["population"]
    b = ssi["beneficiaries"]
    ky = ["iso3", "year"]
    # old age, per sex and age group
    old = b.filter(
        pl.col("risk") == "old_age",
        pl.col("benefit_type") == "cash_periodic",
        pl.col("sex") != SEX_T,
        pl.col("age_group") != "_T",
    )
    old = _persons(old, ssi["schemes"], [*ky, "submission_id", "sex", "age_group"])
    j = old.join(pop, on=[*ky, "sex", "age_group"], how="left")
    assert j["population"].null_count() == 0
    assert (j["beneficiaries"] <= j["population"]).all()

    def lower(col: pl.Expr) -> pl.Expr:
        return pl.when(col == "Y_GE80").then(80).otherwise(col.str.extract(r"^Y(\d+)T").cast(int))

    p = pop.with_columns(lo=lower(pl.col("age_group")))
    ref = (
        p.group_by(*ky, "sex")
        .agg(
            total=pl.col("population").sum(),
            kids=pl.col("population").filter(pl.col("lo") < 15).sum(),
            adults=pl.col("population").filter(pl.col("lo") >= 15).sum(),
        )
        .join(national["labour_force"].pivot(on="status", index=[*ky, "sex"]), on=[*ky, "sex"])
        # the total rates: the SSI generator draws its counts from them (a few countries also
        # give F/M rates; GEO gives F/M only and is left out of this check)
        .join(national["poverty"].filter(pl.col("sex") == SEX_T).drop("sex"), on=ky)
        .join(national["disability_prevalence"].filter(pl.col("sex") == SEX_T).drop("sex"), on=ky)
        .join(national["births"], on=ky)
        .with_columns(
            poor=pl.col("total") * pl.col("poverty_headcount_pct") / 100,
            disabled=pl.col("total") * pl.col("severe_disability_prevalence_pct") / 100,
        )
    )
    ref_col = {
        "children": "kids",
        "maternity": "live_births",
        "sickness": "employed",
        "unemployment": "unemployed",
        "employment_injury": "employed",
        "disability": "disabled",
        "survivors": "adults",
        "health": "total",
        "social_assistance": "poor",
    }
    per_risk = (
        b.filter(pl.col("sex") != SEX_T, pl.col("age_group") == "_T", pl.col("risk") != "old_age")
        .group_by("submission_id", *ky, "sex", "risk", "benefit_type")
        .agg(pl.col("beneficiaries").sum())
        .filter(pl.col("benefit_type") != "cash_lump_sum")
        .group_by("submission_id", *ky, "sex", "risk")
        .agg(pl.col("beneficiaries").sum())
        .join(ref, on=[*ky, "sex"])
    )
    assert per_risk.height > 0
    for risk, col in ref_col.items():
        rows = per_risk.filter(pl.col("risk") == risk)
        assert rows.height > 0, risk
        over = rows.filter(pl.col("beneficiaries") > pl.col(col))
        assert over.is_empty(), (risk, over)
    # contributors: active <= employed, affiliated <= adults
    c = ssi["contributors"].filter(pl.col("sex") != SEX_T).join(ref, on=[*ky, "sex"])
    assert (c["active_contributors"] <= c["employed"]).all()
    assert (c["affiliated"] <= c["adults"]).all()
    assert (c["active_contributors"] <= c["affiliated"]).all()


def test_old_age_coverage_rises_with_income(
    ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame], countries: pl.DataFrame
) -> None:
    b = ssi["beneficiaries"].filter(
        pl.col("risk") == "old_age",
        pl.col("benefit_type") == "cash_periodic",
        pl.col("sex") == SEX_T,
        pl.col("age_group").is_in(["Y65T69", "Y70T74", "Y75T79", "Y_GE80"]),
        ~pl.col("submission_id").str.ends_with("_r2"),
    )
    num = _persons(b, ssi["schemes"], ["iso3", "year", "age_group"])
    num = num.group_by("iso3", "year").agg(pl.col("beneficiaries").sum())
    den = (
        national["population"]
        .filter(pl.col("age_group").is_in(["Y65T69", "Y70T74", "Y75T79", "Y_GE80"]))
        .group_by("iso3", "year")
        .agg(pl.col("population").sum())
    )
    rate = (
        num.join(den, on=["iso3", "year"])
        .join(countries.select("iso3", "income_group"), on="iso3")
        .with_columns(rate=pl.col("beneficiaries") / pl.col("population"))
        .group_by("income_group")
        .agg(pl.col("rate").median())
    )
    med = dict(rate.iter_rows())
    assert med["LIC"] < med["LMC"] < med["UMC"] < med["HIC"]
    assert 0.05 < med["LIC"] < 0.35 and med["HIC"] > 0.8


def test_money_has_at_most_two_decimals(ssi: dict[str, pl.DataFrame]) -> None:
    amounts = ssi["benefit_amounts"]["average_benefit_lcu_month"]
    assert ((amounts * 100).round(0) - amounts * 100).abs().max() < 1e-6
    assert _whole(ssi["expenditure"]["amount_lcu"])
    assert _whole(ssi["receipts"]["amount_lcu"])
    for section, col in (
        ("contributors", "active_contributors"),
        ("legal_coverage", "legally_covered"),
    ):
        assert _whole(ssi[section][col])


# --------------------------------------------------------------------------------------------
# people in more than one scheme (methodology §2.5): the sample's overlap design


def test_social_insurance_schemes_share_one_overlap_group(
    ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]
) -> None:
    """In every submission the contributory schemes (except civil-service ones) insure the same
    employees: one overlap group. Non-contributory and employer-liability schemes have none
    (their people add up), except the universal pensions paid on top of contributory ones.
    So persons contributing to at least one scheme stay within the employed."""
    s = ssi["schemes"]
    civil = pl.col("scheme_id").str.ends_with("-CSPEN")
    contributory = s.filter(pl.col("scheme_type") == "contributory", ~civil)
    assert contributory["submission_id"].n_unique() == s["submission_id"].n_unique()
    per_sub = contributory.group_by("iso3", "submission_id").agg(
        pl.col(OVERLAP_COLUMN).null_count().alias("nulls"),
        pl.col(OVERLAP_COLUMN).drop_nulls().unique().alias("groups"),
    )
    assert (per_sub["nulls"] == 0).all(), per_sub.filter(pl.col("nulls") > 0)
    for iso3, sub, _, groups in per_sub.iter_rows():
        expected = P.CIVIL_SERVICE_PENSIONS.get(iso3, (P.SOCIAL_INSURANCE_GROUP,))[0]
        assert groups == [expected], (sub, groups)
    # civil-service schemes: another group or none (their people add up)
    cs = s.filter(civil).join(per_sub.select("submission_id", "groups"), on="submission_id")
    assert cs.height > 0
    for group, groups in cs.select(OVERLAP_COLUMN, "groups").iter_rows():
        assert group not in groups
    # non-contributory schemes: no group, except the universal pensions paid on top
    grouped = s.filter(
        pl.col("scheme_type") != "contributory", pl.col(OVERLAP_COLUMN).is_not_null()
    )
    assert set(grouped["scheme_id"]) == {f"{iso3}-SOCPEN" for iso3 in P.UNIVERSAL_ON_TOP}
    assert set(grouped["scheme_type"]) == {"universal"}
    # contributing to at least one scheme (§2.2 step 3, §2.5): within the employed
    c = ssi["contributors"].filter(pl.col("sex") != SEX_T, pl.col("age_group") == SEX_T)
    any_scheme = _persons(c, s, ["submission_id", "iso3", "year", "sex"], "active_contributors")
    emp = national["labour_force"].filter(pl.col("status") == "employed")
    j = any_scheme.join(emp, on=["iso3", "year", "sex"], how="left")
    assert j.height == any_scheme.height and j["persons"].null_count() == 0
    assert (j["active_contributors"] <= j["persons"]).all()


def _pensioners_above_spa(ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]):
    """Old-age pensioners (periodic) at or above the SPA per submission × scheme × sex (F, M),
    ages uniform within the 5-year group that straddles the SPA."""
    spa = national["pensionable_age"].select("iso3", "year", "sex", "statutory_pensionable_age")
    lo = pl.when(pl.col("age_group") == "Y_GE80").then(80)
    lo = lo.otherwise(pl.col("age_group").str.extract(r"^Y(\d+)T").cast(pl.Int64))
    share = ((lo + 5 - pl.col("statutory_pensionable_age")) / 5).clip(0, 1)
    share = (
        pl.when(pl.col("age_group") == "Y_GE80")
        .then((pl.col("statutory_pensionable_age") <= 80).cast(pl.Float64))
        .otherwise(share)
    )
    return (
        ssi["beneficiaries"]
        .filter(
            pl.col("risk") == "old_age",
            pl.col("benefit_type") == "cash_periodic",
            pl.col("sex") != SEX_T,
            pl.col("age_group") != "_T",
        )
        .join(spa, on=["iso3", "year", "sex"])
        .group_by("submission_id", "iso3", "year", "scheme_id", "sex")
        .agg((pl.col("beneficiaries") * share).sum().alias("above_spa"))
    )


def test_universal_pension_on_top_of_contributory(
    ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]
) -> None:
    """(a) A universal pension paid on top of a contributory one: in the overlap group of the
    contributory pension (the social-insurance group), the universal scheme with fewer
    pensioners above the SPA than the contributory one."""
    schemes, above = ssi["schemes"], _pensioners_above_spa(ssi, national)
    for iso3 in P.UNIVERSAL_ON_TOP:
        s = schemes.filter(pl.col("iso3") == iso3)
        assert s.height > 0, iso3
        old_age = s.filter(pl.col("scheme_id").is_in([f"{iso3}-PEN", f"{iso3}-SOCPEN"]))
        assert old_age.height == 2 * s["submission_id"].n_unique()
        assert set(old_age[OVERLAP_COLUMN]) == {P.SOCIAL_INSURANCE_GROUP}
        types = dict(zip(old_age["scheme_id"], old_age["scheme_type"], strict=False))
        assert types == {f"{iso3}-PEN": "contributory", f"{iso3}-SOCPEN": "universal"}
        a = above.filter(pl.col("iso3") == iso3).pivot(
            on="scheme_id", index=["submission_id", "year", "sex"], values="above_spa"
        )
        assert a.height == 2 * s["submission_id"].n_unique()
        assert (a[f"{iso3}-SOCPEN"] < a[f"{iso3}-PEN"]).all(), a
        assert (a[f"{iso3}-SOCPEN"] > 0).all()
        # paid on top of contributory pensions (elsewhere only to persons without one)
        soc = s.filter(pl.col("scheme_id") == f"{iso3}-SOCPEN")["groups_covered"]
        assert soc.str.contains("including those with a contributory pension").all()


def test_civil_service_and_private_sector_pension_schemes(
    ssi: dict[str, pl.DataFrame], national: dict[str, pl.DataFrame]
) -> None:
    """(b) Separate civil-service and private-sector contributory pension schemes: different
    (or no) overlap groups, disjoint people, so their counts add up within the employed. The
    private-sector scheme shares its group with the other social-insurance schemes."""
    emp = national["labour_force"].filter(pl.col("status") == "employed")
    for iso3, (private_group, civil_group, _, _) in P.CIVIL_SERVICE_PENSIONS.items():
        assert private_group != civil_group or private_group is None
        s = ssi["schemes"].filter(pl.col("iso3") == iso3)
        pen = s.filter(pl.col("scheme_id").is_in([f"{iso3}-PEN", f"{iso3}-CSPEN"]))
        assert pen.height == 2 * s["submission_id"].n_unique()
        assert set(pen["scheme_type"]) == {"contributory"}
        assert pen["risks"].str.contains("old_age").all()
        groups = dict(zip(pen["scheme_id"], pen[OVERLAP_COLUMN], strict=False))
        assert groups == {f"{iso3}-PEN": private_group, f"{iso3}-CSPEN": civil_group}
        other = s.filter(
            pl.col("scheme_type") == "contributory", pl.col("scheme_id") != f"{iso3}-CSPEN"
        )
        assert set(other[OVERLAP_COLUMN]) == {private_group}
        assert other.height > pen.height / 2  # more than the pension scheme
        assert s[OVERLAP_COLUMN].drop_nulls().n_unique() == len(
            {private_group, civil_group} - {None}
        )
        c = ssi["contributors"].filter(
            pl.col("iso3") == iso3,
            pl.col("scheme_id").is_in([f"{iso3}-PEN", f"{iso3}-CSPEN"]),
            pl.col("sex") != SEX_T,
        )
        assert c.filter(pl.col("scheme_id") == f"{iso3}-CSPEN")["active_contributors"].min() > 0
        total = c.group_by("year", "sex").agg(pl.col("active_contributors").sum())
        j = total.join(emp.filter(pl.col("iso3") == iso3), on=["year", "sex"])
        assert j.height == total.height and (j["active_contributors"] <= j["persons"]).all()
        b = ssi["beneficiaries"].filter(
            pl.col("scheme_id") == f"{iso3}-CSPEN", pl.col("risk") == "old_age"
        )
        assert b["beneficiaries"].sum() > 0
