"""SSI submission sections (docs/raw_formats.md, methodology §5).

One pandera model per sheet. Column order in the model is the order required in the file.
Cross-row identities (sex and age parts against their total) are dataframe checks that mark
the offending rows; a stated tolerance allows for rounding in the country's own tables.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas import codes

THIS_YEAR = dt.date.today().year
#: relative tolerance for "parts add up to the total" identities
TOTAL_TOLERANCE = 0.005


def parts_match_total(
    data: PolarsData, key: list[str], part_col: str, total_code: str, value: str
) -> pl.LazyFrame:
    """Per row: True unless the row belongs to a group whose parts exceed their total.

    Parts (``part_col`` != ``total_code``) must sum to at most the total (sex: unknowns allowed)
    when ``part_col`` is sex, and to the total within the tolerance for age groups.
    """
    lf = data.lazyframe
    exact = part_col == "age_group"
    parts = (
        lf.filter(pl.col(part_col) != total_code)
        .filter(~pl.col(part_col).is_in(codes.AGGREGATE_AGE_GROUPS) if exact else pl.lit(True))
        .group_by(key)
        .agg(pl.col(value).sum().alias("_parts"), pl.len().alias("_n_parts"))
    )
    totals = (
        lf.filter(pl.col(part_col) == total_code)
        .group_by(key)
        .agg(pl.col(value).sum().alias("_total"))
    )
    tol = pl.col("_total") * TOTAL_TOLERANCE + 1
    ok = (
        pl.when(pl.col("_total").is_null() | pl.col("_parts").is_null())
        .then(True)
        .when(pl.lit(exact))
        .then((pl.col("_parts") - pl.col("_total")).abs() <= tol)
        .otherwise(pl.col("_parts") <= pl.col("_total") + tol)
    )
    return (
        lf.join(parts, on=key, how="left", nulls_equal=True, maintain_order="left")
        .join(totals, on=key, how="left", nulls_equal=True, maintain_order="left")
        .select(ok.alias(value))
    )


class Submission(pa.DataFrameModel):
    """Sheet `submission`: one row identifying the country, year and currency."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    reference_year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    round: str = pa.Field(nullable=True)
    submitted_on: pl.Date = pa.Field(nullable=True)
    focal_point: str = pa.Field(nullable=True)
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")

    class Config:
        strict = True
        ordered = True


class Schemes(pa.DataFrameModel):
    """Sheet `schemes`: the scheme inventory."""

    scheme_id: str = pa.Field(str_length={"min_value": 1, "max_value": 64}, unique=True)
    scheme_name: str
    institution: str = pa.Field(nullable=True)
    scheme_type: str = pa.Field(isin=codes.SCHEME_TYPES)
    affiliation: str = pa.Field(isin=codes.AFFILIATIONS)
    risks: str = pa.Field(
        str_matches=r"^(" + "|".join(codes.RISKS) + r")(;(" + "|".join(codes.RISKS) + r"))*$"
    )
    groups_covered: str = pa.Field(nullable=True)
    legal_basis: str = pa.Field(nullable=True)
    legal_year: int = pa.Field(ge=1880, le=THIS_YEAR, nullable=True)

    class Config:
        strict = True
        ordered = True


class LegalCoverage(pa.DataFrameModel):
    """Sheet `legal_coverage`: persons the law covers, per scheme, risk and sex."""

    scheme_id: str
    risk: str = pa.Field(isin=codes.RISKS)
    sex: str = pa.Field(isin=codes.SEXES)
    legally_covered: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "risk", "sex"]


class Contributors(pa.DataFrameModel):
    """Sheet `contributors`: protected persons (affiliated) and active contributors."""

    scheme_id: str
    sex: str = pa.Field(isin=codes.SEXES)
    age_group: str = pa.Field(isin=codes.AGE_GROUPS)
    affiliated: int = pa.Field(ge=0, nullable=True)
    active_contributors: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "sex", "age_group"]


class Beneficiaries(pa.DataFrameModel):
    """Sheet `beneficiaries`: persons receiving a benefit, by scheme, risk, sex and age."""

    scheme_id: str
    risk: str = pa.Field(isin=codes.RISKS)
    benefit_type: str = pa.Field(isin=codes.BENEFIT_TYPES)
    sex: str = pa.Field(isin=codes.SEXES)
    age_group: str = pa.Field(isin=codes.AGE_GROUPS)
    beneficiaries: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "risk", "benefit_type", "sex", "age_group"]

    @pa.dataframe_check(error="female + male exceed the total (sex _T)")
    @classmethod
    def sexes_within_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "risk", "benefit_type", "age_group"]
        return parts_match_total(data, key, "sex", "_T", "beneficiaries")

    @pa.dataframe_check(error="5-year age groups do not add up to the all-ages total (_T)")
    @classmethod
    def ages_sum_to_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "risk", "benefit_type", "sex"]
        return parts_match_total(data, key, "age_group", "_T", "beneficiaries")


class BenefitAmounts(pa.DataFrameModel):
    """Sheet `benefit_amounts`: average monthly benefit per beneficiary, national currency."""

    scheme_id: str
    risk: str = pa.Field(isin=codes.RISKS)
    sex: str = pa.Field(isin=codes.SEXES)
    average_benefit_lcu_month: float = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "risk", "sex"]


class Expenditure(pa.DataFrameModel):
    """Sheet `expenditure`: spending per scheme, function and item, national currency."""

    scheme_id: str
    function: str = pa.Field(isin=codes.RISKS)
    item: str = pa.Field(isin=codes.EXPENDITURE_ITEMS)
    amount_lcu: float = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "function", "item"]


class Receipts(pa.DataFrameModel):
    """Sheet `receipts`: revenue per scheme and source, national currency."""

    scheme_id: str
    source: str = pa.Field(isin=codes.RECEIPT_SOURCES)
    amount_lcu: float = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        unique = ["scheme_id", "source"]


#: sheet name -> model, in the order of the workbook
SECTIONS: dict[str, type[pa.DataFrameModel]] = {
    "submission": Submission,
    "schemes": Schemes,
    "legal_coverage": LegalCoverage,
    "contributors": Contributors,
    "beneficiaries": Beneficiaries,
    "benefit_amounts": BenefitAmounts,
    "expenditure": Expenditure,
    "receipts": Receipts,
}
