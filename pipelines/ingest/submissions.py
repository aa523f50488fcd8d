"""Land one SSI submission: read its sections, validate each, write landing + quarantine.

A submission is a workbook ``raw/ssi/<ISO3>_<YEAR>[_suffix].xlsx`` (one sheet per section) or a
folder ``raw/ssi/<ISO3>_<YEAR>[_suffix]/`` holding ``<section>.csv`` files (docs/raw_formats.md).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines import dropzone, landing, paths, reports
from pipelines.ingest.readers import (
    SAFE_NAME,
    UnreadableFile,
    check_name,
    column_letter,
    read_csv,
    read_workbook_layout,
)
from pipelines.validation import (
    TABLE_ID,
    RowCheck,
    Table,
    ValidationResult,
    problem,
    reject_all,
    validate_tables,
)
from schemas import codes, ssi

SOURCE = "ssi"
LOG = logging.getLogger(__name__)
SUBMISSION_ID = re.compile(r"^(?P<iso3>[A-Z]{3})_(?P<year>\d{4})(?:_(?P<suffix>[A-Za-z0-9-]+))?$")
FILE_TABLE = "ssi_file"  # quarantine table for files that cannot be read at all
EXTRA_TABLE = "ssi_extra_sheet"  # quarantine table for sheets outside the format
#: workbook sheets that are never read (the template's instructions for focal points)
IGNORED_SHEETS = {"instructions"}
#: sections holding amounts in national currency (they need the submission's currency)
MONEY_SECTIONS = {"benefit_amounts", "expenditure", "receipts"}


def table_name(section: str) -> str:
    return f"ssi_{section}"


LANDING_TABLES = [table_name(s) for s in ssi.SECTIONS]
#: every table a submission can have files in (landed rows or quarantine records)
ALL_TABLES = LANDING_TABLES + [FILE_TABLE, EXTRA_TABLE]


#: formats a focal point may send by mistake, and what to do instead
UNSUPPORTED_FORMATS = {
    ".xls": "an Excel 97-2003 workbook: open it in Excel and save it as .xlsx (Excel Workbook)",
    ".xlsm": "a workbook with macros: save it as .xlsx (Excel Workbook, no macros)",
    ".xlsb": "a binary Excel workbook: save it as .xlsx (Excel Workbook)",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx (Excel 2007-365)",
    ".numbers": "a Numbers spreadsheet: export it as .xlsx (Excel)",
    ".zip": "an archive: unpack it and send the .xlsx workbook or the folder of CSV files",
}
#: reasons of entries refused before they are read (a receipt ``refused``)
REFUSED_CHECKS = ("not_regular_file", "unsupported_format", "duplicate_submission")


@dataclass(frozen=True)
class SubmissionFile:
    submission_id: str
    path: Path
    #: why the entry is refused before any byte of it is read (not a regular file, a format
    #: that is not read); None for a candidate submission
    refusal: str | None = None
    refusal_check: str | None = None
    #: other entries with the same submission id (``ARG_2019/`` beside ``ARG_2019.xlsx``): all
    #: of them are refused, and what was landed earlier for the id stays
    clash: tuple[Path, ...] = ()

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.path, *self.clash)

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


def _safe_key(name: str) -> str:
    """A key (partition, receipt and report name) for any entry name: the name itself when it
    is safe, else a cleaned name with a short hash of the real one (never two alike)."""
    if SAFE_NAME.match(name) and ".." not in name:
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "entry"
    return f"{cleaned}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


def _classify(e: dropzone.Entry) -> SubmissionFile:
    """What an entry of raw/ssi is, decided from its name and ``lstat`` alone."""
    name = e.path.name
    if not e.regular:
        reason = dropzone.not_regular_reason(e)
        return SubmissionFile(_safe_key(name), e.path, reason, "not_regular_file")
    if e.kind == dropzone.FOLDER:
        return SubmissionFile(_safe_key(name), e.path)
    suffix = e.path.suffix.lower()
    if suffix in (".xlsx", ".csv"):
        stem = e.path.stem
        key = stem if stem and SAFE_NAME.match(stem) else _safe_key(name)
        return SubmissionFile(key, e.path)
    what = UNSUPPORTED_FORMATS.get(suffix)
    reason = (
        f"{name} is refused: it is {what}. A submission is an .xlsx workbook or a folder of "
        "<section>.csv files (docs/ssi_submission_format.md)."
        if what
        else f"{name} is refused: {suffix or 'a file without extension'} is not a submission "
        "format. Send an .xlsx workbook (save as .xlsx) or a folder of <section>.csv files "
        "(docs/ssi_submission_format.md)."
    )
    return SubmissionFile(_safe_key(name), e.path, reason, "unsupported_format")


def discover(root: Path | None = None) -> list[SubmissionFile]:
    """Every entry of ``raw/ssi`` (hidden files and READMEs ignored), classified by ``lstat``
    before any byte is read: candidate submissions, and entries refused with a reason (links,
    devices, FIFOs, sockets, unsupported formats). Entries sharing a submission id come back as
    one ``SubmissionFile`` with ``clash`` set. Keys are unique."""
    root = root or paths.raw_dir() / "ssi"
    by_key: dict[str, list[SubmissionFile]] = {}
    for e in dropzone.scan(root):
        sub = _classify(e)
        by_key.setdefault(sub.submission_id, []).append(sub)
    found = []
    for key, subs in sorted(by_key.items()):
        if len(subs) == 1:
            found.append(subs[0])
            continue
        names = " and ".join(
            f"{s.path.name}{'/' if dropzone.entry(s.path).kind == dropzone.FOLDER else ''}"
            for s in subs
        )
        reason = (
            f"{names} are the same submission {key}: both are refused. Remove or rename one of "
            f"them (a corrected file is {key}_r2.xlsx). What was landed earlier for {key}, if "
            "anything, is kept until then."
        )
        found.append(
            SubmissionFile(
                key,
                subs[0].path,
                reason,
                "duplicate_submission",
                tuple(s.path for s in subs[1:]),
            )
        )
    return found


def submission_sha(sub: SubmissionFile) -> str:
    """sha256 of a submission's bytes (of every entry, for a clash); never follows links."""
    if not sub.clash:
        return landing.sha256_of(sub.path)
    digest = hashlib.sha256(b"clash\0")
    for p in sub.paths:
        digest.update(f"{p.name}\0{landing.sha256_of(p)}\n".encode())
    return digest.hexdigest()


def find(submission_id: str, root: Path | None = None) -> SubmissionFile:
    for sub in discover(root):
        if sub.submission_id == submission_id:
            return sub
    raise FileNotFoundError(f"no submission {submission_id!r} under raw/ssi")


def _read_sections(sub: SubmissionFile) -> tuple[dict[str, SheetData], str]:
    """The sections of a submission (sheet or CSV file name -> data), and what a sheet is
    called in messages ("sheet" or "file")."""
    root = sub.path.parent
    check_name(sub.path, root)
    if sub.iso3 is None:
        raise UnreadableFile(
            f"{sub.path.name}: a submission must be named <ISO3>_<YEAR>[_suffix], "
            "for example KEN_2021.xlsx"
        )
    if dropzone.entry(sub.path).kind == dropzone.FOLDER:
        sheets: dict[str, SheetData] = {}
        for e in dropzone.scan(sub.path):
            f = e.path
            where = f"{sub.path.name}/"
            if not e.regular:
                # never opened; reported as a sheet of its own (an extra or a missing section)
                reason = dropzone.not_regular_reason(e, where)
                sheets[f.stem or f.name] = SheetData(None, {}, reason)
                continue
            csv = f.suffix.lower() == ".csv" and SAFE_NAME.match(f.name)
            if e.kind == dropzone.FOLDER or not csv:
                sheets[f.name] = SheetData(
                    None,
                    {},
                    f"{where}{f.name} is refused: a submission folder holds only <section>.csv "
                    "files (saved as 'CSV UTF-8'); it was not read",
                )
                continue
            try:
                sheets[f.stem] = SheetData(read_csv(f), {})
            except UnreadableFile as exc:
                sheets[f.stem] = SheetData(None, {}, f"{where}{f.name}: {exc.reason}")
        if not sheets:
            raise UnreadableFile(f"{sub.path.name} is an empty folder")
        return sheets, "file"
    if sub.path.suffix.lower() != ".xlsx":
        raise UnreadableFile(
            f"{sub.path.name}: a CSV submission is a folder of <section>.csv files; "
            "a single file must be an .xlsx workbook"
        )
    frames, formulas, origins = read_workbook_layout(sub.path)
    sheets = {}
    for name, frame in frames.items():
        if name.strip().lower() in IGNORED_SHEETS:
            continue
        row0, col0 = origins.get(name, (1, 0))
        last = max((r for r in formulas.get(name, {}) if r > row0), default=0)
        if last > row0 + frame.height and frame.width:
            # rows of formulas without a stored value are not read by calamine: count them
            # as received (and rejected for their formulas) rather than lose them
            pad = pl.DataFrame({c: [None] * (last - row0 - frame.height) for c in frame.columns})
            frame = pl.concat([frame, pad.cast(pl.String)])
        if (row0, col0) != (1, 0) and frame.width:
            sheets[name] = SheetData(
                frame,
                {},
                layout=f"sheet '{name}': the header row must be row 1 starting in column A, but "
                f"the first filled cell is {column_letter(col0)}{row0}; move the header to row 1 "
                "(delete the empty rows and columns above and left of it)",
                first_row=row0 + 1,
            )
            continue
        cells = {
            row: [(frame.columns[c] if c < frame.width else column_letter(c), f) for c, f in cols]
            for row, cols in formulas.get(name, {}).items()
            if row > 1  # a formula in the header row shows up as a wrong column name
        }
        sheets[name] = SheetData(frame, cells)
    return sheets, "sheet"


@dataclass(frozen=True)
class SheetData:
    frame: pl.DataFrame | None
    #: Excel row -> [(column name, formula)] for cells holding a formula
    formulas: dict[int, list[tuple[str, str]]]
    #: why the sheet (a CSV file of a folder submission) could not be read
    error: str | None = None
    #: why every row of the sheet is rejected (a layout the pipeline does not read)
    layout: str | None = None
    #: Excel row of the first data row
    first_row: int = 2


def _identity_problem(sub: SubmissionFile) -> str | None:
    """A reason to reject the whole submission: the file name names an unknown country or a
    reference year out of range."""
    if sub.iso3 not in codes.known_countries():
        return (
            f"{sub.path.name}: {sub.iso3} is not a known country code "
            "(ISO 3166-1 alpha-3 from raw/reference/countries.csv); no row was loaded"
        )
    if sub.year is None or not codes.MIN_YEAR <= sub.year <= ssi.THIS_YEAR:
        return (
            f"{sub.path.name}: reference year {sub.year} is outside "
            f"{codes.MIN_YEAR}–{ssi.THIS_YEAR}; no row was loaded"
        )
    return None


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


def _row_checks(
    section: str, schemes: list[set[str] | None], currency_ok: list[bool]
) -> list[RowCheck]:
    """Checks across sheets, for the submissions stacked in one validation (position ``i`` of
    the lists is table ``i``, column ``__table``): schemes must be listed in the submission's
    schemes sheet, money needs the submission's currency."""
    table = pl.col(TABLE_ID)
    checks = []
    if section not in ("submission", "schemes"):
        unknown = [i for i, listed in enumerate(schemes) if listed is None]
        known = [f"{i}\x1f{s}" for i, listed in enumerate(schemes) for s in listed or ()]
        scheme = pl.concat_str(table.cast(pl.String), pl.lit("\x1f"), pl.col("scheme_id"))
        if len(unknown) < len(schemes):
            checks.append(
                RowCheck(
                    "known_scheme",
                    "scheme_id",
                    table.is_in(unknown) | scheme.is_in(known),
                    "scheme_id {value} is not in the schemes sheet (or its row there was "
                    "rejected); list every scheme in the schemes sheet",
                )
            )
        if unknown:
            checks.append(
                RowCheck(
                    "known_scheme",
                    "scheme_id",
                    ~table.is_in(unknown),
                    "scheme_id {value} cannot be checked: the schemes sheet is missing or "
                    "could not be read, and every scheme must be listed there",
                )
            )
    if section in MONEY_SECTIONS and not all(currency_ok):
        checks.append(
            RowCheck(
                "currency",
                None,
                table.is_in([i for i, ok in enumerate(currency_ok) if ok]),
                "amounts need a currency: the submission sheet has no valid row with a "
                "currency code, so amounts in national currency cannot be loaded",
            )
        )
    return checks


def sheet_names(sub: SubmissionFile) -> dict[str, str]:
    """Landing table -> what a person calls it (sheet of the workbook or CSV of the folder)."""
    ext = ".csv" if dropzone.entry(sub.path).kind == dropzone.FOLDER else ""
    out = {table_name(s): f"{s}{ext}" for s in ssi.SECTIONS}
    out[FILE_TABLE] = "(whole file)"
    out[EXTRA_TABLE] = "(extra sheet)"
    return out


def overlap_section(submission_id: str) -> list[str]:
    """Report lines saying how the loaded schemes of a submission will be combined
    (``overlap_group``, methodology §2.5), or no line when no scheme was loaded."""
    path = paths.landing_dir() / table_name("schemes") / f"{submission_id}.parquet"
    return overlap_lines(pl.read_parquet(path) if path.exists() else None)


def overlap_lines(schemes: pl.DataFrame | None) -> list[str]:
    """``overlap_section`` of the landed schemes ``schemes`` (None: none landed)."""
    if schemes is None or schemes.is_empty() or "overlap_group" not in schemes.columns:
        return []
    lines = [
        "## How your schemes will be combined (overlap groups)",
        "",
        "Schemes with the same `overlap_group` may hold the same people: for each risk, sex and "
        "age group their persons are counted once, as the largest of their counts. Schemes in "
        "different groups, or with no group, are taken to cover different people: their counts "
        "are added up. If this is not what you mean, correct the `overlap_group` column of the "
        "schemes sheet.",
        "",
    ]
    grouped = schemes.filter(pl.col("overlap_group").is_not_null())
    if not grouped.is_empty():
        lines += ["| overlap group | schemes (counted once, largest count) | risks |"]
        lines += ["| --- | --- | --- |"]
        for group, rows in sorted(
            grouped.group_by("overlap_group", maintain_order=True),
            key=lambda g: str(g[0][0]),
        ):
            ids = rows["scheme_id"].to_list()
            note = " (the only scheme of this group: added up like a scheme without group)"
            risks = sorted({r for x in rows["risks"].to_list() for r in x.split(";")})
            lines.append(
                f"| {reports.cell(group[0])} | {reports.cell(', '.join(ids))}"
                f"{note if len(ids) == 1 else ''} | {reports.cell(', '.join(risks))} |"
            )
        lines.append("")
    alone = schemes.filter(pl.col("overlap_group").is_null())["scheme_id"].to_list()
    if alone:
        lines += [
            f"Schemes without an overlap group (added up): {reports.cell(', '.join(alone))}.",
            "",
        ]
    return lines


def write_report(
    sub: SubmissionFile,
    receipt: pl.DataFrame,
    landed: tuple[list[ValidationResult], landing.Provenance] | None = None,
) -> Path:
    """Write ``warehouse/reports/validation/<submission_id>.md`` from the landed quarantine
    and the landed schemes (how they will be combined). ``landed``: the results and provenance
    ``landing.write_results`` has just landed, whole (every other table of the submission was
    removed in the same swap): the report is made from them instead of reading the files back
    (about 7 % of a landing's time, py-spy on the sample)."""
    if landed is None:
        quarantine = reports.read_quarantine(sub.submission_id, ALL_TABLES)
        overlap = overlap_section(sub.submission_id)
    else:
        results, prov = landed
        # the files write_results wrote, in the order read_quarantine reads them
        files = landing.quarantine_files(results, prov)
        frames = [files[t] for t in ALL_TABLES if t in files]
        quarantine = (
            pl.concat(frames, how="vertical_relaxed")
            if frames
            else pl.DataFrame(schema=landing.quarantine_schema())
        )
        schemes = [r.accepted for r in results if r.table_name == table_name("schemes")]
        schemes = [f for f in schemes if f.width]  # write_results writes no file for these
        overlap = overlap_lines(schemes[-1] if schemes else None)
    return reports.write_reports(
        sub.submission_id,
        f"SSI submission {sub.submission_id}",
        f"raw/ssi/{sub.path.name}",
        receipt,
        quarantine,
        sheet_names(sub),
        overlap,
    )


def _shown_name(sub: SubmissionFile) -> str:
    return " + ".join(f"ssi/{p.name}" for p in sub.paths)


def _refuse(sub: SubmissionFile, sha: str) -> pl.DataFrame:
    """Receipt and report of an entry refused before it was read. For a clash of several
    entries, the rows landed earlier for the id (and their receipt lines) are kept."""
    assert sub.refusal is not None
    prov = landing.Provenance(sub.submission_id, _shown_name(sub), sha, landing.now_utc())
    res = problem(FILE_TABLE, sub.refusal_check or "refused", sub.refusal)
    kept = pl.DataFrame()
    if sub.clash:
        old = landing.receipt_path(SOURCE, sub.submission_id)
        if old.exists():
            kept = pl.read_parquet(old).filter(pl.col("table_name") != FILE_TABLE)
            kept = kept.filter(pl.col("file_error").is_null() & (pl.col("rows_loaded") > 0))
        if kept.is_empty():
            kept = pl.DataFrame()
    # a clash keeps what was landed earlier for the id; any other refusal replaces it
    stale = [] if sub.clash else LANDING_TABLES + [EXTRA_TABLE]
    receipt = landing.write_results(
        SOURCE, sub.submission_id, [res], prov, sub.refusal, keep=kept, stale=stale
    )
    write_report(sub, receipt)
    return receipt


#: one record per withdrawal: ``warehouse/landing/_withdrawals/ssi/<id>.<time>.parquet``
WITHDRAWAL_SCHEMA: dict[str, pl.DataType] = {
    "submission_id": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "rows_withdrawn": pl.Int64(),
    "withdrawn_at": pl.Datetime("us", "UTC"),
}


def withdrawal_dir() -> Path:
    return paths.landing_dir() / "_withdrawals" / SOURCE


def landed_ids() -> set[str]:
    """Submissions that have a landing (a receipt), whether or not they are still in raw/ssi."""
    folder = landing.receipt_path(SOURCE, "x").parent
    return {p.stem for p in folder.glob("*.parquet")} if folder.is_dir() else set()


def withdraw(submission_id: str) -> pl.DataFrame | None:
    """A submission removed from raw/ssi after it was landed is withdrawn: its rows, quarantine
    records and receipt leave the landing in one swap (so they leave the warehouse at the next
    build), a withdrawal record is kept (``withdrawal_dir()``; the next release lists it in
    ``marts.release_withdrawals``) and its report says so. Returns the record, or None when
    nothing was landed for it."""
    old = landing.receipt_path(SOURCE, submission_id)
    if not old.exists():
        return None
    receipt = pl.read_parquet(old)
    record = pl.DataFrame(
        {
            "submission_id": [submission_id],
            "source_file": [receipt["source_file"][0] if receipt.height else None],
            "source_sha256": [receipt["source_sha256"][0] if receipt.height else None],
            "rows_withdrawn": [int(receipt["rows_loaded"].sum())],
            "withdrawn_at": [landing.now_utc()],
        },
        schema=WITHDRAWAL_SCHEMA,
    )
    stamp = record["withdrawn_at"][0].strftime("%Y%m%dT%H%M%S")
    target = withdrawal_dir() / f"{submission_id}.{stamp}.parquet"
    removes = [
        base / table / f"{submission_id}.parquet"
        for table in ALL_TABLES
        for base in (paths.landing_dir(), paths.quarantine_dir())
    ]
    landing.swap([(target, lambda t: record.write_parquet(t))], [*removes, old])
    shown = reports.cell(record["source_file"][0] or submission_id)
    reports.xlsx_path(submission_id).unlink(missing_ok=True)  # its problems are history now
    reports.write_report(
        submission_id,
        f"# SSI submission {submission_id}: withdrawn\n\n"
        f"`raw/{shown}` was removed from the drop zone on "
        f"{record['withdrawn_at'][0]:%Y-%m-%d %H:%M} UTC. Its "
        f"{record['rows_withdrawn'][0]} landed row(s) were withdrawn: they leave the warehouse "
        "in the next release, which records the withdrawal (`marts.release_withdrawals`). "
        "Values published in earlier releases stay in `marts.indicator_vintages`.\n",
    )
    return record


def _counts_problem(results: list[ValidationResult]) -> str | None:
    """A sentence when a table's rows do not add up (received != loaded + quarantined)."""
    for r in results:
        if r.received != r.accepted.height + r.rows_quarantined:
            return (
                f"{r.table_name}: {r.received} rows received but {r.accepted.height} loaded and "
                f"{r.rows_quarantined} quarantined"
            )
    return None


def land_submission(sub: SubmissionFile, force: bool = False) -> tuple[pl.DataFrame, bool]:
    """Validate and land one submission. Returns (receipt, changed).

    Also writes the validation report (``reports.report_path(sub.submission_id)``). An entry
    refused before reading (``sub.refusal``) gets a receipt and a report saying why.
    """
    (out,) = land_submissions([sub], force)
    return out


@dataclass(frozen=True)
class _Read:
    """A submission read and waiting for its validation."""

    sub: SubmissionFile
    prov: landing.Provenance
    sheets: dict[str, SheetData]
    kind: str


def land_submissions(
    subs: list[SubmissionFile], force: bool = False
) -> list[tuple[pl.DataFrame, bool]]:
    """``land_submission`` of each of ``subs``, their sections validated together (one pandera
    call per section for all of them: a call costs milliseconds whatever its size). Each
    submission still lands, or is refused, on its own, in its own swap."""
    out: list[tuple[pl.DataFrame, bool] | None] = [None] * len(subs)
    read: dict[int, _Read] = {}
    for i, sub in enumerate(subs):
        sha = submission_sha(sub)
        if not force and landing.landed_sha(SOURCE, sub.submission_id) == sha:
            receipt = pl.read_parquet(landing.receipt_path(SOURCE, sub.submission_id))
            if not reports.report_path(sub.submission_id).exists():
                write_report(sub, receipt)
            out[i] = (receipt, False)
            continue
        if sub.refusal is not None:
            out[i] = (_refuse(sub, sha), True)
            continue
        prov = landing.Provenance(sub.submission_id, f"ssi/{sub.path.name}", sha, landing.now_utc())
        try:
            sheets, kind = _read_sections(sub)
        except UnreadableFile as exc:
            out[i] = (_refuse_whole(sub, prov, "unreadable_file", exc.reason), True)
            continue
        read[i] = _Read(sub, prov, sheets, kind)
    items = list(read.values())
    try:
        validated = _validate_sections(items)
    except Exception:  # noqa: BLE001 - one submission's fault must not stop the others
        # a failure that cannot be told apart per submission (StackedCheckFailed) or an error:
        # each submission on its own, so that only the one at fault is refused
        validated = [_validate_alone(item) for item in items]
    for i, item, results in zip(read, items, validated, strict=True):
        out[i] = (_write(item, results), True)
    return out  # type: ignore[return-value]


def _validate_alone(item: _Read) -> list[ValidationResult] | str:
    """The results of one submission validated on its own, or, when its validation fails with
    an error, why the submission is refused (the error is in the run's log)."""
    try:
        return _validate_sections([item])[0]
    except Exception as exc:  # noqa: BLE001
        LOG.exception("validating %s failed", item.sub.submission_id)
        return (
            f"{item.sub.path.name} is refused: it could not be validated "
            f"({type(exc).__name__}); nothing of it was loaded. Please tell the data team."
        )


def _refuse_whole(
    sub: SubmissionFile, prov: landing.Provenance, check: str, reason: str
) -> pl.DataFrame:
    """Receipt and report of a submission none of whose rows is landed, saying why; what was
    landed for it before leaves in the same swap."""
    res = problem(FILE_TABLE, check, reason)
    receipt = landing.write_results(
        SOURCE, sub.submission_id, [res], prov, reason, stale=ALL_TABLES
    )
    write_report(sub, receipt)
    return receipt


def _write(item: _Read, results: list[ValidationResult] | str) -> pl.DataFrame:
    """Land a validated submission, or refuse it when its validation failed (``results`` is
    then the reason) or its rows do not add up; its report."""
    sub = item.sub
    if isinstance(results, str):
        return _refuse_whole(sub, item.prov, "validation_error", results)
    mismatch = _counts_problem(results)
    if mismatch:
        reason = (
            f"{sub.path.name} is refused: its rows could not be counted reliably ({mismatch}); "
            "check that every sheet has its header in row 1 and holds plain values, no formulas"
        )
        return _refuse_whole(sub, item.prov, "row_count", reason)
    # every table of the old landing goes in the same swap, unless written again
    receipt = landing.write_results(SOURCE, sub.submission_id, results, item.prov, stale=ALL_TABLES)
    write_report(sub, receipt, (results, item.prov))
    return receipt


def _validate_sections(items: list[_Read]) -> list[list[ValidationResult]]:
    """The results of every section of each submission, sections in the order of the format
    (a submission's schemes and currency decide checks of the sections after them)."""
    results: list[list[ValidationResult]] = [[] for _ in items]
    identity = [_identity_problem(item.sub) for item in items]
    schemes: list[set[str] | None] = [None] * len(items)
    currency_ok = [False] * len(items)
    for section, model in ssi.SECTIONS.items():
        name = table_name(section)
        stacked: list[int] = []  # submissions whose sheet is validated, in stacking order
        for n, item in enumerate(items):
            sheet = item.sheets.get(section)
            if sheet is None:
                reason = f"{item.kind} '{section}' is missing from {item.sub.path.name}"
                results[n].append(problem(name, "missing_sheet", reason))
            elif sheet.error is not None or sheet.frame is None:
                results[n].append(problem(name, "unreadable_file", sheet.error or "unreadable"))
            elif identity[n]:
                results[n].append(reject_all(sheet.frame, name, "submission_identity", identity[n]))
            elif sheet.layout:
                results[n].append(
                    reject_all(sheet.frame, name, "layout", sheet.layout, sheet.first_row)
                )
                if section == "schemes":
                    schemes[n] = set()
            else:
                stacked.append(n)
                results[n].append(None)  # type: ignore[arg-type]  # filled below
        if not stacked:
            continue
        tables = [
            Table(items[n].sheets[section].frame, formula_cells=items[n].sheets[section].formulas)
            for n in stacked
        ]
        checks = _row_checks(
            section, [schemes[n] for n in stacked], [currency_ok[n] for n in stacked]
        )
        for n, res in zip(stacked, validate_tables(tables, model, name, checks), strict=True):
            sub = items[n].sub
            res = _cross_checks(sub, res)
            if section == "submission":
                currency_ok[n] = res.accepted.height == 1
            elif section == "schemes":
                schemes[n] = (
                    set(res.accepted["scheme_id"].to_list()) if res.accepted.width else set()
                )
            if res.accepted.width and section != "submission":
                res = ValidationResult(
                    name,
                    res.received,
                    res.accepted.with_columns(
                        pl.lit(sub.iso3).alias("iso3"),
                        pl.lit(sub.year, pl.Int32).alias("reference_year"),
                    ),
                    res.quarantined,
                )
            results[n][-1] = res
    for n, item in enumerate(items):
        results[n] += _extra_sheets(item)
    return results


def _extra_sheets(item: _Read) -> list[ValidationResult]:
    """Sheets outside the format: every row quarantined, as one result."""
    extras = []
    for extra in sorted(set(item.sheets) - set(ssi.SECTIONS)):
        sheet = item.sheets[extra]
        if sheet.frame is None:
            q = problem(EXTRA_TABLE, "unreadable_file", sheet.error or "unreadable").quarantined
        else:
            q = reject_all(
                sheet.frame,
                EXTRA_TABLE,
                "unexpected_sheet",
                f"{item.kind} '{extra}' is not part of the SSI format (expected "
                f"{', '.join(ssi.SECTIONS)}); its rows were not loaded",
            ).quarantined
        extras.append(q)
    if not extras:
        return []
    # one record per rejected row; row numbers restart per sheet, so count records
    q = pl.concat(extras)
    n = int(q["row_number"].is_not_null().sum())
    return [ValidationResult(EXTRA_TABLE, n, pl.DataFrame(), q, rejected_rows=n)]
