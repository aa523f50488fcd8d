"""Indicators of KEN and URY, reference year 2020, recomputed by hand from raw/.

Every expected value below is computed in this file from the raw files only (the SSI
submissions ``raw/ssi/KEN_2020.xlsx`` and ``raw/ssi/URY_2020/``, and ``raw/national/*.csv``),
following ``../shared/docs/methodology.md`` (cited as §) and ``docs/decisions.md`` (cited as
"decision"). No dbt intermediate table is read; the warehouse is only read for the mart values
under test. Neither country has a resubmission for 2020, so the current submission is the only
one. Both countries have the statutory pensionable age (SPA) 60 for women and men in 2020, a
5-year group boundary, so no pensioner or population count is split inside an age group.

Worked example (hand-derived numbers, rounded; the tests use full precision)

Kenya 2020 — population 52,200,001 (F 25,881,180, M 26,318,821); children 0–14 18,780,445;
15+ 33,419,556; 60+ 4,174,168 (F 2,320,385, M 1,853,783); employed 19,131,319.

* SI_COV_DISAB _T: 206,453 / (52.2 M × 3.0 %) = 206,453 / 1,566,000 = 13.18 %
* SI_COV_PENSN _T: (NSSF 60+ 1,323,885 + Inua Jamii 1,142,372) / 4,174,168 = 2,466,257 / 4,174,168
  = 59.08 %; F 1,357,489 / 2,320,385 = 58.50 %; M 1,108,768 / 1,853,783 = 59.81 %
  (NSSF pensioners aged 55–59, 221,950, are below the SPA and dropped; lump sums never count)
* SI_COV_WKINJRY _T: employer liability 6,109,555 / employed 19,131,319 = 31.93 %
  (sickness cash, not an SDG series, the same: 6,109,555 / 19,131,319)
* SI_COV_POOR _T: 5,328,070 / (23.2 % × 52.2 M = 12,110,400) = 44.00 %; by sex with the
  national F and M poverty rates (§0): F 2,623,185 / (25.0 % × 25,881,180 = 6,470,295) = 40.54 %,
  M 2,704,885 / (21.4 % × 26,318,821 = 5,632,227.7) = 48.03 %; DISAB F 106,808 / (3.1 % ×
  25,881,180) = 13.31 %, M 99,645 / (2.9 % × 26,318,821) = 13.06 %
* SI_COV_VULN _T: (Inua Jamii 1,142,372 + HSNP 5,328,070 = 6,470,442) /
  (52,200,001 − contributors 3,083,618 − disability 206,453 − NSSF pensioners 1,545,835
  = 47,364,095) = 13.66 %
* health (§6.3): 10,756,393 / 52,200,001 = 20.61 %
* SI_COV_BENFTS _T (§2.2): children 0 (no child benefit) + working age (3,083,618 + 5,328,070
  + 206,453 = 8,618,141) + older 2,466,257 = 11,084,398 / 52,200,001 = 21.23 %;
  F 4,943,501 / 25,881,180 = 19.10 %; M 6,140,897 / 26,318,821 = 23.33 %
  (a NULL-skipping least() once counted all 18,780,445 children; fixed, this guards it)
* legal coverage, mandatory: old age 100 % (universal Inua Jamii: 33,419,556 / 33,419,556);
  disability 6,109,555 / 33,419,556 = 18.28 %; employment injury and sickness 6,109,555 /
  19,131,319 = 31.93 %; maternity F 2,244,458 / 7,028,245 = 31.93 %; health 15,049,857 /
  52,200,001 = 28.83 %
* expenditure excluding health (§4): 537,168,587,362 KES / GDP 11,118,600,000,000 = 4.831 % GDP
* SH_ACS_UNHC (§6.1, parameters 2023-01; all 16 tracers observed in 2020, none imputed):
  RMNCH geomean(59.2, 64.9, 80.8, 58.6) = 65.31; infectious geomean(67.3, 67.8, 56.6, 59.0)
  = 62.48; NCD geomean(39.9, FPG (7.4 − 5.76)/2.3 × 100 = 71.30, tobacco (76.3 − 30)/70 × 100
  = 66.14) = 57.30; capacity geomean(beds 100, workforce 100, IHR 60.0) = 84.34;
  index = geomean(65.31, 62.48, 57.30, 84.34) = 66.64

Uruguay 2020 — population 3,430,002; children 0–14 748,478; 60+ 743,438; employed 1,401,787;
unemployed 175,088; live births 52,457 with 1.41 % multiple births.

* SI_COV_CHLD _T: 325,865 / 748,478 = 43.54 %
* SI_COV_MATNL F: 27,644 / (52,457 / 1.0141 = 51,727.64) = 53.44 %
* SI_COV_DISAB _T: (24,368 + 27,816) / (3,430,002 × 2.7 % = 92,610.05) = 56.35 %
* SI_COV_UEMP _T: 70,144 / 175,088 = 40.06 %
* SI_COV_WKINJRY _T: 995,634 / 1,401,787 = 71.03 %; sickness 1,016,595 / 1,401,787 = 72.52 %
* SI_COV_PENSN _T: (588,175 + 60,187) / 743,438 = 648,362 / 743,438 = 87.21 %
* SI_COV_POOR _T: 865,907 / (15.4 % × 3,430,002 = 528,220.31) = 163.93 % (> 100, flagged);
  URY's poverty and disability rates are totals only, so no F or M POOR/DISAB (§0)
* SI_COV_VULN _T: 865,907 / (3,430,002 − 1,048,036 − (70,144 + 24,368 + 2,575) − 588,175
  = 1,696,704) = 51.03 %
* SI_COV_BENFTS _T: 325,865 + (1,048,036 + 27,816 + 452,039 + 70,144 + 24,368 + 2,575
  = 1,624,978) + 648,362 = 2,599,205 / 3,430,002 = 75.78 %; F 159,768 + 756,340 + 352,284
  = 1,268,392 / 1,719,879 = 73.75 %; M 166,097 + 868,638 + 296,078 = 1,330,813 / 1,710,123
  = 77.82 % (maternity reports no M row: women only, M = 0; a completeness rule once dropped
  these F/M rows for every country with a maternity scheme; fixed, this guards it)
* expenditure excluding health: 253,688,380,335 UYU (the 5,390,369,130 transferred to FONASA
  is consolidated away) / GDP 2,247,336,000,000 = 11.29 % GDP

Americas, SI_COV_PENSN, 2020, _T (§7, variant (a)): Σ covered / Σ reference population over the
9 reporting countries' rows of fct_effective_coverage (ARG BRB CAN CHL ECU MEX PRY URY USA; BRA,
SLV, SUR have no 2020 submission) = 91,247,407 / 100,024,547.4 = 91.23 %; population_coverage
= 100,024,547.4 / 127,909,236.4 (population at or above the SPA of all 12 Americas countries,
from raw/, SPA inside a 5-year group split linearly: BRA F 62, BRB 67, USA 66) = 78.20 % ≥ 50 %,
so the value is published.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "raw"
YEAR = 2020
COUNT_TOL = 0.5  # persons
REL_TOL = 1e-6  # rates

SECTIONS = (
    "submission",
    "schemes",
    "legal_coverage",
    "contributors",
    "beneficiaries",
    "benefit_amounts",
    "expenditure",
    "receipts",
)
CASH = ("cash_periodic", "cash_lump_sum")
NON_CONTRIBUTORY = ("universal", "means_tested")
WORKING_AGE_RISKS = (
    "maternity",
    "sickness",
    "unemployment",
    "employment_injury",
    "disability",
    "social_assistance",
)
# decision (BENFTS, VULN): contributory recipients of these risks no longer contribute
NOT_CONTRIBUTING_RISKS = ("unemployment", "disability", "employment_injury")


@pytest.fixture(scope="module")
def con(sample_warehouse: Path):
    connection = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    yield connection
    connection.close()


def close(got: float | None, expected: float, *, count: bool) -> bool:
    if got is None:
        return False
    if count:
        return abs(got - expected) <= COUNT_TOL
    return math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=1e-12)


# --------------------------------------------------------------------------------------------
# raw readers (docs/raw_formats.md)
# --------------------------------------------------------------------------------------------


@cache
def ssi(iso3: str, year: int = YEAR) -> dict[str, pl.DataFrame]:
    """One SSI submission: an .xlsx workbook (one sheet per section) or a folder of CSVs."""
    book = RAW / "ssi" / f"{iso3}_{year}.xlsx"
    if book.exists():
        return {s: pl.read_excel(book, sheet_name=s, engine="calamine") for s in SECTIONS}
    folder = RAW / "ssi" / f"{iso3}_{year}"
    return {s: pl.read_csv(folder / f"{s}.csv") for s in SECTIONS}


@cache
def national(table: str) -> pl.DataFrame:
    return pl.read_csv(RAW / "national" / f"{table}.csv")


@cache
def countries() -> pl.DataFrame:
    return pl.read_csv(RAW / "reference" / "countries.csv")


def national_value(table: str, column: str, iso3: str, year: int = YEAR, **keys) -> float:
    rows = national(table).filter(
        (pl.col("iso3") == iso3) & (pl.col("year") == year),
        *[pl.col(k) == v for k, v in keys.items()],
    )
    assert rows.height == 1, (table, iso3, year, keys)
    return float(rows[column][0])


def scheme_types(iso3: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """scheme_id -> (scheme_type, affiliation, risks)."""
    return {
        r["scheme_id"]: (r["scheme_type"], r["affiliation"], tuple(r["risks"].split(";")))
        for r in ssi(iso3)["schemes"].iter_rows(named=True)
    }


# --------------------------------------------------------------------------------------------
# national denominators
# --------------------------------------------------------------------------------------------


def age_bounds(group: str) -> tuple[int, int | None]:
    """'Y25T29' -> (25, 29); 'Y_GE80' -> (80, None)."""
    if group.startswith("Y_GE"):
        return int(group[4:]), None
    low, high = group[1:].split("T")
    return int(low), int(high)


def share_at_or_above(group: str, age: float) -> float:
    """Share of a 5-year group at or above `age`, ages spread uniformly (decision: SPA inside
    a 5-year age group)."""
    low, high = age_bounds(group)
    if age <= low:
        return 1.0
    if high is None:
        raise ValueError(f"SPA {age} inside open group {group}")
    if age > high:
        return 0.0
    return (high - age + 1) / (high - low + 1)


def sexes(sex: str) -> tuple[str, ...]:
    return ("F", "M") if sex == "_T" else (sex,)


def population(iso3: str, sex: str, low: int = 0, high: int | None = None, year=YEAR) -> float:
    """Persons aged low..high (inclusive; high None = no upper limit) from population.csv."""
    total = 0.0
    rows = national("population").filter(
        (pl.col("iso3") == iso3) & (pl.col("year") == year) & pl.col("sex").is_in(sexes(sex))
    )
    assert rows.height > 0, (iso3, year)
    for r in rows.iter_rows(named=True):
        g_low, g_high = age_bounds(r["age_group"])
        inside = g_low >= low and (high is None or (g_high is not None and g_high <= high))
        outside = (high is not None and g_low > high) or (g_high is not None and g_high < low)
        assert inside or outside, f"{r['age_group']} straddles {low}..{high}"
        if inside:
            total += r["population"]
    return total


def spa(iso3: str, sex: str, year=YEAR) -> float:
    return national_value("pensionable_age", "statutory_pensionable_age", iso3, year, sex=sex)


def population_at_or_above_spa(iso3: str, sex: str, year=YEAR) -> float:
    """§2.1 PENSN denominator, per sex with that sex's SPA; _T = F + M."""
    total = 0.0
    for s in sexes(sex):
        age = spa(iso3, s, year)
        rows = national("population").filter(
            (pl.col("iso3") == iso3) & (pl.col("year") == year) & (pl.col("sex") == s)
        )
        total += sum(
            r["population"] * share_at_or_above(r["age_group"], age)
            for r in rows.iter_rows(named=True)
        )
    return total


def labour(iso3: str, sex: str, statuses=("employed", "unemployed")) -> float:
    return sum(
        national_value("labour_force", "persons", iso3, sex=s, status=st)
        for s in sexes(sex)
        for st in statuses
    )


def women_giving_birth(iso3: str) -> float:
    """§2.1 MATNL: live births / (1 + share of multiple births), twins count one mother."""
    births = national_value("births", "live_births", iso3)
    share = national_value("births", "multiple_birth_share", iso3)
    return births / (1 + share)


def rate_population(table: str, column: str, iso3: str, sex: str) -> float | None:
    """§0, §2.1 DISAB/POOR: a rate × the population, by sex. A sex rate needs a sex-specific
    denominator: F or M = that sex's population × that sex's rate, None without one (the total
    rate is never applied to one sex); _T = the total rate × the population, or F + M when only
    the two sex rates are given (decision). The `sex` column is optional (absent = _T)."""
    rows = national(table).filter((pl.col("iso3") == iso3) & (pl.col("year") == YEAR))
    if "sex" not in rows.columns:
        rows = rows.with_columns(pl.lit("_T").alias("sex"))
    rate = {r["sex"] or "_T": float(r[column]) for r in rows.iter_rows(named=True)}
    if sex in rate:
        return population(iso3, sex) * rate[sex] / 100
    if sex == "_T" and {"F", "M"} <= rate.keys():
        return sum(population(iso3, s) * rate[s] / 100 for s in ("F", "M"))
    return None


def severely_disabled(iso3: str, sex: str) -> float | None:
    """§2.1 DISAB: population × severe-disability prevalence (by sex, rate_population)."""
    return rate_population("disability_prevalence", "severe_disability_prevalence_pct", iso3, sex)


def poor(iso3: str, sex: str) -> float | None:
    """§2.1 POOR: national poverty headcount rate × population (by sex, rate_population)."""
    return rate_population("poverty", "poverty_headcount_pct", iso3, sex)


# --------------------------------------------------------------------------------------------
# SSI numerators
# --------------------------------------------------------------------------------------------


def overlap_keys(iso3: str) -> dict[str, str]:
    """§2.5: scheme_id -> its overlap group, or the scheme itself when it has none (older
    templates have no overlap_group column: every scheme on its own)."""
    schemes = ssi(iso3)["schemes"]
    keys = {}
    for r in schemes.iter_rows(named=True):
        group = (r.get("overlap_group") or "").strip()
        keys[r["scheme_id"]] = group or f"scheme {r['scheme_id']}"
    return keys


def once(iso3: str, counts: list[tuple[str, float | None]]) -> float:
    """§2.5 people in more than one scheme: (scheme_id, persons) entries of one scheme or of
    schemes sharing an overlap group hold the same people (the largest count stands); other
    entries add up."""
    keys = overlap_keys(iso3)
    best: dict[str, float] = {}
    for scheme_id, n in counts:
        if n is not None:
            key = keys[scheme_id]
            best[key] = max(best.get(key, 0.0), n)
    return sum(best.values())


def series_rows(iso3: str, scheme_id: str, risk: str, benefit_type: str, sex: str) -> dict:
    """{age_group: persons} of one reported series; `_T` sex from F + M when not reported."""
    ben = ssi(iso3)["beneficiaries"].filter(
        (pl.col("scheme_id") == scheme_id)
        & (pl.col("risk") == risk)
        & (pl.col("benefit_type") == benefit_type)
    )
    rows = {r["age_group"]: r["beneficiaries"] for r in ben.filter(pl.col("sex") == sex).to_dicts()}
    if not rows and sex == "_T":
        f = series_rows(iso3, scheme_id, risk, benefit_type, "F")
        m = series_rows(iso3, scheme_id, risk, benefit_type, "M")
        if f and m:
            rows = {g: f[g] + m[g] for g in f if g in m}
    return rows


def aged(rows: dict, low: float, high_excl: float) -> float | None:
    """Persons of a series aged low..high_excl−1 from its 5-year rows (None without ages). Every
    boundary used here (15 and the SPA, 60 in KEN and URY 2020) is a group boundary, and `_T`
    equals the sum of the age rows in this sample, so no pro-rata split or residual applies."""
    ages = {g: n for g, n in rows.items() if g != "_T"}
    if not ages:
        return None
    total = 0.0
    for group, n in ages.items():
        g_low, g_high = age_bounds(group)
        g_high_excl = 100 if g_high is None else g_high + 1
        assert (
            g_low >= high_excl or g_high_excl <= low or (low <= g_low and g_high_excl <= high_excl)
        )
        if low <= g_low and g_high_excl <= high_excl:
            total += n
    return total


def scheme_persons(iso3: str, scheme_id: str, risk: str, sex: str) -> float | None:
    """Persons with a cash benefit of one scheme and risk (age row _T). A person with a
    periodic and a lump-sum benefit counts once: the larger count (decision); for health the
    persons protected, whatever the benefit type (§6.3). `_T` is the reported total, else F+M
    (decision). Maternity benefits go to women: no male row means no men."""
    ben = ssi(iso3)["beneficiaries"].filter(
        (pl.col("scheme_id") == scheme_id)
        & (pl.col("risk") == risk)
        & (pl.col("age_group") == "_T")
    )
    if risk != "health":
        ben = ben.filter(pl.col("benefit_type").is_in(CASH))
    counts = []
    for _, rows in ben.group_by("benefit_type"):
        by_sex = dict(zip(rows["sex"], rows["beneficiaries"], strict=True))
        if risk == "maternity":
            by_sex.setdefault("M", 0)
        if sex in by_sex:
            counts.append(by_sex[sex])
        elif sex == "_T" and {"F", "M"} <= by_sex.keys():
            counts.append(by_sex["F"] + by_sex["M"])
    return float(max(counts)) if counts else None


def risk_schemes(iso3: str, risk: str, types: tuple[str, ...] | None = None) -> list[str]:
    """Schemes with beneficiary rows for the risk (optionally of some scheme types)."""
    ids = ssi(iso3)["beneficiaries"].filter(pl.col("risk") == risk)["scheme_id"].unique()
    return sorted(s for s in ids if types is None or scheme_types(iso3)[s][0] in types)


def beneficiaries(iso3: str, risk: str, sex: str, types=None) -> float | None:
    """Persons of the risk across schemes, counted once (§2.5); None when a scheme of the risk
    lacks the sex (§0: F/M only when every scheme reports the sex)."""
    ids = risk_schemes(iso3, risk, types)
    counts = [(s, scheme_persons(iso3, s, risk, sex)) for s in ids]
    if not counts or any(c is None for _, c in counts):
        return None
    return once(iso3, counts)


def cash_entries(iso3: str, types: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(scheme_id, risk) with cash beneficiaries, health excluded (§2.1: cash only)."""
    ben = ssi(iso3)["beneficiaries"].filter(
        (pl.col("risk") != "health") & pl.col("benefit_type").is_in(CASH)
    )
    kinds = scheme_types(iso3)
    return sorted(
        {(s, r) for s, r in zip(ben["scheme_id"], ben["risk"], strict=True)}
        if types is None
        else {
            (s, r)
            for s, r in zip(ben["scheme_id"], ben["risk"], strict=True)
            if kinds[s][0] in types
        }
    )


def cash_beneficiaries_all_risks(iso3: str, sex: str, types: tuple[str, ...]) -> float:
    """Recipients of a cash benefit from schemes of `types`, any risk but health, a person with
    two benefits of one scheme or overlap group counted once (§2.5)."""
    entries = cash_entries(iso3, types)
    return once(iso3, [(s, scheme_persons(iso3, s, r, sex)) for s, r in entries])


def pension_above_spa(iso3: str, scheme_id: str, sex: str) -> float | None:
    """Periodic old-age pensioners of one scheme at or above the SPA of their sex (early
    retirees below it dropped; lump sums are not pensions). `_T`: F + M plus pensioners of
    unknown sex at the F+M share above the SPA (decision)."""
    if sex == "_T":
        f, m = pension_above_spa(iso3, scheme_id, "F"), pension_above_spa(iso3, scheme_id, "M")
        if f is None or m is None:
            rows = series_rows(iso3, scheme_id, "old_age", "cash_periodic", "_T")
            return aged(rows, min(spa(iso3, "F"), spa(iso3, "M")), 100) if rows else None
        all_f = series_rows(iso3, scheme_id, "old_age", "cash_periodic", "F")["_T"]
        all_m = series_rows(iso3, scheme_id, "old_age", "cash_periodic", "M")["_T"]
        all_t = series_rows(iso3, scheme_id, "old_age", "cash_periodic", "_T").get("_T", 0)
        unknown = max(all_t - all_f - all_m, 0)
        return f + m + (unknown * (f + m) / (all_f + all_m) if all_f + all_m else 0)
    rows = series_rows(iso3, scheme_id, "old_age", "cash_periodic", sex)
    if not rows:
        return None
    above = aged(rows, spa(iso3, sex), 100)
    return rows["_T"] if above is None else above  # no ages: counted in full (decision)


def old_age_pensioners_at_or_above_spa(iso3: str, sex: str) -> float:
    """§2.1 PENSN numerator: periodic old-age pensioners (contributory + non-contributory) at or
    above the SPA of their sex, a person with two pensions counted once (§2.5)."""
    ids = risk_schemes(iso3, "old_age")
    return once(iso3, [(s, pension_above_spa(iso3, s, sex)) for s in ids])


def active_contributors(iso3: str, sex: str, risk: str | None = None) -> float:
    """Active contributors (age row _T; no age detail in the sample: all of working age).
    risk None = contributing to at least one scheme (schemes for health care only left out),
    else the contributory schemes covering `risk`; counted once by §2.5."""
    kinds = scheme_types(iso3)
    rows = ssi(iso3)["contributors"].filter((pl.col("sex") == sex) & (pl.col("age_group") == "_T"))
    counts = []
    for r in rows.iter_rows(named=True):
        kind, _, risks = kinds[r["scheme_id"]]
        if kind != "contributory":
            continue
        if (risk is None and risks != ("health",)) or (risk is not None and risk in risks):
            counts.append((r["scheme_id"], float(r["active_contributors"])))
    return once(iso3, counts)


def legally_covered(iso3: str, scheme_id: str, risk: str, sex: str) -> float | None:
    rows = ssi(iso3)["legal_coverage"].filter(
        (pl.col("scheme_id") == scheme_id) & (pl.col("risk") == risk) & (pl.col("sex") == sex)
    )
    return float(rows["legally_covered"][0]) if rows.height else None


def employer_liability_covered(iso3: str, risk: str, sex: str) -> float:
    """Workers legally covered by employer liability for the risk (§1.2, §2.1 WKINJRY), counted
    once across schemes (§2.5)."""
    return once(
        iso3,
        [
            (s, legally_covered(iso3, s, risk, sex))
            for s, (kind, _, risks) in scheme_types(iso3).items()
            if kind == "employer_liability" and risk in risks
        ],
    )


# --------------------------------------------------------------------------------------------
# effective coverage (§2.1, §2.2, §2.3, §6.3) — (covered, reference population) per risk × sex
# --------------------------------------------------------------------------------------------


def life_stage_entries(iso3: str, sex: str) -> list[tuple[str, float, float, float]]:
    """(scheme_id, children, working age, at or above SPA) of every cash (scheme, risk) for
    §2.2: ages from the 5-year rows where reported (old-age pensions in this sample), else the
    life-cycle group of the risk (§1.1; survivors with older persons); contributory sickness and
    maternity recipients are contributors on leave (not added again)."""
    spa_age = spa(iso3, sex) if sex != "_T" else min(spa(iso3, "F"), spa(iso3, "M"))
    out = []
    for s, risk in cash_entries(iso3):
        kind = scheme_types(iso3)[s][0]
        n = scheme_persons(iso3, s, risk, sex) or 0.0
        periodic = series_rows(iso3, s, risk, "cash_periodic", sex)
        has_ages = any(g != "_T" for g in periodic)
        children = n if risk == "children" else (aged(periodic, 0, 15) or 0.0 if has_ages else 0.0)
        if kind == "contributory" and risk in ("sickness", "maternity"):
            working = 0.0
        elif has_ages:
            working = aged(periodic, 15, spa_age)
        elif risk in ("children", "old_age", "survivors"):
            working = 0.0
        else:
            working = n
        if risk == "old_age":
            older = pension_above_spa(iso3, s, sex) or 0.0
        elif has_ages:
            older = aged(periodic, spa_age, 100)
        elif risk == "survivors":
            older = n
        else:
            older = 0.0
        out.append((s, children, working, older))
    return out


def working_age_covered(iso3: str, sex: str) -> float:
    """§2.2 step 3: persons 15..SPA−1 contributing (all contributors: no ages reported) or
    receiving a cash benefit (non-contributory, or contributory without contributing), counted
    once (§2.5), capped at the group."""
    entries = life_stage_entries(iso3, sex)
    covered = active_contributors(iso3, sex) + once(iso3, [(s, w) for s, _, w, _ in entries])
    group = population(iso3, sex, 15) - population_at_or_above_spa(iso3, sex)
    return min(covered, group)


def any_benefit(iso3: str, sex: str) -> tuple[float, float]:
    """§2.2 life-cycle partition: children (child benefits + other cash benefits of children) +
    working age + older persons (pensions + other cash benefits above the SPA, e.g. survivors'
    pensions), each counted once (§2.5) and capped at its group."""
    entries = life_stage_entries(iso3, sex)
    children = min(once(iso3, [(s, c) for s, c, _, _ in entries]), population(iso3, sex, 0, 14))
    older = min(
        once(iso3, [(s, o) for s, _, _, o in entries]), population_at_or_above_spa(iso3, sex)
    )
    covered = children + working_age_covered(iso3, sex) + older
    return covered, population(iso3, sex)


def vulnerable(iso3: str, sex: str) -> tuple[float, float]:
    """§2.1 VULN (ILO metadata): non-contributory cash recipients of all risks, counted once /
    (total population − working-age contributors and contributory recipients of unemployment,
    disability and injury benefits (capped at ages 15..SPA−1) − contributory pensioners at or
    above the SPA: old-age pensions above the SPA, survivors' pensions (no ages: older persons)
    (capped at the population above the SPA)), floored at zero."""
    covered = cash_beneficiaries_all_risks(iso3, sex, NON_CONTRIBUTORY)
    working, older = [], []
    for s, risk in cash_entries(iso3, ("contributory",)):
        if risk in NOT_CONTRIBUTING_RISKS:
            working.append((s, scheme_persons(iso3, s, risk, sex)))
        if risk == "old_age":
            older.append((s, pension_above_spa(iso3, s, sex)))
        if risk == "survivors":
            rows = series_rows(iso3, s, risk, "cash_periodic", sex)
            older.append((s, float(rows["_T"]) if rows else None))
    group = population(iso3, sex, 15) - population_at_or_above_spa(iso3, sex)
    reference = (
        population(iso3, sex)
        - min(active_contributors(iso3, sex) + once(iso3, working), group)
        - min(once(iso3, older), population_at_or_above_spa(iso3, sex))
    )
    return covered, max(reference, 0.0)


def contributors_or_employer_liability(iso3: str, risk: str, sex: str) -> float | None:
    """§2.1 WKINJRY / §2.3 sickness cash: active contributors to the contributory schemes of the
    risk + workers covered under employer liability (decision)."""
    contributory = [
        s
        for s, (kind, _, risks) in scheme_types(iso3).items()
        if kind == "contributory" and risk in risks
    ]
    liability = employer_liability_covered(iso3, risk, sex)
    if not contributory and not liability:
        return None
    return (active_contributors(iso3, sex, risk) if contributory else 0.0) + liability


def effective_expected(iso3: str, risk: str, sex: str) -> tuple[float, float] | None:
    """(covered, reference population) of one series, None when not computable (no row)."""
    if risk == "children":  # CHLD: children 0–14 (decision)
        n = beneficiaries(iso3, "children", sex)
        return None if n is None else (n, population(iso3, sex, 0, 14))
    if risk == "maternity":  # MATNL, F only (decision)
        n = beneficiaries(iso3, "maternity", sex)
        return None if n is None or sex != "F" else (n, women_giving_birth(iso3))
    if risk == "disability":
        n, d = beneficiaries(iso3, "disability", sex), severely_disabled(iso3, sex)
        return None if n is None or d is None else (n, d)
    if risk == "unemployment":
        n = beneficiaries(iso3, "unemployment", sex)
        return None if n is None else (n, labour(iso3, sex, ("unemployed",)))
    if risk in ("employment_injury", "sickness"):
        n = contributors_or_employer_liability(iso3, risk, sex)
        return None if n is None else (n, labour(iso3, sex, ("employed",)))
    if risk == "old_age":
        return old_age_pensioners_at_or_above_spa(iso3, sex), population_at_or_above_spa(iso3, sex)
    if risk == "health":  # §6.3, capped at 100
        n = beneficiaries(iso3, "health", sex)
        return None if n is None else (min(n, population(iso3, sex)), population(iso3, sex))
    if risk == "poor":
        d = poor(iso3, sex)
        return (
            None if d is None else (cash_beneficiaries_all_risks(iso3, sex, ("means_tested",)), d)
        )
    if risk == "vulnerable":
        return vulnerable(iso3, sex)
    if risk == "any_benefit":
        return any_benefit(iso3, sex)
    raise ValueError(risk)


ALL = ("F", "M", "_T")
# the series that the raw data of each country supports (KEN: no child, maternity-cash or
# unemployment benefits; maternity and sickness under employer liability only). DISAB and POOR
# by sex (§0): KEN's national statistics give F and M poverty and disability rates, URY's the
# total only, so URY has no F or M DISAB/POOR row.
EFFECTIVE_ROWS = {
    "KEN": {
        "disability": ALL,
        "employment_injury": ALL,
        "sickness": ALL,
        "old_age": ALL,
        "health": ALL,
        "poor": ALL,
        "vulnerable": ALL,
        "any_benefit": ALL,
    },
    "URY": {
        "children": ALL,
        "maternity": ("F",),
        "disability": ("_T",),
        "unemployment": ALL,
        "employment_injury": ALL,
        "sickness": ALL,
        "old_age": ALL,
        "health": ALL,
        "poor": ("_T",),
        "vulnerable": ALL,
        "any_benefit": ALL,
    },
}
SERIES = {
    "children": "SI_COV_CHLD",
    "maternity": "SI_COV_MATNL",
    "disability": "SI_COV_DISAB",
    "unemployment": "SI_COV_UEMP",
    "employment_injury": "SI_COV_WKINJRY",
    "old_age": "SI_COV_PENSN",
    "poor": "SI_COV_POOR",
    "vulnerable": "SI_COV_VULN",
    "any_benefit": "SI_COV_BENFTS",
    "sickness": None,
    "health": None,
}


def effective_params():
    for iso3, risks in EFFECTIVE_ROWS.items():
        for risk, sxs in risks.items():
            for sex in sxs:
                yield pytest.param(iso3, risk, sex, id=f"{iso3}-{risk}-{sex}")


def warehouse_effective(con, iso3: str, risk: str, sex: str):
    rows = con.execute(
        "select covered, reference_population, coverage_rate, series_code, is_above_100 "
        "from marts.fct_effective_coverage where iso3 = ? and year = ? and risk = ? and sex = ?",
        [iso3, YEAR, risk, sex],
    ).fetchall()
    assert len(rows) == 1, (iso3, risk, sex, rows)
    return rows[0]


def test_effective_coverage_series_computable_by_hand():
    """The rows listed in EFFECTIVE_ROWS are computable from raw/, the others are not."""
    for iso3, risks in EFFECTIVE_ROWS.items():
        assert all(
            effective_expected(iso3, r, s) is not None for r, sxs in risks.items() for s in sxs
        )
        assert effective_expected(iso3, "maternity", "M") is None  # F only (decision)
    # URY gives only total poverty and disability rates: no F/M DISAB or POOR row (§0)
    for risk in ("disability", "poor"):
        assert effective_expected("URY", risk, "F") is None
        assert effective_expected("URY", risk, "M") is None
    # KEN reports no child, maternity-cash or unemployment benefit: no row (§2.1, no imputation)
    assert effective_expected("KEN", "children", "_T") is None
    assert effective_expected("KEN", "unemployment", "_T") is None
    assert effective_expected("KEN", "maternity", "F") is None


@pytest.mark.parametrize("iso3", ["KEN", "URY"])
def test_effective_coverage_rows_are_the_computable_ones(con, iso3):
    """Exactly the (risk, sex) rows that the raw data supports, no more, no fewer."""
    got = set(
        con.execute(
            "select risk, sex from marts.fct_effective_coverage where iso3 = ? and year = ?",
            [iso3, YEAR],
        ).fetchall()
    )
    expected = {(risk, sex) for risk, sxs in EFFECTIVE_ROWS[iso3].items() for sex in sxs}
    assert got == expected


@pytest.mark.parametrize(("iso3", "risk", "sex"), list(effective_params()))
def test_effective_coverage_by_hand(con, iso3, risk, sex):
    covered, reference = effective_expected(iso3, risk, sex)
    rate = 100 * covered / reference
    got_covered, got_reference, got_rate, series, above_100 = warehouse_effective(
        con, iso3, risk, sex
    )
    assert series == SERIES[risk]
    assert close(got_covered, covered, count=True), (got_covered, covered)
    assert close(got_reference, reference, count=True), (got_reference, reference)
    assert close(got_rate, rate, count=False), (got_rate, rate)
    assert above_100 == (rate > 100)


# --------------------------------------------------------------------------------------------
# legal coverage (§3 and decision "Legal coverage union")
# --------------------------------------------------------------------------------------------


def legal_reference_population(iso3: str, risk: str, sex: str) -> float:
    """§3 table + decision (survivors 15+, general social assistance total population)."""
    if risk in ("old_age", "disability", "survivors"):
        return population(iso3, sex, 15)
    if risk == "unemployment":
        return labour(iso3, sex)
    if risk in ("maternity", "sickness", "employment_injury"):  # maternity: women employed
        return labour(iso3, sex, ("employed",))
    if risk == "children":
        return population(iso3, sex, 0, 14)
    if risk in ("health", "social_assistance"):
        return population(iso3, sex)
    raise ValueError(risk)


def legal_expected(iso3: str, risk: str, sex: str, scope: str) -> float | None:
    """Legally covered persons. mandatory: groups nested, so the largest mandatory
    (non-means-tested) scheme's group; a mandatory universal scheme covers the whole reference
    population. means_tested: apart from the headline (one scheme per risk here)."""
    mandatory, means_tested = [], []
    for s, (kind, affiliation, risks) in scheme_types(iso3).items():
        if risk not in risks:
            continue
        if kind == "means_tested":
            means_tested.append(s)
        elif affiliation == "mandatory":
            mandatory.append(s)
    chosen = mandatory if scope == "mandatory" else means_tested
    if not chosen:
        return None
    if scope == "mandatory" and any(scheme_types(iso3)[s][0] == "universal" for s in chosen):
        return legal_reference_population(iso3, risk, sex)
    counts = [legally_covered(iso3, s, risk, sex) for s in chosen]
    if scope == "mandatory":
        return max(c for c in counts if c is not None)
    return sum(c for c in counts if c is not None)


def legal_params():
    for iso3 in ("KEN", "URY"):
        for risk in sorted(ssi(iso3)["legal_coverage"]["risk"].unique()):
            for scope in ("mandatory", "means_tested"):
                if legal_expected(iso3, risk, "_T", scope) is None:
                    continue
                for sex in ("F",) if risk == "maternity" else ALL:
                    yield iso3, risk, sex, scope


def test_legal_coverage_rows(con):
    got = set(
        con.execute(
            "select iso3, risk, sex, scope from marts.fct_legal_coverage "
            "where iso3 in ('KEN', 'URY') and year = ?",
            [YEAR],
        ).fetchall()
    )
    assert got == set(legal_params())


@pytest.mark.parametrize(("iso3", "risk", "sex", "scope"), list(legal_params()))
def test_legal_coverage_by_hand(con, iso3, risk, sex, scope):
    covered = legal_expected(iso3, risk, sex, scope)
    reference = legal_reference_population(iso3, risk, sex)
    got = con.execute(
        "select legally_covered, reference_population, legal_coverage_rate "
        "from marts.fct_legal_coverage where iso3 = ? and year = ? and risk = ? and sex = ? "
        "and scope = ?",
        [iso3, YEAR, risk, sex, scope],
    ).fetchall()
    assert len(got) == 1
    got_covered, got_reference, got_rate = (float(v) for v in got[0])
    assert close(got_covered, covered, count=True)
    assert close(got_reference, reference, count=True)
    assert close(got_rate, 100 * covered / reference, count=False)


# --------------------------------------------------------------------------------------------
# expenditure (§4)
# --------------------------------------------------------------------------------------------


def expenditure_expected(iso3: str, function: str, scheme_type: str = "_T") -> float:
    """Σ amount_lcu of the submission; transfers to other schemes dropped (consolidation);
    total_excluding_health (WSPR headline) leaves out function health."""
    exp = ssi(iso3)["expenditure"].filter(pl.col("item") != "transfers_to_other_schemes")
    if function == "total_excluding_health":
        exp = exp.filter(pl.col("function") != "health")
    elif function != "total_including_health":
        exp = exp.filter(pl.col("function") == function)
    if scheme_type != "_T":
        ids = [s for s, (kind, _, _) in scheme_types(iso3).items() if kind == scheme_type]
        exp = exp.filter(pl.col("scheme_id").is_in(ids))
    return float(exp["amount_lcu"].sum())


def expenditure_params():
    for iso3 in ("KEN", "URY"):
        functions = sorted(ssi(iso3)["expenditure"]["function"].unique())
        for function in ["total_excluding_health", "total_including_health", *functions]:
            yield iso3, function, "_T"
        for kind in sorted({k for k, _, _ in scheme_types(iso3).values()} - {"employer_liability"}):
            yield iso3, "total_excluding_health", kind


@pytest.mark.parametrize(("iso3", "function", "scheme_type"), list(expenditure_params()))
def test_expenditure_by_hand(con, iso3, function, scheme_type):
    expected = expenditure_expected(iso3, function, scheme_type)
    gdp = national_value("economy", "gdp_lcu", iso3)
    got = con.execute(
        "select expenditure_lcu, pct_gdp, currency from marts.fct_expenditure "
        "where iso3 = ? and year = ? and function = ? and scheme_type = ?",
        [iso3, YEAR, function, scheme_type],
    ).fetchall()
    if scheme_type != "_T" and expected == 0:  # e.g. no universal scheme outside health
        assert got == []
        return
    assert len(got) == 1
    got_lcu, got_pct, currency = got[0]
    assert currency == ssi(iso3)["submission"]["currency"][0]
    assert close(got_lcu, expected, count=True), (got_lcu, expected)
    assert close(got_pct, 100 * expected / gdp, count=False)


# --------------------------------------------------------------------------------------------
# SDG 3.8.1 UHC service coverage index (§6.1, parameter version 2023-01)
# --------------------------------------------------------------------------------------------

UHC_CATEGORY = {
    "FP": "rmnch",
    "ANC4": "rmnch",
    "DTP3": "rmnch",
    "CARE_ARI": "rmnch",
    "TB": "infectious",
    "ART": "infectious",
    "ITN": "infectious",
    "WASH": "infectious",
    "HTN": "ncd",
    "FPG": "ncd",
    "TOBACCO": "ncd",
    "BEDS": "capacity",
    "WORKFORCE": "capacity",  # geometric mean of PHYS, PSYCH, SURG
    "IHR": "capacity",
}


def bounded(x: float) -> float:
    """§6.1 rule 1: 0 (and, decision, any negative) → 1; above 100 → 100."""
    return 1.0 if x <= 0 else min(x, 100.0)


def geomean(values) -> float:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))


def rescaled_tracers(raw: dict[str, float]) -> dict[str, float]:
    """§6.1 table, 2023-01 metadata."""
    out = {}
    for tracer in ("FP", "ANC4", "DTP3", "CARE_ARI", "TB", "ART", "ITN", "WASH", "HTN", "IHR"):
        if tracer in raw:  # ITN only for high malaria burden countries (where reported)
            out[tracer] = bounded(raw[tracer])
    out["FPG"] = bounded((7.4 - raw["FPG"]) / (7.4 - 5.1) * 100)
    out["TOBACCO"] = bounded(((100 - raw["TOBACCO"]) - 30) / (100 - 30) * 100)
    out["BEDS"] = bounded(min(100.0, raw["BEDS"] / 18 * 100))
    out["WORKFORCE"] = geomean(
        bounded(min(100.0, raw[t] / threshold * 100))
        for t, threshold in (("PHYS", 0.9), ("PSYCH", 1.0), ("SURG", 14.0))
    )
    return out


def uhc_expected(iso3: str) -> dict[str, float]:
    """Category scores (geometric mean of tracers) and index (geometric mean of categories)."""
    rows = national("uhc_tracers").filter((pl.col("iso3") == iso3) & (pl.col("year") == YEAR))
    raw = dict(zip(rows["tracer"], rows["value"], strict=True))
    tracers = rescaled_tracers(raw)
    scores = {
        f"{cat}_score": geomean(v for t, v in tracers.items() if UHC_CATEGORY[t] == cat)
        for cat in ("rmnch", "infectious", "ncd", "capacity")
    }
    return {**scores, "uhc_index": geomean(scores.values())}


def test_uhc_ken_2020_all_tracers_observed():
    """KEN 2020 is a country-year with all 16 tracers observed (ITN reported: high burden), so
    no interpolation, carry forward or regional median is involved."""
    observed = national("uhc_tracers").filter((pl.col("iso3") == "KEN") & (pl.col("year") == YEAR))
    assert set(observed["tracer"]) == {
        "FP",
        "ANC4",
        "DTP3",
        "CARE_ARI",
        "TB",
        "ART",
        "ITN",
        "WASH",
        "HTN",
        "FPG",
        "TOBACCO",
        "BEDS",
        "PHYS",
        "PSYCH",
        "SURG",
        "IHR",
    }


def test_uhc_index_ken_by_hand(con):
    expected = uhc_expected("KEN")
    cols = ["rmnch_score", "infectious_score", "ncd_score", "capacity_score", "uhc_index"]
    got = con.execute(
        f"select {', '.join(cols)}, n_tracers, n_imputed, parameter_version "
        "from marts.fct_uhc_service_coverage where iso3 = 'KEN' and year = ?",
        [YEAR],
    ).fetchall()
    assert len(got) == 1
    *values, n_tracers, n_imputed, version = got[0]
    assert version == "2023-01"
    assert (n_tracers, n_imputed) == (16, 0)
    for col, value in zip(cols, values, strict=True):
        assert close(value, expected[col], count=False), (col, value, expected[col])


def test_uhc_ury_imputed_tracer_count(con):
    """URY 2020 (not recomputed: 5 tracers need imputation): FP, ANC4, HTN, TOBACCO are not
    observed in 2020 and CARE_ARI never (high-income); ITN is not applicable → 15 tracers."""
    observed = national("uhc_tracers").filter((pl.col("iso3") == "URY") & (pl.col("year") == YEAR))
    applicable = set(national("uhc_tracers").filter(pl.col("iso3") == "URY")["tracer"]) | {
        "CARE_ARI"
    }
    got = con.execute(
        "select n_tracers, n_imputed from marts.fct_uhc_service_coverage "
        "where iso3 = 'URY' and year = ?",
        [YEAR],
    ).fetchall()
    assert got == [(len(applicable), len(applicable - set(observed["tracer"])))]


# --------------------------------------------------------------------------------------------
# sdg_indicators (§8.1): the published values are the fct values
# --------------------------------------------------------------------------------------------


def test_sdg_indicators_equal_fct_values(con):
    m49 = dict(zip(countries()["iso3"], countries()["m49"], strict=True))
    fct = {
        (series, iso3, sex): (rate, above, estimated)
        for series, iso3, sex, rate, above, estimated in con.execute(
            "select series_code, iso3, sex, coverage_rate, is_above_100, is_estimated "
            "from marts.fct_effective_coverage "
            "where iso3 in ('KEN', 'URY') and year = ? and series_code is not null",
            [YEAR],
        ).fetchall()
    }
    uhc = dict(
        con.execute(
            "select iso3, uhc_index from marts.fct_uhc_service_coverage "
            "where iso3 in ('KEN', 'URY') and year = ?",
            [YEAR],
        ).fetchall()
    )
    sdg = con.execute(
        "select series_code, iso3, sex, m49, age, value, unit_measure, unit_mult, comment_obs, "
        "nature, time_detail "
        "from marts.sdg_indicators where iso3 in ('KEN', 'URY') and time_period = ?",
        [YEAR],
    ).fetchall()
    sdg_cov = {(s, i, x): row for s, i, x, *row in sdg if s.startswith("SI_COV_")}
    assert set(sdg_cov) == set(fct)
    for key, (m49_code, age, value, unit, mult, comment, nature, detail) in sdg_cov.items():
        rate, above, estimated = fct[key]
        assert m49_code == m49[key[1]] and age == "_T" and (unit, mult) == ("PT", 0)
        assert close(value, rate, count=False), key
        # §8.1: a ratio computed from national inputs (SSI numerator, national denominator) is
        # E; TIME_DETAIL the reference year; the notes say above 100 and what was estimated
        assert nature == "E" and detail == str(YEAR), key
        assert ("exceeds the population estimate" in (comment or "")) == above, key
        assert ("Partly estimated" in (comment or "")) == estimated, key
    sdg_uhc = {i: row for s, i, x, *row in sdg if s == "SH_ACS_UNHC"}
    assert set(sdg_uhc) == set(uhc)
    for iso3, (_, _, value, unit, _, _, nature, detail) in sdg_uhc.items():
        assert unit == "IX" and close(value, uhc[iso3], count=False)
        assert nature == "E" and detail == str(YEAR)  # computed from national tracers
    # and against the hand computation, for the values that are right
    assert close(sdg_uhc["KEN"][2], uhc_expected("KEN")["uhc_index"], count=False)
    covered, reference = effective_expected("KEN", "disability", "_T")
    assert close(sdg_cov[("SI_COV_DISAB", "KEN", "_T")][2], 100 * covered / reference, count=False)


# --------------------------------------------------------------------------------------------
# regional aggregate (§7): Americas, SI_COV_PENSN, 2020, _T
# --------------------------------------------------------------------------------------------


def test_agg_regional_americas_pensn_by_hand(con):
    # the universe of a region is every M49 country and territory of it in the real reference
    # tables (raw/reference/region_memberships.csv), weighted by its proxy (persons 65+ for
    # SI_COV_PENSN, aggregate_populations.csv), reporting or not (issue 14)
    members = pl.read_csv(RAW / "reference" / "region_memberships.csv")
    region = members.filter(
        (pl.col("region_type") == "ilo_region") & (pl.col("region") == "Americas")
    )["iso3"].to_list()
    proxies = pl.read_csv(RAW / "reference" / "aggregate_populations.csv").filter(
        pl.col("iso3").is_in(region) & (pl.col("year") == YEAR) & (pl.col("sex") == "_T")
    )
    proxy = dict(zip(proxies["iso3"], proxies["older_65_plus"], strict=True))
    # inputs: the reporting countries' country rows (this tests the aggregation only)
    rows = con.execute(
        "select iso3, covered, reference_population, coverage_rate "
        "from marts.fct_effective_coverage "
        "where year = ? and risk = 'old_age' and sex = '_T' and list_contains(?, iso3)",
        [YEAR, region],
    ).fetchall()
    covered = sum(r[1] for r in rows)
    reporting_reference = sum(r[2] for r in rows)
    # reported variant, weights = the series denominator: Σ covered / Σ population above the SPA
    value = 100 * covered / reporting_reference
    # data coverage: proxies of reporting countries / proxies of every country of the region
    region_reference = sum(proxy.values())
    coverage = 100 * sum(proxy[r[0]] for r in rows) / region_reference
    got = con.execute(
        "select value, value_unsuppressed, is_suppressed, population_coverage, n_countries, "
        "n_reporting, covered, reference_population, region_reference_population, "
        "min_country_value, max_country_value from marts.agg_regional "
        "where region_type = 'ilo_region' and region = 'Americas' and time_period = ? "
        "and series_code = 'SI_COV_PENSN' and sex = '_T'",
        [YEAR],
    ).fetchall()
    assert len(got) == 1
    (g_value, g_unsup, g_supp, g_cov, g_n, g_rep, g_covered, g_ref, g_region_ref, g_min, g_max) = (
        got[0]
    )
    assert (g_n, g_rep) == (len(proxy), len(rows))
    assert close(g_covered, covered, count=True)
    assert close(g_ref, reporting_reference, count=True)
    assert close(g_region_ref, region_reference, count=True)
    assert close(g_unsup, value, count=False)
    assert close(g_cov, coverage, count=False)
    assert g_supp == (coverage < 50)
    assert (g_value is None) if coverage < 50 else close(g_value, value, count=False)
    assert close(g_min, min(r[3] for r in rows), count=False)
    assert close(g_max, max(r[3] for r in rows), count=False)
