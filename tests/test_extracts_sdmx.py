"""SDMX extracts of the sample warehouse (issue 5, methodology §8.1–8.2): they parse back with
sdmx1 to the warehouse's observations, every code is in the real DSD code lists, the content
constraints hold (and a violation raises), the same warehouse gives byte-identical files, and a
selection restricts what is written."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.extracts import codelists, observations, sdmx_csv, sdmx_ml
from pipelines.extracts.codelists import CodeListError
from pipelines.extracts.sdmx_csv import ContentConstraintError
from pipelines.extracts.selection import ExtractConfig, ExtractSelection
from pipelines.extracts.write import write_extracts

PREPARED = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
HALF_UNIT = {"PT": 0.05, "IX": 0.5}  # the rounding rule: 1 decimal for PT, 0 for IX


@pytest.fixture(scope="module")
def extract(sample_warehouse: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extract_a")
    write_extracts(sample_warehouse / "floorboard.duckdb", out, "2026-11-27.1", PREPARED)
    return out


@pytest.fixture(scope="module")
def expected(sample_warehouse: Path) -> dict[tuple, tuple[float, str]]:
    """What the SDMX files must hold, straight from the marts: every country value and every
    non-suppressed world / SDG-region aggregate, keyed (SERIES, REF_AREA, SEX, TIME_PERIOD)."""
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        rows = con.execute(
            """
            select series_code, cast(m49 as varchar), sex, cast(time_period as varchar), "value",
                unit_measure
            from marts.sdg_indicators
            union all
            select a.series_code,
                case when a.region_type = 'world' then '1' else cast(c.code as varchar) end,
                a.sex, cast(a.time_period as varchar), a."value", a.unit_measure
            from marts.agg_regional as a
            left join (select distinct sdg_region_code as code
                       from marts.dim_country) as c
                on a.region_type in ('sdg_region', 'sdg_subregion') and a.m49 = c.code
            where (a.region_type = 'world' or c.code is not null) and a."value" is not null
            """
        ).fetchall()
    finally:
        con.close()
    result = {(s, area, sex, year): (value, unit) for s, area, sex, year, value, unit in rows}
    assert len(result) == len(rows), "keys are unique"
    return result


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _assert_matches(observed: dict[tuple, str], expected: dict[tuple, tuple[float, str]]) -> None:
    assert set(observed) == set(expected)
    for key, text in observed.items():
        value, unit = expected[key]
        decimals = observations.DECIMALS[unit]
        assert len(text.partition(".")[2]) == decimals, (key, text)
        assert abs(float(text) - value) <= HALF_UNIT[unit] + 1e-9, (key, text, value)


def _key(obj) -> tuple:
    return tuple(str(obj[d].value) for d in ("SERIES", "REF_AREA", "SEX", "TIME_PERIOD"))


def test_sdmx_csv_parses_back_to_the_warehouse(extract: Path, expected: dict) -> None:
    cl = codelists.load()
    msg = sdmx_csv.read(extract / "sdg_sdmx.csv", cl)
    assert len(msg.data) == 1
    obs = msg.data[0].obs
    assert len(obs) == len(expected)
    _assert_matches({_key(o.dimension): o.value for o in obs}, expected)


def test_sdmx_ml_parses_back_to_the_same_observations(extract: Path, expected: dict) -> None:
    cl = codelists.load()
    msg = sdmx_ml.read(extract / "sdg_sdmx.xml", cl)
    assert msg.header.id == "FLOORBOARD_2026-11-27_1"
    assert msg.header.prepared == PREPARED
    obs = msg.data[0].obs
    assert len(obs) == len(expected)
    ml = {_key(o.key): o.value for o in obs}
    _assert_matches(ml, expected)
    # the same values and attributes as the SDMX-CSV
    rows = _csv_rows(extract / "sdg_sdmx.csv")
    assert ml == {(r["SERIES"], r["REF_AREA"], r["SEX"], r["TIME_PERIOD"]): r["OBS_VALUE"]
                  for r in rows}  # fmt: skip
    attrs = {_key(o.key): {k: str(v.value) for k, v in o.attrib.items()} for o in obs}
    for r in rows[:: max(1, len(rows) // 200)]:
        got = attrs[(r["SERIES"], r["REF_AREA"], r["SEX"], r["TIME_PERIOD"])]
        for name in ("UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "NATURE", "TIME_DETAIL",
                     "SOURCE_DETAIL"):  # fmt: skip
            assert got[name] == r[name]


def test_sdmx_ml_is_what_sdmx1_writes(extract: Path, tmp_path: Path) -> None:
    """Floorboard serializes the SDMX-ML message itself (``sdmx_ml.write``, lxml); the oracle is
    sdmx1's own writer on sdmx1's object model of the same frame (``sdmx_ml.message``): with the
    real DSD, the same bytes; with the DSD built from the pinned code lists (which sdmx1
    references by ``Ref``, Floorboard by URN), the same document but that reference."""
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False).drop("DATAFLOW")
    frame = frame.fill_null("")
    for cl in {codelists.load(), codelists.load(prefer_real=False)}:
        ours = sdmx_ml.write(frame, cl, tmp_path / f"{cl.source}.xml", "R1", PREPARED, "1.3")
        msg = sdmx_ml.message(frame, cl, sdmx_ml.header_id("R1"), PREPARED, "1.3")
        theirs = sdmx_ml._sdmx().to_xml(msg, pretty_print=True)
        if cl.source != "real":
            ours_text, theirs_text = ours.read_text(encoding="utf-8"), theirs.decode("utf-8")
            urn = f"<URN>{sdmx_ml.dsd_urn(cl)}</URN>"
            assert urn in ours_text
            ref = re.search(r"<Ref [^>]*/>", theirs_text)
            assert ref, theirs_text[:2000]
            assert ours_text.replace(urn, ref.group(0)) == theirs_text
        else:
            assert ours.read_bytes() == theirs


def test_sdmx_csv_header_follows_the_dsd(extract: Path, real_dir: Path) -> None:
    components = _csv_rows(real_dir / "sdmx" / "sdg_dsd_components.csv")
    dims = [c["component_id"] for c in sorted(
        (c for c in components if c["component_type"] == "Dimension"),
        key=lambda c: int(c["position"]),
    )]  # fmt: skip
    attrs = {c["component_id"] for c in components if c["component_type"] == "Attribute"}
    with (extract / "sdg_sdmx.csv").open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
        first = next(csv.reader(f))
    n = len(dims)
    assert header[: n + 3] == ["DATAFLOW", *dims, "TIME_PERIOD", "OBS_VALUE"]
    assert header[n + 3 : n + 9] == ["UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "NATURE",
                                     "SOURCE_DETAIL", "COMMENT_OBS"]  # fmt: skip
    assert set(header[n + 3 :]) == attrs
    assert first[0] == "IAEG-SDGs:DF_SDG_GLH(1.3)"
    # codelists constants = the real DSD
    assert [d for d, _ in codelists.DIMENSIONS] == dims
    assert {a for a, _ in codelists.ATTRIBUTES} == attrs


def test_every_code_is_in_the_real_code_lists(extract: Path, real_dir: Path) -> None:
    folder = real_dir / "sdmx"
    component_list = {
        c["component_id"]: c["codelist_id"]
        for c in _csv_rows(folder / "sdg_dsd_components.csv")
        if c["codelist_id"]
    }
    codes: dict[str, set[str]] = {}
    for r in _csv_rows(folder / "sdg_dsd_codelists.csv"):
        codes.setdefault(r["codelist_id"], set()).add(r["code"])
    rows = _csv_rows(extract / "sdg_sdmx.csv")
    checked = 0
    for column, codelist in component_list.items():
        used = {r[column] for r in rows} - {""}
        assert used <= codes[codelist], (column, sorted(used - codes[codelist]))
        checked += bool(used)
    assert checked == 19  # 15 dimensions + OBS_STATUS, UNIT_MULT, UNIT_MEASURE, NATURE
    # REF_AREA: countries and the world/SDG regions, all M49
    areas = {r["REF_AREA"] for r in rows}
    assert "1" in areas and "404" in areas and "KEN" not in areas


def test_pinned_code_lists_are_a_subset_of_the_real_ones(real_dir: Path) -> None:
    real = {
        (r["agency_id"], r["codelist_id"], r["codelist_version"], r["code"]): r["name_en"]
        for r in _csv_rows(real_dir / "sdmx" / "sdg_dsd_codelists.csv")
    }
    pinned = _csv_rows(codelists.pinned_path())
    assert pinned and {r["dsd_version"] for r in pinned} == {codelists.DSD_VERSION}
    for r in pinned:
        key = (r["agency_id"], r["codelist_id"], r["codelist_version"], r["code"])
        assert real.get(key) == r["name_en"], key


def test_pinned_code_lists_validate_the_extract_and_build_a_dsd(
    extract: Path, tmp_path: Path
) -> None:
    """Without the real folder: the pinned codes cover the sample, and SDMX-ML written on the
    DSD built from them parses back."""
    pinned = codelists.load(prefer_real=False)
    assert pinned.source == "pinned"
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False).drop("DATAFLOW")
    sdmx_csv.validate_codes(frame.fill_null(""), pinned)
    small = frame.fill_null("").filter(pl.col("REF_AREA").is_in(["404", "858"]))
    path = tmp_path / "pinned.xml"
    sdmx_ml.write(small, pinned, path, "pinned", PREPARED, "1.3")
    back = sdmx_ml.read(path, pinned).data[0].obs
    assert len(back) == small.height > 0


def test_content_constraints_hold(extract: Path, sample_warehouse: Path) -> None:
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False).fill_null("")
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    aggregates = {"1"} | {str(r[0]) for r in con.execute(
        "select distinct sdg_region_code from marts.dim_country where sdg_region_code is not null"
    ).fetchall()}  # fmt: skip
    con.close()
    assert sdmx_csv.constraint_violations(frame) == []
    assert sdmx_csv.constraint_violations(frame, aggregates) == []
    # NATURE (methodology §8.1): countries E (ratios computed from national inputs), aggregates N
    is_aggregate = pl.col("REF_AREA").is_in(sorted(aggregates))
    assert set(frame.filter(is_aggregate)["NATURE"]) == {"N"}
    # C where a registry gives the exact numerator and both parts are national data (issue 15)
    assert set(frame.filter(~is_aggregate)["NATURE"]) <= {"C", "E"}
    assert "E" in set(frame.filter(~is_aggregate)["NATURE"])
    # TIME_DETAIL: the reference year of every observation
    assert (frame["TIME_DETAIL"] == frame["TIME_PERIOD"]).all()
    si = frame.filter(pl.col("SERIES").str.starts_with("SI_COV_"))
    assert set(si["UNIT_MEASURE"]) == {"PT"} and set(si["UNIT_MULT"]) == {"0"}
    assert set(frame.filter(pl.col("SERIES") == "SI_COV_MATNL")["SEX"]) == {"F"}
    uhc = frame.filter(pl.col("SERIES") == "SH_ACS_UNHC")
    assert uhc.height and set(uhc["UNIT_MEASURE"]) == {"IX"}
    for column in ("SEX", *sdmx_csv.BREAKDOWNS_T):
        assert set(uhc[column]) == {"_T"}


@pytest.mark.parametrize(
    ("series", "change", "message"),
    [
        ("SI_COV_MATNL", {"SEX": "M"}, "SI_COV_MATNL is for SEX F only"),
        ("SH_ACS_UNHC", {"SEX": "F"}, "SH_ACS_UNHC has every breakdown _T"),
        ("SH_ACS_UNHC", {"AGE": "Y_GE15"}, "SH_ACS_UNHC has every breakdown _T"),
        ("SH_ACS_UNHC", {"UNIT_MEASURE": "PT"}, "SH_ACS_UNHC must be UNIT_MEASURE IX"),
        ("SI_COV_PENSN", {"UNIT_MEASURE": "IX"}, "SI_COV_* must be UNIT_MEASURE PT"),
        ("SI_COV_PENSN", {"UNIT_MULT": "3"}, "SI_COV_* must be UNIT_MULT 0"),
        ("SI_COV_PENSN", {"TIME_DETAIL": ""}, "TIME_DETAIL must be the year of TIME_PERIOD"),
        ("SI_COV_PENSN", {"TIME_DETAIL": "2001"}, "TIME_DETAIL must be the year of TIME_PERIOD"),
        ("SI_COV_PENSN", {"TIME_DETAIL": "20-21"}, "TIME_DETAIL must be the year of TIME_PERIOD"),
        ("SI_COV_PENSN", {"TIME_PERIOD": "96"}, "TIME_PERIOD must be a year (YYYY)"),
        ("SI_COV_PENSN", {"NATURE": ""}, "NATURE is required"),
    ],
)
def test_a_constraint_violation_raises(
    extract: Path, series: str, change: dict[str, str], message: str
) -> None:
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False, n_rows=20000)
    frame = frame.drop("DATAFLOW").fill_null("")
    row = frame.filter(pl.col("SERIES") == series).head(1)
    broken = pl.concat([frame, row.with_columns(**{k: pl.lit(v) for k, v in change.items()})])
    with pytest.raises(ContentConstraintError, match=re.escape(message)):
        sdmx_csv.enforce_constraints(broken)


def test_nature_n_is_for_aggregates_only(extract: Path) -> None:
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False, n_rows=20000)
    frame = frame.drop("DATAFLOW").fill_null("")
    country = frame.filter(pl.col("REF_AREA") == "404").head(1)
    world = frame.filter(pl.col("REF_AREA") == "1").head(1)
    assert country.height and world.height
    sdmx_csv.enforce_constraints(pl.concat([country, world]), {"1"})
    with pytest.raises(ContentConstraintError, match="NATURE N is for aggregates only"):
        sdmx_csv.enforce_constraints(pl.concat([country.with_columns(NATURE=pl.lit("N"))]), {"1"})
    with pytest.raises(ContentConstraintError, match="aggregates have NATURE N"):
        sdmx_csv.enforce_constraints(world.with_columns(NATURE=pl.lit("M")), {"1"})


def test_any_year_from_1990_passes_the_content_checks(extract: Path) -> None:
    """Published series go back to the 1990s (methodology §8.1): no year floor in the checks;
    TIME_DETAIL may be a range holding TIME_PERIOD."""
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False, n_rows=200)
    row = frame.drop("DATAFLOW").fill_null("").filter(pl.col("REF_AREA") == "404").head(1)
    years = [(str(y), str(y)) for y in (1990, 1996, 1999)] + [("1995", "1994-1996")]
    early = pl.concat(
        [row.with_columns(TIME_PERIOD=pl.lit(t), TIME_DETAIL=pl.lit(d)) for t, d in years]
    )
    assert sdmx_csv.constraint_violations(early) == []
    sdmx_csv.validate_codes(early, codelists.load())


def test_an_unknown_code_raises_listing_it(extract: Path) -> None:
    cl = codelists.load()
    frame = pl.read_csv(extract / "sdg_sdmx.csv", infer_schema=False, n_rows=50).fill_null("")
    broken = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("99999")).otherwise("REF_AREA")
        .alias("REF_AREA"),
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("X")).otherwise("SEX").alias("SEX"),
    )  # fmt: skip
    with pytest.raises(CodeListError) as err:
        sdmx_csv.validate_codes(broken, cl)
    assert "REF_AREA (CL_AREA): 99999" in str(err.value)
    assert "SEX (CL_SEX): X" in str(err.value)


def test_same_warehouse_gives_byte_identical_extracts(
    extract: Path, sample_warehouse: Path, tmp_path: Path
) -> None:
    paths = write_extracts(
        sample_warehouse / "floorboard.duckdb", tmp_path, "2026-11-27.1", PREPARED
    )
    assert all(p.is_relative_to(tmp_path) for p in paths)

    def digests(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    first, second = digests(extract), digests(tmp_path)
    assert {
        "sdg_sdmx.csv",
        "sdg_sdmx.xml",
        "floorboard_indicators.xlsx",
        "floorboard_indicators.csv",
        "open_sdg/KEN/data/indicator_1-3-1.csv",
    } <= set(second)
    assert first == second
    # no absolute path in any text file
    for p in paths:
        if p.suffix != ".xlsx":
            assert str(tmp_path) not in p.read_text(encoding="utf-8")


def test_selection_restricts_countries_series_and_years(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    config = ExtractConfig(countries=["ken", "URY"], series=["SI_COV_PENSN", "SH_ACS_UNHC"],
                           years=[2020, 2021])  # fmt: skip
    selection = config.to_selection()
    assert selection == ExtractSelection(("KEN", "URY"), ("SH_ACS_UNHC", "SI_COV_PENSN"),
                                         (2020, 2021))  # fmt: skip
    write_extracts(sample_warehouse / "floorboard.duckdb", tmp_path, "sel", PREPARED, selection)
    rows = _csv_rows(tmp_path / "sdg_sdmx.csv")
    assert {r["REF_AREA"] for r in rows} == {"404", "858"}  # no aggregates
    assert {r["SERIES"] for r in rows} == {"SI_COV_PENSN", "SH_ACS_UNHC"}
    assert {r["TIME_PERIOD"] for r in rows} == {"2020", "2021"}
    assert sorted(p.name for p in (tmp_path / "open_sdg").iterdir()) == ["KEN", "URY"]
    downloads = _csv_rows(tmp_path / "floorboard_indicators.csv")
    assert {r["iso3"] for r in downloads} == {"KEN", "URY"}
    assert len(downloads) == len(rows)

    flagship = observations.read(
        sample_warehouse / "floorboard.duckdb", ExtractSelection(flagship_only=True)
    )
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    focus = {r[0] for r in con.execute(
        "select iso3 from marts.dim_country where is_flagship_focus").fetchall()}  # fmt: skip
    con.close()
    assert flagship.height and set(flagship["iso3"]) <= focus
    assert set(flagship["area_type"]) == {"country"}

    with pytest.raises(ValueError, match="XXX"):
        observations.read(sample_warehouse / "floorboard.duckdb", ExtractSelection(("XXX",)))


def test_rounding_is_half_away_from_zero() -> None:
    assert observations.round_value(12.25, "PT") == "12.3"
    assert observations.round_value(12.35, "PT") == "12.4"
    assert observations.round_value(0.04, "PT") == "0.0"
    assert observations.round_value(132.449, "PT") == "132.4"
    assert observations.round_value(62.5, "IX") == "63"
    with pytest.raises(ValueError):
        observations.round_value(1.0, "NUMBER")


def test_sdmx_csv_v2_shim() -> None:
    text = "DATAFLOW,FREQ,OBS_VALUE\r\nIAEG-SDGs:DF_SDG_GLH(1.3),A,1.0\r\n"
    rows = list(csv.reader(io.StringIO(sdmx_csv.as_sdmx_csv_v2(text))))
    assert rows == [["STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ", "OBS_VALUE"],
                    ["dataflow", "IAEG-SDGs:DF_SDG_GLH(1.3)", "I", "A", "1.0"]]  # fmt: skip
