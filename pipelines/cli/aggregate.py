"""``floorboard aggregate INPUT.csv --out OUT.csv``: regional and global estimates of any
country-level file in the layout of the UN SDG Global Database (issue 14, methodology §7).

The aggregation is not written here: the command cleans the input, writes it as parquet and
builds the dbt model ``agg_input_file`` (macro ``regional_estimates``, the definition
``marts.agg_regional`` uses) into a temporary DuckDB file, then writes that model's rows as CSV.

The input is treated as hostile: size limit, UTF-8 only, required columns, every cell checked
(ISO3 codes, series codes, years, sexes, numbers; a spreadsheet formula fails those checks), one
value per series × country × year × sex. Any problem is one line on stderr and exit code 2.
Aggregate rows of the input (``area_type`` = aggregate, or no ISO3 code) are ignored.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import tempfile
from pathlib import Path

import click

from pipelines import paths
from pipelines.cli import CONTEXT, PATH, CliError, cli

#: the columns of OUT.csv, in this order (issue 14)
OUT_COLUMNS = (
    "series_code",
    "region_type",
    "m49",
    "region",
    "year",
    "sex",
    "value",
    "value_reported",
    "population_coverage",
    "n_reporting",
    "n_imputed",
    "nature",
)
REGION_TYPE_ORDER = (
    "world",
    "sdg_region",
    "sdg_subregion",
    "ilo_region",
    "ilo_subregion",
    "income_group",
    "ldc",
    "lldc",
    "sids",
)
#: larger inputs are refused (the whole UN SDG 1.3.1 file is under 1 MB)
MAX_BYTES = 200 * 1024 * 1024
REQUIRED = ("series_code", "iso3", "year", "value")
SEXES = {"_T": "_T", "F": "F", "M": "M", "BOTHSEX": "_T", "FEMALE": "F", "MALE": "M"}
ISO3 = re.compile(r"^[A-Z]{3}$")
SERIES = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
YEARS = (1990, 2100)


class InputError(CliError):
    """The input file cannot be aggregated: exit code 2 (a usage error)."""

    def __init__(self, message: str):
        super().__init__(message, code=2)


def _cell(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def read_input(path: Path) -> tuple[list[tuple[str, str, int, str, float]], int]:
    """The country rows of the input as (series_code, iso3, year, sex, value), and the number of
    aggregate rows skipped. Raises InputError with the first problem found."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes, more than the limit of {MAX_BYTES}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(f"{path}: binary content (NUL byte), not a CSV file")
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: empty file") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV file ({exc})") from None
    sex_column = "sex_sdmx" if "sex_sdmx" in header else "sex" if "sex" in header else None
    missing = [c for c in REQUIRED if c not in header] + ([] if sex_column else ["sex_sdmx"])
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} (need series_code, iso3, year, "
            "sex_sdmx or sex, value)"
        )
    index = {
        name: header.index(name) for name in (*REQUIRED, sex_column, "area_type") if name in header
    }
    rows: list[tuple[str, str, int, str, float]] = []
    seen: set[tuple[str, str, int, str]] = set()
    skipped = 0
    try:
        for line, record in enumerate(reader, start=2):
            if not record or all(not c.strip() for c in record):
                continue
            if len(record) != len(header):
                raise InputError(
                    f"{path}: line {line} has {len(record)} fields, the header {len(header)}"
                )
            get = {name: record[i].strip() for name, i in index.items()}
            if get.get("area_type", "country") != "country" or not get["iso3"]:
                skipped += 1  # an aggregate of the input: never an input of ours
                continue
            if not ISO3.match(get["iso3"]):
                raise InputError(
                    f"{path}: line {line}: iso3 {_cell(get['iso3'])} is not an ISO3 code"
                )
            if not SERIES.match(get["series_code"]):
                raise InputError(
                    f"{path}: line {line}: series_code {_cell(get['series_code'])} "
                    "is not a series code"
                )
            sex = SEXES.get(get[sex_column])
            if sex is None:
                raise InputError(
                    f"{path}: line {line}: sex {_cell(get[sex_column])} is not _T, F or M"
                )
            try:
                year = int(get["year"])
            except ValueError:
                raise InputError(
                    f"{path}: line {line}: year {_cell(get['year'])} is not a year"
                ) from None
            if not YEARS[0] <= year <= YEARS[1]:
                raise InputError(f"{path}: line {line}: year {year} outside {YEARS[0]}-{YEARS[1]}")
            if not get["value"]:
                continue  # no value: the country is not reporting
            try:
                value = float(get["value"])
            except ValueError:
                raise InputError(
                    f"{path}: line {line}: value {_cell(get['value'])} is not a number"
                ) from None
            if not math.isfinite(value) or value < 0:
                raise InputError(f"{path}: line {line}: value {get['value']} is not a rate >= 0")
            key = (get["series_code"], get["iso3"], year, sex)
            if key in seen:
                raise InputError(
                    f"{path}: line {line}: a second value for {' '.join(map(str, key))}"
                )
            seen.add(key)
            rows.append((*key, value))
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV file ({exc})") from None
    if not rows:
        raise InputError(f"{path}: no country value to aggregate")
    return rows, skipped


def _write_parquet(rows: list[tuple[str, str, int, str, float]], target: Path) -> None:
    import polars as pl

    pl.DataFrame(
        rows,
        schema={
            "series_code": pl.String,
            "iso3": pl.String,
            "year": pl.Int32,
            "sex": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    ).write_parquet(target)


def build(input_parquet: Path, folder: Path, window: int) -> Path:
    """Build agg_input_file and what it needs into ``folder/floorboard.aggregate.duckdb``."""
    database = folder / "floorboard.aggregate.duckdb"
    env = dict(os.environ)
    env.update(
        {
            "FLOORBOARD_AGGREGATE_INPUT": str(input_parquet),
            "FLOORBOARD_DUCKDB_PATH": str(database),
        }
    )
    env.setdefault("FLOORBOARD_REFERENCE_DIR", str(paths.REPO_ROOT / "raw" / "reference"))
    command = [
        paths.DBT_EXECUTABLE,
        "--no-use-colors",
        "build",
        "--profiles-dir",
        ".",
        "--target-path",
        str(folder / "target"),
        "--log-path",
        str(folder / "logs"),
        "--select",
        "+agg_input_file",
        # the reference tables' data tests run in every warehouse build; here only what the
        # aggregates need is built
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        "--vars",
        json.dumps({"aggregate_window_years": window}),
    ]
    done = subprocess.run(
        command, cwd=paths.DBT_PROJECT_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stdout.splitlines() if "Error" in ln or "error" in ln]
        raise CliError(
            "the dbt build of the aggregates failed: "
            + (lines[0] if lines else done.stderr.strip()[:200])
        )
    return database


def read_aggregates(database: Path, variant: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            """
            select series_code, region_type, m49, region, "year", sex, value_reported,
                   value_estimated, population_coverage, is_suppressed, n_reporting, n_imputed,
                   nature
            from aggregates.agg_input_file
            """
        ).fetchall()
    finally:
        con.close()
    out = []
    for (series, rtype, m49, region, year, sex, reported, estimated, coverage, suppressed,
         n_reporting, n_imputed, nature) in rows:  # fmt: skip
        if variant == "reported":
            value = None if suppressed else reported
            n_imputed = 0
        else:
            value = estimated
        if value is None and reported is None:
            continue
        out.append(
            (series, rtype, m49, region, year, sex, value, reported, coverage, n_reporting,
             n_imputed, nature)
        )  # fmt: skip
    order = {t: i for i, t in enumerate(REGION_TYPE_ORDER)}
    out.sort(
        key=lambda r: (
            r[0],
            order.get(r[1], 99),
            r[2] if r[2] is not None else -1,
            r[3],
            r[4],
            r[5],
        )
    )
    return out


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def write_csv(rows: list[tuple], out: Path) -> None:
    """Write OUT.csv atomically (a reader never sees half a file)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(OUT_COLUMNS)
        for row in rows:
            writer.writerow([_fmt(v) for v in row])
    os.replace(tmp, out)


def run(input_csv: Path, out: Path, variant: str, window: int) -> int:
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: folder {out.parent} does not exist")
    if out.exists() and out.is_dir():
        raise InputError(f"--out {out}: is a folder")
    rows, skipped = read_input(input_csv)
    with tempfile.TemporaryDirectory(prefix="floorboard-aggregate-") as tmp:
        folder = Path(tmp)
        _write_parquet(rows, folder / "input.parquet")
        database = build(folder / "input.parquet", folder, window)
        result = read_aggregates(database, variant)
    write_csv(result, out)
    click.echo(
        f"{len(result)} aggregates ({variant}) of {len(rows)} country values written to {out}"
        + (f"; {skipped} aggregate rows of the input ignored" if skipped else "")
    )
    return 0


@cli.command("aggregate", context_settings=CONTEXT)
@click.argument("input_csv", metavar="INPUT.csv", type=PATH)
@click.option("--out", type=PATH, required=True, help="Output CSV file (replaced if it exists).")
@click.option(
    "--variant",
    type=click.Choice(["reported", "estimated"]),
    default="estimated",
    show_default=True,
    help="reported: countries with a value of the year only (empty below 50 % population "
    "coverage); estimated: non-reporting countries imputed.",
)
@click.option(
    "--window",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help="Years around the aggregate's year in which a country's nearest value is used.",
)
@click.pass_context
def aggregate(ctx: click.Context, input_csv: Path, out: Path, variant: str, window: int) -> None:
    """Regional and global estimates (World, SDG regions and sub-regions, ILO regions, income
    groups, LDC, LLDC, SIDS) of a country-level CSV in the UN SDG Global Database layout
    (series_code, iso3, year, sex_sdmx, value), by the warehouse's own dbt models
    (methodology §7); writes OUT.csv."""
    ctx.exit(run(input_csv, out, variant, window))
