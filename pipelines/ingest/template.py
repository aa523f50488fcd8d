"""The blank SSI submission workbook: ``raw/templates/ssi_submission_template.xlsx``.

``python -m pipelines.ingest.template [--out DIR]`` writes it. The workbook has an
``instructions`` sheet (never read by the pipeline) and one sheet per section with the header row
the pipeline expects (docs/ssi_submission_format.md), drop-down lists for the code columns and a
frozen header. Regenerating gives identical bytes (fixed document dates and zip timestamps).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from pipelines import paths
from pipelines.validation import model_dtypes
from schemas import codes, ssi

TEMPLATE_NAME = "ssi_submission_template.xlsx"
FIXED_TIME = dt.datetime(2024, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: code columns that get a drop-down list
CODE_LISTS: dict[str, Sequence[str]] = {
    "risk": codes.RISKS,
    "function": codes.RISKS,
    "sex": codes.SEXES,
    "age_group": codes.AGE_GROUPS,
    "scheme_type": codes.SCHEME_TYPES,
    "affiliation": codes.AFFILIATIONS,
    "benefit_type": codes.BENEFIT_TYPES,
    "item": codes.EXPENDITURE_ITEMS,
    "source": codes.RECEIPT_SOURCES,
}

INSTRUCTIONS = [
    "Social Security Inquiry (SSI): submission workbook",
    "",
    "1. Save this file as <ISO3>_<YEAR>.xlsx, for example KEN_2023.xlsx for Kenya, reference "
    "year 2023. A corrected file is named KEN_2023_r2.xlsx.",
    "2. Fill in one sheet per section. Keep the sheet names and the header row (row 1) exactly "
    "as they are; add data from row 2 down. Do not add, remove, rename or reorder columns.",
    "3. Enter plain values, not formulas (paste as values). Leave a cell empty when a value is "
    "not available; do not write 'n/a', '-' or 0 for a missing number.",
    "4. Numbers: persons as whole numbers, amounts in national currency, no thousands "
    "separators, '.' as decimal mark.",
    "5. Codes (sex, age_group, risk, ...) are case-sensitive: pick them from the drop-down lists.",
    "6. Every scheme_id used in another sheet must be listed in the 'schemes' sheet.",
    "7. Totals: a row with sex _T (total) and a row with age_group _T (all ages) are the totals; "
    "female + male must not exceed the total, and 5-year age groups must add up to it. A broad "
    "group (Y0T14, Y15T64, Y_GE15, Y_GE65) sent beside the 5-year groups must equal the 5-year "
    "groups it spans (never count the same people twice).",
    "8. schemes.overlap_group (optional): give the same short label to schemes that may pay or "
    "cover the same people, e.g. a universal pension paid on top of a contributory one; they "
    "are counted once (the largest count). Leave it empty, or use different labels, for schemes "
    "covering different people, e.g. civil-service and private-sector pension schemes; their "
    "counts are added up.",
    "",
    "The full description of every sheet, column and code, with an example, is in "
    "docs/ssi_submission_format.md. This sheet ('instructions') is not read.",
]


def _normalize_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip timestamps, so that regenerating is byte-identical."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    body,
                )
            dst.writestr(fixed, body)
    return out.getvalue()


def save_deterministic(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` with fixed document dates and zip timestamps."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "Floorboard"
    wb.properties.lastModifiedBy = "Floorboard"
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalize_zip(buf.getvalue()))
    return path


def build_workbook() -> Workbook:
    wb = Workbook()
    info = wb.active
    info.title = "instructions"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for section, model in ssi.SECTIONS.items():
        ws = wb.create_sheet(section)
        for col, name in enumerate(model_dtypes(model), start=1):
            cell = ws.cell(row=1, column=col, value=name)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center")
            letter = cell.column_letter
            ws.column_dimensions[letter].width = max(14, len(name) + 4)
            if name in CODE_LISTS:
                dv = DataValidation(
                    type="list",
                    formula1='"' + ",".join(CODE_LISTS[name]) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Unknown code",
                    error=f"Pick a {name} code from the list (docs/ssi_submission_format.md).",
                )
                dv.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    return wb


def write_template(out: Path | None = None) -> Path:
    out = out or paths.REPO_ROOT / "raw" / "templates"
    return save_deterministic(build_workbook(), out / TEMPLATE_NAME)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder (default raw/templates)")
    args = parser.parse_args(argv)
    print(f"wrote {write_template(args.out)}")


if __name__ == "__main__":
    main()
