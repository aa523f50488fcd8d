"""Open SDG / sdg-build data files (methodology §8.3): per country, one tidy CSV per indicator
and a metadata file, plus the checks sdg-build's ``check_csv`` and the site schema apply.

Layout (decision, docs/decisions.md): Open SDG platforms are national, so each country gets its
own folder ``open_sdg/<ISO3>/`` with ``data/indicator_1-3-1.csv``, ``data/indicator_3-8-1.csv``
and ``meta/1-3-1.yml``, ``meta/3-8-1.yml`` (the folder names of an Open SDG data repository).
Regional aggregates are not written (they are in the SDMX and download files).

CSV columns: ``Year``, ``Series``, ``Units``, ``Sex`` (1.3.1 only), then the observation
attributes ``NATURE``, ``TIME_DETAIL``, ``COMMENT_OBS`` (DSD ids, so sdg-build's SDMX output maps
them without a column map), and ``Value``. A platform lists the three under
``indicator_options`` (``observation_attributes`` and ``non_disaggregation_columns``,
``OPEN_SDG_INDICATOR_OPTIONS``), else Open SDG would offer NATURE and TIME_DETAIL as
disaggregations.
Values are the SDMX codes (``SI_COV_BENFTS``, ``PT``, ``F``), which Open SDG translates and
sdg-build maps back to the DSD without a mapping table. Series and Units are Open SDG's selector
columns; ``Sex`` is the disaggregation: a total (``_T``) is written as an empty Sex cell, so the
headline of each series is its national total. SI_COV_BENFTS comes first, so it is the series an
Open SDG page shows by default (the indicator's headline).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import polars as pl
import yaml

from pipelines.extracts.codelists import CodeLists

#: indicator → (series it holds, whether it has a Sex column, headline series first)
INDICATORS: dict[str, dict] = {
    "1-3-1": {
        "number": "1.3.1",
        "name": (
            "Proportion of population covered by social protection floors/systems, by sex, "
            "distinguishing children, unemployed persons, older persons, persons with "
            "disabilities, pregnant women, newborns, work-injury victims and the poor and the "
            "vulnerable"
        ),
        "graph_title": "Population covered by social protection, by series and sex",
        "series_first": "SI_COV_BENFTS",
        "has_sex": True,
        "prefix": "SI_COV_",
    },
    "3-8-1": {
        "number": "3.8.1",
        "name": "Coverage of essential health services",
        "graph_title": "UHC service coverage index",
        "series_first": "SH_ACS_UNHC",
        "has_sex": False,
        "prefix": "SH_ACS_UNHC",
    },
}
#: observation attributes written in every CSV, in DSD order (methodology §8.1)
OBSERVATION_ATTRIBUTES = ("NATURE", "TIME_DETAIL", "COMMENT_OBS")
#: columns sdg-build treats as selectors or observation attributes, not disaggregations
NON_DISAGGREGATION = frozenset(
    {"Year", "Value", "Series", "Units", "GeoCode", "OBS_STATUS", "UNIT_MULT",
     *OBSERVATION_ATTRIBUTES}
)  # fmt: skip
#: the ``indicator_options`` of a platform's data configuration (``config_data.yml``) that
#: reads these files: sdg-build's defaults plus our observation attributes (docs/extracts.md)
OPEN_SDG_INDICATOR_OPTIONS = {
    "non_disaggregation_columns": [
        "Year", "Units", "Series", "Value", "GeoCode", "Observation status", "Unit multiplier",
        "Unit measure", "UNIT_MEASURE", "SERIES", "COMMENT_TS", "DATA_LAST_UPDATE",
        *OBSERVATION_ATTRIBUTES,
    ],
    "observation_attributes": ["COMMENT_OBS", "SOURCE_DETAIL", "NATURE", "TIME_DETAIL"],
    "series_column": "Series",
    "unit_column": "Units",
}  # fmt: skip
REPORTING_STATUSES = ("complete", "inprogress", "notstarted")
GRAPH_TYPES = ("line", "bar", "binary")
SEX_ORDER = {"_T": 0, "F": 1, "M": 2}


def _clean(value: object) -> str:
    """One line, no surrounding whitespace (Open SDG cells are single-line)."""
    return "" if value is None else " ".join(str(value).split())


def indicator_frame(obs: pl.DataFrame, iso3: str, indicator: str) -> list[list[str]]:
    """Header and rows of one country's indicator CSV."""
    spec = INDICATORS[indicator]
    rows = obs.filter(
        (pl.col("area_type") == "country")
        & (pl.col("iso3") == iso3)
        & pl.col("series_code").str.starts_with(spec["prefix"])
    )
    header = ["Year", "Series", "Units", *(["Sex"] if spec["has_sex"] else []),
              *OBSERVATION_ATTRIBUTES, "Value"]  # fmt: skip
    records = []
    for r in rows.iter_rows(named=True):
        sex = "" if r["sex"] == "_T" else r["sex"]
        if not spec["has_sex"] and sex:
            raise ValueError(f"{indicator} has no Sex column but {iso3} has SEX={r['sex']}")
        cells = [str(r["time_period"]), r["series_code"], r["unit_measure"]]
        if spec["has_sex"]:
            cells.append(sex)
        cells += [*(_clean(r[a.lower()]) for a in OBSERVATION_ATTRIBUTES), r["obs_value"]]
        order = (r["series_code"] != spec["series_first"], r["series_code"], r["time_period"],
                 SEX_ORDER.get(r["sex"], 9))  # fmt: skip
        records.append((order, [_clean(c) for c in cells]))
    records.sort(key=lambda t: t[0])
    return [header, *(cells for _, cells in records)]


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def metadata(iso3: str, country: str, indicator: str, has_data: bool, cl: CodeLists) -> dict:
    spec = INDICATORS[indicator]
    return {
        "indicator_number": spec["number"],
        "indicator_name": spec["name"],
        "reporting_status": "complete" if has_data else "notstarted",
        "data_non_statistical": False,
        "graph_title": spec["graph_title"],
        "graph_type": "line",
        "national_geographical_coverage": country,
        "computation_units": "Index (0-100)" if spec["number"] == "3.8.1" else "Percent",
        "source_active_1": True,
        "source_organisation_1": "Floorboard (ILO Social Security Inquiry and national statistics)",
        "data_footnote": (
            "Codes of the SDG global DSD "
            f"{cl.dsd_version}; values rounded at extract time (docs/extracts.md). NATURE E: "
            "a ratio computed from national inputs (methodology §8.1)."
        ),
        "sdmx_reference_area": iso3,
    }


def file_names(iso3: str, indicator: str) -> tuple[str, str]:
    """The data and metadata files of a country's indicator, relative to the Open SDG folder
    (the data file is written only when the country has values for it)."""
    return f"{iso3}/data/indicator_{indicator}.csv", f"{iso3}/meta/{indicator}.yml"


def write(obs: pl.DataFrame, folder: Path, cl: CodeLists) -> list[Path]:
    """Per-country Open SDG files for every country in ``obs``; returns the files written."""
    written: list[Path] = []
    countries = (
        obs.filter(pl.col("area_type") == "country")
        .select("iso3", "area_name")
        .unique()
        .sort("iso3")
    )
    for iso3, name in countries.iter_rows():
        for indicator in INDICATORS:
            data_name, meta_name = file_names(iso3, indicator)
            rows = indicator_frame(obs, iso3, indicator)
            has_data = len(rows) > 1
            if has_data:
                path = folder / data_name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_csv_text(rows).encode("utf-8"))
                written.append(path)
            meta = metadata(iso3, _clean(name), indicator, has_data, cl)
            path = folder / meta_name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, width=100)
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
    return written


# --- checks (methodology §8.3; sdg-build check_csv and the Open SDG site schema) ---------------


def check_csv(path: Path) -> list[str]:
    """Problems of one indicator CSV (empty list = passes)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path.name}: cannot be read ({exc})"]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [f"{path.name}: empty file"]
    header, body = rows[0], rows[1:]
    problems = []
    if header[0] != "Year":
        problems.append(f"{path.name}: first column is {header[0]!r}, not 'Year'")
    if header[-1] != "Value":
        problems.append(f"{path.name}: last column is {header[-1]!r}, not 'Value'")
    for name in header:
        if name != name.strip():
            problems.append(f"{path.name}: column name {name!r} has surrounding whitespace")
        if not name.strip():
            problems.append(f"{path.name}: empty column name")
    if len(set(header)) != len(header):
        problems.append(f"{path.name}: duplicate column names")
    if not body:
        problems.append(f"{path.name}: no data rows")
    disaggregations = [i for i, n in enumerate(header) if n.strip() not in NON_DISAGGREGATION]
    headline = 0
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            problems.append(f"{path.name}:{line}: {len(row)} cells for {len(header)} columns")
            continue
        if all(c == "" for c in row):
            problems.append(f"{path.name}:{line}: empty row")
            continue
        for name, cell in zip(header, row, strict=True):
            if cell != cell.strip():
                problems.append(f"{path.name}:{line}: leading/trailing whitespace in {name}")
        value, year = row[-1], row[0]
        try:
            if not math.isfinite(float(value)):
                raise ValueError
        except ValueError:
            problems.append(f"{path.name}:{line}: Value {value!r} is not numeric")
        if not year.strip().isdigit():
            problems.append(f"{path.name}:{line}: Year {year!r} is not a year")
        if all(row[i] == "" for i in disaggregations):
            headline += 1
    if body and not headline:
        problems.append(f"{path.name}: no headline rows (all disaggregations empty)")
    return problems


def check_metadata(meta: object, name: str = "metadata") -> list[str]:
    """The Open SDG site schema's requirements on indicator metadata."""
    if not isinstance(meta, dict):
        return [f"{name}: not a mapping"]
    problems = []
    status = meta.get("reporting_status")
    if status not in REPORTING_STATUSES:
        problems.append(f"{name}: reporting_status {status!r} not in {REPORTING_STATUSES}")
    if status == "complete":
        if not isinstance(meta.get("data_non_statistical"), bool):
            problems.append(f"{name}: data_non_statistical (true/false) required when complete")
        if meta.get("data_non_statistical") is False:
            if not meta.get("graph_title"):
                problems.append(f"{name}: graph_title required for a chart")
            if meta.get("graph_type") not in GRAPH_TYPES:
                graph_type = meta.get("graph_type")
                problems.append(f"{name}: graph_type {graph_type!r} not in {GRAPH_TYPES}")
    return problems


def check_folder(folder: Path) -> list[str]:
    """Run every check on a country folder (or the whole ``open_sdg`` folder)."""
    problems = []
    for path in sorted(folder.rglob("indicator_*.csv")):
        problems += check_csv(path)
    for path in sorted(folder.rglob("meta/*.yml")):
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: cannot be read ({exc})")
            continue
        problems += check_metadata(meta, str(path.relative_to(folder)))
        csv_path = path.parent.parent / "data" / f"indicator_{path.stem}.csv"
        if meta.get("reporting_status") == "complete" and not csv_path.exists():
            problems.append(f"{path.name}: reporting_status complete but no data file")
    return problems
