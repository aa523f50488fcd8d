"""National statistics tables (docs/raw_formats.md, methodology §2 denominators)."""

from __future__ import annotations

import pandera.polars as pa

from schemas import codes
from schemas.ssi import THIS_YEAR


class Population(pa.DataFrameModel):
    """`population.csv`: persons by sex and 5-year age group (mid-year or 1 January)."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    age_group: str = pa.Field(isin=codes.FIVE_YEAR_AGE_GROUPS)
    population: int = pa.Field(ge=0, le=2_000_000_000)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex", "age_group"]


class LabourForce(pa.DataFrameModel):
    """`labour_force.csv`: employed and unemployed persons aged 15+ by sex."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    status: str = pa.Field(isin=codes.LABOUR_STATUSES)
    persons: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex", "status"]


class Births(pa.DataFrameModel):
    """`births.csv`: live births and the share of multiple births (twins count one mother)."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    live_births: int = pa.Field(ge=0)
    multiple_birth_share: float = pa.Field(ge=0, le=0.2, nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


class DisabilityPrevalence(pa.DataFrameModel):
    """`disability_prevalence.csv`: severe disability prevalence, % of population."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    severe_disability_prevalence_pct: float = pa.Field(ge=0, le=100)
    source: str = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


class Poverty(pa.DataFrameModel):
    """`poverty.csv`: poverty headcount ratio at the national poverty line, %."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    poverty_headcount_pct: float = pa.Field(ge=0, le=100)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


class PensionableAge(pa.DataFrameModel):
    """`pensionable_age.csv`: statutory pensionable age by sex (methodology §2.1 PENSN)."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    sex: str = pa.Field(isin=codes.SEXES_SPECIFIC)
    statutory_pensionable_age: float = pa.Field(ge=40, le=75)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year", "sex"]


class Economy(pa.DataFrameModel):
    """`economy.csv`: GDP, government expenditure and PPP factor."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    gdp_lcu: float = pa.Field(gt=0)
    gdp_usd: float = pa.Field(gt=0)
    gov_expenditure_lcu: float = pa.Field(ge=0, nullable=True)
    ppp_factor: float = pa.Field(gt=0, nullable=True)

    class Config:
        strict = True
        ordered = True
        unique = ["iso3", "year"]


class UhcTracers(pa.DataFrameModel):
    """`uhc_tracers.csv`: tracer indicators of the UHC service coverage index (§6.1)."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
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
