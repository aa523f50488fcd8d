"""Synthetic national statistics for one country (population, labour force, economy, ...).

All values are computed from a few rough parameters (`params.py`) with a seeded random
generator per country and topic, so a country's numbers do not change when another country is
added to the sample.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from pipelines.sample import params as P

AGE_GROUPS: tuple[str, ...] = tuple(f"Y{a}T{a + 4}" for a in range(0, 80, 5)) + ("Y_GE80",)
AGE_LOWER: dict[str, int] = {g: 5 * i for i, g in enumerate(AGE_GROUPS)}
SEXES = ("F", "M")


def rng(iso3: str, topic: str) -> random.Random:
    """A generator seeded by the sample seed, the country and the topic (stable across runs)."""
    return random.Random(f"{P.SEED}:{iso3}:{topic}")


def _age_shares(g: float, median_f: float) -> dict[tuple[str, str], float]:
    """Population shares by (sex, 5-year age group) of a stable population (sum to 1)."""
    c = 0.085
    raw: dict[tuple[str, str], float] = {}
    for sex, median, births in (("F", median_f, 1.0), ("M", median_f - 5.0, 1.05)):
        b = math.log(2) * c / (math.exp(c * median) - 1)
        for x in range(105):
            mid = x + 0.5
            w = births * math.exp(-g * mid) * math.exp(-b / c * (math.exp(c * mid) - 1))
            grp = AGE_GROUPS[min(x // 5, 16)]
            raw[(sex, grp)] = raw.get((sex, grp), 0.0) + w
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


@dataclass
class YearStats:
    population: dict[tuple[str, str], int]  # (sex, age group) -> persons
    employed: dict[str, int]
    unemployed: dict[str, int]
    live_births: int
    multiple_birth_share: float
    disability_pct: float
    poverty_pct: float
    spa: dict[str, int]
    gdp_lcu: int
    gdp_usd: int
    gov_expenditure_lcu: int
    ppp_factor: float
    lcu_per_usd: float
    uhc: dict[str, float] = field(default_factory=dict)
    #: rates national statistics give by sex (percent of that sex's population), for the
    #: countries of RATES_BY_SEX only: {"F": .., "M": ..}; the total rate is the field above
    poverty_pct_by_sex: dict[str, float] = field(default_factory=dict)
    disability_pct_by_sex: dict[str, float] = field(default_factory=dict)

    def pop(self, sex: str, lo: int = 0, hi: int = 200) -> int:
        """Persons of `sex` (F, M or _T) in the age groups starting at lo..hi (inclusive)."""
        sexes = SEXES if sex == "_T" else (sex,)
        return sum(
            self.population[(s, g)] for s in sexes for g in AGE_GROUPS if lo <= AGE_LOWER[g] <= hi
        )

    def total_population(self) -> int:
        return self.pop("_T")


@dataclass
class CountryNational:
    iso3: str
    income: str
    ilo_region: str
    currency: str
    years: dict[int, YearStats]


#: countries whose national statistics give the poverty rate and the severe disability
#: prevalence by sex (methodology §0: then F and M POOR/DISAB rates are published); the others
#: give a total only. True: the F and M rates and the total; False: F and M only (no total row)
RATES_BY_SEX: dict[str, bool] = {"KEN": True, "MEX": True, "PHL": True, "SWE": True, "GEO": False}


def _rates_by_sex(total_pct: float, pop_f: int, pop_m: int, female_factor: float):
    """F and M rates (1 decimal) whose population-weighted mean is about ``total_pct``."""
    f = round(total_pct * female_factor, 1)
    m = round((total_pct * (pop_f + pop_m) - f * pop_f) / pop_m, 1)
    return {"F": f, "M": max(0.0, m)}


_PPP_EUR = {"XOF": 655.957, "XAF": 655.957}
_INFLATION = {"LIC": 0.09, "LMC": 0.06, "UMC": 0.045, "HIC": 0.02}
_REAL_GROWTH = {"LIC": 0.045, "LMC": 0.05, "UMC": 0.028, "HIC": 0.017}
_GOV_SHARE = {"LIC": 0.18, "LMC": 0.23, "UMC": 0.30, "HIC": 0.41}
_LFPR_M = {"LIC": 0.84, "LMC": 0.80, "UMC": 0.77, "HIC": 0.80}
_LFPR_F = {"LIC": 0.70, "LMC": 0.52, "UMC": 0.58, "HIC": 0.72}
_LFPR_OLD_M = {"LIC": 0.45, "LMC": 0.33, "UMC": 0.20, "HIC": 0.10}
_QUALITY = {"LIC": 0.25, "LMC": 0.5, "UMC": 0.7, "HIC": 0.9}
_DISABILITY = {"LIC": 3.3, "LMC": 3.0, "UMC": 2.7, "HIC": 2.4}


def _currency_path(currency: str, iso3: str, income: str) -> dict[int, float]:
    """LCU per USD by year, shared by countries with the same currency."""
    if currency == "USD":
        return dict.fromkeys(P.YEARS, 1.0)
    if currency in ("EUR", "XOF", "XAF"):
        r = rng("EUR", "fx")
        eur = {y: 0.877 * (1 + r.uniform(-0.06, 0.06)) if y != 2020 else 0.877 for y in P.YEARS}
        return {y: v * _PPP_EUR.get(currency, 1.0) for y, v in eur.items()}
    base = P.COUNTRY_MAGNITUDES[iso3][2]
    r = rng(iso3, "fx")
    drift = _INFLATION[income] - 0.02 + r.uniform(-0.02, 0.03)
    return {
        y: base * (1 + drift) ** (y - P.BASE_YEAR) * (1 + r.uniform(-0.03, 0.03) * (y != 2020))
        for y in P.YEARS
    }


def build_national(iso3: str, income: str, ilo_region: str, currency: str) -> CountryNational:
    pop2020_m, gdppc_usd, _ = P.COUNTRY_MAGNITUDES[iso3]
    r = rng(iso3, "demography")
    growth = P.GROWTH_OVERRIDE.get(iso3, P.GROWTH[income] + r.uniform(-0.004, 0.004))
    if iso3 in P.AGE_SHAPE_OVERRIDE:
        g0, median0 = P.AGE_SHAPE_OVERRIDE[iso3]
    else:
        g0, median0 = P.AGE_SHAPE[income]
        g0 += r.uniform(-0.003, 0.003)
        median0 += r.uniform(-1.5, 1.5)

    rl = rng(iso3, "labour")
    lfpr_m = _LFPR_M[income] + rl.uniform(-0.04, 0.04)
    lfpr_f = P.FEMALE_LFPR_OVERRIDE.get(iso3, _LFPR_F[income] + rl.uniform(-0.06, 0.06))
    lfpr_old_m = _LFPR_OLD_M[income] * rl.uniform(0.8, 1.2)
    lfpr_old_f = lfpr_old_m * 0.5
    u_base = P.UNEMPLOYMENT_OVERRIDE.get(iso3, P.UNEMPLOYMENT_DEFAULT[income]) / 100.0
    u_sex = {"F": 1.15, "M": 0.92}

    ro = rng(iso3, "other")
    twin = ro.uniform(0.02, 0.03) if ilo_region == "Africa" else ro.uniform(0.011, 0.02)
    disability = _DISABILITY[income] + ro.uniform(-0.4, 0.4)
    pov_lo, pov_hi = P.POVERTY_PCT[income]
    poverty0 = ro.uniform(pov_lo, pov_hi)

    re = rng(iso3, "economy")
    real_growth = _REAL_GROWTH[income] + re.uniform(-0.015, 0.015)
    inflation = _INFLATION[income] + re.uniform(-0.02, 0.03)
    gov_share = _GOV_SHARE[income] + re.uniform(-0.04, 0.04)
    fx = _currency_path(currency, iso3, income)
    price_level = 0.25 + 0.75 * min(1.0, math.sqrt(gdppc_usd / 60000.0))
    price_level *= re.uniform(0.9, 1.1)
    gdp_lcu_2020 = pop2020_m * 1e6 * gdppc_usd * fx[2020]
    real_index = {2020: 1.0}
    for y in range(2021, P.YEARS[-1] + 1):
        shock = 0.03 if y == 2021 else 0.0
        real_index[y] = real_index[y - 1] * (1 + real_growth + shock + re.uniform(-0.01, 0.01))
    for y in range(2019, P.YEARS[0] - 1, -1):
        g = real_growth if y != 2019 else -0.045  # 2020 fell by ~4.5 % from 2019
        real_index[y] = real_index[y + 1] / (1 + g + re.uniform(-0.01, 0.01))

    ru = rng(iso3, "uhc")
    quality = min(0.97, max(0.1, _QUALITY[income] + ru.uniform(-0.08, 0.08)))
    survey_offset = ru.randrange(3)
    survey_period = 5 if income == "HIC" else 3
    fpg = ru.uniform(5.2, 6.2)
    tobacco = ru.uniform(8.0, 35.0)
    noise = {t: ru.uniform(-1, 1) for t in P.UHC_TRACERS}

    rs = rng(iso3, "rates_by_sex")  # own topic: the other topics' draws are unchanged
    poverty_f_factor = rs.uniform(1.04, 1.18)  # women are more often poor
    disability_f_factor = rs.uniform(1.0, 1.15)

    spa_f, spa_m = P.SPA[iso3]
    years: dict[int, YearStats] = {}
    for y in P.YEARS:
        t = y - P.BASE_YEAR
        total = pop2020_m * 1e6 * (1 + growth) ** t
        shares = _age_shares(g0 - 0.0003 * t, median0 + 0.15 * t)
        population = {k: round(total * v) for k, v in shares.items()}

        def pop(sex: str, lo: int, hi: int, population=population) -> int:
            return sum(population[(sex, g)] for g in AGE_GROUPS if lo <= AGE_LOWER[g] <= hi)

        covid = {2020: 0.018, 2021: 0.01}.get(y, 0.0)
        employed: dict[str, int] = {}
        unemployed: dict[str, int] = {}
        for sex in SEXES:
            core, old = (lfpr_f, lfpr_old_f) if sex == "F" else (lfpr_m, lfpr_old_m)
            lf = pop(sex, 15, 60) * core * (1 + 0.002 * t) + pop(sex, 65, 80) * old
            u = max(0.003, u_base * u_sex[sex] + covid + rl.uniform(-0.004, 0.004))
            employed[sex] = round(lf * (1 - u))
            unemployed[sex] = round(lf) - employed[sex]

        births = round((population[("F", "Y0T4")] + population[("M", "Y0T4")]) / 5 * 1.03)
        poverty = max(2.0, poverty0 - 0.5 * t + (1.5 if y == 2020 else 0.0))
        spa = {"F": spa_f, "M": spa_m}
        if iso3 in P.SPA_CHANGES and y >= P.SPA_CHANGES[iso3][0]:
            spa = {"F": P.SPA_CHANGES[iso3][1], "M": P.SPA_CHANGES[iso3][2]}

        deflator = (1 + inflation) ** t
        gdp_lcu = gdp_lcu_2020 * real_index[y] * deflator
        gdp_usd = gdp_lcu / fx[y]
        gov = gdp_lcu * (gov_share + (0.03 if y == 2020 else 0.0))
        ppp = fx[y] * price_level * (1 + (inflation - 0.02) * 0.3 * t)

        q = min(0.99, quality + 0.008 * t)
        uhc: dict[str, float] = {}
        survey_year = (y - P.YEARS[0] - survey_offset) % survey_period == 0
        for code, (_, _, annual) in P.UHC_TRACERS.items():
            if not annual and not survey_year:
                continue
            if code == "ITN" and iso3 not in P.MALARIA_ENDEMIC:
                continue
            if code == "CARE_ARI" and income == "HIC":
                continue
            n = noise[code]
            value = {
                "FP": 30 + 55 * q + 4 * n,
                "ANC4": 30 + 65 * q + 5 * n,
                "DTP3": min(99.0, 60 + 37 * q + 3 * n),
                "CARE_ARI": 35 + 50 * q + 5 * n,
                "TB": 40 + 45 * q + 5 * n,
                "ART": 30 + 60 * q + 5 * n,
                "ITN": 30 + 40 * q + 8 * n,
                "WASH": min(100.0, 15 + 84 * q + 4 * n),
                "HTN": 10 + 50 * q + 5 * n,
                "FPG": fpg + 0.01 * t,
                "TOBACCO": max(3.0, tobacco - 0.3 * t),
                "BEDS": 4 + 70 * q * q * (1 + 0.3 * n),
                "PHYS": 0.05 + 3.5 * q * q * (1 + 0.2 * n),
                "PSYCH": 0.05 + 15 * q**3 * (1 + 0.3 * n),
                "SURG": 0.5 + 60 * q * q * (1 + 0.2 * n),
                "IHR": min(100.0, 35 + 55 * q + 6 * n),
            }[code]
            uhc[code] = round(value, 2 if code in ("FPG", "PHYS", "PSYCH") else 1)

        years[y] = YearStats(
            population=population,
            employed=employed,
            unemployed=unemployed,
            live_births=births,
            multiple_birth_share=round(twin, 4),
            disability_pct=round(disability, 1),
            poverty_pct=round(poverty, 1),
            spa=spa,
            gdp_lcu=round(gdp_lcu),
            gdp_usd=round(gdp_usd),
            gov_expenditure_lcu=round(gov),
            ppp_factor=round(ppp, 4),
            lcu_per_usd=fx[y],
            uhc=uhc,
        )
        if iso3 in RATES_BY_SEX:
            stats = years[y]
            pop_f, pop_m = stats.pop("F"), stats.pop("M")
            stats.poverty_pct_by_sex = _rates_by_sex(
                stats.poverty_pct, pop_f, pop_m, poverty_f_factor
            )
            stats.disability_pct_by_sex = _rates_by_sex(
                stats.disability_pct, pop_f, pop_m, disability_f_factor
            )
    return CountryNational(iso3, income, ilo_region, currency, years)


NATIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "population": ("iso3", "year", "sex", "age_group", "population"),
    "labour_force": ("iso3", "year", "sex", "status", "persons"),
    "births": ("iso3", "year", "live_births", "multiple_birth_share"),
    "disability_prevalence": (
        "iso3", "year", "sex", "severe_disability_prevalence_pct", "source"
    ),
    "poverty": ("iso3", "year", "sex", "poverty_headcount_pct"),
    "pensionable_age": ("iso3", "year", "sex", "statutory_pensionable_age"),
    "economy": (
        "iso3", "year", "currency", "gdp_lcu", "gdp_usd", "gov_expenditure_lcu", "ppp_factor"
    ),
    "uhc_tracers": ("iso3", "year", "tracer", "value"),
}  # fmt: skip

DISABILITY_SOURCE = "WHO World Report on Disability, country-group estimate (synthetic)"


def national_rows(c: CountryNational) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {k: [] for k in NATIONAL_TABLES}
    for y, s in c.years.items():
        for sex in SEXES:
            for g in AGE_GROUPS:
                out["population"].append((c.iso3, y, sex, g, s.population[(sex, g)]))
        for sex in SEXES:
            out["labour_force"].append((c.iso3, y, sex, "employed", s.employed[sex]))
            out["labour_force"].append((c.iso3, y, sex, "unemployed", s.unemployed[sex]))
        out["births"].append((c.iso3, y, s.live_births, f"{s.multiple_birth_share:.4f}"))
        with_total = RATES_BY_SEX.get(c.iso3, True)
        disability = {**s.disability_pct_by_sex, **({"_T": s.disability_pct} if with_total else {})}
        poverty = {**s.poverty_pct_by_sex, **({"_T": s.poverty_pct} if with_total else {})}
        for sex in ("F", "M", "_T"):
            if sex in disability:
                out["disability_prevalence"].append(
                    (c.iso3, y, sex, f"{disability[sex]:.1f}", DISABILITY_SOURCE)
                )
            if sex in poverty:
                out["poverty"].append((c.iso3, y, sex, f"{poverty[sex]:.1f}"))
        for sex in SEXES:
            out["pensionable_age"].append((c.iso3, y, sex, s.spa[sex]))
        out["economy"].append(
            (
                c.iso3,
                y,
                c.currency,
                s.gdp_lcu,
                s.gdp_usd,
                s.gov_expenditure_lcu,
                f"{s.ppp_factor:.4f}",
            )
        )
        for code, v in s.uhc.items():
            out["uhc_tracers"].append((c.iso3, y, code, v))
    return out
