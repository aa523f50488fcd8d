"""National statistics tables (docs/raw_formats.md, methodology §2 denominators)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas import codes
from schemas.ssi import THIS_YEAR, known_country_check


class CountryYear(pa.DataFrameModel):
    """The first two columns of every national table: a known country and a year in range."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)

    @pa.check("iso3", name="known_country", error="known_country")
    @classmethod
    def iso3_known(cls, data: PolarsData) -> pl.LazyFrame:
        return known_country_check(data)


class Population(CountryYear):
    """`population.csv`: persons by sex and 5-year age group (mid-year or 1 January)."""

    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    age_group: str = pa.Field(isin=codes.FIVE_YEAR_AGE_GROUPS)
    population: int = pa.Field(ge=0, le=2_000_000_000)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex", "age_group"]


class LabourForce(CountryYear):
    """`labour_force.csv`: employed and unemployed persons aged 15+ by sex."""

    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    status: str = pa.Field(isin=codes.LABOUR_STATUSES)
    persons: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex", "status"]


class Births(CountryYear):
    """`births.csv`: live births and the share of multiple births (twins count one mother)."""

    live_births: int = pa.Field(ge=0)
    multiple_birth_share: float = pa.Field(ge=0, le=0.2, nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


#: optional `sex` column of the rate tables: left out (or an empty cell) means `_T`
RATE_SEX_DEFAULT = {"sex": "_T"}


class DisabilityPrevalence(CountryYear):
    """`disability_prevalence.csv`: severe disability prevalence, % of the population of the
    sex (`sex` optional: `F`, `M` or `_T`, left out = `_T`; methodology §0, §2.1 DISAB: F and M
    rates are published only where a sex-specific prevalence is given)."""

    sex: str = pa.Field(isin=codes.SEXES)
    severe_disability_prevalence_pct: float = pa.Field(ge=0, le=100)
    source: str = pa.Field(nullable=True)

    @classmethod
    def optional_columns(cls) -> dict[str, str]:
        return RATE_SEX_DEFAULT

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex"]


class Poverty(CountryYear):
    """`poverty.csv`: poverty headcount ratio at the national poverty line, % of the population
    of the sex (`sex` optional: `F`, `M` or `_T`, left out = `_T`; methodology §0, §2.1 POOR)."""

    sex: str = pa.Field(isin=codes.SEXES)
    poverty_headcount_pct: float = pa.Field(ge=0, le=100)

    @classmethod
    def optional_columns(cls) -> dict[str, str]:
        return RATE_SEX_DEFAULT

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex"]


class PensionableAge(CountryYear):
    """`pensionable_age.csv`: statutory pensionable age by sex (methodology §2.1 PENSN)."""

    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    statutory_pensionable_age: float = pa.Field(ge=40, le=75)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex"]


class Economy(CountryYear):
    """`economy.csv`: GDP, government expenditure and PPP factor."""

    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    gdp_lcu: float = pa.Field(gt=0)
    gdp_usd: float = pa.Field(gt=0)
    gov_expenditure_lcu: float = pa.Field(ge=0, nullable=True)
    ppp_factor: float = pa.Field(gt=0, nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


class UhcTracers(CountryYear):
    """`uhc_tracers.csv`: tracer indicators of the UHC service coverage index (§6.1)."""

    tracer: str = pa.Field(str_matches=r"^[A-Z0-9_]{2,32}$")
    value: float

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "tracer"]


#: file stem -> model
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "population": Population,
    "labour_force": LabourForce,
    "births": Births,
    "disability_prevalence": DisabilityPrevalence,
    "poverty": Poverty,
    "pensionable_age": PensionableAge,
    "economy": Economy,
    "uhc_tracers": UhcTracers,
}
