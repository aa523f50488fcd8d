"""Synthetic Flagship Programme records for the 50 focus countries (`raw/flagship/`).

The focus countries of each phase (`focus_countries.csv`): the 50 of phase II (2021-2025) and,
for phase I (2016-2020), 21 of them drawn at random (the sample's phase I list is synthetic).
Records of a country dated in a phase where it is not a focus country are kept: they exercise
the rule that results count only in a phase's focus countries (methodology §9).

Interventions 2016-2025 with their institutional changes (steps 1-3) and impact on people
(legal coverage, effective coverage, adequacy), so that both programme phases (2016-2020 and
2021-2025) have results. Overlaps are made on purpose, to exercise deduplication (methodology
§9): an effective coverage record often counts a subset of the people of a legal coverage record
(``same_people_as``), and many records concern several risks.

Every country draws from its own generator seeded with the sample seed, ``flagship`` and the
country, so these records never shift the numbers of the other sample files.
"""

from __future__ import annotations

import datetime as dt
import random

from pipelines.sample import params as P
from schemas.flagship import CONVENTIONS, RISKS, STEPS, THEMATIC_AREAS

TABLES: dict[str, tuple[str, ...]] = {
    "interventions": (
        "intervention_id",
        "iso3",
        "start_year",
        "end_year",
        "thematic_area",
        "title",
        "partners",
        "budget_usd",
        "persons_trained",
        "knowledge_products_endorsed",
    ),
    "institutional_changes": (
        "change_id",
        "iso3",
        "step",
        "change_date",
        "risks",
        "description",
        "evidence",
        "intervention_id",
        "partners_involved",
        "ratification",
    ),
    "focus_countries": ("phase", "iso3"),
    "impact_on_people": (
        "impact_id",
        "iso3",
        "impact_type",
        "risks",
        "sex",
        "persons",
        "impact_date",
        "description",
        "source",
        "change_id",
        "intervention_id",
        "partners_involved",
        "same_people_as",
    ),
}

PARTNERS = ("UNICEF", "WHO", "WFP", "FAO", "UNDP", "UNHCR", "World Bank", "EU", "GIZ", "ISSA")
#: the risks a thematic area usually concerns (others are drawn at random)
AREA_RISKS: dict[str, tuple[str, ...]] = {
    "social_health_protection": ("health", "sickness", "maternity"),
    "unemployment_protection": ("unemployment",),
    "old_age_pensions": ("old_age", "survivors", "disability"),
    "informal_economy": ("health", "old_age", "employment_injury"),
    "disability_inclusive": ("disability",),
    "migrants_refugees": ("health", "children", "social_assistance"),
    "just_transition": ("unemployment", "social_assistance"),
    "gender_equality": ("maternity", "children"),
}
STEP_WORDS = {
    1: "National social protection strategy adopted",
    2: "Legal framework adopted for the scheme",
    3: "Scheme operations improved (registration and delivery)",
}
EVIDENCE = {
    1: "Council of Ministers decision {ref}",
    2: "Official gazette, law/decree {ref}",
    3: "Scheme administration report {ref}",
}
LAST_DAY = dt.date(2025, 12, 31)
#: focus countries of the first phase (methodology §9: 21 countries)
N_PHASE_I = 21
#: up-to-date social security standards ratified in the sample (weights) and the risks concerned
RATIFIED: dict[str, tuple[int, str]] = {
    "C102": (8, "old_age;disability;survivors"),
    "C183": (3, "maternity"),
    "C128": (2, "old_age;disability;survivors"),
    "C121": (2, "employment_injury"),
    "C130": (1, "health;sickness"),
    "C168": (1, "unemployment"),
    "C118": (1, "old_age;disability;survivors"),
}
assert set(RATIFIED) <= set(CONVENTIONS)


def rng(iso3: str) -> random.Random:
    return random.Random(f"{P.SEED}:flagship:{iso3}")


def _convention(iso3: str) -> str:
    """The standard a country ratifies (its own generator: the other draws do not shift)."""
    r = random.Random(f"{P.SEED}:flagship:{iso3}:convention")
    codes = list(RATIFIED)
    return r.choices(codes, weights=[RATIFIED[c][0] for c in codes])[0]


def _date_in(r: random.Random, first: int, last: int) -> dt.date:
    start, end = dt.date(first, 1, 1), min(dt.date(last, 12, 31), LAST_DAY)
    return start + dt.timedelta(days=r.randrange((end - start).days + 1))


def _risks(r: random.Random, area: str) -> list[str]:
    pool = AREA_RISKS.get(area) or RISKS
    chosen = {r.choice(pool)}
    for _ in range(r.choice((0, 0, 1, 2))):
        chosen.add(r.choice(RISKS))
    return sorted(chosen, key=RISKS.index)


def _sex_rows(r: random.Random, total: int, split: bool) -> dict[str, int]:
    if not split:
        return {"_T": total}
    female = round(total * r.uniform(0.40, 0.60))
    unknown = round(total * 0.01) if r.random() < 0.1 else 0
    return {"_T": total, "F": female, "M": total - female - unknown}


def _scaled(rows: dict[str, int], ratio: float) -> dict[str, int]:
    """A subset of the same people: every sex scaled down (floor keeps F + M <= _T)."""
    return {sex: int(n * ratio) for sex, n in rows.items()}


def build_country(iso3: str) -> dict[str, list[tuple]]:
    """Interventions, institutional changes and impact records of one focus country."""
    r = rng(iso3)
    out: dict[str, list[tuple]] = {t: [] for t in TABLES}
    n_change = n_impact = 0

    def impact(kind, risks, rows, when, text, source, change, intervention, partners, same=None):
        nonlocal n_impact
        n_impact += 1
        impact_id = f"{iso3}-P{n_impact:03d}"
        for sex in ("_T", "F", "M"):
            if sex in rows:
                out["impact_on_people"].append(
                    (
                        impact_id,
                        iso3,
                        kind,
                        ";".join(risks),
                        sex,
                        rows[sex],
                        when.isoformat(),
                        text,
                        source,
                        change,
                        intervention,
                        partners,
                        same,
                    )
                )
        return impact_id

    ratifies = r.random() < 0.25
    convention = _convention(iso3)
    for i in range(1, r.randint(2, 5) + 1):
        intervention_id = f"{iso3}-I{i:02d}"
        start = r.randint(2016, 2024)
        end = min(2025, start + r.randint(1, 4))
        area = r.choice(list(THEMATIC_AREAS))
        others = r.sample(PARTNERS, r.choice((0, 1, 1, 2)))
        partners = ";".join(["ILO", *others])
        trained = None if r.random() < 0.1 else r.randint(0, 800)
        out["interventions"].append(
            (
                intervention_id,
                iso3,
                start,
                end,
                area,
                f"{THEMATIC_AREAS[area]}: technical assistance to {iso3} ({start}-{end})",
                partners,
                float(round(r.uniform(0.05, 3.0) * 1e6, -3)),
                trained,
                r.randint(0, 5),
            )
        )
        for _ in range(r.choice((0, 1, 1, 2, 3))):
            n_change += 1
            change_id = f"{iso3}-C{n_change:03d}"
            step = r.choices(list(STEPS), weights=(3, 4, 3))[0]
            when = _date_in(r, start, end)
            risks = _risks(r, area)
            involved = ";".join(p for p in others if r.random() < 0.7) or None
            ratification = None
            if ratifies and step == 2 and area == "rights_ratification":
                ratification, ratifies = convention, False
            out["institutional_changes"].append(
                (
                    change_id,
                    iso3,
                    step,
                    when.isoformat(),
                    ";".join(risks),
                    f"{STEP_WORDS[step]} ({', '.join(risks)})"
                    + (f"; ILO Convention No. {ratification[1:]} ratified" if ratification else ""),
                    EVIDENCE[step].format(ref=f"{iso3}/{when.year}/{r.randint(10, 999)}"),
                    intervention_id,
                    involved,
                    ratification,
                )
            )
            after = min(when + dt.timedelta(days=r.randint(30, 500)), LAST_DAY)
            later = min(after + dt.timedelta(days=r.randint(30, 400)), LAST_DAY)
            if step == 2 and r.random() < 0.75:
                legal = _sex_rows(r, int(r.lognormvariate(11.8, 1.1)), r.random() < 0.75)
                legal_id = impact(
                    "legal_coverage",
                    risks,
                    legal,
                    after,
                    "Persons newly covered by law",
                    "Law text and scheme registry estimate",
                    change_id,
                    intervention_id,
                    involved,
                )
                if r.random() < 0.6:
                    # the same people, partly reached by benefits: counted under both types
                    impact(
                        "effective_coverage",
                        risks,
                        _scaled(legal, r.uniform(0.3, 0.95)),
                        later,
                        "Newly covered persons now affiliated or receiving benefits",
                        "Scheme administrative data",
                        change_id,
                        intervention_id,
                        involved,
                        same=legal_id,
                    )
            elif step == 3 and r.random() < 0.6:
                kind = r.choice(("effective_coverage", "effective_coverage", "adequacy"))
                impact(
                    kind,
                    risks,
                    _sex_rows(r, int(r.lognormvariate(11.3, 1.0)), r.random() < 0.7),
                    after,
                    "Persons reached after the operational improvements",
                    "Scheme administrative data",
                    change_id,
                    intervention_id,
                    involved,
                )
        if r.random() < 0.2:
            # an impact record not tied to one change (e.g. a benefit increase)
            impact(
                "adequacy",
                _risks(r, area),
                _sex_rows(r, int(r.lognormvariate(10.8, 1.0)), r.random() < 0.5),
                _date_in(r, start, end),
                "Beneficiaries with a higher benefit level",
                "Ministry of social affairs, benefit statistics",
                None,
                intervention_id,
                ";".join(others) or None,
            )
    if ratifies:
        # a ratification supported outside the thematic area's interventions
        n_change += 1
        when = _date_in(r, 2016, 2025)
        out["institutional_changes"].append(
            (
                f"{iso3}-C{n_change:03d}",
                iso3,
                2,
                when.isoformat(),
                RATIFIED[convention][1],
                "ILO Convention No. 102 (Social Security (Minimum Standards)) ratified"
                if convention == "C102"
                else f"ILO Convention No. {convention[1:]} ratified",
                f"ILO NORMLEX ratification record {iso3}/{when.year}",
                out["interventions"][0][0],
                None,
                convention,
            )
        )
    return out


def phase_focus(focus_iso3: list[str]) -> dict[str, list[str]]:
    """Focus countries per phase: all of them in phase II, 21 drawn at random in phase I."""
    ordered = sorted(focus_iso3)
    first = random.Random(f"{P.SEED}:flagship:phase_i").sample(ordered, N_PHASE_I)
    return {"2016-2020": sorted(first), "2021-2025": ordered}


def build_flagship(focus_iso3: list[str]) -> dict[str, list[tuple]]:
    """Rows of the `raw/flagship/` tables for the focus countries (sorted by country)."""
    rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
    for iso3 in sorted(focus_iso3):
        for table, country_rows in build_country(iso3).items():
            rows[table].extend(country_rows)
    rows["focus_countries"] = [
        (phase, iso3) for phase, isos in phase_focus(focus_iso3).items() for iso3 in isos
    ]
    return rows
