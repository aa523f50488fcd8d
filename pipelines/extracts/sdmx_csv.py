"""SDMX-CSV version 1 (SDMX 2.1) for the SDG global dataflow (methodology §8.1, §8.2).

Columns: ``DATAFLOW`` (``IAEG-SDGs:DF_SDG_GLH(<version>)``), the 15 dimensions in the DSD's key
order, ``TIME_PERIOD``, ``OBS_VALUE``, then the attributes: ``UNIT_MEASURE``, ``UNIT_MULT``,
``OBS_STATUS``, ``NATURE``, ``SOURCE_DETAIL``, ``COMMENT_OBS`` and the other DSD attributes (empty:
not given). Codes only; breakdowns we do not hold are ``_T``. REF_AREA is M49: countries from
``dim_country``, the world (1) and the SDG regions; aggregates without an M49 code (ILO regions,
income groups) are left out. The content constraints of §8.1 are enforced before writing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

import polars as pl

from pipelines.extracts import codelists
from pipelines.extracts.codelists import CodeLists

#: REPORTING_TYPE of Floorboard values: G (global/custodian compilation, methodology §8.1);
#: a national platform re-publishing them would use N
DEFAULT_REPORTING_TYPE = "G"
#: version of DF_SDG_GLH written in DATAFLOW; the DSD version we validate against (see
#: docs/extracts.md: the UN registry's current dataflow versions reference newer DSDs)
DATAFLOW_VERSION = codelists.DSD_VERSION
#: attributes in the column order of the issue; the remaining DSD attributes follow in DSD order
LEADING_ATTRIBUTES = (
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "NATURE",
    "SOURCE_DETAIL",
    "COMMENT_OBS",
)
#: free-text attributes: written on one line without XML-incompatible control characters
TEXT_ATTRIBUTES = ("SOURCE_DETAIL", "COMMENT_OBS")
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
BREAKDOWNS_T = (
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)


class ContentConstraintError(ValueError):
    """Observations that break the SDG global content constraints (methodology §8.1)."""


def dataflow_ref(version: str = DATAFLOW_VERSION) -> str:
    return f"{codelists.AGENCY}:{codelists.DATAFLOW_ID}({version})"


def columns(cl: CodeLists) -> list[str]:
    """The SDMX-CSV header after DATAFLOW."""
    attrs = [a for a, _ in cl.attributes]
    rest = [a for a in attrs if a not in LEADING_ATTRIBUTES]
    return [
        *cl.key_order,
        codelists.TIME_DIMENSION,
        codelists.PRIMARY_MEASURE,
        *LEADING_ATTRIBUTES,
        *rest,
    ]


def sdmx_frame(
    obs: pl.DataFrame, cl: CodeLists, reporting_type: str = DEFAULT_REPORTING_TYPE
) -> pl.DataFrame:
    """Observations (``observations.read``) as SDMX components, all text; rows without an M49
    REF_AREA are dropped. Validated: content constraints, code lists, unique keys."""
    obs = obs.filter(pl.col("ref_area").is_not_null())
    blank = pl.lit("", dtype=pl.String)
    values = {
        "FREQ": pl.lit("A"),
        "REPORTING_TYPE": pl.lit(reporting_type),
        "SERIES": pl.col("series_code"),
        "REF_AREA": pl.col("ref_area"),
        "SEX": pl.col("sex"),
        "AGE": pl.col("age").fill_null("_T"),
        codelists.TIME_DIMENSION: pl.col("time_period").cast(pl.String),
        codelists.PRIMARY_MEASURE: pl.col("obs_value"),
        "UNIT_MEASURE": pl.col("unit_measure"),
        "UNIT_MULT": pl.col("unit_mult").cast(pl.String),
        "OBS_STATUS": pl.col("obs_status"),
        "NATURE": pl.col("nature"),
        "TIME_DETAIL": pl.col("time_detail"),
        **{name: _one_line(pl.col(name.lower())) for name in TEXT_ATTRIBUTES},
    }
    exprs = []
    for name in columns(cl):
        if name in values:
            expr = values[name]
        elif name in BREAKDOWNS_T:
            expr = pl.lit("_T")
        else:
            expr = blank
        exprs.append(expr.cast(pl.String).fill_null("").alias(name))
    frame = obs.select(exprs)
    aggregates = set(obs.filter(pl.col("area_type") == "aggregate")["ref_area"].to_list())
    enforce_constraints(frame, aggregates)
    validate_codes(frame, cl)
    check_unique_keys(frame, cl)
    return frame


def _one_line(text: pl.Expr) -> pl.Expr:
    """Text attribute cleaned for SDMX: control characters dropped, line breaks and tabs as one
    space, no surrounding whitespace (SDMX-ML cannot hold most control characters at all)."""
    return (
        text.str.replace_all(CONTROL_CHARACTERS, "")
        .str.replace_all(r"[\t\r\n]+", " ")
        .str.strip_chars()
    )


def constraint_violations(
    frame: pl.DataFrame, aggregate_areas: Collection[str] | None = None
) -> list[str]:
    """Content constraints of the SDG global dataflow for the series Floorboard publishes
    (methodology §8.1): SI_COV_* in PT with UNIT_MULT 0; SI_COV_MATNL for SEX F only;
    SH_ACS_UNHC an index (IX) with every breakdown _T; SH_XPD_EARN10/25 in PT. And the rules
    of our attributes: TIME_PERIOD a year (any, 1990s included); TIME_DETAIL given, the year
    of TIME_PERIOD or a range ``YYYY-YYYY`` holding it; NATURE given and, when
    ``aggregate_areas`` (the REF_AREA codes of regional and global aggregates) is given, ``N``
    exactly for those areas and never for a country."""
    problems: list[str] = []

    def report(mask: pl.Expr, rule: str) -> None:
        bad = frame.filter(mask)
        if bad.height:
            keys = bad.select(
                pl.format("{}.{}.{}.{}", "SERIES", "REF_AREA", "SEX", "TIME_PERIOD")
            ).to_series()
            sample = ", ".join(keys.head(5).to_list())
            problems.append(f"{rule}: {bad.height} observation(s), e.g. {sample}")

    si_cov = pl.col("SERIES").str.starts_with("SI_COV_")
    report(si_cov & (pl.col("UNIT_MEASURE") != "PT"), "SI_COV_* must be UNIT_MEASURE PT")
    report(si_cov & (pl.col("UNIT_MULT") != "0"), "SI_COV_* must be UNIT_MULT 0")
    report(
        (pl.col("SERIES") == "SI_COV_MATNL") & (pl.col("SEX") != "F"),
        "SI_COV_MATNL is for SEX F only",
    )
    uhc = pl.col("SERIES") == "SH_ACS_UNHC"
    report(uhc & (pl.col("UNIT_MEASURE") != "IX"), "SH_ACS_UNHC must be UNIT_MEASURE IX")
    report(uhc & (pl.col("UNIT_MULT") != "0"), "SH_ACS_UNHC must be UNIT_MULT 0")
    not_total = pl.any_horizontal([pl.col(c) != "_T" for c in ("SEX", *BREAKDOWNS_T)])
    report(uhc & not_total, "SH_ACS_UNHC has every breakdown _T")
    report(
        pl.col("SERIES").is_in(["SH_XPD_EARN10", "SH_XPD_EARN25"])
        & (pl.col("UNIT_MEASURE") != "PT"),
        "SH_XPD_EARN10/25 must be UNIT_MEASURE PT",
    )
    report(pl.col("OBS_VALUE") == "", "OBS_VALUE is required")
    year = pl.col(codelists.TIME_DIMENSION)
    report(~year.str.contains(r"^\d{4}$"), "TIME_PERIOD must be a year (YYYY)")
    if "TIME_DETAIL" in frame.columns:
        detail = pl.col("TIME_DETAIL")
        first = detail.str.extract(r"^(\d{4})(?:-\d{4})?$", 1)
        last = detail.str.extract(r"^\d{4}-(\d{4})$", 1).fill_null(first)
        report(
            first.is_null() | ~((first <= year) & (year <= last)),
            "TIME_DETAIL must be the year of TIME_PERIOD or a range YYYY-YYYY holding it",
        )
    if "NATURE" in frame.columns:
        report(pl.col("NATURE") == "", "NATURE is required")
    if "NATURE" in frame.columns and aggregate_areas is not None:
        is_aggregate = pl.col("REF_AREA").is_in(sorted(aggregate_areas))
        report(is_aggregate & (pl.col("NATURE") != "N"), "aggregates have NATURE N")
        report(~is_aggregate & (pl.col("NATURE") == "N"), "NATURE N is for aggregates only")
    return problems


def enforce_constraints(
    frame: pl.DataFrame, aggregate_areas: Collection[str] | None = None
) -> None:
    problems = constraint_violations(frame, aggregate_areas)
    if problems:
        raise ContentConstraintError("content constraints violated: " + "; ".join(problems))


def validate_codes(frame: pl.DataFrame, cl: CodeLists) -> None:
    coded = [c for c in frame.columns if cl.codelist_of(c)]
    cl.validate({c: frame[c].unique().to_list() for c in coded})


def check_unique_keys(frame: pl.DataFrame, cl: CodeLists) -> None:
    key = [*cl.key_order, codelists.TIME_DIMENSION]
    dup = frame.group_by(key).len().filter(pl.col("len") > 1)
    if dup.height:
        raise ContentConstraintError(f"{dup.height} duplicate SDMX key(s), e.g. {dup.row(0)}")


def to_text(frame: pl.DataFrame, version: str = DATAFLOW_VERSION) -> str:
    """The SDMX-CSV v1 text (RFC 4180, CRLF line ends, UTF-8 without BOM)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["DATAFLOW", *frame.columns])
    ref = dataflow_ref(version)
    for row in frame.iter_rows():
        w.writerow([ref, *row])
    return buf.getvalue()


def write(frame: pl.DataFrame, path: Path, version: str = DATAFLOW_VERSION) -> Path:
    path.write_bytes(to_text(frame, version).encode("utf-8"))
    return path


def as_sdmx_csv_v2(text: str) -> str:
    """The same data as SDMX-CSV 2.0 (``STRUCTURE,STRUCTURE_ID,ACTION`` instead of ``DATAFLOW``;
    ACTION ``I``, information, what an absent ACTION means), which is what ``sdmx1`` reads; used
    to parse our v1 files back with ``sdmx.read_sdmx``."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][0] != "DATAFLOW":
        raise ValueError("not SDMX-CSV 1.0: the first column must be DATAFLOW")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *rows[0][1:]])
    for r in rows[1:]:
        w.writerow(["dataflow", r[0], "I", *r[1:]])
    return buf.getvalue()


def read(path: Path, cl: CodeLists, version: str = DATAFLOW_VERSION):
    """Parse a written SDMX-CSV 1.0 file back with ``sdmx.read_sdmx`` (through
    ``as_sdmx_csv_v2``), structured by the DSD of ``sdmx_ml.dsd_for``."""
    import sdmx

    from pipelines.extracts import sdmx_ml

    flow = sdmx_ml.dataflow(sdmx_ml.dsd_for(cl), version)
    text = as_sdmx_csv_v2(path.read_text(encoding="utf-8"))
    return sdmx.read_sdmx(io.BytesIO(text.encode("utf-8")), format="csv", structure=flow)
