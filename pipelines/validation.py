"""Validate a raw table (all cells as text) against its pandera model.

The result splits the rows: accepted rows, cast to the model's types, and quarantined rows, one
record per problem with the check, the column, the offending value and a sentence a focal point
understands. Every received row ends up in exactly one of the two (a row with several problems
has several quarantine records but counts once).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from schemas import batch

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "table_name": pl.String(),
    "row_number": pl.Int64(),
    "check_name": pl.String(),
    "column_name": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "row_json": pl.String(),
}
#: first characters that make a spreadsheet evaluate a cell as a formula (OWASP CSV injection);
#: checked on the text as received and again after white space and control characters are
#: stripped (" =HYPERLINK(...)" is a formula too). A lone "-" (a common placeholder for
#: "nothing") is allowed.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: white space and control characters stripped before the formula check
_LEADING_JUNK = r"^[\s\x00-\x1f\x7f\u0085\u00a0\u200b-\u200f\u2028\u2029\u2060\ufeff]+"
#: whole numbers beyond 2**53 cannot be read exactly (and overflow 64-bit integers further on)
MAX_WHOLE = 2**53
#: column holding the quality flags of accepted rows (flagged, not rejected), when a model has any
FLAGS_COLUMN = "quality_flags"
ROW_ID = "__row"
#: the table a row comes from when several are validated together (``validate_tables``)
TABLE_ID = batch.COLUMN


@dataclass(frozen=True)
class RowCheck:
    """A check across tables (e.g. a scheme_id must be in the schemes sheet), applied to typed
    rows before the pandera model: rows where ``ok`` is false are quarantined with ``reason``."""

    name: str
    column: str | None
    ok: pl.Expr
    reason: str


@dataclass(frozen=True)
class ValidationResult:
    table_name: str
    received: int
    accepted: pl.DataFrame
    quarantined: pl.DataFrame
    #: rows rejected; by default the distinct row numbers among the quarantine records
    #: (file- and sheet-level records have no row number and reject no row)
    rejected_rows: int | None = None

    @property
    def rows_quarantined(self) -> int:
        if self.rejected_rows is not None:
            return self.rejected_rows
        if self.quarantined.height == 0:  # most tables: no engine call for nothing
            return 0
        return self.quarantined["row_number"].drop_nulls().n_unique()


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def model_dtypes(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    schema = model.to_schema()
    return {name: col.dtype.type for name, col in schema.columns.items()}


def _length_rule(bounds: str) -> str:
    """``str_length(lo, hi)`` bounds as a sentence (``None`` = no bound)."""
    lo, _, hi = (b.strip() for b in bounds.partition(","))
    if lo in ("None", "", "0") and hi not in ("None", ""):
        return f"is too long: at most {hi} characters"
    if hi in ("None", ""):
        return f"is too short: at least {lo} characters"
    return f"must be {lo} to {hi} characters long"


def _describe(check: str, column: str) -> str:
    """A plain-language sentence for a pandera check name."""
    rules = [
        (r"^isin\((.*)\)$", lambda m: f"is not an allowed code; expected one of {m.group(1)}"),
        (r"^greater_than_or_equal_to\((.*)\)$", lambda m: f"must be at least {m.group(1)}"),
        (r"^greater_than\((.*)\)$", lambda m: f"must be greater than {m.group(1)}"),
        (r"^less_than_or_equal_to\((.*)\)$", lambda m: f"must be at most {m.group(1)}"),
        (r"^less_than\((.*)\)$", lambda m: f"must be less than {m.group(1)}"),
        (r"^in_range\((.*)\)$", lambda m: f"must lie in the range {m.group(1)}"),
        (r"^str_matches\((.*)\)$", lambda m: f"does not have the expected format {m.group(1)}"),
        (r"^str_length\((.*)\)$", lambda m: _length_rule(m.group(1))),
        (r"^not_nullable$", lambda m: "is empty but a value is required"),
        (r"^field_uniqueness$", lambda m: "repeats a value that must be unique"),
        (r"^(multiple_fields_uniqueness|unique)$", lambda m: "duplicates another row's key"),
        (r"^known_country$", lambda m: "is not a known country code (ISO 3166-1 alpha-3)"),
        (r"^known_currency$", lambda m: "is not an ISO 4217 currency code (for example KES)"),
    ]
    for pattern, sentence in rules:
        m = re.match(pattern, check)
        if m:
            return sentence(m)
    return check


def _row_json(raw: pl.DataFrame, internal: list[str]) -> pl.Series:
    """Each row as received, as JSON (without the ``internal`` columns added here)."""
    cols = [c for c in raw.columns if c not in internal]
    return pl.Series(
        "row_json",
        [json.dumps(r, ensure_ascii=False) for r in raw.select(cols).iter_rows(named=True)],
        dtype=pl.String,
    )


def _records(raw: pl.DataFrame, rows: list[dict], ids: list[str]) -> pl.DataFrame:
    """Quarantine records for ``rows`` (dicts: the ``ids`` columns naming a row of ``raw``,
    check_name, column_name, value, reason); ``__table``, when in ``ids``, is kept."""
    if not rows:
        return empty_quarantine().with_columns(pl.lit(None, pl.Int64).alias(c) for c in ids[1:])
    frame = pl.DataFrame(
        rows,
        schema={
            **{c: pl.Int64 for c in ids},
            **{k: pl.String for k in ("check_name", "column_name", "value", "reason")},
        },
    )
    # the row as received, for the rows with a problem only (json per row is not free)
    offending = raw.join(frame.select(ids).unique(), on=ids, how="semi")
    lookup = offending.with_columns(_row_json(offending, ids)).select(*ids, "row_json")
    return (
        frame.join(lookup, on=ids, how="left", maintain_order="left")
        .with_columns(pl.col(ROW_ID).alias("row_number"))
        .with_columns(pl.lit(None, pl.String).alias("table_name"))
        .select(*QUARANTINE_SCHEMA, *ids[1:])
        .cast({**QUARANTINE_SCHEMA, **{c: pl.Int64 for c in ids[1:]}})
    )


def _ids(stacked: bool) -> list[str]:
    """The columns naming a row: its line, and its table when tables are stacked. Passed
    along, never guessed from a frame's columns: a sheet may have a column of any name."""
    return [ROW_ID, TABLE_ID] if stacked else [ROW_ID]


def problem(table: str, check: str, reason: str, received: int = 0) -> ValidationResult:
    """One quarantine record about a whole file or sheet (no row number)."""
    record = {
        "table_name": table,
        "row_number": None,
        "check_name": check,
        "column_name": None,
        "value": None,
        "reason": reason,
        "row_json": None,
    }
    return ValidationResult(
        table, received, pl.DataFrame(), pl.DataFrame([record], QUARANTINE_SCHEMA)
    )


def reject_all(raw: pl.DataFrame, table: str, check: str, reason: str, first_row: int = 2):
    """Quarantine every row of a table that cannot be validated at all (e.g. wrong columns).
    The row as received is every column of ``raw``, whatever its name."""
    rows = pl.int_range(first_row, first_row + raw.height, dtype=pl.Int64, eager=True)
    quarantined = pl.DataFrame(
        {
            "table_name": [table] * raw.height,
            "row_number": rows,
            "check_name": [check] * raw.height,
            "column_name": [None] * raw.height,
            "value": [None] * raw.height,
            "reason": [reason] * raw.height,
            "row_json": _row_json(raw, []),
        },
        schema=QUARANTINE_SCHEMA,
    )
    return ValidationResult(table, raw.height, pl.DataFrame(), quarantined)


def _cast(
    raw: pl.DataFrame, dtypes: dict[str, pl.DataType], ids: list[str]
) -> tuple[pl.DataFrame, list[dict]]:
    """Cast text cells to the model types; collect cells that do not parse or hold formulas."""
    problems: list[dict] = []
    out = raw.with_columns(pl.col(c).str.strip_chars() for c in dtypes)
    out = out.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in dtypes
    )
    casts = []
    #: (column, check, what it must be, flag of a bad cell): formulas are looked for in the text
    #: as received, types in the stripped text
    on_raw: list[tuple[str, str, str | None, pl.Expr]] = []
    on_out: list[tuple[str, str, str | None, pl.Expr]] = []
    for col, dtype in dtypes.items():
        text = pl.col(col)
        if dtype.is_integer():
            num = text.cast(pl.Float64, strict=False)
            info = _int_bounds(dtype)
            whole = (num == num.round(0)) & (num >= info[0]) & (num <= info[1])
            expr = pl.when(whole).then(num).otherwise(None).cast(dtype, strict=False)
            what = "a whole number"
        elif dtype.is_float():
            num = text.cast(dtype, strict=False)
            expr, what = pl.when(num.is_finite()).then(num).otherwise(None), "a number"
        elif dtype == pl.Date:
            expr = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            what = "a date (YYYY-MM-DD)"
        elif dtype == pl.Boolean:
            low = text.str.to_lowercase()
            expr = (
                pl.when(low.is_in(["true", "1", "yes"]))
                .then(True)
                .when(low.is_in(["false", "0", "no"]))
                .then(False)
                .otherwise(None)
            )
            what = "true or false"
        else:
            # as received (a leading tab or CR counts), and once white space and control
            # characters are stripped (" =HYPERLINK(...)" is a formula too)
            stripped = text.str.replace(_LEADING_JUNK, "")
            formula = pl.any_horizontal(
                *(text.str.starts_with(p) for p in FORMULA_PREFIXES),
                *(stripped.str.starts_with(p) for p in FORMULA_PREFIXES),
            ) & (text.str.strip_chars() != "-")
            on_raw.append((col, "no_formula", None, formula.fill_null(False)))
            continue
        casts.append(expr.alias(col))
        on_out.append((col, "dtype", what, text.is_not_null() & expr.is_null()))
    # every column's flags in one query per frame (a query per column was most of the cost of
    # validating a small sheet); the problems are then listed column by column, row by row
    flags: dict[str, pl.Series] = {}
    for frame, found in ((raw, on_raw), (out, on_out)):
        if found:
            values = frame.select(flag.alias(col) for col, _, _, flag in found)
            flags.update({col: values[col] for col, *_ in found})
    checks = {col: (check, what) for col, check, what, _ in (*on_raw, *on_out)}
    for col, dtype in dtypes.items():
        if not flags[col].any():
            continue
        check, what = checks[col]
        for r in out.filter(flags[col]).select(*ids, col).iter_rows(named=True):
            if check == "no_formula":
                reason = (
                    f"{col} = {r[col]!r} starts like a spreadsheet formula "
                    "(=, +, -, @, tab or line break); enter the plain value"
                )
            else:
                reason = _cast_reason(col, r[col], what or "", dtype)
            problems.append(
                {
                    **{c: r[c] for c in ids},
                    "check_name": check,
                    "column_name": col,
                    "value": r[col],
                    "reason": reason,
                }
            )
    return out.with_columns(casts), problems


def _cast_reason(col: str, value: str, what: str, dtype: pl.DataType) -> str:
    if dtype.is_integer():
        lo, hi = _int_bounds(dtype)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is not None and not lo <= number <= hi:
            return f"{col} = {value!r}: is out of range for a count: must be {lo} to {hi}"
    return f"{col} = {value!r}: must be {what}"


def _int_bounds(dtype: pl.DataType) -> tuple[int, int]:
    """The whole numbers a column of ``dtype`` accepts (at most ±2**53, read exactly)."""
    bits = {pl.Int8: 8, pl.Int16: 16, pl.Int32: 32, pl.UInt8: 8, pl.UInt16: 16, pl.UInt32: 32}
    n = next((b for t, b in bits.items() if dtype == t), 64)
    if dtype in (pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64):
        return 0, min(2**n - 1, MAX_WHOLE)
    return max(-(2 ** (n - 1)), -MAX_WHOLE), min(2 ** (n - 1) - 1, MAX_WHOLE)


def with_optional_columns(raw: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """``raw`` with the model's optional columns (a classmethod ``optional_columns()`` returning
    ``{column: default}``) that the file leaves out added at their place, holding the default;
    an empty cell of an optional column takes the default too. A header that is wrong in another
    way is left as it is, for the column check to report."""
    optional = getattr(model, "optional_columns", None)
    defaults: dict[str, str | None] = optional() if optional is not None else {}
    if not defaults:
        return raw
    expected = list(model_dtypes(model))
    missing = [c for c in defaults if c not in raw.columns]
    if raw.columns != [c for c in expected if c not in missing]:
        return raw
    out = raw.with_columns(pl.lit(defaults[c], dtype=pl.String).alias(c) for c in missing)
    out = out.select(expected)
    return out.with_columns(
        pl.when(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == ""))
        .then(pl.lit(default, dtype=pl.String))
        .otherwise(pl.col(c))
        .alias(c)
        for c, default in defaults.items()
    )


def _columns_problem(raw: pl.DataFrame, expected: list[str], table: str) -> str | None:
    if raw.columns == expected:
        return None
    missing = [c for c in expected if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing columns {missing}")
    if extra:
        parts.append(f"unexpected columns {extra}")
    if not parts:
        parts.append(f"columns out of order: found {raw.columns}, expected {expected}")
    return (
        f"{table}: " + "; ".join(parts) + " (the header row must be exactly "
        f"{', '.join(expected)}); no row of this table was loaded"
    )


@dataclass(frozen=True)
class Table:
    """One table to validate: its text cells as read, the file line of its first data row, and
    the cells holding a spreadsheet formula (line -> [(column, formula)], workbooks only)."""

    raw: pl.DataFrame
    first_row: int = 2
    formula_cells: dict[int, list[tuple[str, str]]] | None = None


class StackedCheckFailed(Exception):
    """A failure of stacked tables that cannot be told apart per table (a dataframe check with
    no row): the caller validates the tables one by one instead."""


def validate_table(
    raw: pl.DataFrame,
    model: type[pa.DataFrameModel],
    table: str,
    first_row: int = 2,
    formula_cells: dict[int, list[tuple[str, str]]] | None = None,
    row_checks: list[RowCheck] | None = None,
) -> ValidationResult:
    """Validate ``raw`` (text columns, as read) against ``model``.

    ``first_row`` is the file line of the first data row (2 when the header is line 1), so
    quarantine records point at the line a person sees in the file. ``formula_cells`` maps a
    line to the (column, formula) of cells that hold a spreadsheet formula (workbooks only):
    such rows are rejected, since the value read is whatever the formula last showed.

    A model may define ``explain(check, frame) -> pl.Series | None`` (a sentence per row for a
    dataframe-level check) and ``quality_flags(frame) -> pl.Series`` (flags of accepted rows:
    kept, with the flags in ``quality_flags``).
    """
    (result,) = _validate([Table(raw, first_row, formula_cells)], model, table, row_checks, False)
    return result


def validate_tables(
    tables: list[Table],
    model: type[pa.DataFrameModel],
    table: str,
    row_checks: list[RowCheck] | None = None,
) -> list[ValidationResult]:
    """``validate_table`` of each of ``tables`` (e.g. one section of many submissions), with
    one pandera call for all of them: their rows are stacked, ``TABLE_ID`` (``__table``) holding
    the position of each row's table in ``tables``. ``row_checks`` see that column (a check
    may differ per table), and so do the model's checks across rows, which must group by it
    (``schemas.batch.keys``). The results are those of validating each table alone. Raises
    ``StackedCheckFailed`` when a failure cannot be told apart per table."""
    return _validate(tables, model, table, row_checks, True)


@functools.cache
def stacked_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """``model``'s schema for stacked tables: ``TABLE_ID`` as last column, and uniqueness
    within a table (a key may repeat across submissions)."""
    schema = model.to_schema()
    columns = {}
    for name, column in schema.columns.items():
        if column.unique:
            # first, as pandera runs its own uniqueness before a column's checks
            column = column.set_checks([_unique_in_table(), *column.checks])
            column.unique = False
        columns[name] = column
    columns[TABLE_ID] = pa.Column(pl.Int64)
    out = schema.remove_columns(list(schema.columns)).add_columns(columns)
    if schema.unique:
        out.unique = [*schema.unique, TABLE_ID]
    return out


def _unique_in_table() -> pa.Check:
    """A column's ``unique=True`` for stacked tables, under pandera's own check name."""

    def unique(data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct(TABLE_ID, data.key).is_duplicated())

    return pa.Check(unique, name="field_uniqueness")


#: the stacked table's number in pandera's JSON of a failing row or key
_TABLE_IN_KEY = re.compile(rf',"{TABLE_ID}":-?\d+(?=\}}$)')


def _validate(
    tables: list[Table],
    model: type[pa.DataFrameModel],
    table: str,
    row_checks: list[RowCheck] | None,
    stacked: bool,
) -> list[ValidationResult]:
    dtypes = model_dtypes(model)
    expected = list(dtypes)
    results: list[ValidationResult | None] = [None] * len(tables)
    parts: list[pl.DataFrame] = []
    for i, item in enumerate(tables):
        raw = with_optional_columns(item.raw, model)
        reason = _columns_problem(raw, expected, table)
        if reason:
            results[i] = reject_all(raw, table, "columns", reason, item.first_row)
        elif raw.height == 0:
            # a sheet with the right header and no rows: nothing to check, nothing to reject
            results[i] = ValidationResult(
                table, 0, pl.DataFrame(schema=landing_dtypes(model)), empty_quarantine()
            )
        else:
            indexed = raw.with_row_index(ROW_ID, offset=item.first_row).with_columns(
                pl.col(ROW_ID).cast(pl.Int64)
            )
            if stacked:
                indexed = indexed.with_columns(pl.lit(i, pl.Int64).alias(TABLE_ID))
            parts.append(indexed)
    if not parts:
        return results  # type: ignore[return-value]
    indexed = pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]
    ids = _ids(stacked)

    cast, problems = _cast(indexed, dtypes, ids)
    for i, item in enumerate(tables):
        for line, cells in sorted((item.formula_cells or {}).items()):
            for column, formula in cells:
                problems.append(
                    {
                        ROW_ID: line,
                        **({TABLE_ID: i} if stacked else {}),
                        "check_name": "no_formula",
                        "column_name": column,
                        "value": f"={formula}",
                        "reason": f"{column or 'a cell'} holds the formula ={formula}; "
                        "replace it by its value (copy, paste as values)",
                    }
                )
    for rc in row_checks or []:
        cols = ids + ([rc.column] if rc.column else [])
        bad = cast.filter(~rc.ok.fill_null(False)).select(cols)
        problems += [
            {
                **{c: r[c] for c in ids},
                "check_name": rc.name,
                "column_name": rc.column,
                "value": None if not rc.column or r[rc.column] is None else str(r[rc.column]),
                "reason": rc.reason.format(value=r.get(rc.column)),
            }
            for r in bad.iter_rows(named=True)
        ]
    candidates = _without(cast, problems, ids)
    problems += _model_problems(candidates, model, ids)
    accepted = _without(cast, problems, ids).drop(ROW_ID)
    quarantined = _records(indexed, problems, ids).with_columns(pl.lit(table).alias("table_name"))
    flags = getattr(model, "quality_flags", None)
    # columns in the model's order and types once for the whole stack, not once per table
    # (two engine calls per section of every submission); tables without accepted rows or
    # without problems share one empty frame
    if not stacked:
        by_table = {0: (accepted.select(expected).cast(dtypes), quarantined)}
    else:
        accepted = accepted.select(TABLE_ID, *expected).cast(dtypes)
        acc = accepted.partition_by(TABLE_ID, as_dict=True, include_key=False)
        quar = quarantined.partition_by(TABLE_ID, as_dict=True, include_key=False)
        no_rows, no_problems = accepted.clear().drop(TABLE_ID), empty_quarantine()
        by_table = {
            i: (acc.get((i,), no_rows), quar.get((i,), no_problems))
            for i in range(len(tables))
            if results[i] is None
        }
    for i, (acc_i, quar_i) in by_table.items():
        if flags is not None:
            acc_i = acc_i.with_columns(flags(acc_i).cast(pl.String).alias(FLAGS_COLUMN))
        received = tables[i].raw.height
        results[i] = ValidationResult(table, received, acc_i, quar_i)
    return results  # type: ignore[return-value]


def _without(frame: pl.DataFrame, problems: list[dict], ids: list[str]) -> pl.DataFrame:
    """``frame`` less its rows that have a problem (named by the ``ids`` columns), in order."""
    if not problems:
        return frame
    bad = pl.DataFrame(
        [{c: p[c] for c in ids} for p in problems], schema={c: pl.Int64 for c in ids}
    ).unique()
    return frame.join(bad, on=ids, how="anti", maintain_order="left")


def _model_problems(
    candidates: pl.DataFrame, model: type[pa.DataFrameModel], ids: list[str]
) -> list[dict]:
    """Problem records of the rows that fail the pandera model. A failure with no row
    rejects every row, which stacked tables cannot do for one table alone: when they are
    several, ``StackedCheckFailed`` is raised for the caller to validate them one by one."""
    stacked = TABLE_ID in ids
    several = stacked and candidates[TABLE_ID].n_unique() > 1
    explain = getattr(model, "explain", None)
    explained: dict[str, pl.Series | None] = {}
    frame = candidates.drop(ROW_ID)
    problems: list[dict] = []
    try:
        (stacked_schema(model) if stacked else model).validate(frame, lazy=True)
    except SchemaErrors as err:
        fc = err.failure_cases
        for rec in fc.iter_rows(named=True):
            idx = rec.get("index")
            check = str(rec.get("check"))
            column = rec.get("column")
            is_frame_check = column == model.__name__ or rec.get("schema_context") == (
                "DataFrameSchema"
            )
            if idx is None and several:
                raise StackedCheckFailed(f"{check} failed with no row") from err
            targets = list(range(candidates.height)) if idx is None else [int(idx)]
            if is_frame_check and explain is not None and check not in explained:
                explained[check] = explain(check, frame)
            value = rec.get("failure_case")
            if stacked and is_frame_check and value is not None:
                # pandera shows the failing row (or key) as JSON, the stacking column last
                value = _TABLE_IN_KEY.sub("", str(value))
            for pos in targets:
                col = None if is_frame_check else column
                if not is_frame_check:
                    reason = f"{col} = {value!s}: {_describe(check, col)}"
                elif explained.get(check) is not None:
                    reason = explained[check][pos]
                else:
                    reason = _describe(check, "")
                    if reason != check and "unique" in check:
                        keys = getattr(model.Config, "unique", None) or []
                        reason = f"this row {reason} ({', '.join(keys)}): keep only one of them"
                problems.append(
                    {
                        **{c: candidates[c][pos] for c in ids},
                        "check_name": check,
                        "column_name": col,
                        "value": None if value is None else str(value),
                        "reason": reason,
                    }
                )
    except SchemaError as err:  # pragma: no cover - lazy=True raises SchemaErrors
        if several:
            raise StackedCheckFailed(str(err)) from err
        problems += [
            {
                **{c: candidates[c][pos] for c in ids},
                "check_name": "schema",
                "column_name": None,
                "value": None,
                "reason": str(err),
            }
            for pos in range(candidates.height)
        ]
    return problems


def landing_dtypes(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """Columns of the accepted rows of ``model`` (its fields, plus the flags column if any)."""
    cols = model_dtypes(model)
    if getattr(model, "quality_flags", None) is not None:
        cols[FLAGS_COLUMN] = pl.String()
    return cols
