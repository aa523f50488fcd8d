"""The hostile corpus (tests/hostile/, made by make_corpus.py): every file gets its clear error,
the other files of the batch still load, and per file loaded + quarantined = received."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest

from pipelines import landing, paths, reports, validation
from pipelines.ingest import submissions
from pipelines.ingest.table_files import land_table_file
from schemas import national

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPECTED: dict[str, dict] = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
SSI_CASES = {k: v for k, v in EXPECTED.items() if v["kind"] == "ssi"}
NATIONAL_CASES = {k: v for k, v in EXPECTED.items() if v["kind"] == "national"}


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _env(mp: pytest.MonkeyPatch, raw: Path, wh: Path) -> None:
    mp.setenv("FLOORBOARD_RAW_DIR", str(raw))
    mp.setenv("FLOORBOARD_WAREHOUSE_DIR", str(wh))
    mp.setenv("FLOORBOARD_MAX_FILE_MB", "0.05")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Land the whole SSI corpus as one batch; returns (raw, receipts, quarantine, hashes)."""
    base = tmp_path_factory.mktemp("hostile")
    raw, wh = base / "raw", base / "warehouse"
    shutil.copytree(HOSTILE / "ssi", raw / "ssi")
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    before = _hashes(raw)
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, wh)
        receipts, quarantine = {}, {}
        for sub in submissions.discover():
            receipt, changed = submissions.land_submission(sub)
            assert changed
            receipts[sub.path.name] = receipt
            quarantine[sub.path.name] = reports.read_quarantine(
                sub.submission_id,
                submissions.LANDING_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE],
            )
        report_text = {
            name: reports.report_path(r["submission_id"][0]).read_text(encoding="utf-8")
            for name, r in receipts.items()
        }
        yield raw, wh, receipts, quarantine, report_text, before


def test_corpus_is_large_and_committed():
    assert len(EXPECTED) >= 25
    for case in EXPECTED.values():
        assert (HOSTILE / case["path"]).exists(), case["path"]


def test_every_file_of_the_batch_was_landed(batch):
    raw, _, receipts, *_ = batch
    names = {Path(c["path"]).name for c in SSI_CASES.values()}
    assert names == set(receipts)


@pytest.mark.parametrize("case", sorted(SSI_CASES))
def test_ssi_case(batch, case):
    _, _, receipts, quarantine, report_text, _ = batch
    exp = SSI_CASES[case]
    name = Path(exp["path"]).name
    receipt, q, report = receipts[name], quarantine[name], report_text[name]
    # per file (and per sheet): loaded + quarantined = received
    bad = receipt.filter(
        pl.col("rows_loaded") + pl.col("rows_quarantined") != pl.col("rows_received")
    )
    assert bad.is_empty(), bad
    assert report.startswith("# Validation report") and f"raw/ssi/{name}" in report
    if exp["check"] is None:
        assert q.is_empty(), q.select("check_name", "reason").to_dicts()
        assert int(receipt["rows_loaded"].sum()) == int(receipt["rows_received"].sum()) > 0
        assert "No problems found" in report
        return
    hits = q.filter(pl.col("check_name").str.starts_with(exp["check"]))
    assert not hits.is_empty(), (exp, q.select("check_name", "reason").to_dicts())
    reasons = hits["reason"].to_list()
    assert any(exp["text"].lower() in r.lower() for r in reasons), (exp["text"], reasons)
    # every record names its file, and the report lists the problem with sheet/row/column/value
    assert set(q["source_file"].to_list()) == {f"ssi/{name}"}
    assert exp["check"] in report
    if exp["file_level"]:
        assert q.height == 1 and q["row_number"][0] is None
        assert name in reasons[0]
        assert receipt["file_error"][0] == reasons[0]
        assert "could not be read" in report
    else:
        assert int(receipt["rows_quarantined"].sum()) + int(q["row_number"].is_null().sum()) > 0


def test_good_files_of_the_batch_load(batch):
    _, wh, receipts, quarantine, *_ = batch
    for name in ("KEN_2021.xlsx", "UGA_2021", "GHA_2021_bom"):
        assert quarantine[name].is_empty()
        r = receipts[name]
        assert int(r["rows_loaded"].sum()) == int(r["rows_received"].sum()) > 20
    ben = pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "KEN_2021.parquet")
    assert ben.height == 8
    assert {"submission_id", "source_file", "source_sha256", "loaded_at"} <= set(ben.columns)
    assert ben["iso3"].unique().to_list() == ["KEN"]


def _landed(wh: Path) -> dict[str, object]:
    """Every landed, quarantined and receipt file (without its landing time) and every report
    (without its time stamp) of a warehouse."""
    out: dict[str, object] = {}
    for p in sorted((wh / "landing").rglob("*.parquet")):
        out[str(p.relative_to(wh))] = pl.read_parquet(p).drop("loaded_at", strict=False)
    for p in sorted((wh / "reports").rglob("*.md")):
        lines = p.read_text(encoding="utf-8").splitlines()
        out[str(p.relative_to(wh))] = [x for x in lines if "Checked at" not in x]
    return out


def test_submissions_validated_together_land_as_each_alone(batch, tmp_path):
    """The whole corpus landed as one batch (its sections stacked into one pandera call each,
    ``validation.validate_tables``) lands exactly what landing each submission alone does:
    the same rows, quarantine records, receipts and reports. Most of the corpus is variants of
    KEN_2021 with the same schemes and keys, so a check comparing rows across submissions
    would show here."""
    raw, wh_alone, *_ = batch
    wh = tmp_path / "warehouse"
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, wh)
        subs = submissions.discover()
        landed = submissions.land_submissions(subs)
    assert [changed for _, changed in landed] == [True] * len(subs)
    alone, together = _landed(wh_alone), _landed(wh)
    assert sorted(alone) == sorted(together)
    for name, expected in alone.items():
        got = together[name]
        if isinstance(expected, pl.DataFrame):
            assert got.equals(expected), (name, expected, got)
        else:
            assert got == expected, name


def test_partial_submission_keeps_its_valid_rows(batch):
    """A bad row rejects that row only: the rest of the sheet and the other sheets load."""
    _, _, receipts, _, _, _ = batch
    r = receipts["KEN_2021_risk.xlsx"]
    ben = r.filter(pl.col("table_name") == "ssi_beneficiaries")
    assert ben.select("rows_received", "rows_loaded", "rows_quarantined").row(0) == (8, 7, 1)
    others = r.filter(pl.col("table_name") != "ssi_beneficiaries")
    assert int(others["rows_quarantined"].sum()) == 0 and int(others["rows_loaded"].sum()) > 10


def test_report_lists_sheet_row_column_value(batch):
    *_, report_text, _ = batch
    report = report_text["KEN_2021_text.xlsx"]
    assert "| beneficiaries | 2 | beneficiaries | about 30 000 |" in report
    report = report_text["KEN_2021_formula.xlsx"]
    assert "| schemes | 2 | scheme_name |" in report


def test_raw_files_are_never_modified(batch):
    raw, *_, before = batch
    assert _hashes(raw) == before


def test_relanding_identical_bytes_changes_nothing(batch):
    raw, wh, *_ = batch
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, wh)
        landing_before = _hashes(wh / "landing")
        for sub in submissions.discover():
            _, changed = submissions.land_submission(sub)
            assert not changed, sub.path.name
        assert _hashes(wh / "landing") == landing_before


@pytest.mark.parametrize("case", sorted(NATIONAL_CASES))
def test_national_case(tmp_path, monkeypatch, case):
    exp = NATIONAL_CASES[case]
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "national").mkdir(parents=True)
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    shutil.copy(HOSTILE / exp["path"], raw / "national" / "population.csv")
    _env(monkeypatch, raw, wh)
    receipt, _ = land_table_file("national", "population", national.Population)
    r = receipt.row(0, named=True)
    assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_received"]
    q = reports.read_quarantine("population", ["national_population"])
    if exp["check"] is None:
        assert q.is_empty() and r["rows_loaded"] == 2
        return
    hits = q.filter(pl.col("check_name").str.starts_with(exp["check"]))
    assert any(exp["text"].lower() in x.lower() for x in hits["reason"].to_list()), q.to_dicts()
    if exp["file_level"]:
        assert "population.csv" in hits["reason"][0]
    else:
        assert r["rows_loaded"] == 2 and r["rows_quarantined"] == 1
    assert reports.report_path("national_population").exists()


def test_symlink_and_traversal_are_refused(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    shutil.copytree(HOSTILE / "reference", raw / "reference")
    folder = raw / "ssi" / "KEN_2021_link"
    shutil.copytree(HOSTILE / "ssi" / "UGA_2021", folder)
    secret = tmp_path / "secret.csv"
    secret.write_text("scheme_id,source,amount_lcu\nKEN-NSSF,other,1\n")
    (folder / "receipts.csv").unlink()
    (folder / "receipts.csv").symlink_to(secret)
    _env(monkeypatch, raw, wh)
    receipt, _ = submissions.land_submission(submissions.find("KEN_2021_link"))
    # the link is refused (never opened); the other files of the folder are read
    r = receipt.filter(pl.col("table_name") == "ssi_receipts").row(0, named=True)
    assert r["rows_received"] == 0 and r["rows_loaded"] == 0
    q = reports.read_quarantine("KEN_2021_link", ["ssi_receipts"])
    assert "receipts.csv is not a regular file (it is a symbolic link)" in q["reason"][0]
    assert not (wh / "landing" / "ssi_receipts" / "KEN_2021_link.parquet").exists()
    with pytest.raises(FileNotFoundError):
        submissions.find("../KEN_2021")
    assert landing.landed_sha("ssi", "KEN_2021_link") == landing.sha256_of(folder)
    assert paths.raw_dir() == raw.resolve()


def test_columns_named_like_the_internal_ones_are_only_unexpected(tmp_path, monkeypatch):
    """A sheet with a column named ``__table`` or ``__row`` (the columns validation adds) is
    rejected as having unexpected columns, like any other, and the submissions validated with
    it land as they would alone."""
    raw, wh = _zone(tmp_path, monkeypatch)
    bad = _uga_folder(raw, "UGA_2021_cols")
    receipts_csv = (bad / "receipts.csv").read_text(encoding="utf-8").splitlines()
    (bad / "receipts.csv").write_text(
        "\n".join(f"{line},{'__table' if i == 0 else 'x'}" for i, line in enumerate(receipts_csv)),
        encoding="utf-8",
    )
    (bad / "notes.csv").write_text("__row,__table\n1,2\n", encoding="utf-8")
    _uga_folder(raw, "UGA_2021")
    landed = submissions.land_submissions(submissions.discover())
    assert [changed for _, changed in landed] == [True, True]
    good = reports.read_quarantine("UGA_2021", submissions.ALL_TABLES)
    assert good.is_empty(), good
    q = reports.read_quarantine("UGA_2021_cols", submissions.ALL_TABLES)
    receipts_q = q.filter(pl.col("table_name") == "ssi_receipts")
    assert receipts_q.height == len(receipts_csv) - 1
    assert "unexpected columns ['__table']" in receipts_q["reason"][0]
    notes = q.filter(pl.col("table_name") == submissions.EXTRA_TABLE)
    assert notes["row_json"].to_list() == ['{"__row": "1", "__table": "2"}']
    receipt = pl.read_parquet(landing.receipt_path("ssi", "UGA_2021_cols"))
    assert receipt["file_error"].is_null().all()
    assert int(receipt["rows_loaded"].sum()) > 0


# --- overlap_group (methodology §2.5), broad age groups (§2.1), years from 1990 (§8.1) -------

REPO = Path(__file__).resolve().parents[1]
SCHEMES_HEAD = (
    "scheme_id,scheme_name,institution,scheme_type,affiliation,risks,groups_covered,"
    "legal_basis,legal_year"
)


def _zone(tmp_path: Path, mp: pytest.MonkeyPatch, reference: Path = HOSTILE / "reference"):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "ssi").mkdir(parents=True)
    shutil.copytree(reference, raw / "reference")
    _env(mp, raw, wh)
    mp.setenv("FLOORBOARD_MAX_FILE_MB", "25")
    return raw, wh


def _uga_folder(raw: Path, name: str = "UGA_2021", **csv_files: str) -> Path:
    """The good CSV submission of the corpus (UGA 2021) with some files replaced."""
    folder = raw / "ssi" / name
    shutil.copytree(HOSTILE / "ssi" / "UGA_2021", folder)
    for section, text in csv_files.items():
        (folder / f"{section}.csv").write_text(text, encoding="utf-8")
    return folder


def _land(key: str) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    receipt, _ = submissions.land_submission(submissions.find(key))
    q = reports.read_quarantine(
        key, submissions.LANDING_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE]
    )
    return receipt, q, reports.report_path(key).read_text(encoding="utf-8")


def _schemes_csv(*groups: str | None) -> str:
    rows = [
        "KEN-NSSF,National Social Security Fund,NSSF,contributory,mandatory,"
        "old_age;disability;survivors,employees,NSSF Act 2013,2013",
        "KEN-OPCT,Inua Jamii Older Persons Cash Transfer,State Department,universal,"
        "mandatory,old_age,persons aged 70+,,2018",
    ]
    lines = [SCHEMES_HEAD + ",overlap_group"]
    lines += [f"{r},{'' if g is None else g}" for r, g in zip(rows, groups, strict=True)]
    return "\n".join(lines) + "\n"


def test_old_template_without_overlap_group_loads(tmp_path, monkeypatch):
    """A workbook and a CSV folder made from the template before `overlap_group` existed load
    completely; the landed schemes have the column, empty."""
    raw, wh = _zone(tmp_path, monkeypatch)
    shutil.copy(HOSTILE / "ssi" / "KEN_2021.xlsx", raw / "ssi")
    _uga_folder(raw)
    assert (raw / "ssi" / "UGA_2021" / "schemes.csv").read_text().splitlines()[0] == SCHEMES_HEAD
    for key in ("KEN_2021", "UGA_2021"):
        receipt, q, report = _land(key)
        assert q.is_empty(), q.select("check_name", "reason").to_dicts()
        assert int(receipt["rows_loaded"].sum()) == int(receipt["rows_received"].sum())
        schemes = pl.read_parquet(wh / "landing" / "ssi_schemes" / f"{key}.parquet")
        assert schemes.schema["overlap_group"] == pl.String
        assert schemes["overlap_group"].null_count() == schemes.height == 2
        assert "Schemes without an overlap group (added up): KEN-NSSF, KEN-OPCT." in report


def test_overlap_group_lands_trimmed_blank_is_null(tmp_path, monkeypatch):
    raw, wh = _zone(tmp_path, monkeypatch)
    _uga_folder(raw, schemes=_schemes_csv(" old_age_pensions ", "   "))
    receipt, q, report = _land("UGA_2021")
    assert q.is_empty(), q.to_dicts()
    schemes = pl.read_parquet(wh / "landing" / "ssi_schemes" / "UGA_2021.parquet")
    assert schemes["overlap_group"].to_list() == ["old_age_pensions", None]
    # the report says how the schemes will be combined
    assert "## How your schemes will be combined (overlap groups)" in report
    assert "| old_age_pensions | KEN-NSSF (the only scheme of this group" in report
    assert "Schemes without an overlap group (added up): KEN-OPCT." in report


def test_overlap_group_report_lists_shared_group(tmp_path, monkeypatch):
    raw, _ = _zone(tmp_path, monkeypatch)
    _uga_folder(raw, schemes=_schemes_csv("pensions", "pensions"))
    _, q, report = _land("UGA_2021")
    assert q.is_empty()
    assert "| pensions | KEN-NSSF, KEN-OPCT | disability, old_age, survivors |" in report
    assert "Schemes without an overlap group" not in report


@pytest.mark.parametrize(
    ("value", "check", "text"),
    [
        ("g" * 65, "str_length", "overlap_group = " + "g" * 65 + ": is too long: at most 64"),
        ("=cmd|' /C calc'!A0", "no_formula", "starts like a spreadsheet formula"),
        ("@SUM(1+1)", "no_formula", "starts like a spreadsheet formula"),
        ("-2+3", "no_formula", "starts like a spreadsheet formula"),
    ],
)
def test_overlap_group_hostile_text_is_rejected(tmp_path, monkeypatch, value, check, text):
    raw, _ = _zone(tmp_path, monkeypatch)
    _uga_folder(raw, schemes=_schemes_csv(f'"{value}"', "ok"))
    receipt, q, report = _land("UGA_2021")
    hits = q.filter(pl.col("column_name") == "overlap_group")
    assert hits.height == 1 and hits["check_name"][0].startswith(check), q.to_dicts()
    assert text in hits["reason"][0]
    assert hits["row_number"][0] == 2
    sch = receipt.filter(pl.col("table_name") == "ssi_schemes").row(0, named=True)
    assert (sch["rows_loaded"], sch["rows_quarantined"]) == (1, 1)
    # the rejected scheme's rows in other sheets are set aside with it
    assert not q.filter(pl.col("check_name") == "known_scheme").is_empty()
    assert "| schemes.csv | 2 | overlap_group |" in report


def test_overlap_group_of_64_characters_is_accepted(tmp_path, monkeypatch):
    raw, wh = _zone(tmp_path, monkeypatch)
    _uga_folder(raw, schemes=_schemes_csv("g" * 64, "ok"))
    _, q, _ = _land("UGA_2021")
    assert q.is_empty()
    landed = pl.read_parquet(wh / "landing" / "ssi_schemes" / "UGA_2021.parquet")
    assert landed["overlap_group"].to_list() == ["g" * 64, "ok"]


def test_overlap_group_only_as_last_column(tmp_path, monkeypatch):
    """The optional column may be left out, not moved: elsewhere it is a column error."""
    raw, _ = _zone(tmp_path, monkeypatch)
    head = SCHEMES_HEAD.replace("scheme_name,", "scheme_name,overlap_group,")
    rows = _schemes_csv("a", "b").splitlines()[1:]
    moved = [",".join(r.split(",")[:2] + [r.split(",")[-1]] + r.split(",")[2:-1]) for r in rows]
    _uga_folder(raw, schemes="\n".join([head, *moved]) + "\n")
    _, q, _ = _land("UGA_2021")
    hits = q.filter(pl.col("check_name") == "columns")
    assert hits.height == 2 and "out of order" in hits["reason"][0]


def test_template_has_overlap_group_last():
    """The committed blank template is the one the code writes, with overlap_group last."""
    import fastexcel

    from pipelines.ingest import template
    from pipelines.validation import model_dtypes
    from schemas import ssi

    path = REPO / "raw" / "templates" / template.TEMPLATE_NAME
    reader = fastexcel.read_excel(path.read_bytes())
    header = reader.load_sheet("schemes", header_row=None, n_rows=1).to_polars().row(0)
    assert list(header) == list(model_dtypes(ssi.Schemes))
    assert header[-1] == "overlap_group"
    instructions = reader.load_sheet("instructions", header_row=None).to_polars()
    assert any("overlap_group" in (x or "") for x in instructions.to_series().to_list())


def test_schema_file_is_rewritten_when_columns_change(tmp_path, monkeypatch):
    """A warehouse landed before overlap_group existed gets a schema file with the column, so
    readers of the landing table always see it; files landed under older rules land again."""
    from pipelines.ingest import assets

    raw, wh = _zone(tmp_path, monkeypatch)
    _uga_folder(raw)
    old = wh / "landing" / "ssi_schemes" / "_schema.parquet"
    old.parent.mkdir(parents=True)
    pl.DataFrame(schema={"scheme_id": pl.String}).write_parquet(old)
    assets._ssi_schemas()
    assert pl.read_parquet_schema(old)["overlap_group"] == pl.String
    _land("UGA_2021")
    receipt = landing.receipt_path("ssi", "UGA_2021")
    sha = landing.landed_sha("ssi", "UGA_2021")
    assert sha == landing.sha256_of(raw / "ssi" / "UGA_2021")
    # a receipt written under other rules counts as not landed
    import pyarrow.parquet as pq

    table = pq.read_table(receipt)
    pq.write_table(table.replace_schema_metadata({"source_sha256": sha}), receipt)
    assert landing.landed_sha("ssi", "UGA_2021") is None
    assert submissions.land_submission(submissions.find("UGA_2021"))[1] is True
    assert landing.landed_sha("ssi", "UGA_2021") == sha


def _with_broad_group(folder: Path, factor: float, group: str = "Y_GE65") -> int:
    """Append `group` rows for every scheme × risk × benefit type × sex that reports the 5-year
    groups it spans: their sum × ``factor``. Returns the number of rows added."""
    from schemas import codes

    path = folder / "beneficiaries.csv"
    ben = pl.read_csv(path, infer_schema=False)
    key = ["scheme_id", "risk", "benefit_type", "sex"]
    span = codes.AGE_GROUP_SPANS[group]
    broad = (
        ben.filter(pl.col("age_group").is_in(span))
        .group_by(key, maintain_order=True)
        .agg(pl.col("beneficiaries").cast(pl.Int64).sum(), pl.len().alias("n"))
        .filter(pl.col("n") == len(span))
        .select(
            *key,
            pl.lit(group).alias("age_group"),
            (pl.col("beneficiaries") * factor).round(0).cast(pl.Int64).cast(pl.String),
        )
    )
    pl.concat([ben, broad]).write_csv(path)
    return broad.height


def test_broad_age_group_that_agrees_is_accepted(tmp_path, monkeypatch):
    """Issue 10: Y_GE65 rows that agree with the 5-year groups of the sample's ARG_2020 are
    accepted (and stay in landing; the marts pick one non-overlapping partition)."""
    raw, wh = _zone(tmp_path, monkeypatch, reference=REPO / "raw" / "reference")
    shutil.copytree(REPO / "raw" / "ssi" / "ARG_2020", raw / "ssi" / "ARG_2020")
    added = _with_broad_group(raw / "ssi" / "ARG_2020", 1.0)
    assert added == 6  # ARG-PEN and ARG-SOCPEN, F/M/_T
    receipt, q, _ = _land("ARG_2020")
    assert q.is_empty(), q.select("check_name", "reason").to_dicts()
    ben = pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "ARG_2020.parquet")
    assert ben.filter(pl.col("age_group") == "Y_GE65").height == added
    pen_f = ben.filter(
        (pl.col("scheme_id") == "ARG-PEN") & (pl.col("sex") == "F") & (pl.col("risk") == "old_age")
    )
    by_age = dict(zip(pen_f["age_group"], pen_f["beneficiaries"], strict=True))
    # hand check (raw/ssi/ARG_2020/beneficiaries.csv): 558170 + 445180 + 334358 + 495223
    assert by_age["Y_GE65"] == 1832931


def test_broad_age_group_that_disagrees_is_quarantined(tmp_path, monkeypatch):
    raw, wh = _zone(tmp_path, monkeypatch, reference=REPO / "raw" / "reference")
    shutil.copytree(REPO / "raw" / "ssi" / "ARG_2020", raw / "ssi" / "ARG_2020")
    _with_broad_group(raw / "ssi" / "ARG_2020", 1.1)
    receipt, q, report = _land("ARG_2020")
    from schemas import ssi

    hits = q.filter(pl.col("check_name") == ssi.AGE_BROAD_IDENTITY)
    assert not hits.is_empty()
    pen_f = (
        "the 5-year age groups Y65T69 to Y_GE80 add up to 1832931 but the broad age group "
        "Y_GE65 is 2016224 for scheme_id ARG-PEN, risk old_age, benefit_type cash_periodic, "
        "sex F; a broad group must equal the 5-year groups it spans within 0.5%"
    )
    assert any(pen_f in r for r in hits["reason"].to_list()), hits["reason"].to_list()[:3]
    assert pen_f in report
    # every row of each disagreeing scheme × risk × benefit type × sex is set aside (21 + 7
    # per sex, 3 sexes, 2 schemes: 6 five-year groups + _T + Y_GE65 = 8 rows each)
    ben = receipt.filter(pl.col("table_name") == "ssi_beneficiaries").row(0, named=True)
    assert ben["rows_quarantined"] == 2 * 3 * 8
    landed = pl.read_parquet(wh / "landing" / "ssi_beneficiaries" / "ARG_2020.parquet")
    assert landed.filter(pl.col("risk") == "old_age").is_empty()
    assert ben["rows_loaded"] + ben["rows_quarantined"] == ben["rows_received"]


@pytest.mark.parametrize(
    ("rows", "ok", "text"),
    [
        # only some 5-year groups of Y15T64 given: their sum may not exceed it
        (["F,Y15T64,250000", "F,Y_GE65,50000"], True, None),
        (["F,Y15T64,260000"], True, None),
        (
            ["F,Y15T64,200000"],
            False,
            "the 5-year age groups given within Y15T64 (Y20T24, Y40T44) add up to 250000, "
            "more than the broad age group Y15T64 (200000) for scheme_id KEN-NSSF, sex F",
        ),
        # all 5-year groups of Y_GE65 given (Y65T69 … Y_GE80): must match within 0.5 %
        (["F,Y_GE65,50100"], True, None),
        (
            ["F,Y_GE65,49000"],
            False,
            "the 5-year age groups Y65T69 to Y_GE80 add up to 50000 but the broad age group "
            "Y_GE65 is 49000",
        ),
        # a broad group larger than all ages
        (
            ["F,Y_GE15,301600"],
            False,
            "the broad age group Y_GE15 (301600) exceeds the all-ages total (_T) 300000",
        ),
    ],
)
def test_broad_age_groups_of_contributors(tmp_path, monkeypatch, rows, ok, text):
    raw, wh = _zone(tmp_path, monkeypatch)
    five = [
        "F,Y20T24,100000",
        "F,Y40T44,150000",
        "F,Y65T69,20000",
        "F,Y70T74,15000",
        "F,Y75T79,10000",
        "F,Y_GE80,5000",
    ]
    lines = ["scheme_id,sex,age_group,affiliated,active_contributors"]
    lines += ["KEN-NSSF,F,_T,400000,300000", "KEN-NSSF,M,_T,500000,350000"]
    lines += ["KEN-NSSF,_T,_T,900000,650000"]
    lines += [f"KEN-NSSF,{r.rsplit(',', 1)[0]},,{r.rsplit(',', 1)[1]}" for r in five + rows]
    _uga_folder(raw, contributors="\n".join(lines) + "\n")
    receipt, q, _ = _land("UGA_2021")
    con = receipt.filter(pl.col("table_name") == "ssi_contributors").row(0, named=True)
    if ok:
        assert q.is_empty(), q.select("check_name", "reason").to_dicts()
        assert con["rows_loaded"] == 3 + len(five) + len(rows)
        return
    from schemas import ssi

    hits = q.filter(pl.col("check_name") == ssi.AGE_BROAD_IDENTITY)
    assert any(text in r for r in hits["reason"].to_list()), hits["reason"].to_list()
    # the female rows are set aside, the male and total rows load
    assert con["rows_loaded"] == 2 and con["rows_quarantined"] == 1 + len(five) + len(rows)


def test_reference_year_from_1990(tmp_path, monkeypatch):
    """Methodology §8.1: any reference year from 1990 on is accepted; 1989 is not."""
    raw, wh = _zone(tmp_path, monkeypatch)
    for year in (1990, 1996, 1989):
        sub = f"iso3,reference_year,round,submitted_on,focal_point,currency\nUGA,{year},{year + 1},"
        _uga_folder(raw, f"UGA_{year}", submission=sub + f"{year + 1}-03-15,Ministry,UGX\n")
    for year in (1990, 1996):
        receipt, q, _ = _land(f"UGA_{year}")
        assert q.is_empty(), q.select("check_name", "reason").to_dicts()
        landed = pl.read_parquet(wh / "landing" / "ssi_submission" / f"UGA_{year}.parquet")
        assert landed["reference_year"].to_list() == [year]
    receipt, q, _ = _land("UGA_1989")
    assert set(q["check_name"]) == {"submission_identity"}
    assert "reference year 1989 is outside 1990–" in q["reason"][0]


class _Erring(pa.DataFrameModel):
    """A model whose check across rows fails with an error, not per row."""

    x: int

    class Config:
        strict = True

    @pa.dataframe_check(error="erring")
    @classmethod
    def erring(cls, data) -> bool:
        raise ValueError("boom")


def test_a_failure_with_no_row_is_the_same_stacked_or_alone():
    """A failure pandera cannot attribute to a row rejects every row of the table. Stacked
    with other tables it cannot be told apart per table: ``StackedCheckFailed`` (the landing
    then validates the tables one by one); a stack of one table rejects its rows as alone."""
    frame = pl.DataFrame({"x": ["1", "2"]})
    alone = validation.validate_table(frame, _Erring, "t")
    (stacked,) = validation.validate_tables([validation.Table(frame)], _Erring, "t")
    assert alone.accepted.height == stacked.accepted.height == 0
    assert alone.quarantined.equals(stacked.quarantined)
    assert alone.quarantined["row_number"].to_list() == [2, 3]
    with pytest.raises(validation.StackedCheckFailed):
        validation.validate_tables([validation.Table(frame)] * 2, _Erring, "t")
