"""Generate the hostile-file corpus: ``python tests/hostile/make_corpus.py``.

Every case is a small file (or folder) that a real focal point or statistics office might send,
with the error the pipeline must report. The files are committed next to this script; the
expectations are written to ``expected.json``:

    case -> {path, kind (ssi|national), check (quarantine check_name, or null when the file must
             load cleanly), text (a phrase the reason must contain), file_level (the file cannot
             be read at all: one quarantine record naming the file)}

The corpus uses ``reference/countries.csv`` (a few countries) as its country code list and
expects the size limit ``FLOORBOARD_MAX_FILE_MB=0.05`` (the oversized file is 64 KiB; the others
are below 20 KiB). Regenerating gives identical bytes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from openpyxl import Workbook  # noqa: E402

from pipelines.ingest.template import save_deterministic  # noqa: E402
from pipelines.validation import model_dtypes  # noqa: E402
from schemas import ssi  # noqa: E402

MAX_FILE_MB = 0.05
COUNTRIES = [
    "iso3,iso2,m49,name,ilo_region,ilo_subregion,sdg_region_code,sdg_region,income_group,"
    "is_flagship_focus",
    "KEN,KE,404,Kenya,Africa,Sub-Saharan Africa,202,Sub-Saharan Africa,LMC,true",
    "UGA,UG,800,Uganda,Africa,Sub-Saharan Africa,202,Sub-Saharan Africa,LIC,true",
    "GHA,GH,288,Ghana,Africa,Sub-Saharan Africa,202,Sub-Saharan Africa,LMC,true",
]


def good_sections() -> dict[str, list[list]]:
    """A small, valid submission for Kenya, 2021."""
    return {
        "submission": [["KEN", 2021, "2022", "2022-03-15", "Ministry of Labour, SP unit", "KES"]],
        "schemes": [
            [
                "KEN-NSSF",
                "National Social Security Fund",
                "NSSF",
                "contributory",
                "mandatory",
                "old_age;disability;survivors",
                "employees",
                "NSSF Act 2013",
                2013,
            ],
            [
                "KEN-OPCT",
                "Inua Jamii Older Persons Cash Transfer",
                "State Department for Social Protection",
                "universal",
                "mandatory",
                "old_age",
                "persons aged 70+",
                None,
                2018,
            ],
        ],
        "legal_coverage": [
            ["KEN-NSSF", "old_age", "F", 1000000],
            ["KEN-NSSF", "old_age", "M", 1200000],
            ["KEN-NSSF", "old_age", "_T", 2200000],
        ],
        "contributors": [
            ["KEN-NSSF", "F", "_T", 400000, 300000],
            ["KEN-NSSF", "M", "_T", 500000, 350000],
            ["KEN-NSSF", "_T", "_T", 900000, 650000],
        ],
        "beneficiaries": [
            ["KEN-NSSF", "old_age", "cash_periodic", "F", "_T", 30000],
            ["KEN-NSSF", "old_age", "cash_periodic", "M", "_T", 40000],
            ["KEN-NSSF", "old_age", "cash_periodic", "_T", "_T", 70000],
            ["KEN-NSSF", "old_age", "cash_periodic", "F", "Y60T64", 12000],
            ["KEN-NSSF", "old_age", "cash_periodic", "F", "Y65T69", 18000],
            ["KEN-OPCT", "old_age", "cash_periodic", "F", "_T", 400000],
            ["KEN-OPCT", "old_age", "cash_periodic", "M", "_T", 350000],
            ["KEN-OPCT", "old_age", "cash_periodic", "_T", "_T", 750000],
        ],
        "benefit_amounts": [
            ["KEN-NSSF", "old_age", "_T", 5000.5],
            ["KEN-OPCT", "old_age", "_T", 2000],
        ],
        "expenditure": [
            ["KEN-NSSF", "old_age", "benefits_cash", 4200000000],
            ["KEN-NSSF", "old_age", "administration", 300000000],
            ["KEN-OPCT", "old_age", "benefits_cash", 18000000000],
        ],
        "receipts": [
            ["KEN-NSSF", "employer_contributions", 5000000000],
            ["KEN-OPCT", "general_government", 18500000000],
        ],
    }


def header(section: str) -> list[str]:
    return list(model_dtypes(ssi.SECTIONS[section]))


def workbook_bytes(sheets: dict[str, list[list]], headers: dict[str, list[str]] | None = None):
    headers = headers or {}
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(headers.get(name) or (header(name) if name in ssi.SECTIONS else ["note"]))
        for row in rows:
            ws.append(row)
    tmp = HERE / ".tmp.xlsx"
    save_deterministic(wb, tmp)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def csv_bytes(head: list[str], rows: list[list], encoding: str = "utf-8", bom: bool = False):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def csv_folder(sections: dict[str, list[list]], **kw) -> dict[str, bytes]:
    return {f"{s}.csv": csv_bytes(header(s), rows, **kw) for s, rows in sections.items()}


def edit(section: str, fn) -> dict[str, list[list]]:
    """The good submission with ``fn`` applied to a copy of one section's rows."""
    sections = good_sections()
    sections[section] = fn([list(r) for r in sections[section]])
    return sections


def _set(rows, i, j, value):
    rows[i][j] = value
    return rows


CASES: list[dict] = []


def case(name, path, data, check, text, kind="ssi", file_level=False):
    """Register a case; ``data`` is bytes (a file) or {name: bytes} (a folder)."""
    CASES.append(
        {
            "case": name,
            "path": path,
            "data": data,
            "kind": kind,
            "check": check,
            "text": text,
            "file_level": file_level,
        }
    )


def build_cases() -> None:
    good = good_sections()
    good_xlsx = workbook_bytes(good)
    case("good_workbook", "ssi/KEN_2021.xlsx", good_xlsx, None, "")
    case(
        "good_csv_folder",
        "ssi/UGA_2021",
        csv_folder(edit("submission", lambda r: _set(_set(r, 0, 0, "UGA"), 0, 5, "UGX"))),
        None,
        "",
    )
    # files that cannot be read at all
    case(
        "truncated_xlsx",
        "ssi/KEN_2021_truncated.xlsx",
        good_xlsx[: len(good_xlsx) // 2],
        "unreadable_file",
        "damaged",
        file_level=True,
    )
    case(
        "corrupt_xlsx",
        "ssi/KEN_2021_corrupt.xlsx",
        b"PK\x03\x04" + bytes(range(256)) * 8,
        "unreadable_file",
        "damaged",
        file_level=True,
    )
    case(
        "csv_renamed_xlsx",
        "ssi/KEN_2021_renamed.xlsx",
        csv_bytes(header("beneficiaries"), good["beneficiaries"]),
        "unreadable_file",
        "CSV text renamed to .xlsx",
        file_level=True,
    )
    case(
        "empty_file", "ssi/KEN_2021_empty.xlsx", b"", "unreadable_file", "is empty", file_level=True
    )
    case(
        "oversized_file",
        "ssi/KEN_2021_big.xlsx",
        b"PK\x03\x04" + b"\x00floorboard" * 6000,
        "unreadable_file",
        "over the limit",
        file_level=True,
    )
    case(
        "dotdot_name",
        "ssi/KEN_2021..xlsx",
        good_xlsx,
        "unreadable_file",
        "is not allowed",
        file_level=True,
    )
    case(
        "single_csv_submission",
        "ssi/KEN_2021_flat.csv",
        csv_bytes(header("beneficiaries"), good["beneficiaries"]),
        "unreadable_file",
        "a CSV submission is a folder",
        file_level=True,
    )
    zbuf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good_xlsx)) as src,
        zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), src.read(info.filename)
            )
        dst.writestr(zipfile.ZipInfo("../../evil.sh", (1980, 1, 1, 0, 0, 0)), b"rm -rf /\n")
    case(
        "zip_slip_member",
        "ssi/KEN_2021_zipslip.xlsx",
        zbuf.getvalue(),
        "unreadable_file",
        "points outside the workbook",
        file_level=True,
    )
    case(
        "latin1_csv",
        "ssi/KEN_2021_latin1",
        {
            **csv_folder(good),
            "schemes.csv": csv_bytes(
                header("schemes"),
                [
                    [
                        "KEN-NSSF",
                        "Caisse nationale de sécurité sociale",
                        "CNSS",
                        "contributory",
                        "mandatory",
                        "old_age",
                        None,
                        None,
                        2013,
                    ]
                ],
                encoding="latin-1",
            ),
        },
        "unreadable_file",
        "not UTF-8",
    )
    case(
        "nul_bytes_csv",
        "ssi/KEN_2021_nul",
        {**csv_folder(good), "receipts.csv": b"scheme_id,source,amount_lcu\nA\x00B,other,1\n"},
        "unreadable_file",
        "NUL bytes",
    )
    case(
        "ragged_csv",
        "ssi/KEN_2021_ragged",
        {
            **csv_folder(good),
            "receipts.csv": b"scheme_id,source,amount_lcu\nKEN-NSSF,other,1,2,3\n",
        },
        "unreadable_file",
        "not a readable CSV",
    )
    # sheets and columns
    case(
        "missing_sheet",
        "ssi/KEN_2021_nobenef.xlsx",
        workbook_bytes({k: v for k, v in good.items() if k != "beneficiaries"}),
        "missing_sheet",
        "sheet 'beneficiaries' is missing",
    )
    case(
        "extra_sheet",
        "ssi/KEN_2021_extra.xlsx",
        workbook_bytes({**good, "notes": [["please call me"]]}),
        "unexpected_sheet",
        "'notes' is not part of the SSI format",
    )
    case(
        "wrong_sheets",
        "ssi/KEN_2021_sheet1.xlsx",
        workbook_bytes({"Sheet1": [["x"]]}),
        "missing_sheet",
        "sheet 'submission' is missing",
    )
    renamed = header("beneficiaries")
    renamed[-1] = "number_of_beneficiaries"
    case(
        "renamed_column",
        "ssi/KEN_2021_renamedcol.xlsx",
        workbook_bytes(good, {"beneficiaries": renamed}),
        "columns",
        "missing columns ['beneficiaries']",
    )
    reordered = header("legal_coverage")
    reordered[1], reordered[2] = reordered[2], reordered[1]
    case(
        "reordered_columns",
        "ssi/KEN_2021_reordered.xlsx",
        workbook_bytes(good, {"legal_coverage": reordered}),
        "columns",
        "out of order",
    )
    # cell values
    case(
        "text_in_numeric",
        "ssi/KEN_2021_text.xlsx",
        workbook_bytes(edit("beneficiaries", lambda r: _set(r, 0, 5, "about 30 000"))),
        "dtype",
        "must be a whole number",
    )
    case(
        "negative_count",
        "ssi/KEN_2021_negative.xlsx",
        workbook_bytes(edit("legal_coverage", lambda r: _set(r, 0, 3, -5))),
        "greater_than_or_equal_to(0)",
        "must be at least 0",
    )
    case(
        "negative_money",
        "ssi/KEN_2021_negmoney",
        csv_folder(edit("expenditure", lambda r: _set(r, 1, 3, -300000000))),
        "greater_than_or_equal_to(0)",
        "amount_lcu = -300000000",
    )
    case(
        "duplicate_rows",
        "ssi/KEN_2021_dup.xlsx",
        workbook_bytes(edit("receipts", lambda r: r + [r[0]])),
        "multiple_fields_uniqueness",
        "duplicates another row's key",
    )
    case(
        "unknown_country_file",
        "ssi/XKZ_2021.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 0, "XKZ"))),
        "submission_identity",
        "XKZ is not a known country code",
    )
    case(
        "unknown_country_sheet",
        "ssi/KEN_2021_iso.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 0, "KNY"))),
        "known_country",
        "KNY: is not a known country code",
    )
    case(
        "identity_mismatch",
        "ssi/KEN_2021_uga.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 0, "UGA"))),
        "submission_identity",
        "says UGA 2021 but the file is named for KEN 2021",
    )
    case(
        "unknown_risk",
        "ssi/KEN_2021_risk.xlsx",
        workbook_bytes(edit("beneficiaries", lambda r: _set(r, 5, 1, "pension"))),
        "isin",
        "risk = pension: is not an allowed code",
    )
    case(
        "unknown_scheme",
        "ssi/KEN_2021_scheme",
        csv_folder(edit("benefit_amounts", lambda r: _set(r, 1, 0, "KEN-XXX"))),
        "known_scheme",
        "KEN-XXX is not in the schemes sheet",
    )
    case(
        "female_male_exceed_total",
        "ssi/KEN_2021_sex.xlsx",
        workbook_bytes(edit("beneficiaries", lambda r: _set(r, 2, 5, 50000))),
        ssi.SEX_IDENTITY,
        "female + male add up to 70000 but the total (_T) is 50000",
    )
    case(
        "ages_do_not_sum",
        "ssi/KEN_2021_age.xlsx",
        workbook_bytes(edit("beneficiaries", lambda r: _set(r, 4, 5, 10000))),
        ssi.AGE_IDENTITY,
        "the 5-year age groups add up to 22000",
    )
    case(
        "future_year_file",
        "ssi/KEN_2031.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 1, 2031))),
        "submission_identity",
        "reference year 2031 is outside",
    )
    case(
        "future_year_sheet",
        "ssi/KEN_2021_future",
        csv_folder(edit("submission", lambda r: _set(r, 0, 1, 2031))),
        "less_than_or_equal_to",
        "reference_year = 2031: must be at most",
    )
    case(
        "bad_date",
        "ssi/KEN_2021_date.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 3, "15/03/2022"))),
        "dtype",
        "must be a date (YYYY-MM-DD)",
    )
    case(
        "missing_currency",
        "ssi/KEN_2021_nocur.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 5, None))),
        "currency",
        "amounts need a currency",
    )
    case(
        "unknown_currency",
        "ssi/KEN_2021_cur.xlsx",
        workbook_bytes(edit("submission", lambda r: _set(r, 0, 5, "KSH"))),
        "known_currency",
        "currency = KSH: is not an ISO 4217 currency code",
    )
    case(
        "formula_xlsx",
        "ssi/KEN_2021_formula.xlsx",
        workbook_bytes(
            edit("schemes", lambda r: _set(r, 0, 1, '=HYPERLINK("http://evil.example/x","NSSF")'))
        ),
        "no_formula",
        'holds the formula =HYPERLINK("http://evil.example/x","NSSF")',
    )
    case(
        "formula_number_xlsx",
        "ssi/KEN_2021_sum.xlsx",
        workbook_bytes(edit("beneficiaries", lambda r: _set(r, 2, 5, "=F2+F3"))),
        "no_formula",
        "holds the formula =F2+F3",
    )
    case(
        "formula_text_csv",
        "ssi/KEN_2021_formulacsv",
        csv_folder(
            edit(
                "schemes",
                lambda r: _set(
                    _set(r, 0, 1, '=HYPERLINK("http://evil.example","x")'), 1, 2, "@SUM(1+1)"
                ),
            )
        ),
        "no_formula",
        "starts like a spreadsheet formula",
    )
    case(
        "tab_prefixed_csv",
        "ssi/KEN_2021_tab",
        csv_folder(edit("schemes", lambda r: _set(r, 1, 6, "\t-2+3+cmd|' /C calc'!A0"))),
        "no_formula",
        "starts like a spreadsheet formula",
    )
    case(
        "bom_csv_accepted",
        "ssi/GHA_2021_bom",
        csv_folder(edit("submission", lambda r: _set(_set(r, 0, 0, "GHA"), 0, 5, "GHS")), bom=True),
        None,
        "",
    )
    # national statistics (raw/national/population.csv)
    pop_head = ["iso3", "year", "sex", "age_group", "population"]
    pop = [["KEN", 2021, "F", "Y0T4", 3500000], ["KEN", 2021, "M", "Y0T4", 3550000]]
    case(
        "national_bom_accepted",
        "national/bom/population.csv",
        csv_bytes(pop_head, pop, bom=True),
        None,
        "",
        kind="national",
    )
    case(
        "national_latin1",
        "national/latin1/population.csv",
        "iso3,year,sex,age_group,population\nKEN,2021,F,Y0T4,3500000\n# Côte\n".encode("latin-1"),
        "unreadable_file",
        "not UTF-8",
        kind="national",
        file_level=True,
    )
    case(
        "national_unknown_country",
        "national/unknown_country/population.csv",
        csv_bytes(pop_head, pop + [["XKZ", 2021, "F", "Y0T4", 10]]),
        "known_country",
        "XKZ: is not a known country code",
        kind="national",
    )
    case(
        "national_future_year",
        "national/future_year/population.csv",
        csv_bytes(pop_head, pop + [["KEN", 2031, "F", "Y0T4", 10]]),
        "less_than_or_equal_to",
        "year = 2031: must be at most",
        kind="national",
    )
    case(
        "national_empty",
        "national/empty/population.csv",
        b"",
        "unreadable_file",
        "is empty",
        kind="national",
        file_level=True,
    )


def main() -> None:
    build_cases()
    for sub in ("ssi", "national"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    expected = {}
    for c in CASES:
        target = HERE / c["path"]
        if isinstance(c["data"], dict):
            target.mkdir(parents=True, exist_ok=True)
            for name, data in c["data"].items():
                (target / name).write_bytes(data)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(c["data"])
        expected[c["case"]] = {k: c[k] for k in ("path", "kind", "check", "text", "file_level")}
    ref = HERE / "reference"
    ref.mkdir(exist_ok=True)
    (ref / "countries.csv").write_text("\n".join(COUNTRIES) + "\n", encoding="utf-8")
    (HERE / "expected.json").write_text(
        json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
