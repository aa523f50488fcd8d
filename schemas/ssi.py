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

from schemas import batch, codes

THIS_YEAR = dt.date.today().year
#: relative tolerance for "parts add up to the total" identities (rounding in the country's own
#: tables), plus one person
TOTAL_TOLERANCE = 0.005
#: persons of unknown sex may make the total (_T) exceed female + male by at most this share
UNKNOWN_SEX_MAX_SHARE = 0.05
#: longest identifier-like free text (scheme_id, overlap_group)
MAX_TEXT_ID = 64


def _identity(lf: pl.LazyFrame, key: list[str], part_col: str, value: str) -> pl.LazyFrame:
    """``lf`` with, per row, the sum of the parts of its group and the group's total.

    For ``sex`` the parts are F and M and the total is _T; for ``age_group`` the parts are the
    5-year groups and the total is _T (aggregate groups such as Y15T64 are neither).
    """
    key = batch.keys(lf, key)
    if part_col == "age_group":
        is_part = pl.col(part_col).is_in(codes.FIVE_YEAR_AGE_GROUPS)
    else:
        is_part = pl.col(part_col).is_in(codes.SEXES_SPECIFIC)
    parts = (
        lf.filter(is_part)
        .group_by(key)
        .agg(
            pl.col(value).sum().alias("_parts"),
            pl.col(part_col).n_unique().alias("_n_parts"),
        )
    )
    totals = (
        lf.filter(pl.col(part_col) == "_T").group_by(key).agg(pl.col(value).sum().alias("_total"))
    )
    return lf.join(parts, on=key, how="left", nulls_equal=True, maintain_order="left").join(
        totals, on=key, how="left", nulls_equal=True, maintain_order="left"
    )


def _identity_ok(part_col: str) -> pl.Expr:
    parts, total = pl.col("_parts"), pl.col("_total")
    tol = total * TOTAL_TOLERANCE + 1
    if part_col == "age_group":
        ok = (parts - total).abs() <= tol
    else:
        # _T includes persons of unknown sex: F + M <= _T, and (when both F and M are given)
        # F + M >= _T less the unknown-sex allowance
        lower = (
            pl.when(pl.col("_n_parts") >= 2)
            .then(total * (1 - UNKNOWN_SEX_MAX_SHARE) - tol)
            .otherwise(None)
        )
        ok = (parts <= total + tol) & (lower.is_null() | (parts >= lower))
    return pl.when(total.is_null() | parts.is_null()).then(True).otherwise(ok)


def parts_match_total(
    data: PolarsData, key: list[str], part_col: str, total_code: str, value: str
) -> pl.LazyFrame:
    """Per row: True unless the row belongs to a group whose parts do not match their total."""
    assert total_code == "_T"
    return _identity(data.lazyframe, key, part_col, value).select(
        _identity_ok(part_col).alias(value)
    )


def explain_identity(frame: pl.DataFrame, key: list[str], part_col: str, value: str) -> pl.Series:
    """A sentence per row saying what the parts and the total of its group are."""
    what = "female + male" if part_col == "sex" else "the 5-year age groups"
    rule = (
        f"they must not exceed the total (_T) and may fall short of it by at most "
        f"{UNKNOWN_SEX_MAX_SHARE:.0%} (persons of unknown sex)"
        if part_col == "sex"
        else f"they must add up to the total (_T) within {TOTAL_TOLERANCE:.1%}"
    )
    rows = _identity(frame.lazy(), key, part_col, value).collect()
    out = []
    for r in rows.iter_rows(named=True):
        group = ", ".join(f"{k} {r[k]}" for k in key)
        out.append(
            f"{value}: {what} add up to {r['_parts']} but the total (_T) is {r['_total']} "
            f"for {group}; {rule}"
        )
    return pl.Series("reason", out, dtype=pl.String)


def _broad_groups(lf: pl.LazyFrame, key: list[str], value: str) -> pl.LazyFrame:
    """Per key × broad age group reported (methodology §2.1): the group's value (``_broad``),
    the sum and number of the 5-year groups it spans that are given (``_parts``, ``_n_parts``),
    how many it spans (``_n_span``), the all-ages total (``_total``) and whether they agree
    (``_ok``)."""
    spans = pl.LazyFrame(
        [(b, g) for b, gs in codes.AGE_GROUP_SPANS.items() for g in gs],
        schema={"_group": pl.String, "age_group": pl.String},
        orient="row",
    )
    n_span = {b: len(gs) for b, gs in codes.AGE_GROUP_SPANS.items()}
    key = batch.keys(lf, key)
    on = [*key, "_group"]
    broad = (
        lf.filter(pl.col("age_group").is_in(codes.BROAD_AGE_GROUPS))
        .group_by([*key, "age_group"])
        .agg(pl.col(value).sum().alias("_broad"))
        .rename({"age_group": "_group"})
    )
    parts = (
        lf.join(spans, on="age_group")
        .group_by(on)
        .agg(
            pl.col(value).sum().alias("_parts"),
            pl.col("age_group").n_unique().alias("_n_parts"),
            pl.col("age_group").unique().sort().str.join(", ").alias("_given"),
        )
    )
    totals = (
        lf.filter(pl.col("age_group") == "_T")
        .group_by(key)
        .agg(pl.col(value).sum().alias("_total"))
    )
    out = (
        broad.join(parts, on=on, how="left", nulls_equal=True)
        .join(totals, on=key, how="left", nulls_equal=True)
        .with_columns(
            pl.col("_group").replace_strict(n_span, return_dtype=pl.Int64).alias("_n_span")
        )
    )
    b, parts_, total = pl.col("_broad"), pl.col("_parts"), pl.col("_total")
    complete = pl.col("_n_parts") == pl.col("_n_span")
    parts_ok = (
        pl.when(parts_.is_null() | b.is_null())
        .then(True)
        .when(complete)
        .then((parts_ - b).abs() <= b * TOTAL_TOLERANCE + 1)
        .otherwise(parts_ <= b + b * TOTAL_TOLERANCE + 1)
    )
    total_ok = total.is_null() | b.is_null() | (b <= total + total * TOTAL_TOLERANCE + 1)
    return out.with_columns((parts_ok & total_ok).alias("_ok"))


def broad_groups_match_parts(data: PolarsData, key: list[str], value: str) -> pl.LazyFrame:
    """Per row: True unless its key (e.g. scheme × risk × benefit type × sex) has a broad age
    group that disagrees with the 5-year groups it spans or exceeds the all-ages total. Every
    row of such a key is rejected, as for the _T identity."""
    lf = data.lazyframe
    key = batch.keys(lf, key)
    bad = (
        _broad_groups(lf, key, value)
        .filter(~pl.col("_ok"))
        .select(key)
        .unique()
        .with_columns(pl.lit(True).alias("_bad"))
    )
    return lf.join(bad, on=key, how="left", nulls_equal=True, maintain_order="left").select(
        pl.col("_bad").is_null().alias(value)
    )


def explain_broad_groups(frame: pl.DataFrame, key: list[str], value: str) -> pl.Series:
    """A sentence per row naming the broad age group of its key that disagrees, with the sums."""
    checked = _broad_groups(frame.lazy(), key, value).filter(~pl.col("_ok")).collect()
    first: dict[tuple, str] = {}
    grouped = batch.keys(frame, key)  # the sentence names the key, not the stacked table
    for r in checked.sort("_group").iter_rows(named=True):
        k = tuple(r[c] for c in grouped)
        if k in first:
            continue
        group = ", ".join(f"{c} {r[c]}" for c in key)
        b, parts, total = r["_broad"], r["_parts"], r["_total"]
        span = codes.AGE_GROUP_SPANS[r["_group"]]
        spans = f"{span[0]} to {span[-1]}"
        if total is not None and b > total + total * TOTAL_TOLERANCE + 1:
            first[k] = (
                f"{value}: the broad age group {r['_group']} ({b}) exceeds the all-ages total "
                f"(_T) {total} for {group}; a part of the ages cannot be larger than all ages"
            )
        elif r["_n_parts"] == r["_n_span"]:
            first[k] = (
                f"{value}: the 5-year age groups {spans} add up to {parts} but the broad age "
                f"group {r['_group']} is {b} for {group}; a broad group must equal the 5-year "
                f"groups it spans within {TOTAL_TOLERANCE:.1%} (report the ages once: the "
                f"5-year groups, or the broad group alone)"
            )
        else:
            first[k] = (
                f"{value}: the 5-year age groups given within {r['_group']} ({r['_given']}) "
                f"add up to {parts}, more than the broad age group {r['_group']} ({b}) for "
                f"{group}; the 5-year groups of {spans} must not add up to more than the "
                f"broad group"
            )
    out = [
        first.get(tuple(r[c] for c in grouped), f"{value}: broad age groups agree")
        for r in frame.select(grouped).iter_rows(named=True)
    ]
    return pl.Series("reason", out, dtype=pl.String)


def known_country_check(data: PolarsData) -> pl.LazyFrame:
    """iso3 is in the reference list of countries (``raw/reference/countries.csv``)."""
    known = sorted(codes.known_countries())
    return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(known))


SEX_IDENTITY = "female + male do not match the total (sex _T)"
AGE_IDENTITY = "5-year age groups do not add up to the all-ages total (_T)"
AGE_BROAD_IDENTITY = "a broad age group disagrees with the 5-year age groups it spans"


class Submission(pa.DataFrameModel):
    """Sheet `submission`: one row identifying the country, year and currency."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    reference_year: int = pa.Field(ge=codes.MIN_YEAR, le=THIS_YEAR)
    round: str = pa.Field(nullable=True)
    submitted_on: pl.Date = pa.Field(nullable=True, le=dt.date.today())
    focal_point: str = pa.Field(nullable=True)
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")

    class Config:
        strict = True
        ordered = True

    @pa.check("iso3", name="known_country", error="known_country")
    @classmethod
    def iso3_known(cls, data: PolarsData) -> pl.LazyFrame:
        return known_country_check(data)

    @pa.check("currency", name="known_currency", error="known_currency")
    @classmethod
    def currency_known(cls, data: PolarsData) -> pl.LazyFrame:
        known = sorted(codes.known_currencies())
        return data.lazyframe.select(pl.col(data.key).is_in(known))


class Schemes(pa.DataFrameModel):
    """Sheet `schemes`: the scheme inventory."""

    scheme_id: str = pa.Field(str_length={"min_value": 1, "max_value": MAX_TEXT_ID}, unique=True)
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
    #: schemes sharing a value may hold the same people (methodology §2.5); optional, free text
    overlap_group: str = pa.Field(nullable=True, str_length={"max_value": MAX_TEXT_ID})

    class Config:
        strict = True
        ordered = True

    @classmethod
    def optional_columns(cls) -> dict[str, str | None]:
        """Columns a file may leave out (older templates), with their value: empty."""
        return {"overlap_group": None}


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

    @pa.dataframe_check(error=SEX_IDENTITY)
    @classmethod
    def sexes_match_total(cls, data: PolarsData) -> pl.LazyFrame:
        return parts_match_total(data, ["scheme_id", "risk"], "sex", "_T", "legally_covered")

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        if check == SEX_IDENTITY:
            return explain_identity(frame, ["scheme_id", "risk"], "sex", "legally_covered")
        return None


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

    @pa.dataframe_check(error=SEX_IDENTITY)
    @classmethod
    def sexes_match_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "age_group"]
        return parts_match_total(data, key, "sex", "_T", "active_contributors")

    @pa.dataframe_check(error=AGE_IDENTITY)
    @classmethod
    def ages_sum_to_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "sex"]
        return parts_match_total(data, key, "age_group", "_T", "active_contributors")

    @pa.dataframe_check(error=AGE_BROAD_IDENTITY)
    @classmethod
    def broad_ages_match_parts(cls, data: PolarsData) -> pl.LazyFrame:
        return broad_groups_match_parts(data, ["scheme_id", "sex"], "active_contributors")

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        if check == SEX_IDENTITY:
            return explain_identity(frame, ["scheme_id", "age_group"], "sex", "active_contributors")
        if check == AGE_IDENTITY:
            return explain_identity(frame, ["scheme_id", "sex"], "age_group", "active_contributors")
        if check == AGE_BROAD_IDENTITY:
            return explain_broad_groups(frame, ["scheme_id", "sex"], "active_contributors")
        return None


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

    @pa.dataframe_check(error=SEX_IDENTITY)
    @classmethod
    def sexes_within_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "risk", "benefit_type", "age_group"]
        return parts_match_total(data, key, "sex", "_T", "beneficiaries")

    @pa.dataframe_check(error=AGE_IDENTITY)
    @classmethod
    def ages_sum_to_total(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "risk", "benefit_type", "sex"]
        return parts_match_total(data, key, "age_group", "_T", "beneficiaries")

    @pa.dataframe_check(error=AGE_BROAD_IDENTITY)
    @classmethod
    def broad_ages_match_parts(cls, data: PolarsData) -> pl.LazyFrame:
        key = ["scheme_id", "risk", "benefit_type", "sex"]
        return broad_groups_match_parts(data, key, "beneficiaries")

    @classmethod
    def explain(cls, check: str, frame: pl.DataFrame) -> pl.Series | None:
        if check == SEX_IDENTITY:
            key = ["scheme_id", "risk", "benefit_type", "age_group"]
            return explain_identity(frame, key, "sex", "beneficiaries")
        if check == AGE_IDENTITY:
            key = ["scheme_id", "risk", "benefit_type", "sex"]
            return explain_identity(frame, key, "age_group", "beneficiaries")
        if check == AGE_BROAD_IDENTITY:
            key = ["scheme_id", "risk", "benefit_type", "sex"]
            return explain_broad_groups(frame, key, "beneficiaries")
        return None


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
