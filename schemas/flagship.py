"""Flagship Programme results records (`raw/flagship/`, methodology §9, docs/raw_formats.md).

Three tables as kept by the Results Monitoring Tool of the ILO Global Flagship Programme on
Building Social Protection Floors for All: the programme's interventions in a focus country,
the institutional changes they contributed to (steps 1-3) and the impact on people (legal
coverage, effective coverage, adequacy) by sex and risk.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas import codes
from schemas.ssi import THIS_YEAR, known_country_check

#: the programme's thematic areas (code -> label), as listed in issue 6
THEMATIC_AREAS: dict[str, str] = {
    "social_health_protection": "Social health protection",
    "unemployment_protection": "Unemployment protection",
    "old_age_pensions": "Old-age pensions",
    "informal_economy": "Extending social protection to workers in the informal economy",
    "disability_inclusive": "Disability-inclusive social protection",
    "migrants_refugees": "Social protection for migrants and refugees",
    "just_transition": "Social protection for a just transition",
    "gender_equality": "Gender equality in social protection",
    "social_dialogue": "Social dialogue",
    "statistics_me": "Social protection statistics, monitoring and evaluation",
    "financing": "Financing social protection",
    "rights_ratification": "Rights-based systems and ratification of ILO standards",
    "actuarial_valuations": "Actuarial valuations",
    "digital_transformation": "Digital transformation of social protection",
    "new_challenges": "Adapting social protection to new challenges",
    "culture_of_social_protection": "Building a culture of social protection",
}
#: institutional change steps (methodology §9): 1 strategy/policy adopted, 2 scheme designed or
#: reformed / legal framework adopted, 3 operations improved
STEPS: dict[int, str] = {
    1: "Strategy or policy adopted",
    2: "Scheme designed or reformed, legal framework adopted",
    3: "Operations improved (administration, registration, delivery, M&E)",
}
IMPACT_TYPES: dict[str, str] = {
    "legal_coverage": "People who gained legal coverage",
    "effective_coverage": "People who gained effective coverage",
    "adequacy": "People with better adequacy or comprehensiveness of their protection",
}
#: risks a Flagship record can concern: the ten branches of methodology §1.1 (dim_risk codes)
RISKS: tuple[str, ...] = codes.RISKS
#: ILO conventions a ratification row may name: the up-to-date social security standards (dbt
#: seed social_security_standards, with a description of each)
CONVENTIONS: tuple[str, ...] = ("C102", "C118", "C121", "C128", "C130", "C157", "C168", "C183")
#: the programme's phases (label, first day, last day); records must fall in one of them
PHASES: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("2016-2020", dt.date(2016, 1, 1), dt.date(2020, 12, 31)),
    ("2021-2025", dt.date(2021, 1, 1), dt.date(2025, 12, 31)),
)
FIRST_DAY = PHASES[0][1]
LAST_DAY = min(PHASES[-1][2], dt.date(THIS_YEAR, 12, 31))
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, PHASES[-1][2].year

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: a semicolon list of partner names (letters, digits, spaces and . & ( ) ' - inside a name)
PARTNERS_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 .&()'\-]*(;[A-Za-z0-9][A-Za-z0-9 .&()'\-]*)*$"
#: the implementing organization; a result is joint when another partner is involved
ILO = "ILO"
#: persons of unknown sex may make the total (_T) exceed female + male by at most this share
UNKNOWN_SEX_MAX_SHARE = 0.05

NOT_FOCUS = "not_a_flagship_focus_country"
UNKNOWN_RISK = "unknown_risk_code"
IMPACT_CONSISTENT = "impact_rows_disagree"
IMPACT_TOTAL = "impact_without_total"
IMPACT_SEXES = "impact_sexes_exceed_total"
SAME_PEOPLE = "same_people_as_invalid"
END_BEFORE_START = "end_year_before_start_year"
RATIFICATION_STEP = "ratification_not_step_2"
RISK_ERROR = "lists a code that is not a risk; separate codes by ; and use " + ", ".join(RISKS)


def _focus_list(path: str, mtime_ns: int) -> frozenset[str]:
    frame = pl.read_csv(path, columns=["iso3", "is_flagship_focus"], infer_schema=False)
    focus = frame.filter(pl.col("is_flagship_focus").str.strip_chars().str.to_lowercase() == "true")
    return frozenset(c for c in focus["iso3"].drop_nulls().str.strip_chars().to_list() if c)


def _phase_list(path: str, mtime_ns: int) -> frozenset[str]:
    frame = pl.read_csv(path, columns=["iso3"], infer_schema=False)
    return frozenset(c for c in frame["iso3"].drop_nulls().str.strip_chars().to_list() if c)


_FOCUS_CACHE: dict[tuple[str, int], frozenset[str]] = {}


def _cached(path, reader) -> frozenset[str]:
    try:
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _FOCUS_CACHE:
            _FOCUS_CACHE[key] = reader(*key)
        return _FOCUS_CACHE[key]
    except Exception:  # absent or unreadable list
        return frozenset()


def focus_countries() -> frozenset[str]:
    """ISO3 codes flagged ``is_flagship_focus`` in ``raw/reference/countries.csv`` (the current
    phase's list), plus the focus countries of any phase in ``raw/flagship/focus_countries.csv``
    (read at call time, cached per file version). Without a readable reference list, the 50
    focus countries of ``pipelines.reference.countries`` are used."""
    from pipelines import paths

    found = _cached(paths.raw_dir() / "reference" / "countries.csv", _focus_list)
    if not found:
        from pipelines.reference.countries import flagship_focus_iso3

        found = frozenset(flagship_focus_iso3())
    return found | _cached(paths.raw_dir() / "flagship" / "focus_countries.csv", _phase_list)


def _list_in(column: str, allowed) -> pl.Expr:
    """True when every element of the semicolon list ``column`` is in ``allowed`` (null: True)."""
    items = pl.col(column).str.split(";").list.eval(pl.element().str.strip_chars())
    return items.list.eval(pl.element().is_in(list(allowed))).list.all().fill_null(True)


class _FocusCountry(pa.DataFrameModel):
    @pa.check(
        "iso3",
        name=NOT_FOCUS,
        error="is not a Flagship focus country (is_flagship_focus in raw/reference/countries.csv, "
        "or a phase's list in raw/flagship/focus_countries.csv)",
    )
    @classmethod
    def iso3_focus(cls, data: PolarsData) -> pl.LazyFrame:
        focus = sorted(focus_countries())
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(focus))


class Interventions(_FocusCountry):
    """`interventions.csv`: one row per programme intervention in a focus country."""

    intervention_id: str = pa.Field(str_matches=ID_PATTERN, unique=True)
    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    start_year: int = pa.Field(ge=FIRST_YEAR, le=LAST_YEAR)
    end_year: int = pa.Field(ge=FIRST_YEAR, le=LAST_YEAR)
    thematic_area: str = pa.Field(isin=list(THEMATIC_AREAS))
    title: str = pa.Field(str_length={"max_value": 500})
    partners: str = pa.Field(str_matches=PARTNERS_PATTERN, nullable=True)
    budget_usd: float = pa.Field(ge=0, le=1e9, nullable=True)
    persons_trained: int = pa.Field(ge=0, le=10_000_000, nullable=True)
    knowledge_products_endorsed: int = pa.Field(ge=0, le=1000, nullable=True)

    class Config:
        strict = True
        ordered = True

    @pa.dataframe_check(error=END_BEFORE_START)
    @classmethod
    def ends_after_start(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("end_year") >= pl.col("start_year"))

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        if check == END_BEFORE_START:
            return frame.select(
                pl.format(
                    "end_year {} is before start_year {}", pl.col("end_year"), pl.col("start_year")
                )
            ).to_series()
        return None


class InstitutionalChanges(_FocusCountry):
    """`institutional_changes.csv`: one row per institutional change (step 1, 2 or 3)."""

    change_id: str = pa.Field(str_matches=ID_PATTERN, unique=True)
    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    step: int = pa.Field(isin=list(STEPS))
    change_date: pl.Date = pa.Field(ge=FIRST_DAY, le=LAST_DAY)
    risks: str = pa.Field(str_matches=r"^[a-z_]+(;[a-z_]+)*$")
    description: str = pa.Field(str_length={"max_value": 2000})
    evidence: str = pa.Field(str_length={"max_value": 1000})
    intervention_id: str = pa.Field(str_matches=ID_PATTERN, nullable=True)
    partners_involved: str = pa.Field(str_matches=PARTNERS_PATTERN, nullable=True)
    ratification: str = pa.Field(isin=list(CONVENTIONS), nullable=True)

    class Config:
        strict = True
        ordered = True

    @pa.check("risks", name=UNKNOWN_RISK, error=RISK_ERROR)
    @classmethod
    def risks_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_list_in(data.key, RISKS))

    @pa.dataframe_check(error=RATIFICATION_STEP)
    @classmethod
    def ratification_is_step_2(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("ratification").is_null() | (pl.col("step") == 2))

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        if check == RATIFICATION_STEP:
            return frame.select(
                pl.format(
                    "ratification {} is recorded on a step {} change; a ratification is a step 2 "
                    "change (legal framework adopted)",
                    pl.col("ratification"),
                    pl.col("step"),
                )
            ).to_series()
        return None


#: columns that must be the same on every sex row of one impact record
IMPACT_RECORD_COLUMNS = ("iso3", "impact_type", "risks", "impact_date", "same_people_as")


def _impact_groups(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Per row: whether its record's rows agree, have a _T row, and F + M fit within _T."""
    per_record = lf.group_by("impact_id").agg(
        *[(pl.col(c).n_unique() == 1).alias(f"_same_{c}") for c in IMPACT_RECORD_COLUMNS],
        (pl.col("sex") == "_T").sum().alias("_n_total"),
        pl.col("persons").filter(pl.col("sex") == "_T").first().alias("_total"),
        pl.col("persons").filter(pl.col("sex").is_in(["F", "M"])).sum().alias("_parts"),
        pl.col("sex").filter(pl.col("sex").is_in(["F", "M"])).n_unique().alias("_n_parts"),
    )
    return lf.join(per_record, on="impact_id", how="left", maintain_order="left")


def _sexes_ok() -> pl.Expr:
    total, parts = pl.col("_total"), pl.col("_parts")
    tol = total * 0.005 + 1
    lower = pl.when(pl.col("_n_parts") == 2).then(total * (1 - UNKNOWN_SEX_MAX_SHARE) - tol)
    ok = (parts <= total + tol) & (lower.is_null() | (parts >= lower))
    return pl.when(total.is_null() | (pl.col("_n_parts") == 0)).then(True).otherwise(ok)


def _same_people(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Per row: the record named in ``same_people_as`` (its type, country and persons of the
    same sex), or nulls."""
    target = lf.select(
        pl.col("impact_id").alias("same_people_as"),
        pl.col("sex"),
        pl.col("impact_type").alias("_t_type"),
        pl.col("iso3").alias("_t_iso3"),
        pl.col("persons").alias("_t_persons"),
        pl.col("same_people_as").alias("_t_link"),
    ).unique(["same_people_as", "sex"], keep="first")
    return lf.join(target, on=["same_people_as", "sex"], how="left", maintain_order="left")


def _same_people_ok() -> pl.Expr:
    return pl.col("same_people_as").is_null() | (
        (pl.col("_t_type").is_not_null())
        & (pl.col("_t_type") != pl.col("impact_type"))
        & (pl.col("_t_iso3") == pl.col("iso3"))
        & (pl.col("_t_persons") >= pl.col("persons"))
        & pl.col("_t_link").is_null()
    )


class ImpactOnPeople(_FocusCountry):
    """`impact_on_people.csv`: persons reached by one impact record, one row per sex (the _T row
    is required, F and M optional)."""

    impact_id: str = pa.Field(str_matches=ID_PATTERN)
    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    impact_type: str = pa.Field(isin=list(IMPACT_TYPES))
    risks: str = pa.Field(str_matches=r"^[a-z_]+(;[a-z_]+)*$")
    sex: str = pa.Field(isin=list(codes.SEXES))
    persons: int = pa.Field(ge=0, le=2_000_000_000)
    impact_date: pl.Date = pa.Field(ge=FIRST_DAY, le=LAST_DAY)
    description: str = pa.Field(str_length={"max_value": 2000}, nullable=True)
    source: str = pa.Field(str_length={"max_value": 1000})
    change_id: str = pa.Field(str_matches=ID_PATTERN, nullable=True)
    intervention_id: str = pa.Field(str_matches=ID_PATTERN, nullable=True)
    partners_involved: str = pa.Field(str_matches=PARTNERS_PATTERN, nullable=True)
    same_people_as: str = pa.Field(str_matches=ID_PATTERN, nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["impact_id", "sex"]

    @pa.check("risks", name=UNKNOWN_RISK, error=RISK_ERROR)
    @classmethod
    def risks_known(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_list_in(data.key, RISKS))

    @pa.dataframe_check(error=IMPACT_CONSISTENT)
    @classmethod
    def record_rows_agree(cls, data: PolarsData) -> pl.LazyFrame:
        same = [pl.col(f"_same_{c}") for c in IMPACT_RECORD_COLUMNS]
        return _impact_groups(data.lazyframe).select(pl.all_horizontal(same).alias("ok"))

    @pa.dataframe_check(error=IMPACT_TOTAL)
    @classmethod
    def record_has_total(cls, data: PolarsData) -> pl.LazyFrame:
        return _impact_groups(data.lazyframe).select((pl.col("_n_total") == 1).alias("ok"))

    @pa.dataframe_check(error=IMPACT_SEXES)
    @classmethod
    def sexes_within_total(cls, data: PolarsData) -> pl.LazyFrame:
        return _impact_groups(data.lazyframe).select(_sexes_ok().alias("ok"))

    @pa.dataframe_check(error=SAME_PEOPLE)
    @classmethod
    def same_people_valid(cls, data: PolarsData) -> pl.LazyFrame:
        return _same_people(data.lazyframe).select(_same_people_ok().alias("ok"))

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        groups = _impact_groups(frame.lazy()).collect()
        if check == IMPACT_CONSISTENT:
            return groups.select(
                pl.format(
                    "the rows of impact record {} disagree on {} (every sex row of one record "
                    "must have the same country, impact type, risks, date and same_people_as)",
                    pl.col("impact_id"),
                    pl.lit(", ".join(IMPACT_RECORD_COLUMNS)),
                )
            ).to_series()
        if check == IMPACT_TOTAL:
            return groups.select(
                pl.format(
                    "impact record {} has {} total row(s) (sex _T); exactly one is required",
                    pl.col("impact_id"),
                    pl.col("_n_total"),
                )
            ).to_series()
        if check == IMPACT_SEXES:
            return groups.select(
                pl.format(
                    "impact record {}: female + male add up to {} but the total (_T) is {}; they "
                    "must not exceed it and may fall short of it by at most {}% (unknown sex)",
                    pl.col("impact_id"),
                    pl.col("_parts"),
                    pl.col("_total"),
                    pl.lit(int(UNKNOWN_SEX_MAX_SHARE * 100)),
                )
            ).to_series()
        if check == SAME_PEOPLE:
            return (
                _same_people(frame.lazy())
                .collect()
                .select(
                    pl.format(
                        "same_people_as {} must name a record of another impact type in the "
                        "same country, with at least as many persons of the same sex, that "
                        "itself names no other record",
                        pl.col("same_people_as"),
                    )
                )
                .to_series()
            )
        return None


class FocusCountries(pa.DataFrameModel):
    """`focus_countries.csv`: the programme's focus countries of each phase (methodology §9:
    phase I 2016-2020 had 21, phase II 2021-2025 has 50). Results count in a phase only for
    that phase's focus countries."""

    phase: str = pa.Field(isin=[p for p, _, _ in PHASES])
    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")

    class Config:
        strict = True
        ordered = True
        unique = ["phase", "iso3"]

    @pa.check("iso3", name="known_country", error="known_country")
    @classmethod
    def iso3_known(cls, data: PolarsData) -> pl.LazyFrame:
        return known_country_check(data)


#: file stem -> model
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "interventions": Interventions,
    "institutional_changes": InstitutionalChanges,
    "impact_on_people": ImpactOnPeople,
    "focus_countries": FocusCountries,
}
