"""Every bad case of issue 11 dropped beside the bundled sample (``make bench``, row
``hostile_drop_zone``): the run must exit 0 within 3 minutes, land every good submission and end
every bad entry in a receipt (refused or quarantined).

The bad entries are named for 1999, a year the sample does not use, so none of them clashes with
a good submission by accident. tests/test_dropzone.py checks each case's receipt and report on a
small drop zone; this is the same set at the sample's scale.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

#: the summary line ``make run`` prints for raw/ssi (pipelines.runner.landing_summary)
SUMMARY = re.compile(
    r"SSI submissions: (\d+) — (\d+) loaded, (\d+) quarantined \(some rows rejected\), "
    r"(\d+) refused"
)


def add_hostile_entries(raw: Path, scratch: Path) -> dict[str, str]:
    """Add the bad entries to ``raw`` (a copy of the sample); returns entry name -> what must
    become of it (``refused`` or ``quarantined``). ``scratch`` holds a link's missing target."""
    from openpyxl import load_workbook

    ssi, national = raw / "ssi", raw / "national"
    good = ssi / "KEN_2020.xlsx"
    out: dict[str, str] = {}
    # not regular files: refused unread
    (ssi / "ARG_1999.xlsx").symlink_to(scratch / "nowhere.xlsx")
    (ssi / "BRA_1999.xlsx").symlink_to("/dev/zero")
    (ssi / "CHL_1999.xlsx").symlink_to(good)
    os.mkfifo(ssi / "URY_1999.xlsx")
    out |= dict.fromkeys(["ARG_1999.xlsx", "BRA_1999.xlsx", "CHL_1999.xlsx"], "refused")
    out["URY_1999.xlsx"] = "refused"
    if len(str(ssi / "MEX_1999")) < 100:  # AF_UNIX path limit
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(ssi / "MEX_1999"))
        out["MEX_1999"] = "refused"
    # formats that are not read: refused with "save as .xlsx"
    for name in ("AGO_1999.xls", "BOL_1999.ods", "COL_1999.xlsm", "ECU_1999.txt"):
        (ssi / name).write_bytes(b"not read")
        out[name] = "refused"
    # the same submission as a folder and as a workbook: both refused (one receipt, their key)
    (ssi / "PER_1999").mkdir()  # refused from the two names, before either is read
    (ssi / "PER_1999" / "submission.csv").write_text("iso3,reference_year\nPER,1999\n")
    shutil.copyfile(good, ssi / "PER_1999.xlsx")
    out["PER_1999"] = "refused"
    # overflow, header in row 2, a formula in the last row, a formula behind white space:
    # the bad rows are quarantined, the rest lands
    wb = load_workbook(good)
    wb["submission"]["B2"] = 1999
    wb["beneficiaries"]["F2"] = "99999999999999999999999"
    wb["receipts"].insert_rows(1)
    wb["expenditure"].append(["x", "old_age", "other", "=D2+D3"])
    wb["schemes"]["B2"] = ' =HYPERLINK("http://x","y")'
    wb.save(ssi / "KEN_1999.xlsx")
    out["KEN_1999"] = "quarantined"
    # national statistics: a format not read and a FIFO (receipts of raw/national)
    (national / "population.xls").write_bytes(b"not read")
    os.mkfifo(national / "extra.csv")
    return out


#: the national statistics entries added, by receipt key, all refused
NATIONAL = ("other.population.xls", "other.extra.csv")


def check_receipts(warehouse: Path, expected: dict[str, str]) -> None:
    """Each bad entry's own receipt (``warehouse/landing/_receipts/<source>/<key>.parquet``)
    says what became of it: refused, or quarantined (some rows landed, some rejected)."""
    import polars as pl

    from pipelines import landing

    wrong = {}
    for source, wanted in (("ssi", expected), ("national", dict.fromkeys(NATIONAL, "refused"))):
        for key, status in wanted.items():
            path = warehouse / "landing" / "_receipts" / source / f"{key}.parquet"
            got = landing.receipt_status(pl.read_parquet(path)) if path.exists() else "none"
            if got != status:
                wrong[f"{source}/{key}"] = f"{got}, expected {status}"
    if wrong:
        raise SystemExit(f"hostile drop zone, receipts: {wrong}")


def counts(stdout: str) -> tuple[int, int, int, int]:
    """(receipts, loaded, quarantined, refused) of raw/ssi from ``make run``'s output."""
    found = SUMMARY.search(stdout)
    if not found:
        raise SystemExit(f"no SSI summary line in the output:\n{stdout[-3000:]}")
    return tuple(map(int, found.groups()))  # type: ignore[return-value]


def check_summary(
    stdout: str, sample_stdout: str, expected: dict[str, str], published: Path
) -> None:
    """Against the run of the sample alone: one more receipt per bad entry (a folder and a
    workbook of the same key share one), every good submission landed as before, the bad ones
    refused or quarantined; every landed submission is in the published warehouse."""
    import duckdb

    total, loaded, quarantined, refused = counts(stdout)
    with duckdb.connect(str(published), read_only=True) as con:
        n_listed, n_with_rows = con.execute(
            "select count(*), count(*) filter (where rows_loaded > 0) from marts.dim_submission"
        ).fetchone()
    if (n_listed, n_with_rows) != (total, loaded + quarantined):
        raise SystemExit(
            f"hostile drop zone: {total} receipts, {loaded} loaded and {quarantined} "
            f"quarantined; the published marts.dim_submission lists {n_listed}, {n_with_rows} "
            "with rows"
        )
    total0, loaded0, quarantined0, refused0 = counts(sample_stdout)
    n_refused = sum(1 for v in expected.values() if v == "refused")
    if (
        total != total0 + len(expected)
        or refused != refused0 + n_refused
        or loaded + quarantined != loaded0 + quarantined0 + len(expected) - n_refused
    ):
        raise SystemExit(
            f"hostile drop zone: {total} receipts ({loaded} loaded, {quarantined} quarantined, "
            f"{refused} refused); the sample alone: {total0} ({loaded0}, {quarantined0}, "
            f"{refused0}); {len(expected)} bad entries, {n_refused} to refuse"
        )
