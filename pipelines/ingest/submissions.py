"""Land one SSI submission: read its sections, validate each, write landing + quarantine.

A submission is a workbook ``raw/ssi/<ISO3>_<YEAR>[_suffix].xlsx`` (one sheet per section) or a
folder ``raw/ssi/<ISO3>_<YEAR>[_suffix]/`` holding ``<section>.csv`` files (docs/raw_formats.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines import landing, paths
from pipelines.ingest.readers import UnreadableFile, check_name, read_csv, read_workbook
from pipelines.validation import ValidationResult, problem, reject_all, validate_table
from schemas import ssi

SOURCE = "ssi"
SUBMISSION_ID = re.compile(r"^(?P<iso3>[A-Z]{3})_(?P<year>\d{4})(?:_(?P<suffix>[A-Za-z0-9-]+))?$")
FILE_TABLE = "ssi_file"  # quarantine table for files that cannot be read at all
EXTRA_TABLE = "ssi_extra_sheet"  # quarantine table for sheets outside the format


def table_name(section: str) -> str:
    return f"ssi_{section}"


LANDING_TABLES = [table_name(s) for s in ssi.SECTIONS]


@dataclass(frozen=True)
class SubmissionFile:
    submission_id: str
    path: Path

    @property
    def iso3(self) -> str | None:
        m = SUBMISSION_ID.match(self.submission_id)
        return m["iso3"] if m else None

    @property
    def year(self) -> int | None:
        m = SUBMISSION_ID.match(self.submission_id)
        return int(m["year"]) if m else None


def submission_id_for(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def discover(root: Path | None = None) -> list[SubmissionFile]:
    """Every candidate submission under ``raw/ssi`` (hidden files and README ignored)."""
    root = root or paths.raw_dir() / "ssi"
    if not root.exists():
        return []
    found = []
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") or p.name.lower().startswith("readme"):
            continue
        if p.is_dir() or p.suffix.lower() in (".xlsx", ".csv"):
            found.append(SubmissionFile(submission_id_for(p), p))
    return found


def find(submission_id: str, root: Path | None = None) -> SubmissionFile:
    for sub in discover(root):
        if sub.submission_id == submission_id:
            return sub
    raise FileNotFoundError(f"no submission {submission_id!r} under raw/ssi")


def _read_sections(sub: SubmissionFile) -> dict[str, pl.DataFrame]:
    root = sub.path.parent
    check_name(sub.path, root)
    if sub.iso3 is None:
        raise UnreadableFile(
            f"{sub.path.name}: a submission must be named <ISO3>_<YEAR>[_suffix], "
            "for example KEN_2021.xlsx"
        )
    if sub.path.is_dir():
        sheets = {}
        for f in sorted(sub.path.iterdir()):
            check_name(f, sub.path)
            if f.suffix.lower() != ".csv" or f.is_dir():
                raise UnreadableFile(f"{sub.path.name}/{f.name}: only <section>.csv files allowed")
            sheets[f.stem] = read_csv(f)
        if not sheets:
            raise UnreadableFile(f"{sub.path.name} is an empty folder")
        return sheets
    if sub.path.suffix.lower() != ".xlsx":
        raise UnreadableFile(
            f"{sub.path.name}: a CSV submission is a folder of <section>.csv files; "
            "a single file must be an .xlsx workbook"
        )
    return read_workbook(sub.path)


def _cross_checks(sub: SubmissionFile, result: ValidationResult) -> ValidationResult:
    """The submission sheet must name the country and year of the file."""
    df = result.accepted
    if result.table_name != table_name("submission") or df.is_empty():
        return result
    problems = []
    if df.height != 1:
        problems.append(f"the submission sheet must have exactly one row, found {df.height}")
    elif df["iso3"][0] != sub.iso3 or df["reference_year"][0] != sub.year:
        problems.append(
            f"the submission sheet says {df['iso3'][0]} {df['reference_year'][0]} "
            f"but the file is named for {sub.iso3} {sub.year}"
        )
    if not problems:
        return result
    raw = df.cast(pl.String)
    rejected = reject_all(raw, result.table_name, "submission_identity", problems[0])
    return ValidationResult(
        result.table_name, result.received, pl.DataFrame(), rejected.quarantined
    )


def land_submission(sub: SubmissionFile, force: bool = False) -> tuple[pl.DataFrame, bool]:
    """Validate and land one submission. Returns (receipt, changed)."""
    sha = landing.sha256_of(sub.path)
    if not force and landing.landed_sha(SOURCE, sub.submission_id) == sha:
        return pl.read_parquet(landing.receipt_path(SOURCE, sub.submission_id)), False
    prov = landing.Provenance(sub.submission_id, f"ssi/{sub.path.name}", sha, landing.now_utc())
    landing.remove_stale(SOURCE, sub.submission_id, LANDING_TABLES + [FILE_TABLE, EXTRA_TABLE])
    try:
        sheets = _read_sections(sub)
    except UnreadableFile as exc:
        res = problem(FILE_TABLE, "unreadable_file", exc.reason)
        return landing.write_results(SOURCE, sub.submission_id, [res], prov, exc.reason), True

    results = []
    for section, model in ssi.SECTIONS.items():
        name = table_name(section)
        if section not in sheets:
            reason = f"sheet '{section}' is missing from {sub.path.name}"
            results.append(problem(name, "missing_sheet", reason))
            continue
        res = validate_table(sheets[section], model, name)
        res = _cross_checks(sub, res)
        if res.accepted.width:
            res = ValidationResult(
                name,
                res.received,
                res.accepted.with_columns(
                    pl.lit(sub.iso3).alias("iso3"),
                    pl.lit(sub.year, pl.Int32).alias("reference_year"),
                )
                if section != "submission"
                else res.accepted,
                res.quarantined,
            )
        results.append(res)
    extras = [
        reject_all(
            sheets[extra],
            EXTRA_TABLE,
            "unexpected_sheet",
            f"sheet '{extra}' is not part of the SSI format; its rows were not loaded",
        ).quarantined
        for extra in sorted(set(sheets) - set(ssi.SECTIONS))
    ]
    if extras:
        # one record per rejected row; row numbers restart per sheet, so count records
        q = pl.concat(extras)
        res = ValidationResult(EXTRA_TABLE, q.height, pl.DataFrame(), q, rejected_rows=q.height)
        results.append(res)
    return landing.write_results(SOURCE, sub.submission_id, results, prov), True
