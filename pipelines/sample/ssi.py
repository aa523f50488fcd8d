"""Synthetic SSI submissions: scheme inventory and the yearly questionnaire sections.

Design (all numbers synthetic):
* each country has a fixed scheme inventory (a social pension may start in a later year);
* counts are computed from the country's synthetic national statistics, so they have the right
  magnitude and never exceed their reference population (methodology §2.1);
* people in more than one scheme (methodology §2.5, the ``overlap_group`` column of the schemes
  sheet, given in every submission): the contributory social-insurance schemes of a country
  insure the same employees, so they share one overlap group (``P.SOCIAL_INSURANCE_GROUP``);
  universal, means-tested and employer-liability schemes have none (their counts add up);
* non-contributory old-age pensions are paid only to persons without a contributory pension,
  so old-age pensioners of the two kinds never overlap -- except in ``P.UNIVERSAL_ON_TOP``,
  where a universal pension is paid on top of contributory ones and joins their group;
* in ``P.CIVIL_SERVICE_PENSIONS`` civil servants have their own contributory pension scheme,
  split off the national one after generation (so country totals are unchanged), in its own
  overlap group or none, apart from the national social-insurance schemes;
* old-age pensioners are broken down by 5-year age group from Y55T59 to Y_GE80 (plus `_T`),
  and include early retirees below the statutory pensionable age (SPA). Within an age group that
  straddles the SPA, ages are taken as uniformly spread over the five years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.sample import params as P
from pipelines.sample.national import AGE_LOWER, SEXES, CountryNational, YearStats, rng

PENSION_AGE_GROUPS: tuple[str, ...] = ("Y55T59", "Y60T64", "Y65T69", "Y70T74", "Y75T79", "Y_GE80")

#: the optional last column of the schemes sheet (methodology §2.5); the sample always gives it
OVERLAP_COLUMN = "overlap_group"

SECTIONS: dict[str, tuple[str, ...]] = {
    "submission": ("iso3", "reference_year", "round", "submitted_on", "focal_point", "currency"),
    "schemes": (
        "scheme_id",
        "scheme_name",
        "institution",
        "scheme_type",
        "affiliation",
        "risks",
        "groups_covered",
        "legal_basis",
        "legal_year",
        OVERLAP_COLUMN,
    ),
    "legal_coverage": ("scheme_id", "risk", "sex", "legally_covered"),
    "contributors": ("scheme_id", "sex", "age_group", "affiliated", "active_contributors"),
    "beneficiaries": ("scheme_id", "risk", "benefit_type", "sex", "age_group", "beneficiaries"),
    "benefit_amounts": ("scheme_id", "risk", "sex", "average_benefit_lcu_month"),
    "expenditure": ("scheme_id", "function", "item", "amount_lcu"),
    "receipts": ("scheme_id", "source", "amount_lcu"),
}


@dataclass
class Scheme:
    key: str  # pension, social_pension, child, maternity, injury, unemployment, assistance, health
    scheme_id: str
    name: str
    institution: str
    scheme_type: str
    affiliation: str
    risks: tuple[str, ...]
    groups: str
    legal_basis: str
    legal_year: int
    start_year: int = 0
    elig_age: int = 0
    overlap_group: str | None = None


@dataclass
class CountryDesign:
    """Per-country parameters, fixed over the years."""

    iso3: str
    name: str
    income: str
    schemes: list[Scheme]
    formal: float  # share of employed contributing to the pension scheme (2020)
    legal_share: float  # share of employed legally covered by contributory schemes
    female_factor: float  # female contributor rate relative to the average
    pension_cov: float  # contributory old-age pension coverage above SPA (2020)
    early: float  # pension rate below SPA relative to above
    nc_takeup: float  # non-contributory pension take-up among eligible non-pensioners
    nc_disability: bool
    child_rate: float
    maternity_takeup: float
    sickness_rate: float
    injury_rate: float
    unemployment_takeup: float
    assistance_rate: float
    health_cov: float
    old_age_benefit: float  # contributory pension / GDP per capita per month
    female_benefit: float
    social_pension_benefit: float
    child_benefit: float
    admin: dict[str, float]
    contrib_surplus: float
    investment_share: float
    employer_share: float
    pen_health_transfer: float


def _r(r, lohi: tuple[float, float]) -> float:
    return r.uniform(*lohi)


def design_country(iso3: str, name: str, income: str, ilo_region: str) -> CountryDesign:
    r = rng(iso3, "design")
    formal = _r(r, P.FORMAL_SHARE[income])
    legal_share = min(0.97, formal * r.uniform(1.3, 2.0)) if income != "HIC" else 0.97
    female_factor = {"LIC": 0.6, "LMC": 0.75, "UMC": 0.9, "HIC": 0.97}[income]
    pension_cov = _r(r, P.PENSION_CONTRIB_COVERAGE[income])
    early = r.choice([0.0, 0.15, 0.25, 0.35])
    inc_i = ("LIC", "LMC", "UMC", "HIC").index(income)

    sp = P.SOCIAL_PENSION.get(iso3, "random")
    if sp == "random":
        if r.random() < (0.35, 0.5, 0.7, 0.6)[inc_i]:
            sp = (
                r.choice(["means_tested", "means_tested", "universal"]),
                r.choice([60, 65, 70]),
                2015,
            )
        else:
            sp = None
    nc_takeup = (
        r.uniform(0.85, 0.97)
        if sp and sp[0] == "universal"
        else _r(r, P.MEANS_TESTED_TAKEUP[income])
    )
    nc_disability = bool(sp and sp[0] == "means_tested" and r.random() < 0.5)

    schemes: list[Scheme] = []
    sid = lambda k: f"{iso3}-{k}"  # noqa: E731
    legal_year = lambda lo, hi: r.randint(lo, hi)  # noqa: E731
    schemes.append(
        Scheme(
            "pension",
            sid("PEN"),
            f"{name}: social insurance pensions (old age, invalidity, survivors)",
            "National Social Security Institute",
            "contributory",
            "mandatory",
            ("old_age", "disability", "survivors"),
            "employees in the public and private sector"
            + ("; self-employed persons" if income in ("UMC", "HIC") else ""),
            "Social Security Act",
            legal_year(1950, 2005),
        )
    )
    if sp:
        kind, age, start = sp
        label = "Universal" if kind == "universal" else "Means-tested"
        schemes.append(
            Scheme(
                "social_pension",
                sid("SOCPEN"),
                f"{label} social pension for older persons ({age}+)",
                "Ministry of Social Development",
                kind,
                "mandatory",
                ("old_age", "disability") if nc_disability else ("old_age",),
                f"residents aged {age} and over without a contributory pension"
                + ("; persons with severe disabilities" if nc_disability else ""),
                "Social Assistance Act" if kind == "means_tested" else "Social Pensions Act",
                max(start, legal_year(1995, 2014)) if start > 2015 else legal_year(1995, 2014),
                start_year=start,
                elig_age=age,
            )
        )
    child_p = (0.3, 0.5, 0.85, 0.95)[inc_i]
    if iso3 in P.CONTRIBUTORY_CHILD:
        child_type = "contributory"
    elif iso3 == "USA" or r.random() >= child_p:
        child_type = None
    else:
        child_type = "universal" if income == "HIC" and r.random() < 0.8 else "means_tested"
    if child_type:
        schemes.append(
            Scheme(
                "child",
                sid("CHILD"),
                {
                    "contributory": "Family allowances (social insurance)",
                    "universal": "Universal child benefit",
                    "means_tested": "Cash transfer for poor families with children",
                }[child_type],
                "National Social Security Institute"
                if child_type == "contributory"
                else "Ministry of Social Development",
                child_type,
                "mandatory",
                ("children",),
                {
                    "contributory": "children of insured employees",
                    "universal": "all resident children",
                    "means_tested": "children in households below the eligibility threshold",
                }[child_type],
                "Family Allowances Act"
                if child_type != "means_tested"
                else "Social Assistance Act",
                legal_year(1950, 2012),
            )
        )
    mat_el = iso3 in P.EMPLOYER_LIABILITY_MATERNITY
    schemes.append(
        Scheme(
            "maternity",
            sid("MATSICK"),
            "Maternity and sickness leave paid by the employer"
            if mat_el
            else "Sickness and maternity insurance",
            "Employers (Ministry of Labour supervises)"
            if mat_el
            else "National Social Security Institute",
            "employer_liability" if mat_el else "contributory",
            "mandatory",
            ("maternity", "sickness"),
            "employees",
            "Labour Code" if mat_el else "Social Security Act",
            legal_year(1960, 2010),
        )
    )
    inj_el = iso3 in P.EMPLOYER_LIABILITY_INJURY
    schemes.append(
        Scheme(
            "injury",
            sid("EMPINJ"),
            "Workers' compensation (employer liability)"
            if inj_el
            else "Employment injury insurance",
            "Employers and private insurers" if inj_el else "Workers' Compensation Fund",
            "employer_liability" if inj_el else "contributory",
            "mandatory",
            ("employment_injury",),
            "employees",
            "Workers' Compensation Act",
            legal_year(1950, 2010),
        )
    )
    ui_p = (0.0, 0.2, 0.7, 1.0)[inc_i]
    if iso3 in ("VNM", "EGY", "JOR", "URY") or (iso3 not in ("KEN",) and r.random() < ui_p):
        schemes.append(
            Scheme(
                "unemployment",
                sid("UNEMP"),
                "Unemployment insurance",
                "National Employment Agency",
                "contributory",
                "mandatory",
                ("unemployment",),
                "employees",
                "Unemployment Insurance Act",
                legal_year(1960, 2013),
            )
        )
    if r.random() < (0.7, 0.8, 0.9, 1.0)[inc_i] or iso3 in ("KEN", "URY"):
        schemes.append(
            Scheme(
                "assistance",
                sid("SOCASSIST"),
                "Social assistance cash transfer for poor households",
                "Ministry of Social Development",
                "means_tested",
                "mandatory",
                ("social_assistance",),
                "persons in households below the poverty threshold",
                "Social Assistance Act",
                legal_year(1990, 2016),
            )
        )
    uni_health = iso3 in P.UNIVERSAL_HEALTH
    schemes.append(
        Scheme(
            "health",
            sid("HEALTH"),
            "National health service" if uni_health else "National health insurance",
            "Ministry of Health" if uni_health else "National Health Insurance Fund",
            "universal" if uni_health else "contributory",
            "mandatory",
            ("health",),
            "all residents"
            if uni_health
            else "employees and dependants; subsidised membership for the poor",
            "Health Act" if uni_health else "National Health Insurance Act",
            legal_year(1948, 2015),
        )
    )
    _apply_country_names(iso3, schemes)
    _apply_overlap_design(iso3, income, schemes)

    health_cov = {
        "LIC": (0.03, 0.15),
        "LMC": (0.15, 0.6),
        "UMC": (0.55, 0.95),
        "HIC": (0.9, 0.99),
    }[income]
    return CountryDesign(
        iso3=iso3,
        name=name,
        income=income,
        schemes=schemes,
        formal=formal,
        legal_share=legal_share,
        female_factor=female_factor,
        pension_cov=pension_cov,
        early=early,
        nc_takeup=nc_takeup,
        nc_disability=nc_disability,
        child_rate={
            "contributory": formal * r.uniform(0.5, 0.9),
            "universal": r.uniform(0.93, 0.98),
            "means_tested": r.uniform(0.03, 0.2) if inc_i < 2 else r.uniform(0.1, 0.45),
            None: 0.0,
        }[child_type],
        maternity_takeup=r.uniform(0.7, 0.95),
        sickness_rate=r.uniform(0.03, 0.12),
        injury_rate=r.uniform(0.002, 0.008),
        unemployment_takeup=(
            (0.01, 0.03),
            (0.02, 0.08),
            (0.05, 0.3),
            (0.3, 0.6),
        )[inc_i][0]
        + r.random() * 0.1,
        assistance_rate=_r(r, P.MEANS_TESTED_TAKEUP[income]),
        health_cov=1.0 if uni_health else _r(r, health_cov),
        old_age_benefit=_r(
            r, {"LIC": (1.2, 2.0), "LMC": (0.8, 1.4), "UMC": (0.5, 0.9), "HIC": (0.4, 0.6)}[income]
        ),
        female_benefit=r.uniform(0.7, 0.92),
        social_pension_benefit=r.uniform(0.1, 0.25),
        child_benefit=r.uniform(0.03, 0.1),
        admin={
            "contributory": r.uniform(0.03, 0.07),
            "universal": r.uniform(0.02, 0.04),
            "means_tested": r.uniform(0.05, 0.1),
        },
        contrib_surplus=r.uniform(1.0, 1.35) if inc_i < 2 else r.uniform(0.95, 1.1),
        investment_share=r.uniform(0.05, 0.15) if inc_i < 2 else r.uniform(0.01, 0.06),
        employer_share=r.uniform(0.5, 0.67),
        pen_health_transfer=r.uniform(0.03, 0.06) if not uni_health and inc_i >= 2 else 0.0,
    )


_NAMES: dict[str, dict[str, tuple[str, str, str, int]]] = {
    # scheme key -> (scheme name, institution, legal basis, legal year)
    "KEN": {
        "pension": (
            "NSSF pension and provident fund benefits",
            "National Social Security Fund (NSSF)",
            "National Social Security Fund Act",
            2013,
        ),
        "social_pension": (
            "Inua Jamii Older Persons Cash Transfer (70+)",
            "State Department for Social Protection",
            "Social Assistance Act",
            2013,
        ),
        "child": (
            "Cash Transfer for Orphans and Vulnerable Children (CT-OVC)",
            "State Department for Social Protection",
            "Social Assistance Act",
            2013,
        ),
        "maternity": (
            "Maternity and sick leave (employer liability)",
            "Employers",
            "Employment Act",
            2007,
        ),
        "injury": (
            "Work injury benefits (employer liability)",
            "Employers and private insurers",
            "Work Injury Benefits Act",
            2007,
        ),
        "assistance": (
            "Hunger Safety Net Programme",
            "National Drought Management Authority",
            "Social Assistance Act",
            2013,
        ),
        "health": (
            "National Hospital Insurance Fund",
            "National Hospital Insurance Fund (NHIF)",
            "NHIF Act",
            1998,
        ),
    },
    "URY": {
        "pension": (
            "Jubilaciones y pensiones (IVS)",
            "Banco de Previsión Social (BPS)",
            "Ley 16.713",
            1995,
        ),
        "social_pension": (
            "Pensión a la vejez",
            "Banco de Previsión Social (BPS)",
            "Ley 18.241",
            2007,
        ),
        "child": (
            "Asignaciones Familiares - Plan de Equidad",
            "Banco de Previsión Social (BPS)",
            "Ley 18.227",
            2007,
        ),
        "maternity": (
            "Subsidios por maternidad y enfermedad",
            "Banco de Previsión Social (BPS)",
            "Ley 19.161",
            2013,
        ),
        "injury": (
            "Seguro de accidentes de trabajo",
            "Banco de Seguros del Estado (BSE)",
            "Ley 16.074",
            1989,
        ),
        "unemployment": (
            "Seguro de desempleo",
            "Banco de Previsión Social (BPS)",
            "Decreto-Ley 15.180",
            1981,
        ),
        "assistance": (
            "Tarjeta Uruguay Social",
            "Ministerio de Desarrollo Social (MIDES)",
            "Ley 17.866",
            2005,
        ),
        "health": (
            "Fondo Nacional de Salud (FONASA)",
            "Junta Nacional de Salud",
            "Ley 18.211",
            2007,
        ),
    },
}


def _apply_country_names(iso3: str, schemes: list[Scheme]) -> None:
    for s in schemes:
        if s.key in _NAMES.get(iso3, {}):
            s.name, s.institution, s.legal_basis, s.legal_year = _NAMES[iso3][s.key]


def _apply_overlap_design(iso3: str, income: str, schemes: list[Scheme]) -> None:
    """People in more than one scheme (methodology §2.5). The contributory social-insurance
    schemes insure the same employees: one overlap group (``P.SOCIAL_INSURANCE_GROUP``, or the
    private-sector group of ``P.CIVIL_SERVICE_PENSIONS``). A universal pension paid on top of
    the contributory one joins that group; a separate civil-service pension scheme gets its own
    group or none. Non-contributory schemes paid only to persons without a contributory benefit
    and employer-liability schemes keep no group. Draws no random number, so the rest of the
    country's data is unchanged."""
    by_key = {x.key: x for x in schemes}
    group = (
        P.CIVIL_SERVICE_PENSIONS[iso3][0]
        if iso3 in P.CIVIL_SERVICE_PENSIONS
        else P.SOCIAL_INSURANCE_GROUP
    )
    for x in schemes:
        if x.scheme_type == "contributory":
            x.overlap_group = group
    if iso3 in P.UNIVERSAL_ON_TOP:
        soc = by_key["social_pension"]
        assert soc.scheme_type == "universal", iso3
        soc.groups = (
            f"all residents aged {soc.elig_age} and over, including those with a "
            "contributory pension"
        )
        soc.overlap_group = by_key["pension"].overlap_group
    if iso3 in P.CIVIL_SERVICE_PENSIONS:
        civil_group = P.CIVIL_SERVICE_PENSIONS[iso3][1]
        names = P.CIVIL_SERVICE_NAMES[iso3]
        pen = by_key["pension"]
        pen.name, pen.institution, pen.legal_basis, pen.legal_year = names["pension"]
        pen.groups = "private-sector employees" + (
            "; self-employed persons" if income in ("UMC", "HIC") else ""
        )
        name, institution, legal_basis, legal_year = names["civil_service"]
        civil = Scheme(
            "civil_service",
            f"{iso3}-CSPEN",
            name,
            institution,
            "contributory",
            "mandatory",
            pen.risks,
            "civil servants and other government employees",
            legal_basis,
            legal_year,
            overlap_group=civil_group,
        )
        schemes.insert(schemes.index(pen) + 1, civil)


def _civil_shares(share: float) -> dict[str, float]:
    """Civil-service share by sex: women over-represented, men under."""
    f = min(0.95, share * P.CIVIL_SERVICE_FEMALE_FACTOR)
    return {"F": f, "M": max(0.0, share * (2 - P.CIVIL_SERVICE_FEMALE_FACTOR))}


def _civil_part(cells: dict[tuple[str, str], int], share: dict[str, float]):
    """The civil-service part of one scheme x risk x benefit type table {(sex, age): persons};
    the private-sector part is the rest. Parts keep every identity of the table: F and M cells
    by share, their all-ages rows the sum of their age rows, `_T` rows the F + M parts (scaled
    when `_T` includes persons of unknown sex)."""
    ages = [a for (x, a) in cells if x in ("F", "M", "_T") and a != "_T"]
    ages = list(dict.fromkeys(ages))
    part: dict[tuple[str, str], int] = {}
    for sex in ("F", "M"):
        for a in ages:
            if (sex, a) in cells:
                part[(sex, a)] = round(cells[(sex, a)] * share[sex])
        if (sex, "_T") in cells:
            given = [part[(sex, a)] for a in ages if (sex, a) in part]
            part[(sex, "_T")] = sum(given) if given else round(cells[(sex, "_T")] * share[sex])
    for a in [*ages, "_T"]:
        if ("_T", a) not in cells or (a == "_T" and any(("_T", g) in cells for g in ages)):
            continue
        fm = sum(cells.get((x, a), 0) for x in ("F", "M"))
        part_fm = sum(part.get((x, a), 0) for x in ("F", "M"))
        avg = (share["F"] + share["M"]) / 2
        part[("_T", a)] = round(cells[("_T", a)] * (part_fm / fm if fm else avg))
    if ("_T", "_T") in cells and ("_T", "_T") not in part:
        part[("_T", "_T")] = sum(part[("_T", a)] for a in ages if ("_T", a) in part)
    return part


def _split_civil_service(d: CountryDesign, rows: dict[str, list[tuple]]) -> None:
    """Move the civil servants' part of the national pension scheme's rows to its own scheme
    (rows added after the national scheme's rows of each sheet; totals unchanged)."""
    _, _, share_c, share_old = P.CIVIL_SERVICE_PENSIONS[d.iso3]
    pen = next(x for x in d.schemes if x.key == "pension").scheme_id
    civil = next(x for x in d.schemes if x.key == "civil_service").scheme_id
    contrib_share, old_share = _civil_shares(share_c), _civil_shares(share_old)

    def replace(section: str, split) -> None:
        """``split(pen_rows) -> (private rows, civil rows)``; civil rows go after the last
        row of the national scheme."""
        table = rows[section]
        idx = [i for i, row in enumerate(table) if row[0] == pen]
        if not idx:
            return
        private, civil_rows = split([table[i] for i in idx])
        for i, row in zip(idx, private, strict=True):
            table[i] = row
        table[idx[-1] + 1 : idx[-1] + 1] = civil_rows

    # legal coverage: scheme, risk, sex, n
    def legal(pen_rows):
        by_risk: dict[str, dict[tuple[str, str], int]] = {}
        for _, risk, sex, n in pen_rows:
            by_risk.setdefault(risk, {})[(sex, "_T")] = n
        parts = {risk: _civil_part(cells, contrib_share) for risk, cells in by_risk.items()}
        private = [(pen, risk, sex, n - parts[risk][(sex, "_T")]) for _, risk, sex, n in pen_rows]
        civil_rows = [(civil, risk, sex, parts[risk][(sex, "_T")]) for _, risk, sex, _ in pen_rows]
        return private, civil_rows

    # contributors: scheme, sex, age, affiliated, active
    def contributors(pen_rows):
        aff = _civil_part({(x, a): v for _, x, a, v, _ in pen_rows}, contrib_share)
        act = _civil_part({(x, a): v for _, x, a, _, v in pen_rows}, contrib_share)
        private = [(pen, x, a, f - aff[(x, a)], v - act[(x, a)]) for _, x, a, f, v in pen_rows]
        civil_rows = [(civil, x, a, aff[(x, a)], act[(x, a)]) for _, x, a, _, _ in pen_rows]
        return private, civil_rows

    # beneficiaries: scheme, risk, benefit type, sex, age, n
    part_ben: dict[tuple[str, str], dict[tuple[str, str], int]] = {}

    def beneficiaries(pen_rows):
        tables: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
        for _, risk, btype, x, a, n in pen_rows:
            tables.setdefault((risk, btype), {})[(x, a)] = n
        for (risk, btype), cells in tables.items():
            share = old_share if risk == "old_age" else contrib_share
            part_ben[(risk, btype)] = _civil_part(cells, share)
        private = [
            (pen, risk, bt, x, a, n - part_ben[(risk, bt)][(x, a)])
            for _, risk, bt, x, a, n in pen_rows
        ]
        civil_rows = [
            (civil, risk, bt, x, a, part_ben[(risk, bt)][(x, a)])
            for _, risk, bt, x, a, _ in pen_rows
        ]
        return private, civil_rows

    replace("legal_coverage", legal)
    replace("contributors", contributors)
    replace("beneficiaries", beneficiaries)

    def function_share(function: str) -> float:
        """Civil servants' share of the cash beneficiaries (all ages, both sexes) of a risk."""
        total = part = 0
        for scheme, risk, bt, x, a, n in rows["beneficiaries"]:
            if scheme in (pen, civil) and (risk, bt, x, a) == (
                function,
                "cash_periodic",
                "_T",
                "_T",
            ):
                total += n
                part += n if scheme == civil else 0
        return part / total if total else (contrib_share["F"] + contrib_share["M"]) / 2

    # benefit amounts: the same averages (scheme, risk, sex, amount)
    replace("benefit_amounts", lambda pen_rows: (pen_rows, [(civil, *r[1:]) for r in pen_rows]))
    spent = {"total": 0.0, "civil": 0.0}

    def expenditure(pen_rows):
        private, civil_rows = [], []
        for _, function, item, amount in pen_rows:
            part = round(amount * function_share(function))
            spent["total"] += amount
            spent["civil"] += part
            private.append((pen, function, item, amount - part))
            if part > 0:
                civil_rows.append((civil, function, item, part))
        return private, civil_rows

    replace("expenditure", expenditure)
    receipts_share = spent["civil"] / spent["total"] if spent["total"] else 0.0

    def receipts(pen_rows):
        parts = [(source, amount, round(amount * receipts_share)) for _, source, amount in pen_rows]
        private = [(pen, source, amount - part) for source, amount, part in parts]
        civil_rows = [(civil, source, part) for source, _, part in parts if part > 0]
        return private, civil_rows

    replace("receipts", receipts)


# ---------------------------------------------------------------------------------------------
# one submission


def _group_fraction_at_or_above(group: str, age: int) -> float:
    """Share of a 5-year group at or above `age` (ages uniform within the group)."""
    lo = AGE_LOWER[group]
    hi = lo + 5 if group != "Y_GE80" else 10_000
    if lo >= age:
        return 1.0
    if hi <= age:
        return 0.0
    return (hi - age) / 5.0


def _sex_rows(values: dict[str, int], unknown: float) -> dict[str, int]:
    out = {"F": values["F"], "M": values["M"]}
    out["_T"] = out["F"] + out["M"] + round((out["F"] + out["M"]) * unknown)
    return out


def build_submission(
    d: CountryDesign, nat: CountryNational, year: int, currency: str, revision: int = 1
) -> dict[str, list[tuple]]:
    s: YearStats = nat.years[year]
    r = rng(d.iso3, f"ssi:{year}:{revision}")
    t = year - P.BASE_YEAR
    unknown = 0.004 if d.iso3 in P.SEX_UNKNOWN_COUNTRIES else 0.0
    schemes = [x for x in d.schemes if x.start_year <= year]
    by_key = {x.key: x for x in schemes}
    gdp_pc_month = s.gdp_lcu / s.total_population() / 12.0
    trend = 1 + 0.012 * t
    rows: dict[str, list[tuple]] = {k: [] for k in SECTIONS}

    submitted = dt.date(year + 1, r.randint(3, 10), r.randint(1, 28))
    if revision > 1:
        submitted = dt.date(year + 2, r.randint(1, 6), r.randint(1, 28))
    rows["submission"].append(
        (
            d.iso3,
            year,
            str(year + 1),
            submitted.isoformat(),
            "Ministry of Labour and Social Protection, statistics unit",
            currency,
        )
    )
    for x in schemes:
        rows["schemes"].append(
            (
                x.scheme_id,
                x.name,
                x.institution,
                x.scheme_type,
                x.affiliation,
                ";".join(x.risks),
                x.groups,
                x.legal_basis,
                x.legal_year,
                x.overlap_group,
            )
        )

    def noisy(v: float, rel: float = 0.02) -> float:
        return v * (1 + r.uniform(-rel, rel))

    emp = s.employed
    # contributors of the pension scheme, by sex (the reference for the other contributory ones)
    formal = min(0.95, d.formal * trend)
    ff = d.female_factor
    f_share = emp["F"] / (emp["F"] + emp["M"])
    m_factor = (1 - ff * f_share) / (1 - f_share)
    active = {
        "F": round(min(0.97, noisy(formal * ff)) * emp["F"]),
        "M": round(min(0.97, noisy(formal * m_factor)) * emp["M"]),
    }
    aff_ratio = r.uniform(1.15, 1.6)
    pop15 = {sex: s.pop(sex, 15) for sex in SEXES}

    def contributors(scheme: Scheme, factor: float, cap: dict[str, int]) -> None:
        act = {sex: min(cap[sex], round(active[sex] * factor)) for sex in SEXES}
        aff = {sex: min(pop15[sex], round(act[sex] * aff_ratio)) for sex in SEXES}
        act_t, aff_t = _sex_rows(act, unknown), _sex_rows(aff, unknown)
        for sex in ("F", "M", "_T"):
            rows["contributors"].append((scheme.scheme_id, sex, "_T", aff_t[sex], act_t[sex]))

    def legal(scheme: Scheme, risk: str, values: dict[str, int], sexes=("F", "M", "_T")) -> None:
        v = dict(values)
        v["_T"] = sum(values[x] for x in SEXES if x in values)
        for sex in sexes:
            rows["legal_coverage"].append((scheme.scheme_id, risk, sex, v[sex]))

    def bens(
        scheme: Scheme, risk: str, btype: str, values: dict[str, int], sexes=("F", "M", "_T")
    ) -> dict[str, int]:
        v = _sex_rows({"F": values.get("F", 0), "M": values.get("M", 0)}, unknown)
        if sexes == ("F", "_T"):
            v["_T"] = v["F"]
        for sex in sexes:
            rows["beneficiaries"].append((scheme.scheme_id, risk, btype, sex, "_T", v[sex]))
        return v

    def amounts(scheme: Scheme, risk: str, per_sex: dict[str, float], counts: dict[str, int]):
        total = sum(counts.get(x, 0) for x in SEXES)
        avg_t = (
            sum(per_sex[x] * counts.get(x, 0) for x in per_sex if x in SEXES) / total
            if total
            else next(iter(per_sex.values()))
        )
        for sex in ("F", "M", "_T"):
            if sex in per_sex:
                rows["benefit_amounts"].append(
                    (scheme.scheme_id, risk, sex, round(per_sex[sex], 2))
                )
        if "_T" not in per_sex:
            rows["benefit_amounts"].append((scheme.scheme_id, risk, "_T", round(avg_t, 2)))
        return round(avg_t, 2)

    spending: dict[str, dict[str, dict[str, float]]] = {}  # scheme -> function -> item -> amount

    def spend(scheme: Scheme, function: str, item: str, amount: float) -> None:
        f = spending.setdefault(scheme.scheme_id, {}).setdefault(function, {})
        f[item] = f.get(item, 0.0) + amount

    # --- old age: contributory and non-contributory pensioners by sex and age --------------
    pen = by_key["pension"]
    soc = by_key.get("social_pension")
    cov = min(0.97, d.pension_cov * (1 + 0.01 * t))
    old_contrib: dict[str, dict[str, int]] = {}
    old_nc: dict[str, dict[str, int]] = {}
    for sex in SEXES:
        sex_cov = min(0.97, cov * (ff if sex == "F" else 1.0) / ((ff + 1) / 2))
        old_contrib[sex], old_nc[sex] = {}, {}
        for i, g in enumerate(PENSION_AGE_GROUPS):
            pop_g = s.population[(sex, g)]
            age_factor = 1.0 if d.income == "HIC" else (1.1 - 0.06 * i)
            above = _group_fraction_at_or_above(g, s.spa[sex])
            rate_c = min(0.98, noisy(sex_cov * age_factor)) * (above + (1 - above) * d.early)
            n_c = round(pop_g * rate_c)
            n_nc = 0
            # paid on top of contributory pensions (same overlap group), or only to persons
            # without one
            on_top = d.iso3 in P.UNIVERSAL_ON_TOP
            if soc is not None:
                elig = _group_fraction_at_or_above(g, soc.elig_age)
                base = pop_g if on_top else pop_g - n_c
                n_nc = round(base * min(0.98, noisy(d.nc_takeup)) * elig)
            n_nc = min(n_nc, round(pop_g * 0.99) - (0 if on_top else n_c))
            old_contrib[sex][g], old_nc[sex][g] = n_c, max(0, n_nc)

    def old_age_rows(scheme: Scheme, table: dict[str, dict[str, int]]) -> dict[str, int]:
        tot_t: dict[str, int] = {}
        t_rows = {}
        for g in PENSION_AGE_GROUPS:
            both = table["F"][g] + table["M"][g]
            t_rows[g] = both + round(both * unknown)
        per_sex = {"F": table["F"], "M": table["M"], "_T": t_rows}
        for sex in ("F", "M", "_T"):
            for g in PENSION_AGE_GROUPS:
                rows["beneficiaries"].append(
                    (scheme.scheme_id, "old_age", "cash_periodic", sex, g, per_sex[sex][g])
                )
            tot_t[sex] = sum(per_sex[sex].values())
            rows["beneficiaries"].append(
                (scheme.scheme_id, "old_age", "cash_periodic", sex, "_T", tot_t[sex])
            )
        return tot_t

    # pension scheme
    n_old = old_age_rows(pen, old_contrib)
    contributors(pen, 1.0, emp)
    legal_pen = {sex: round(emp[sex] * d.legal_share) for sex in SEXES}
    for risk in pen.risks:
        legal(pen, risk, legal_pen)
    pension_m = gdp_pc_month * d.old_age_benefit * (1 + 0.01 * t)
    avg = amounts(pen, "old_age", {"F": pension_m * d.female_benefit, "M": pension_m}, n_old)
    spend(pen, "old_age", "benefits_cash", n_old["_T"] * avg * 12)
    if d.iso3 in P.LUMP_SUM_PENSIONS:
        lump = {sex: round(active[sex] * noisy(0.012, 0.2)) for sex in SEXES}
        v = bens(pen, "old_age", "cash_lump_sum", lump)
        spend(pen, "old_age", "benefits_cash", v["_T"] * gdp_pc_month * 12 * r.uniform(1.5, 4))
    disabled = {sex: s.pop(sex) * s.disability_pct / 100 for sex in SEXES}
    dis_c = {sex: round(disabled[sex] * cov * noisy(0.35, 0.2)) for sex in SEXES}
    v = bens(pen, "disability", "cash_periodic", dis_c)
    avg = amounts(
        pen, "disability", {"F": pension_m * 0.8 * d.female_benefit, "M": pension_m * 0.8}, v
    )
    spend(pen, "disability", "benefits_cash", v["_T"] * avg * 12)
    surv_total = sum(old_contrib[x][g] for x in SEXES for g in PENSION_AGE_GROUPS) * r.uniform(
        0.2, 0.35
    )
    surv = {"F": round(surv_total * 0.86), "M": round(surv_total * 0.14)}
    v = bens(pen, "survivors", "cash_periodic", surv)
    avg = amounts(pen, "survivors", {"F": pension_m * 0.55, "M": pension_m * 0.5}, v)
    spend(pen, "survivors", "benefits_cash", v["_T"] * avg * 12)

    # social pension
    if soc is not None:
        n_nc = old_age_rows(soc, old_nc)
        legal_nc = (
            pop15
            if soc.scheme_type == "universal"
            else {x: round(pop15[x] * s.poverty_pct / 100) for x in SEXES}
        )
        legal(soc, "old_age", legal_nc)
        sp_m = gdp_pc_month * d.social_pension_benefit
        avg = amounts(soc, "old_age", {"F": sp_m, "M": sp_m}, n_nc)
        spend(soc, "old_age", "benefits_cash", n_nc["_T"] * avg * 12)
        if "disability" in soc.risks:
            dis_nc = {
                x: round((disabled[x] - dis_c[x]) * d.nc_takeup * noisy(0.6, 0.1)) for x in SEXES
            }
            legal(soc, "disability", {x: round(disabled[x]) for x in SEXES})
            v = bens(soc, "disability", "cash_periodic", dis_nc)
            avg = amounts(soc, "disability", {"F": sp_m, "M": sp_m}, v)
            spend(soc, "disability", "benefits_cash", v["_T"] * avg * 12)

    # children
    child = by_key.get("child")
    if child is not None:
        kids = {x: s.pop(x, 0, 10) for x in SEXES}
        rate = min(0.98, d.child_rate * (trend if child.scheme_type != "universal" else 1.0))
        n = {x: round(kids[x] * noisy(rate)) for x in SEXES}
        n = {x: min(n[x], kids[x]) for x in SEXES}
        if child.scheme_type == "universal":
            legal(child, "children", kids)
        elif child.scheme_type == "means_tested":
            legal(
                child,
                "children",
                {x: round(kids[x] * min(1.0, s.poverty_pct / 100 * 1.3)) for x in SEXES},
            )
        else:
            legal(child, "children", {x: round(kids[x] * d.legal_share * 0.9) for x in SEXES})
            contributors(child, 1.0, emp)
        v = bens(child, "children", "cash_periodic", n)
        cb = gdp_pc_month * d.child_benefit
        avg = amounts(child, "children", {"F": cb, "M": cb}, v)
        spend(child, "children", "benefits_cash", v["_T"] * avg * 12)

    # maternity and sickness
    mat = by_key["maternity"]
    legal(mat, "maternity", {"F": round(emp["F"] * d.legal_share)}, sexes=("F", "_T"))
    legal(mat, "sickness", legal_pen)
    if mat.scheme_type == "contributory":
        contributors(mat, 0.97, emp)
        women_15_49 = s.pop("F", 15, 45)
        share_insured = min(0.95, active["F"] * 0.97 / women_15_49)
        n_mat = min(s.live_births, round(s.live_births * share_insured * noisy(d.maternity_takeup)))
        v = bens(mat, "maternity", "cash_periodic", {"F": n_mat}, sexes=("F", "_T"))
        mb = gdp_pc_month * r.uniform(0.8, 1.5) * 0.9
        avg = amounts(mat, "maternity", {"F": mb, "_T": mb}, v)
        spend(mat, "maternity", "benefits_cash", v["_T"] * avg * 3.3)
        sick = {x: round(active[x] * 0.97 * noisy(d.sickness_rate, 0.1)) for x in SEXES}
        v = bens(mat, "sickness", "cash_periodic", sick)
        sb = gdp_pc_month * 0.7
        avg = amounts(mat, "sickness", {"F": sb * d.female_benefit, "M": sb}, v)
        spend(mat, "sickness", "benefits_cash", v["_T"] * avg * 0.7)

    # employment injury
    inj = by_key["injury"]
    legal(inj, "employment_injury", legal_pen)
    if inj.scheme_type == "contributory":
        contributors(inj, 0.95, emp)
        n = {
            x: round(active[x] * 0.95 * noisy(d.injury_rate, 0.1) * (0.4 if x == "F" else 1.0))
            for x in SEXES
        }
        v = bens(inj, "employment_injury", "cash_periodic", n)
        ib = gdp_pc_month * 0.75
        avg = amounts(inj, "employment_injury", {"F": ib * d.female_benefit, "M": ib}, v)
        spend(inj, "employment_injury", "benefits_cash", v["_T"] * avg * 12)

    # unemployment
    ue = by_key.get("unemployment")
    if ue is not None:
        lf = {x: emp[x] + s.unemployed[x] for x in SEXES}
        legal(ue, "unemployment", {x: round(lf[x] * d.legal_share * 0.9) for x in SEXES})
        contributors(ue, 0.92, emp)
        covid = 1.3 if year == 2020 else 1.0
        n = {
            x: min(
                round(s.unemployed[x] * 0.95),
                round(s.unemployed[x] * noisy(d.unemployment_takeup) * covid),
            )
            for x in SEXES
        }
        v = bens(ue, "unemployment", "cash_periodic", n)
        ub = gdp_pc_month * 0.6
        avg = amounts(ue, "unemployment", {"F": ub * d.female_benefit, "M": ub}, v)
        spend(ue, "unemployment", "benefits_cash", v["_T"] * avg * 4.5)

    # social assistance
    sa = by_key.get("assistance")
    if sa is not None:
        poor = {x: round(s.pop(x) * s.poverty_pct / 100) for x in SEXES}
        legal(sa, "social_assistance", poor)
        n = {
            x: min(poor[x], round(poor[x] * noisy(min(0.95, d.assistance_rate * trend))))
            for x in SEXES
        }
        v = bens(sa, "social_assistance", "cash_periodic", n)
        ab = gdp_pc_month * 0.05
        avg = amounts(sa, "social_assistance", {"F": ab, "M": ab}, v)
        spend(sa, "social_assistance", "benefits_cash", v["_T"] * avg * 12)

    # health
    hs = by_key["health"]
    popx = {x: s.pop(x) for x in SEXES}
    if hs.scheme_type == "universal":
        legal(hs, "health", popx)
        prot = dict(popx)
    else:
        legal(hs, "health", {x: round(popx[x] * min(1.0, d.health_cov * 1.4)) for x in SEXES})
        contributors(hs, 1.05, emp)
        cov_h = min(0.99, d.health_cov * (1 + 0.015 * t))
        prot = {x: round(popx[x] * noisy(cov_h, 0.01)) for x in SEXES}
    prot = {x: min(prot[x], popx[x]) for x in SEXES}
    rows["beneficiaries"].extend(
        (hs.scheme_id, "health", "in_kind", sex, "_T", val)
        for sex, val in (("F", prot["F"]), ("M", prot["M"]), ("_T", prot["F"] + prot["M"]))
    )
    per_cap = (
        s.gdp_lcu
        / s.total_population()
        * {"LIC": 0.012, "LMC": 0.018, "UMC": 0.03, "HIC": 0.055}[d.income]
    )
    spend(
        hs, "health", "benefits_in_kind", (prot["F"] + prot["M"]) * per_cap * r.uniform(0.85, 1.15)
    )

    # administration, other, transfers; then receipts
    ids = {x.scheme_id: x for x in schemes}
    for scheme_id, functions in spending.items():
        x = ids[scheme_id]
        rate = d.admin.get(x.scheme_type, 0.04)
        for function, items in functions.items():
            benefits = sum(items.values())
            items["administration"] = benefits * rate * r.uniform(0.9, 1.1)
            if x.key == "pension" and function == "old_age":
                items["other"] = benefits * r.uniform(0.002, 0.01)
    transfer = 0.0
    if d.pen_health_transfer and hs.scheme_type == "contributory" and pen.scheme_id in spending:
        transfer = spending[pen.scheme_id]["old_age"]["benefits_cash"] * d.pen_health_transfer
        spending[pen.scheme_id]["old_age"]["transfers_to_other_schemes"] = transfer

    item_order = (
        "benefits_cash",
        "benefits_in_kind",
        "administration",
        "transfers_to_other_schemes",
        "other",
    )
    for x in schemes:
        for function in x.risks:
            items = spending.get(x.scheme_id, {}).get(function, {})
            for item in item_order:
                if round(items.get(item, 0.0)) > 0:
                    rows["expenditure"].append((x.scheme_id, function, item, round(items[item])))
    for x in schemes:
        if x.scheme_id not in spending:
            continue
        total = sum(sum(f.values()) for f in spending[x.scheme_id].values())
        if x.scheme_type == "contributory":
            receipts_total = total * d.contrib_surplus
            inv = receipts_total * d.investment_share
            from_other = transfer if x.key == "health" else 0.0
            gov = receipts_total * (0.02 if d.income in ("LIC", "LMC") else 0.12)
            contrib = max(0.0, receipts_total - inv - gov - from_other)
            parts = [
                ("employer_contributions", contrib * d.employer_share),
                ("protected_persons_contributions", contrib * (1 - d.employer_share)),
                ("general_government", gov),
                ("transfers_from_other_schemes", from_other),
                ("investment_income", inv),
            ]
        else:
            parts = [("general_government", total)]
        for source, amount in parts:
            if round(amount) > 0:
                rows["receipts"].append((x.scheme_id, source, round(amount)))
    if d.iso3 in P.CIVIL_SERVICE_PENSIONS:
        _split_civil_service(d, rows)
    return rows
