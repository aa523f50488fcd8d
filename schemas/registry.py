"""Registry microdata (issue 15, docs/raw_formats.md "Registry microdata"): person-level records
of a country's social registry or integrated beneficiary database, one folder
``raw/registry/<ISO3>_<YEAR>/`` with two parts.

The pandera models describe the *logical* table (one row per record, typed). Registries are far
too large to validate row by row in Python: ``pipelines.registry.land`` turns the column checks
of these models into DuckDB predicates (``sql_checks``) and validates the files in one scan,
then checks the landed result against the model lazily (schema only, no row is collected).
The codes and ranges are written here once.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from schemas import codes

#: earliest birth year accepted (a person aged 130 at the end of 2020 is an input error)
MIN_BIRTH_YEAR = 1890
#: longest identifier (person_id, scheme_id)
MAX_ID = 64
SEXES = codes.SEXES_SPECIFIC


class RegistryBeneficiary(pa.DataFrameModel):
    """Part ``beneficiaries``: one row per person × scheme × risk × benefit type in receipt
    during the reference year."""

    person_id: str = pa.Field(str_length={"min_value": 1, "max_value": MAX_ID})
    scheme_id: str = pa.Field(str_length={"min_value": 1, "max_value": MAX_ID})
    risk: str = pa.Field(isin=codes.RISKS)
    benefit_type: str = pa.Field(isin=codes.BENEFIT_TYPES)
    sex: str = pa.Field(isin=SEXES)
    birth_year: int = pa.Field(ge=MIN_BIRTH_YEAR, le=dt.date.today().year)

    class Config:
        strict = True


class RegistryContributor(pa.DataFrameModel):
    """Part ``contributors``: persons who actively contributed to a scheme during the year."""

    person_id: str = pa.Field(str_length={"min_value": 1, "max_value": MAX_ID})
    scheme_id: str = pa.Field(str_length={"min_value": 1, "max_value": MAX_ID})
    sex: str = pa.Field(isin=SEXES)
    birth_year: int = pa.Field(ge=MIN_BIRTH_YEAR, le=dt.date.today().year)

    class Config:
        strict = True


PARTS: dict[str, type[pa.DataFrameModel]] = {
    "beneficiaries": RegistryBeneficiary,
    "contributors": RegistryContributor,
}
#: the natural key of a record within its part: a second record with the same key is a duplicate
KEYS: dict[str, tuple[str, ...]] = {
    "beneficiaries": ("person_id", "scheme_id", "risk", "benefit_type"),
    "contributors": ("person_id", "scheme_id"),
}


def _quote(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def sql_checks(model: type[pa.DataFrameModel]) -> list[tuple[str, str, str, str]]:
    """The column checks of ``model`` as DuckDB predicates: ``(column, check_name, ok_sql,
    reason)``. ``ok_sql`` reads the column as text (``c_<column>``) or, for integer columns,
    its typed value (``t_<column>``); a null typed value means "not a whole number"."""
    out = []
    for name, col in model.to_schema().columns.items():
        is_int = "int" in str(col.dtype).lower()
        ref = f"t_{name}" if is_int else f"c_{name}"
        if is_int:
            out.append(
                (name, "whole_number", f"{ref} is not null", "is not a whole number (a year)")
            )
        for check in col.checks:
            stats = check.statistics
            if check.name == "isin":
                allowed = ", ".join(_quote(v) for v in stats["allowed_values"])
                reason = "is not an allowed code; expected one of " + ", ".join(
                    stats["allowed_values"]
                )
                out.append((name, "isin", f"{ref} in ({allowed})", reason))
            elif check.name == "greater_than_or_equal_to":
                lo = stats["min_value"]
                out.append((name, f"ge({lo})", f"{ref} >= {lo}", f"must be at least {lo}"))
            elif check.name == "less_than_or_equal_to":
                hi = stats["max_value"]
                out.append((name, f"le({hi})", f"{ref} <= {hi}", f"must be at most {hi}"))
            elif check.name == "str_length":
                lo, hi = stats.get("min_value"), stats.get("max_value")
                out.append(
                    (
                        name,
                        "str_length",
                        f"length({ref}) between {lo} and {hi}",
                        f"must be {lo} to {hi} characters long",
                    )
                )
            else:  # a check added to the model must be translated here too
                raise NotImplementedError(f"no SQL form for check {check.name} of {name}")
    return out
