"""The drop zone never stops the round (issue 11): every entry of raw/ssi/ is classified by
``lstat`` before a byte is read, every entry ends in a receipt (loaded, quarantined or refused
with a reason) and a report, and a bad file or row affects only itself.

Hostile files are generated here (links, FIFOs and sockets cannot be committed). Each case calls
the ingestion functions directly; one test runs the whole pipeline once on a drop zone holding
every bad case beside good submissions.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import zipfile
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines import dropzone, landing, reports
from pipelines.ingest import readers, submissions

HOSTILE = Path(__file__).resolve().parent / "hostile"
REPO = Path(__file__).resolve().parents[1]
GOOD_XLSX = HOSTILE / "ssi" / "KEN_2021.xlsx"
QTABLES = submissions.LANDING_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE]


@pytest.fixture(autouse=True)
def no_hang():
    """A link to /dev/zero or a FIFO must never hang: fail after 60 s instead of waiting."""

    def boom(*_):
        raise TimeoutError("the ingestion hung on a drop-zone entry")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def zone(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    monkeypatch.setenv("FLOORBOARD_MAX_FILE_MB", "0.05")
    return raw / "ssi", wh


def _land_all():
    out = {}
    for sub in submissions.discover():
        receipt, _ = submissions.land_submission(sub)
        out[sub.path.name] = (sub, receipt)
    return out


def _reconciles(receipt: pl.DataFrame) -> bool:
    bad = receipt.filter(
        pl.col("rows_loaded") + pl.col("rows_quarantined") != pl.col("rows_received")
    )
    return bad.is_empty()


def _report(key: str) -> str:
    return reports.report_path(key).read_text(encoding="utf-8")


def _special_entries(ssi: Path, tmp: Path) -> dict[str, str]:
    """Links (dangling, to /dev/zero, to a good file), a FIFO and a socket; name -> kind."""
    (ssi / "ARG_2019.xlsx").symlink_to(tmp / "nowhere.xlsx")
    (ssi / "BRA_2019.xlsx").symlink_to("/dev/zero")
    (ssi / "CHL_2019.xlsx").symlink_to(GOOD_XLSX)
    os.mkfifo(ssi / "URY_2019.xlsx")
    kinds = {
        "ARG_2019.xlsx": "symbolic link",
        "BRA_2019.xlsx": "symbolic link",
        "CHL_2019.xlsx": "symbolic link",
        "URY_2019.xlsx": "FIFO",
    }
    path = ssi / "MEX_2019"
    if len(str(path)) < 100:  # AF_UNIX path limit
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
        kinds["MEX_2019"] = "socket"
    return kinds


def test_links_fifos_and_sockets_are_refused_unread(zone, tmp_path, monkeypatch):
    ssi, wh = zone
    shutil.copy(GOOD_XLSX, ssi / "KEN_2021.xlsx")
    kinds = _special_entries(ssi, tmp_path)
    opened = []
    real_open = dropzone.open_regular
    monkeypatch.setattr(dropzone, "open_regular", lambda p: opened.append(p.name) or real_open(p))
    landed = _land_all()
    assert set(landed) == {"KEN_2021.xlsx", *kinds}
    for name, kind in kinds.items():
        sub, receipt = landed[name]
        assert sub.refusal_check == "not_regular_file"
        assert landing.receipt_status(receipt) == "refused"
        assert f"{name} is not a regular file (it is a {kind}" in receipt["file_error"][0]
        assert "not a regular file" in _report(sub.submission_id)
        assert name not in opened  # never hashed, never read
    _, good = landed["KEN_2021.xlsx"]
    assert landing.receipt_status(good) == "loaded"
    assert (wh / "landing" / "ssi_beneficiaries" / "KEN_2021.parquet").exists()


@pytest.mark.parametrize(
    "name,text",
    [
        ("KEN_2022.xls", "save it as .xlsx"),
        ("KEN_2022.ods", "save it as .xlsx"),
        ("KEN_2022.xlsm", "save it as .xlsx"),
        ("KEN_2022.txt", "save as .xlsx"),
        ("KEN_2022", "save as .xlsx"),
        ("KEN 2022 (copy).pdf", "save as .xlsx"),
    ],
)
def test_unsupported_formats_are_refused_with_what_to_do(zone, name, text):
    ssi, _ = zone
    (ssi / name).write_bytes(b"\xd0\xcf\x11\xe0 not read")
    ((sub, receipt),) = _land_all().values()
    assert sub.refusal_check == "unsupported_format"
    assert landing.receipt_status(receipt) == "refused"
    assert text in receipt["file_error"][0] and name in receipt["file_error"][0]
    report = _report(sub.submission_id)
    assert "**refused**" in report and text in report


def test_files_inside_a_folder_follow_the_same_rules(zone, tmp_path):
    ssi, wh = zone
    folder = ssi / "UGA_2021"
    shutil.copytree(HOSTILE / "ssi" / "UGA_2021", folder)
    (folder / "receipts.csv").unlink()
    os.mkfifo(folder / "receipts.csv")
    (folder / "notes.xls").write_bytes(b"x")
    (folder / "benefit_amounts.csv").unlink()
    (folder / "benefit_amounts.csv").symlink_to("/dev/zero")
    ((_, receipt),) = _land_all().values()
    assert _reconciles(receipt)
    q = reports.read_quarantine("UGA_2021", QTABLES)
    reasons = " ".join(q["reason"].to_list())
    assert "UGA_2021/receipts.csv is not a regular file (it is a FIFO" in reasons
    assert "UGA_2021/benefit_amounts.csv is not a regular file (it is a symbolic link" in reasons
    assert "UGA_2021/notes.xls is refused" in reasons
    # the other files of the folder still load
    assert pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "UGA_2021.parquet").height > 0


def test_sensor_survives_every_special_entry(zone, tmp_path):
    from pipelines import automation
    from pipelines.definitions import defs

    ssi, _ = zone
    kinds = _special_entries(ssi, tmp_path)
    (ssi / "KEN_2022.xls").write_bytes(b"x")
    shutil.copy(GOOD_XLSX, ssi / "KEN_2021.xlsx")
    shutil.copytree(HOSTILE / "ssi" / "UGA_2021", ssi / "KEN_2021")  # a clash
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance, cursor=None, definitions=defs)
        result = automation.raw_files_sensor(ctx)
        keys = [r.partition_key for r in result.run_requests]
        assert len(keys) == len(set(keys)) == len(kinds) + 2
        (req,) = result.dynamic_partitions_requests
        instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        again = dg.build_sensor_context(instance=instance, cursor=result.cursor, definitions=defs)
        assert automation.raw_files_sensor(again).run_requests == []


def _workbook(edit=None) -> bytes:
    """The good hostile-corpus workbook, edited with openpyxl."""
    from openpyxl import load_workbook

    wb = load_workbook(GOOD_XLSX)
    if edit:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_count_too_large_for_an_integer_quarantines_its_row(zone):
    ssi, wh = zone

    def big(wb):
        wb["beneficiaries"]["F3"] = "99999999999999999999999"
        wb["legal_coverage"]["D2"] = 1e300

    (ssi / "KEN_2021.xlsx").write_bytes(_workbook(big))
    ((_, receipt),) = _land_all().values()
    assert _reconciles(receipt)
    q = reports.read_quarantine("KEN_2021", QTABLES)
    hits = q.filter(pl.col("check_name") == "dtype")
    got = {(r["table_name"], r["row_number"]) for r in hits.iter_rows(named=True)}
    assert got == {("ssi_beneficiaries", 3), ("ssi_legal_coverage", 2)}
    assert "out of range for a count" in hits["reason"][0]
    ben = receipt.filter(pl.col("table_name") == "ssi_beneficiaries").row(0, named=True)
    assert (ben["rows_received"], ben["rows_quarantined"]) == (8, 1)
    assert "| beneficiaries | 3 | beneficiaries | 99999999999999999999999 |" in _report("KEN_2021")


def test_header_in_row_2_and_formula_in_last_row_reconcile(zone):
    ssi, _ = zone

    def shift(wb):
        wb["receipts"].insert_rows(1)  # blank row 1, header in row 2
        wb["receipts"].append([None, None, "=C3+C4"])  # and a formula-only last row
        ws = wb["expenditure"]
        ws.append(["KEN-NSSF", "old_age", "other", "=D2+D3"])  # formula without a cached value

    (ssi / "KEN_2021.xlsx").write_bytes(_workbook(shift))
    ((_, receipt),) = _land_all().values()
    assert _reconciles(receipt), receipt
    rec = receipt.filter(pl.col("table_name") == "ssi_receipts").row(0, named=True)
    assert (rec["rows_received"], rec["rows_loaded"], rec["rows_quarantined"]) == (3, 0, 3)
    exp = receipt.filter(pl.col("table_name") == "ssi_expenditure").row(0, named=True)
    assert (exp["rows_received"], exp["rows_loaded"], exp["rows_quarantined"]) == (4, 3, 1)
    q = reports.read_quarantine("KEN_2021", QTABLES)
    layout = q.filter(pl.col("check_name") == "layout")
    assert layout["row_number"].to_list() == [3, 4, 5]
    assert "header row must be row 1" in layout["reason"][0]
    formula = q.filter(pl.col("check_name") == "no_formula")
    assert formula["row_number"].to_list() == [5] and "=D2+D3" in formula["value"][0]


def test_same_submission_as_folder_and_workbook(zone, tmp_path):
    from pipelines import run

    ssi, wh = zone
    shutil.copy(GOOD_XLSX, ssi / "KEN_2021.xlsx")
    ((_, first),) = _land_all().values()
    landed = wh / "landing" / "ssi_beneficiaries" / "KEN_2021.parquet"
    before = landed.read_bytes()
    folder = HOSTILE / "ssi" / "UGA_2021"
    shutil.copytree(folder, ssi / "KEN_2021")
    (sub,) = submissions.discover()
    assert sub.refusal_check == "duplicate_submission"
    receipt, changed = submissions.land_submission(sub)
    assert changed and landing.receipt_status(receipt) == "refused"
    reason = receipt["file_error"].drop_nulls()[0]
    assert "KEN_2021/ and KEN_2021.xlsx" in reason and "both are refused" in reason
    assert _reconciles(receipt)
    assert landed.read_bytes() == before  # what was landed earlier stays
    report = _report("KEN_2021")
    assert "KEN_2021/" in report and "KEN_2021.xlsx" in report and "kept" in report
    # registration: fresh instance, and an old one that already knows the key
    for known in ([], ["KEN_2021"]):
        with dg.instance_for_test() as instance:
            if known:
                instance.add_dynamic_partitions("ssi_submission", known)
            assert run.register_submissions(instance) == ["KEN_2021"]
            assert instance.get_dynamic_partitions("ssi_submission") == ["KEN_2021"]
    # one of them removed: the other is landed again
    shutil.rmtree(ssi / "KEN_2021")
    (sub,) = submissions.discover()
    receipt, changed = submissions.land_submission(sub)
    assert changed and landing.receipt_status(receipt) == "loaded"


@pytest.mark.parametrize(
    "value",
    [' =HYPERLINK("http://x","y")', "\u00a0=1+1", "\u3000@SUM(A1)", "\u200b+cmd", "\t=1"],
)
def test_formula_behind_white_space_is_never_landed(zone, value):
    ssi, wh = zone

    def put(wb):
        wb["schemes"]["B2"] = value

    (ssi / "KEN_2021.xlsx").write_bytes(_workbook(put))
    _land_all()
    q = reports.read_quarantine("KEN_2021", QTABLES).filter(pl.col("check_name") == "no_formula")
    assert q.height == 1 and q["row_number"][0] == 2
    schemes = pl.read_parquet(wh / "landing" / "ssi_schemes" / "KEN_2021.parquet")
    names = schemes["scheme_name"].to_list()
    assert not any(n.strip().lstrip("\u00a0\u200b\u3000") == value.strip() for n in names)
    assert not any(n.lstrip()[:1] in "=+@" for n in names)


def _zip(members: dict[str, bytes], base: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        if base:
            with zipfile.ZipFile(io.BytesIO(base)) as src:
                for info in src.infolist():
                    if info.filename not in members:
                        out.writestr(info.filename, src.read(info.filename))
        for name, data in members.items():
            out.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_inflating(zone, monkeypatch):
    ssi, _ = zone
    bomb = _zip({"xl/media/padding.bin": b"\0" * (40 << 20)}, GOOD_XLSX.read_bytes())
    assert len(bomb) < 0.05 * 1024 * 1024
    (ssi / "KEN_2021.xlsx").write_bytes(bomb)

    def inflating(*_, **__):
        raise AssertionError("a member was inflated before the size check")

    original_open = zipfile.ZipFile.open

    def open_member(self, name, mode="r", *args, **kwargs):
        if mode == "r":  # reading a member inflates it; writing (the xlsx report) does not
            inflating()
        return original_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "testzip", inflating)
    monkeypatch.setattr(zipfile.ZipFile, "read", inflating)
    monkeypatch.setattr(zipfile.ZipFile, "open", open_member)
    ((_, receipt),) = _land_all().values()
    assert "zip bomb" in receipt["file_error"][0] or "expands to" in receipt["file_error"][0]


@pytest.mark.parametrize(
    "part,padding",
    [
        ("xl/workbook.xml", 0),
        # a DOCTYPE may follow comments: past the quick look at every part's first 4 KiB, the
        # worksheet's parser refuses it
        ("xl/worksheets/sheet1.xml", 8192),
    ],
)
def test_xml_with_a_doctype_is_refused(zone, part: str, padding: int):
    """A part declaring a DOCTYPE (with entities, never expanded) refuses the workbook."""
    ssi, _ = zone
    base = GOOD_XLSX.read_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        xml = z.read(part)
    doctype = b"<!--" + b" " * padding + b"-->" if padding else b""
    doctype += b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    evil = _zip({part: xml[:end] + doctype + xml[end:]}, base)
    (ssi / "KEN_2021.xlsx").write_bytes(evil)
    ((_, receipt),) = _land_all().values()
    assert "DOCTYPE" in receipt["file_error"][0]
    with (
        zipfile.ZipFile(io.BytesIO(evil)) as z,
        pytest.raises(Exception, match="DTD|DOCTYPE|forbidden"),
    ):
        readers.workbook_cells(z)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a|b", "a\\|b"),
        ("line\nbreak", "line\\\\nbreak"),
        ("`rm`", "\\`rm\\`"),
        ("*bold* _it_", "\\*bold\\* _it\\_"),
        ("[x](javascript:1)", "\\[x\\](javascript:1)"),
        ("<img src=x>", "\\<img src=x\\>"),
        ("scheme_id (_T)", "scheme_id (_T)"),
        ("\x07", "\\\\x07"),
    ],
)
def test_markdown_cells_are_escaped(text, expected):
    assert reports.cell(text) == expected


def test_report_of_a_hostile_cell_stays_one_table_row(zone):
    ssi, _ = zone

    def put(wb):
        wb["beneficiaries"]["F2"] = "12`|\n| x | *y* | <b>z</b> [l](u)"

    (ssi / "KEN_2021.xlsx").write_bytes(_workbook(put))
    _land_all()
    rows = [line for line in _report("KEN_2021").splitlines() if "12\\`" in line]
    assert len(rows) == 1
    assert "\\<b\\>" in rows[0] and "\\*y\\*" in rows[0] and "\\[l\\]" in rows[0]


@pytest.mark.slow
def test_pipeline_run_on_a_hostile_drop_zone(tmp_path, monkeypatch):
    """One ``make run``-equivalent on a drop zone holding every bad case beside good
    submissions: exit 0, the good ones are published, every bad entry has a receipt and report.
    Then a round later, a submission removed from the drop zone is withdrawn (its rows leave
    the warehouse, the release records it, its partition goes, the history keeps its values)
    and a clash settled by removing one of the two entries lands the other."""
    import duckdb

    from pipelines import paths, run

    from_raw = REPO / "raw"
    raw, wh, home = tmp_path / "raw", tmp_path / "warehouse", tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    shutil.copytree(from_raw / "reference", raw / "reference")
    shutil.copytree(from_raw / "national", raw / "national")
    (raw / "national" / "population.xls").write_bytes(b"not read")
    os.mkfifo(raw / "national" / "extra.csv")
    ssi = raw / "ssi"
    ssi.mkdir()
    shutil.copy(from_raw / "ssi" / "KEN_2021.xlsx", ssi)
    shutil.copytree(from_raw / "ssi" / "URY_2020", ssi / "URY_2020")
    # the bad cases
    kinds = _special_entries(ssi, tmp_path)
    for name in ("AGO_2019.xls", "AGO_2019.ods", "AGO_2019.xlsm", "AGO_2019.txt"):
        (ssi / name).write_bytes(b"not read")
    shutil.copytree(from_raw / "ssi" / "ARG_2020", ssi / "ARG_2020")
    shutil.copy(from_raw / "ssi" / "KEN_2020.xlsx", ssi / "ARG_2020.xlsx")  # clash

    from openpyxl import load_workbook

    wb = load_workbook(from_raw / "ssi" / "KEN_2020.xlsx")
    wb["beneficiaries"]["F2"] = "99999999999999999999999"
    wb["receipts"].insert_rows(1)
    wb["expenditure"].append(["x", "old_age", "other", "=D2+D3"])
    wb["schemes"]["B2"] = ' =HYPERLINK("http://x","y")'
    wb.save(ssi / "KEN_2020.xlsx")
    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    signal.alarm(600)
    # the landing, the build and the publish are the question (no release files or pages)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert run.run(instance, release_files=False) == 0
    expected = {"KEN_2021": "loaded", "URY_2020": "loaded", "KEN_2020": "quarantined"}
    expected |= dict.fromkeys([*kinds, "ARG_2020", "AGO_2019.xls", "AGO_2019.ods"], "refused")
    expected |= dict.fromkeys(["AGO_2019.xlsm", "AGO_2019.txt"], "refused")
    for key, status in expected.items():
        receipt = pl.read_parquet(landing.receipt_path("ssi", key))
        assert landing.receipt_status(receipt) == status, key
        assert _reconciles(receipt), key
        assert f"**{status}**" in _report(key), key
    for key in ("other.population.xls", "other.extra.csv"):
        receipt = pl.read_parquet(landing.receipt_path("national", key))
        assert landing.receipt_status(receipt) == "refused", key
    con = duckdb.connect(str(paths.published_path()), read_only=True)
    try:
        loaded = dict(
            con.execute(
                "select submission_id, rows_loaded from marts.dim_submission "
                "where submission_id in ('KEN_2021', 'URY_2020', 'KEN_2020')"
            ).fetchall()
        )
    finally:
        con.close()
    assert set(loaded) == {"KEN_2021", "URY_2020", "KEN_2020"}
    assert all(n > 0 for n in loaded.values())

    # the next round: URY_2020 is taken out of the drop zone, the clash is settled
    shutil.rmtree(ssi / "URY_2020")
    (ssi / "ARG_2020.xlsx").unlink()
    first = _release_and_vintages(paths.published_path())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert run.run(instance, release_files=False) == 0
        partitions = instance.get_dynamic_partitions("ssi_submission")
    assert "URY_2020" not in partitions and "ARG_2020" in partitions
    assert not landing.receipt_path("ssi", "URY_2020").exists()
    assert not list(wh.glob("landing/ssi_*/URY_2020.parquet"))
    assert "withdrawn" in _report("URY_2020")
    assert landing.receipt_status(pl.read_parquet(landing.receipt_path("ssi", "ARG_2020"))) == (
        "loaded"
    )
    con = duckdb.connect(str(paths.published_path()), read_only=True)
    try:
        ids = {
            r[0] for r in con.execute("select submission_id from marts.dim_submission").fetchall()
        }
        release = con.execute(
            "select release_id from marts.releases order by published_at desc, release_id desc"
        ).fetchall()[0][0]
        withdrawn = con.execute(
            "select release_id, submission_id, rows_withdrawn from marts.release_withdrawals"
        ).fetchall()
        # social protection series (SDG 1.3.1) rest on the SSI; 3.8.1 on national statistics
        ury_now = con.execute(
            "select list(distinct series_code) from marts.sdg_indicators "
            "where iso3 = 'URY' and series_code like 'SI_%'"
        ).fetchall()[0][0]
        kept = dict(
            con.execute(
                "select release_id, count(*) from marts.indicator_vintages group by all"
            ).fetchall()
        )
    finally:
        con.close()
    assert "URY_2020" not in ids and {"ARG_2020", "KEN_2021", "KEN_2020"} <= ids
    assert withdrawn == [(release, "URY_2020", loaded["URY_2020"])]
    assert not ury_now, ury_now
    # the release history loses nothing: the first release's values are all still there
    assert kept[first["release"]] == first["vintages"] and first["ury"] > 0


def _release_and_vintages(path) -> dict:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        release = con.execute("select max(release_id) from marts.releases").fetchall()[0][0]
        vintages = con.execute(
            "select count(*) from marts.indicator_vintages where release_id = ?", [release]
        ).fetchall()[0][0]
        ury = con.execute(
            "select count(*) from marts.indicator_vintages "
            "where release_id = ? and ref_area = 'URY'",
            [release],
        ).fetchall()[0][0]
    finally:
        con.close()
    return {"release": release, "vintages": vintages, "ury": ury}


def test_removed_submission_is_skipped_not_a_failure(zone):
    from pipelines.definitions import defs

    ssi, _ = zone
    shutil.copy(GOOD_XLSX, ssi / "KEN_2021.xlsx")
    job = defs.resolve_job_def("ingest_ssi_submissions")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("ssi_submission", ["KEN_2021", "KEN_2021_gone"])
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "KEN_2021",
                "dagster/asset_partition_range_end": "KEN_2021_gone",
            },
        )
        assert result.success
    assert landing.landed_sha("ssi", "KEN_2021") is not None


def test_other_entries_of_the_national_drop_zone_are_refused(zone, tmp_path):
    from pipelines.ingest import table_files
    from schemas import national

    ssi, _ = zone
    nat = ssi.parent / "national"
    nat.mkdir()
    (nat / "population.xls").write_bytes(b"x")
    os.mkfifo(nat / "births.csv")
    (nat / "economy.csv").symlink_to("/dev/zero")
    (nat / "README.md").write_text("ignored")
    out = dict(table_files.land_other_entries("national", national.TABLES))
    assert set(out) == {"other.population.xls", "other.births.csv", "other.economy.csv"}
    for key, receipt in out.items():
        assert landing.receipt_status(receipt) == "refused", key
        assert reports.report_path(table_files.report_key("national", key)).exists()
    assert "save it as CSV UTF-8" in out["other.population.xls"]["file_error"][0]
    assert "not a regular file (it is a FIFO" in out["other.births.csv"]["file_error"][0]
    # the table files themselves are refused without being opened, and nothing hangs
    receipt, _ = table_files.land_table_file("national", "economy", national.TABLES["economy"])
    assert "not a regular file" in receipt["file_error"][0]
