"""``floorboard aggregate`` (issue 14, methodology §7): the README's command on the published UN
SDG 1.3.1 file, a small input by hand for the reported variant and the window, and hostile
inputs (one line on stderr, exit code 2, nothing built). The aggregation itself is dbt's (macro
regional_estimates, unit tests in dbt_project/models/marts/_agg_regional__unit_tests.yml); the
comparison with the published aggregates is in test_aggregates_vs_published.py."""

from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FLOORBOARD = Path(sys.executable).parent / "floorboard"
OUT_COLUMNS = [
    "series_code", "region_type", "m49", "region", "year", "sex", "value", "value_reported",
    "population_coverage", "n_reporting", "n_imputed", "nature",
]  # fmt: skip


def floorboard(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORBOARD_")}
    return subprocess.run(
        [str(FLOORBOARD), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def readme_aggregate_command() -> str:
    """The ``floorboard aggregate`` line of the README (a ``console`` block: it reads the real
    data folder beside the repository, which the sample-only README test does not have)."""
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [
        ln.strip() for b in blocks for ln in b.splitlines() if ln.startswith("floorboard aggregate")
    ]
    assert len(lines) == 1, lines
    return lines[0]


def read_out(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == OUT_COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def published_aggregates(real_dir: Path, tmp_path_factory) -> Path:
    """Runs the README's command once (the real folder as the fixture has it; /tmp/ under the
    test's temporary folder); the comparison test reads the same file."""
    tmp = tmp_path_factory.mktemp("aggregate")
    args = shlex.split(readme_aggregate_command())[1:]
    args = [
        a.replace("../shared/data/real", str(real_dir)).replace("/tmp/", f"{tmp}/") for a in args
    ]
    proc = floorboard(*args)
    assert proc.returncode == 0, proc.stderr
    assert "aggregates (estimated)" in proc.stdout
    return Path(args[args.index("--out") + 1])


def test_readme_command_on_the_published_file(published_aggregates: Path):
    rows = read_out(published_aggregates)
    kinds = {r["region_type"] for r in rows}
    assert kinds == {
        "world", "sdg_region", "sdg_subregion", "ilo_region", "ilo_subregion", "income_group",
        "ldc", "lldc", "sids",
    }  # fmt: skip
    assert {r["nature"] for r in rows} == {"N"}
    world = [r for r in rows if r["m49"] == "1" and r["series_code"] == "SI_COV_BENFTS"]
    w2020 = next(r for r in world if r["year"] == "2020" and r["sex"] == "_T")
    assert int(w2020["n_reporting"]) + int(w2020["n_imputed"]) >= 200  # the whole M49 universe
    assert {"9", "53", "199", "202", "419", "432", "543", "62", "722", "747", "753", "513"} <= {
        r["m49"] for r in rows
    }


def test_reported_variant_and_window_by_hand(tmp_path: Path):
    """SI_COV_BENFTS 2020 reported by USA (80 %) and MEX (60 %); CAN has a 2018 value only.
    Northern America (M49 21) reports USA alone: 80.0. The World is their mean weighted by total
    population (USA about 2.6 times MEX), withheld as `value` (far below 50 % population
    coverage) but given as value_reported. The reported variant imputes nothing (n_imputed 0);
    the input's aggregate row is ignored."""
    src = tmp_path / "in.csv"
    src.write_text(
        "series_code,iso3,year,sex_sdmx,value,area_type\n"
        "SI_COV_BENFTS,USA,2020,_T,80,country\n"
        "SI_COV_BENFTS,MEX,2020,_T,60,country\n"
        "SI_COV_BENFTS,CAN,2018,_T,90,country\n"
        "SI_COV_BENFTS,,2020,_T,46.9,aggregate\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    proc = floorboard(
        "aggregate", str(src), "--out", str(out), "--variant", "reported", "--window", "0"
    )
    assert proc.returncode == 0, proc.stderr
    rows = read_out(out)
    na = next(r for r in rows if r["m49"] == "21" and r["year"] == "2020")
    assert (na["n_reporting"], na["n_imputed"]) == ("1", "0")
    assert float(na["value_reported"]) == pytest.approx(80.0)
    world = next(r for r in rows if r["m49"] == "1" and r["year"] == "2020")
    # USA and MEX: population-weighted, so between 60 and 80 and nearer USA's 80
    assert 70 < float(world["value_reported"]) < 80
    assert world["value"] == ""  # two countries: far below 50 % population coverage
    assert world["n_reporting"] == "2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"series_code,iso3,year,value\nX,KEN,2020,1\n", "missing column(s) sex_sdmx"),
        (b"\xff\xfe\x00s\x00e", "not UTF-8"),
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,=cmd|' /C calc'!A0,2020,_T,1\n",
            "is not an ISO3 code",
        ),  # fmt: skip
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,2020,_T,=1+1\n",
            "is not a number",
        ),  # fmt: skip
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,20x0,_T,1\n",
            "is not a year",
        ),  # fmt: skip
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,2020,X,1\n",
            "is not _T, F or M",
        ),  # fmt: skip
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,2020,_T,1\n"
            b"SI_COV_BENFTS,KEN,2020,_T,2\n",
            "a second value",
        ),  # fmt: skip
        (b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,2020\n", "fields"),
        (
            b"series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,,2020,_T,1\n",
            "no country value",
        ),  # fmt: skip
    ],
    ids=[
        "empty",
        "columns",
        "encoding",
        "formula-iso3",
        "formula-value",
        "year",
        "sex",
        "duplicate",
        "ragged",
        "aggregates-only",
    ],  # fmt: skip
)
def test_hostile_input_one_line_exit_2(tmp_path: Path, content: bytes, message: str):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    proc = floorboard("aggregate", str(src), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not out.exists()


def test_usage_errors_exit_2(tmp_path: Path):
    assert floorboard("aggregate", "--out", str(tmp_path / "o.csv")).returncode == 2
    proc = floorboard("aggregate", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    src = tmp_path / "in.csv"
    src.write_text("series_code,iso3,year,sex_sdmx,value\nSI_COV_BENFTS,KEN,2020,_T,1\n")
    for bad in (["--variant", "both"], ["--window", "-1"]):
        proc = floorboard("aggregate", str(src), "--out", str(tmp_path / "o.csv"), *bad)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    proc = floorboard("aggregate", str(src), "--out", str(tmp_path / "no" / "o.csv"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


# --- the published aggregates -----------------------------------------------------------------

DOC = REPO / "docs" / "aggregates_vs_published.md"
#: regression guards (not the targets of issue 14, which the document reports): the differences
#: measured when the model was chosen were World 2020 at most 5.8 pp, regional 2020 median 2.7 pp
WORLD_2020_GUARD = 7.0
REGIONAL_2020_MEDIAN_GUARD = 3.5


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def test_aggregates_vs_published(published_aggregates: Path, real_dir: Path):
    """Aggregates of the published country values against the published World and regional
    values of the same file (series × area × year × sex), written to
    docs/aggregates_vs_published.md with the targets of issue 14 and the reasons for misses."""
    ours = {
        (r["series_code"], r["m49"], r["year"], r["sex"]): r
        for r in read_out(published_aggregates)
        if r["m49"]
    }
    with (real_dir / "sdg_131" / "sdg_131_ilo_series_by_sex.csv").open(encoding="utf-8") as f:
        published = [r for r in csv.DictReader(f) if r["area_type"] == "aggregate"]
    rows = []
    for p in published:
        key = (p["series_code"], p["geo_area_code"], p["year"], p["sex_sdmx"])
        o = ours.get(key)
        est = float(o["value"]) if o and o["value"] else None
        rep = float(o["value_reported"]) if o and o["value_reported"] else None
        rows.append(
            {
                "series": p["series_code"], "m49": p["geo_area_code"], "area": p["geo_area_name"],
                "year": p["year"], "sex": p["sex_sdmx"], "published": float(p["value"]),
                "estimated": est, "reported": rep,
                "diff": None if est is None else est - float(p["value"]),
                "coverage": float(o["population_coverage"]) if o else None,
                "n_reporting": o["n_reporting"] if o else "",
                "n_imputed": o["n_imputed"] if o else "",
            }
        )  # fmt: skip
    rows.sort(key=lambda r: (r["series"], r["m49"] != "1", r["area"], r["year"], r["sex"]))
    world = [r for r in rows if r["m49"] == "1"]
    regional = [r for r in rows if r["m49"] != "1" and r["diff"] is not None]
    missing = sorted({r["area"] for r in rows if r["diff"] is None})
    summary = {}
    for year in ("2016", "2020"):
        w = [r for r in world if r["year"] == year]
        g = [r for r in regional if r["year"] == year]
        summary[year] = (
            sum(abs(r["diff"]) <= 2 for r in w), len(w), max(abs(r["diff"]) for r in w),
            _median([abs(r["diff"]) for r in g]), len(g),
            _median([abs(r["reported"] - r["published"]) for r in g if r["reported"] is not None]),
        )  # fmt: skip
    all_median = _median([abs(r["diff"]) for r in regional])
    DOC.write_text(_document(rows, summary, all_median, len(regional), missing), encoding="utf-8")

    assert all(r["diff"] is not None for r in world), "every published World value is compared"
    assert max(abs(r["diff"]) for r in world if r["year"] == "2020") <= WORLD_2020_GUARD
    assert summary["2020"][3] <= REGIONAL_2020_MEDIAN_GUARD


def _verdict(summary: dict) -> str:
    """Which targets are met, per year, in words."""
    parts = []
    for year, (within, n, _, median, _, _) in summary.items():
        world = "met" if within == n else f"missed ({n - within} of {n} series)"
        regional = "met" if median <= 3 else "missed"
        parts.append(f"{year}: World target {world}, regional target {regional}")
    return "; ".join(parts) + ". Why the misses:"


def _f(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _document(rows, summary, all_median, n_regional, missing) -> str:
    s16, s20 = summary["2016"], summary["2020"]
    lines = [
        "# Regional and global estimates against the published aggregates",
        "",
        "Written by `tests/test_aggregate_command.py::test_aggregates_vs_published` (do not edit",
        "by hand). It runs the README's command",
        "",
        "    floorboard aggregate ../shared/data/real/sdg_131/sdg_131_ilo_series_by_sex.csv \\",
        "        --out /tmp/aggregates.csv",
        "",
        "on the published country values of the UN SDG Global Database (SDG 1.3.1, ILO series, the",
        "shared part: 140 of 212 countries) and compares the `estimated` variant (macro",
        '`regional_estimates`, methodology §7, docs/decisions.md "Regional estimates") with the',
        "World and regional values published in the same file. Nothing was tuned to these values:",
        "the imputation model is fitted on the country values only.",
        "",
        "## Targets of issue 14",
        "",
        "| | 2016 | 2020 |",
        "|---|---|---|",
        f"| World within 2 pp (target: every series) | {s16[0]} of {s16[1]} "
        f"| {s20[0]} of {s20[1]} |",
        f"| World, largest absolute difference (pp) | {_f(s16[2])} | {_f(s20[2])} |",
        f"| Regional values compared | {s16[4]} | {s20[4]} |",
        "| Regional median absolute difference, estimated (target ≤ 3 pp) "
        f"| {_f(s16[3])} | {_f(s20[3])} |",
        f"| Regional median absolute difference, reported variant | {_f(s16[5])} | {_f(s20[5])} |",
        "",
        f"Over both years the regional median absolute difference is {_f(all_median)} pp "
        f"({n_regional} values).",
        _verdict(summary),
        "",
        "1. **The 2016 aggregates are another vintage.** They are the figures of the ILO World",
        "   Social Protection Report 2017-19 (45.2 % at least one benefit, 34.9 % of children,",
        "   27.8 % of persons with severe disabilities, 21.8 % of the unemployed); the country",
        "   values in the file are the 2020-22 vintage, revised since (the ILO's child coverage",
        "   of the 2020-22 report is 26.4 % for 2020, eight points below the earlier 2016 figure,",
        "   a change of method rather than of coverage). Aggregating the 2020-22 country values",
        "   cannot give the 2017-19 aggregates; few country values refer to 2016 itself, so most",
        "   2016 inputs are values of nearby years (the window).",
        "2. **A third of the countries are held out of the shared file**, among them India,",
        "   Brazil, Germany, the Philippines, Ethiopia, Thailand, Poland, Australia and New",
        "   Zealand. The ILO aggregated their real values; here they are imputed by the model.",
        "   Australia and New Zealand (M49 53) have no country value at all, so that region and",
        "   Oceania (9) are the regression's guess for two high-income countries from the Pacific",
        "   islands' values; Southern Asia depends on the prediction for India.",
        "3. **The weights are proxies of the denominators** (seed `aggregate_weight_proxies`):",
        "   persons 65+ for those above the statutory pensionable age (many countries' SPA is 60",
        "   or 62, so the pension weights of lower-income countries are too small, the likely",
        "   cause of the high World SI_COV_PENSN), women 15-49 for women giving birth (births",
        "   weigh high-fertility, low-coverage countries more), the total population for the",
        "   severely disabled, the poor and the vulnerable; ILO modelled employment and",
        "   unemployment for SI_COV_WKINJRY and SI_COV_UEMP.",
        "4. **The country model is coarse.** Log GDP per capita and the SDG region explain part",
        "   of the variation of coverage; an imputed country's value can be tens of points off,",
        "   and regions where most of the weight is imputed (see `imputed %` below) inherit it.",
        "",
    ]
    if missing:
        lines += [
            "Not compared (no group of that kind in the aggregates of issue 14: M49 continents "
            f"other than Oceania): {', '.join(missing)}.",
            "",
        ]
    lines += [
        "## Differences (estimated − published, percentage points)",
        "",
        "`coverage %`: population coverage of the countries reporting in the year; `imputed`:",
        "countries carried from a nearby year or modelled.",
        "",
        "| series | area | M49 | year | sex | published | estimated | difference | reported "
        "| coverage % | reporting | imputed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for r in rows:
        lines.append(
            f"| {r['series']} | {r['area']} | {r['m49']} | {r['year']} | {r['sex']} | "
            f"{_f(r['published'])} | {_f(r['estimated'])} | {_f(r['diff'])} | "
            f"{_f(r['reported'])} | "
            f"{_f(r['coverage'])} | {r['n_reporting']} | {r['n_imputed']} |"
        )
    return "\n".join(lines) + "\n"
