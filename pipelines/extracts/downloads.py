"""Human-friendly downloads: an Excel workbook (one sheet per series and a ``metadata`` sheet)
and one CSV of every observation, countries and regional aggregates alike.

Both treat the warehouse's text as hostile: a text cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return, which a spreadsheet would run as a formula, gets a leading single
quote ``'`` (OWASP "CSV injection"). Numbers (values, years, coverage) stay numeric.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import polars as pl

from pipelines import xlsx
from pipelines.extracts.codelists import CodeLists
from pipelines.extracts.observations import DECIMALS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: definitions of the series (methodology §2.1, §6.1): numerator / denominator
DEFINITIONS: dict[str, tuple[str, str]] = {
    "SI_COV_BENFTS": (
        "Persons receiving at least one cash benefit or actively contributing, unduplicated "
        "(life-cycle partition, §2.2) / total population",
        "§2.1, §2.2",
    ),
    "SI_COV_CHLD": (
        "Children 0-14 receiving child or family cash benefits / children 0-14",
        "§2.1",
    ),
    "SI_COV_MATNL": (
        "Women receiving maternity cash benefits in the year / women giving birth that year",
        "§2.1",
    ),
    "SI_COV_DISAB": (
        "Persons receiving disability cash benefits / persons with severe disabilities",
        "§2.1",
    ),
    "SI_COV_UEMP": ("Recipients of unemployment cash benefits / unemployed persons", "§2.1"),
    "SI_COV_WKINJRY": (
        "Workers protected by employment-injury insurance or employer liability / employed",
        "§2.1",
    ),
    "SI_COV_PENSN": (
        "Persons at or above the statutory pensionable age receiving an old-age pension / "
        "persons at or above that age (sex-specific)",
        "§2.1",
    ),
    "SI_COV_VULN": (
        "Recipients of non-contributory social assistance cash benefits / vulnerable persons",
        "§2.1",
    ),
    "SI_COV_POOR": (
        "Recipients of social assistance cash benefits / population below the national "
        "poverty line",
        "§2.1",
    ),
    "SH_ACS_UNHC": (
        "Geometric mean of the RMNCH, infectious disease, NCD and service capacity scores of the "
        "tracer indicators (WHO method), index 0-100",
        "§6.1",
    ),
}
INDICATOR = {"SH_ACS_UNHC": "3.8.1"}  # every other series: 1.3.1
NOTES = (
    "Values are read from the published Floorboard warehouse (marts.sdg_indicators, "
    "marts.agg_regional) and never recomputed; they are rounded at extract time, half away from "
    "zero: percentages (PT) to 1 decimal, the UHC index (IX) to whole numbers.",
    "Rates above 100 are published as computed and carry a comment (methodology §0).",
    "NATURE (methodology §8.1, as the UN SDG database labels the ILO's values): E a country "
    "ratio computed here from national inputs (every country value: SSI numerator over a "
    "national-statistics denominator, or the UHC index from national tracers), C a national "
    "figure passed through unchanged, M a country value imputed by a model, N a regional or "
    "global aggregate. What was estimated inside a value (SPA within an age group, the "
    "life-cycle partition, imputed tracers) is said in comment_obs.",
    "time_detail (TIME_DETAIL): the year the value refers to; a range YYYY-YYYY if its inputs "
    "ever span years.",
    "Regional aggregates (methodology §7): reporting countries only, weighted by the series "
    "denominator (UHC: population); withheld when the reporting countries hold less than 50 % of "
    "the region's reference population; the coverage is given with every value.",
    "Cells a spreadsheet would run as a formula start with a single quote (').",
)

COLUMNS = (
    ("series_code", "text"),
    ("area_type", "text"),
    ("region_type", "text"),
    ("m49", "text"),
    ("iso3", "text"),
    ("area_name", "text"),
    ("year", "number"),
    ("sex", "text"),
    ("age", "text"),
    ("value", "number"),
    ("unit_measure", "text"),
    ("unit_mult", "number"),
    ("nature", "text"),
    ("time_detail", "text"),
    ("obs_status", "text"),
    ("source_detail", "text"),
    ("comment_obs", "text"),
    ("population_coverage_pct", "number"),
)


def neutralize(text: object) -> str:
    """Text that a spreadsheet shows as text: a leading ``'`` before formula triggers."""
    if text is None:
        return ""
    text = str(text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


#: the observation column behind each download column (COLUMNS order)
SOURCE = ("series_code", "area_type", "region_type", "ref_area", "iso3", "area_name",
          "time_period", "sex", "age", "obs_value", "unit_measure", "unit_mult", "nature",
          "time_detail", "obs_status", "source_detail", "comment_obs",
          "population_coverage")  # fmt: skip


def columns(obs: pl.DataFrame) -> list[list]:
    """The download's columns, in ``COLUMNS`` order, as Python values: text neutralized in one
    vectorised pass (``neutralize``'s rule; null stays None), numbers as read (``obs_value`` is
    the rounded text, written as a number), the coverage rounded to 1 decimal."""
    exprs = []
    for (name, kind), source in zip(COLUMNS, SOURCE, strict=True):
        col = pl.col(source)
        if kind == "text":  # ``neutralize``, on the whole column
            formula = pl.any_horizontal(col.str.starts_with(p) for p in FORMULA_PREFIXES)
            col = pl.when(formula).then(pl.lit("'") + col).otherwise(col)
        exprs.append(col.alias(name))
    out = [series.to_list() for series in obs.select(exprs)]
    coverage = len(COLUMNS) - 1
    out[coverage] = [None if v is None else round(float(v), 1) for v in out[coverage]]
    return out


def write_csv(obs: pl.DataFrame, path: Path) -> Path:
    """All observations, one row each; UTF-8, CRLF line ends (RFC 4180: with ``\\n`` alone the
    csv module would leave a bare CR in a cell unquoted), text cells neutralized."""
    cells = [
        ["" if v is None else str(v) for v in values]
        if kind == "number"
        else ["" if v is None else v for v in values]
        for (_, kind), values in zip(COLUMNS, columns(obs), strict=True)
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([name for name, _ in COLUMNS])
    w.writerows(zip(*cells, strict=True))
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def series_metadata(
    obs: pl.DataFrame, risks: dict[str, tuple[str, str]], cl: CodeLists
) -> list[list]:
    """One row per series in the extract: code, indicator, name, risk, definition, unit, ..."""
    header = ["series_code", "indicator", "name", "risk", "risk_label", "definition",
              "methodology", "unit_measure", "decimals", "source"]  # fmt: skip
    out: list[list] = [header]
    for code, unit in obs.select("series_code", "unit_measure").unique().sort("series_code").rows():
        risk, label = risks.get(code, ("", ""))
        definition, section = DEFINITIONS.get(code, ("", ""))
        source = (
            "National tracer statistics, WHO method (methodology §6.1)"
            if code == "SH_ACS_UNHC"
            else "ILO Social Security Inquiry submissions and national statistics"
        )
        out.append(
            [
                code,
                INDICATOR.get(code, "1.3.1"),
                cl.name("CL_SERIES", code),
                risk,
                label,
                definition,
                f"methodology {section}" if section else "",
                unit,
                DECIMALS.get(unit, ""),
                source,
            ]
        )
    return out


def write_workbook(
    obs: pl.DataFrame,
    path: Path,
    risks: dict[str, tuple[str, str]],
    cl: CodeLists,
    release_id: str,
    prepared: datetime,
) -> Path:
    """The workbook; deterministic for a given ``prepared`` (fixed zip timestamps). Written by
    ``pipelines.xlsx`` (shared strings: the country names, codes and sources repeat on every
    row); xlsxwriter's cell-by-cell calls were most of the release files' time."""
    meta: list[list[xlsx.Cell]] = []
    table = series_metadata(obs, risks, cl)
    for r, row in enumerate(table):
        meta.append(
            [
                _cell(value, "number" if r and table[0][c] == "decimals" else "text")
                for c, value in enumerate(row)
            ]
        )
    notes = [
        ["notes"],
        ["release_id", release_id],
        ["prepared", prepared.isoformat()],
        ["code lists", f"SDG global DSD {cl.dsd_version} ({cl.source})"],
        *(["footnote", note] for note in NOTES),
    ]
    meta += [[], *([_cell(v) for v in row] for row in notes)]
    sheets: list[tuple[str, list[list[xlsx.Cell]]]] = [("metadata", meta)]
    layouts = [xlsx.Layout(bold_rows=1, widths=((0, 0, 16), (1, 9, 30)))]
    by_series: dict[str, list[tuple[xlsx.Cell, ...]]] = {}
    cells = [
        [None if v is None or v == "" else float(v) for v in values]
        if kind == "number"
        else [v or None for v in values]  # already neutralized; "" is an empty cell
        for (_, kind), values in zip(COLUMNS, columns(obs), strict=True)
    ]
    # by the series code as published (a sheet's name), in the observations' order
    for code, row in zip(obs["series_code"], zip(*cells, strict=True), strict=True):
        by_series.setdefault(code, []).append(row)
    for code in sorted(by_series):
        sheets.append((code[:31], [[name for name, _ in COLUMNS], *by_series[code]]))
        layouts.append(xlsx.Layout(bold_rows=1, frozen_rows=1, widths=((0, len(COLUMNS) - 1, 14),)))
    xlsx.write_workbook(
        path,
        sheets,
        created=prepared.replace(tzinfo=None),
        title=f"Floorboard SDG 1.3.1 and 3.8.1 indicators, release {release_id}",
        creator="Floorboard",
        description="Generated from the published Floorboard warehouse (docs/extracts.md).",
        layouts=layouts,
        shared_strings=True,
    )
    return path


def _cell(value: object, kind: str = "text") -> xlsx.Cell:
    """A number stays a number; text is neutralized (a leading ``'`` before formula
    triggers); nothing (None, "") is an empty cell."""
    if value is None or value == "":
        return None
    if kind == "number":
        return float(value)  # type: ignore[arg-type]
    return neutralize(value)
