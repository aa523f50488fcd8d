"""Vega-Lite chart specifications of the site, written with altair.

Each function takes rows already read from the marts (see ``data``) and returns a
:class:`Chart`: the Vega-Lite spec as a plain dict (no ``$schema`` URL, data inlined, so the
page needs nothing from the network), a sentence describing it (the alt text, also set as the
spec's ``description`` which Vega puts on the SVG as its ARIA label) and the table of the
numbers behind it. The functions never compute an indicator: they only plot mart values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import altair as alt

#: dark, distinguishable colours (each ≥ 3:1 against white, WCAG 1.4.11 for graphics)
PALETTE = [
    "#1f4e8c",
    "#b03a2e",
    "#2e7d32",
    "#6a1b9a",
    "#a65300",
    "#00695c",
    "#ad1457",
    "#4e342e",
    "#455a64",
    "#5d6b00",
    "#283593",
    "#8d2a10",
    "#006064",
]
SEX_LABELS = {"_T": "Total", "F": "Women", "M": "Men"}
SEX_ORDER = ["Total", "Women", "Men"]
WIDTH = 560


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]

    def __post_init__(self) -> None:
        # years are labels, not quantities: no thousands separator
        for i, name in enumerate(self.columns):
            if name == "Year":
                for row in self.rows:
                    row[i] = None if row[i] is None else str(row[i])


@dataclass
class Chart:
    title: str
    alt: str
    spec: dict
    table: Table
    notes: list[str] = field(default_factory=list)
    #: element id on the page, set by the page builder (chart-1, chart-2, ...)
    id: str = "chart"


#: charts are written against this named data source, then the rows are put in the spec (altair
#: would otherwise walk and validate every row: slow for ~100 pages)
DATA = alt.NamedData(name="table")


def _spec(chart: alt.TopLevelMixin, description: str, values: list[dict]) -> dict:
    spec = chart.properties(description=description).to_dict(validate=False)
    spec.pop("$schema", None)
    assert spec.get("data") == {"name": "table"}, spec.get("data")
    spec["data"] = {"values": values}
    spec["config"] = {
        "range": {"category": PALETTE},
        "axis": {
            "labelColor": "#222",
            "titleColor": "#222",
            "labelFontSize": 12,
            "labelLimit": 320,
        },
        "legend": {
            "labelColor": "#222",
            "titleColor": "#222",
            "labelFontSize": 12,
            "labelLimit": 320,
        },
        "view": {"stroke": "#888"},
        "font": "system-ui, sans-serif",
    }
    return spec


def _sex(code: str) -> str:
    return SEX_LABELS.get(code, code)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _span(years: list[int]) -> str:
    years = sorted(set(years))
    if not years:
        return "no year"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def coverage_over_time(cov: list[dict], risks: dict[str, str], country: str) -> Chart | None:
    """Effective coverage (fct_effective_coverage.coverage_rate) by risk, one panel per sex."""
    if not cov:
        return None
    values = [
        {
            "year": r["year"],
            "risk": risks.get(r["risk"], r["risk"]),
            "sex": _sex(r["sex"]),
            "rate": r["coverage_rate"],
        }
        for r in cov
    ]
    n_risks = len({v["risk"] for v in values})
    years = [v["year"] for v in values]
    alt_text = (
        f"Line charts of effective social protection coverage in {country}, percent, "
        f"{_span(years)}, for {n_risks} risks, one panel each for total, women and men."
    )
    base = (
        alt.Chart(DATA)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("rate:Q", title="Coverage (%)"),
            color=alt.Color("risk:N", title="Risk", sort="ascending"),
            tooltip=[
                alt.Tooltip("risk:N", title="Risk"),
                alt.Tooltip("sex:N", title="Sex"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("rate:Q", title="Coverage (%)", format=".1f"),
            ],
        )
        .properties(width=200, height=200)
    )
    chart = base.facet(column=alt.Column("sex:N", title=None, sort=SEX_ORDER))
    table = Table(
        ["Year", "Risk", "Sex", "Covered", "Reference population", "Coverage (%)", "Flags"],
        [
            [
                r["year"],
                risks.get(r["risk"], r["risk"]),
                _sex(r["sex"]),
                r["covered"],
                r["reference_population"],
                r["coverage_rate"],
                ", ".join(
                    f
                    for f, on in (
                        ("above 100 %", r["is_above_100"]),
                        ("estimated", r["is_estimated"]),
                    )
                    if on
                ),
            ]
            for r in cov
        ],
    )
    return Chart(
        "Effective coverage by risk and sex over time",
        alt_text,
        _spec(chart, alt_text, values),
        table,
    )


def legal_vs_effective(rows: list[dict], risks: dict[str, str], country: str) -> Chart | None:
    """Latest year with legal coverage: legal (mandatory) against effective coverage, by risk."""
    total = [r for r in rows if r["sex"] == "_T"]
    if not total:
        return None
    year = max(r["year"] for r in total)
    values = []
    for r in total:
        if r["year"] != year:
            continue
        label = risks.get(r["risk"], r["risk"])
        values.append(
            {"risk": label, "measure": "Legal coverage", "rate": r["legal_coverage_rate"]}
        )
        if r["coverage_rate"] is not None:
            values.append(
                {"risk": label, "measure": "Effective coverage", "rate": r["coverage_rate"]}
            )
    alt_text = (
        f"Grouped bar chart comparing legal coverage (mandatory schemes) with effective coverage "
        f"in {country} in {year}, percent, for {len({v['risk'] for v in values})} risks, "
        "both sexes."
    )
    chart = (
        alt.Chart(DATA)
        .mark_bar()
        .encode(
            y=alt.Y("risk:N", title="Risk", sort="ascending"),
            x=alt.X("rate:Q", title=f"Percent of the reference population, {year}"),
            color=alt.Color(
                "measure:N",
                title="Measure",
                sort=["Legal coverage", "Effective coverage"],
                scale=alt.Scale(range=[PALETTE[0], PALETTE[4]]),
            ),
            yOffset=alt.YOffset("measure:N", sort=["Legal coverage", "Effective coverage"]),
            tooltip=[
                alt.Tooltip("risk:N", title="Risk"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("rate:Q", title="Percent", format=".1f"),
            ],
        )
        .properties(width=WIDTH - 160)
    )
    table = Table(
        ["Year", "Risk", "Sex", "Legal coverage (%)", "Effective coverage (%)"],
        [
            [
                r["year"],
                risks.get(r["risk"], r["risk"]),
                _sex(r["sex"]),
                r["legal_coverage_rate"],
                r["coverage_rate"],
            ]
            for r in rows
        ],
    )
    return Chart(
        "Legal against effective coverage",
        alt_text,
        _spec(chart, alt_text, values),
        table,
    )


TOTAL_FUNCTIONS = ("total_excluding_health", "total_including_health")


def expenditure_by_function(exp: list[dict], risks: dict[str, str], country: str) -> Chart | None:
    """Expenditure by function in percent of GDP (fct_expenditure.pct_gdp), stacked by year."""
    by_fn = [r for r in exp if r["function"] not in TOTAL_FUNCTIONS and r["pct_gdp"] is not None]
    if not by_fn:
        return None
    values = [
        {
            "year": r["year"],
            "function": risks.get(r["function"], r["function"]),
            "pct_gdp": r["pct_gdp"],
        }
        for r in by_fn
    ]
    alt_text = (
        f"Stacked bar chart of social protection expenditure in {country} by function, percent "
        f"of GDP, {_span([v['year'] for v in values])}, "
        f"{len({v['function'] for v in values})} functions."
    )
    chart = (
        alt.Chart(DATA)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("pct_gdp:Q", title="Expenditure (% of GDP)", stack="zero"),
            color=alt.Color("function:N", title="Function", sort="ascending"),
            tooltip=[
                alt.Tooltip("function:N", title="Function"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("pct_gdp:Q", title="% of GDP", format=".2f"),
            ],
        )
        .properties(width=WIDTH - 200, height=240)
    )
    label = {f: f.replace("_", " ").capitalize() for f in TOTAL_FUNCTIONS}
    table = Table(
        [
            "Year",
            "Function",
            "Expenditure (national currency)",
            "Currency",
            "% of GDP",
            "Per capita (USD)",
            "% of government expenditure",
        ],
        [
            [
                r["year"],
                label.get(r["function"]) or risks.get(r["function"], r["function"]),
                r["expenditure_lcu"],
                r["currency"],
                r["pct_gdp"],
                r["per_capita_usd"],
                r["pct_gov_expenditure"],
            ]
            for r in exp
        ],
    )
    return Chart("Expenditure by function", alt_text, _spec(chart, alt_text, values), table)


def _coverage_by_sex_line() -> alt.Chart:
    """A coverage rate over the years, one line per sex (country and region pages)."""
    return (
        alt.Chart(DATA)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("value:Q", title="Population covered (%)"),
            color=alt.Color("sex:N", title="Sex", sort=SEX_ORDER),
            strokeDash=alt.StrokeDash("sex:N", sort=SEX_ORDER, legend=None),
            tooltip=[
                alt.Tooltip("sex:N", title="Sex"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("value:Q", title="Percent", format=".1f"),
            ],
        )
        .properties(width=WIDTH - 160, height=220)
    )


def sdg_benfts(sdg: list[dict], country: str) -> Chart | None:
    """SDG 1.3.1 SI_COV_BENFTS over time by sex (values of sdg_indicators)."""
    values = [
        {"year": r["year"], "sex": _sex(r["sex"]), "value": r["value"]}
        for r in sdg
        if r["series_code"] == "SI_COV_BENFTS" and r["age"] == "_T"
    ]
    if not values:
        return None
    alt_text = (
        f"Line chart of SDG indicator 1.3.1, population covered by at least one social "
        f"protection benefit (SI_COV_BENFTS) in {country}, percent, "
        f"{_span([v['year'] for v in values])}, total, women and men."
    )
    chart = _coverage_by_sex_line()
    table = Table(
        ["Year", "Sex", "SI_COV_BENFTS (%)"], [[v["year"], v["sex"], v["value"]] for v in values]
    )
    return Chart(
        "SDG 1.3.1: population covered by at least one benefit",
        alt_text,
        _spec(chart, alt_text, values),
        table,
    )


def regional_overview(agg: list[dict], region_of: dict[str, str]) -> Chart | None:
    """Latest SI_COV_BENFTS (both sexes) per ILO region and the world, with population coverage.

    ``region_of`` maps each region shown to its page slug (only used for the table)."""
    ben = [
        r
        for r in agg
        if r["series_code"] == "SI_COV_BENFTS"
        and r["sex"] == "_T"
        and r["region_type"] in ("world", "ilo_region")
    ]
    if not ben:
        return None
    latest: dict[str, dict] = {}
    for r in ben:
        if r["region"] not in latest or r["year"] > latest[r["region"]]["year"]:
            latest[r["region"]] = r
    chosen = [latest[k] for k in sorted(latest)]
    values = [
        {
            "region": r["region"],
            "year": r["year"],
            "value": r["value"],
            "population_coverage": r["population_coverage"],
        }
        for r in chosen
        if r["value"] is not None
    ]
    alt_text = (
        "Bar chart of SDG indicator 1.3.1, population covered by at least one social protection "
        f"benefit, latest year, for the world and {len(values) - 1 if values else 0} ILO regions; "
        "suppressed aggregates (population coverage below 50 %) are left out and listed in the "
        "table."
    )
    chart = (
        alt.Chart(DATA)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("region:N", title=None, sort="ascending"),
            x=alt.X("value:Q", title="Population covered by at least one benefit (%)"),
            tooltip=[
                alt.Tooltip("region:N", title="Region"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("value:Q", title="Percent", format=".1f"),
                alt.Tooltip("population_coverage:Q", title="Population coverage (%)", format=".0f"),
            ],
        )
        .properties(width=WIDTH - 180)
    )
    table = Table(
        [
            "Region",
            "Year",
            "SI_COV_BENFTS (%)",
            "Population coverage (%)",
            "Reporting countries",
            "Countries",
            "Suppressed",
        ],
        [
            [
                r["region"],
                r["year"],
                r["value"],
                r["population_coverage"],
                r["n_reporting"],
                r["n_countries"],
                "yes" if r["is_suppressed"] else "no",
            ]
            for r in chosen
        ],
    )
    return Chart(
        "SDG 1.3.1 by region, latest year", alt_text, _spec(chart, alt_text, values), table
    )


def region_over_time(agg: list[dict], region: str) -> Chart | None:
    """One region: SI_COV_BENFTS by sex over time (published values; suppressed years absent)."""
    ben = [r for r in agg if r["series_code"] == "SI_COV_BENFTS"]
    if not ben:
        return None
    values = [
        {"year": r["year"], "sex": _sex(r["sex"]), "value": r["value"]}
        for r in ben
        if r["value"] is not None
    ]
    if not values:
        return None  # every year suppressed: the data coverage chart shows why
    alt_text = (
        f"Line chart of SDG indicator 1.3.1 (SI_COV_BENFTS) for {region}, percent, "
        f"{_span([r['year'] for r in ben])}, total, women and men; years whose aggregate is "
        "suppressed for low population coverage have no point."
    )
    chart = _coverage_by_sex_line()
    table = Table(
        ["Year", "Sex", "SI_COV_BENFTS (%)", "Population coverage (%)", "Reporting", "Suppressed"],
        [
            [
                r["year"],
                _sex(r["sex"]),
                r["value"],
                r["population_coverage"],
                f"{r['n_reporting']} of {r['n_countries']}",
                "yes" if r["is_suppressed"] else "no",
            ]
            for r in ben
        ],
    )
    return Chart("SDG 1.3.1 over time", alt_text, _spec(chart, alt_text, values), table)


def region_data_coverage(agg: list[dict], region: str) -> Chart | None:
    """Population coverage of the SI_COV_BENFTS aggregate per year, with the 50 % threshold."""
    ben = [r for r in agg if r["series_code"] == "SI_COV_BENFTS" and r["sex"] == "_T"]
    if not ben:
        return None
    values = [
        {
            "year": r["year"],
            "population_coverage": r["population_coverage"],
            "status": "suppressed" if r["is_suppressed"] else "published",
        }
        for r in ben
    ]
    alt_text = (
        f"Bar chart of the data coverage of the {region} aggregate: share of the region's "
        f"reference population living in reporting countries, percent, "
        f"{_span([v['year'] for v in values])}, with a rule at the 50 % publication threshold."
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y(
                "population_coverage:Q",
                title="Population coverage (%)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color(
                "status:N",
                title="Aggregate",
                sort=["published", "suppressed"],
                scale=alt.Scale(domain=["published", "suppressed"], range=[PALETTE[0], PALETTE[1]]),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("population_coverage:Q", title="Population coverage (%)", format=".1f"),
                alt.Tooltip("status:N", title="Aggregate"),
            ],
        )
    )
    rule = alt.Chart().mark_rule(color="#222", strokeDash=[4, 3]).encode(y=alt.datum(50))
    chart = alt.layer(bars, rule, data=DATA).properties(width=WIDTH - 200, height=200)
    table = Table(
        ["Year", "Population coverage (%)", "Reporting countries", "Countries", "Suppressed"],
        [
            [
                r["year"],
                r["population_coverage"],
                r["n_reporting"],
                r["n_countries"],
                "yes" if r["is_suppressed"] else "no",
            ]
            for r in ben
        ],
    )
    return Chart("Data coverage of the aggregate", alt_text, _spec(chart, alt_text, values), table)


#: the two phases of the programme (2016-2020, 2021-2025): the timeline's fixed span
PROGRAMME_START, PROGRAMME_END = "2016-01-01", "2025-12-31"
STEP_LABELS = {
    1: "Step 1: strategy adopted",
    2: "Step 2: scheme designed or law reformed",
    3: "Step 3: operations improved",
}
IMPACT_LABELS = {
    "legal_coverage": "Legal coverage",
    "effective_coverage": "Effective coverage",
    "adequacy": "Better adequacy",
}


def flagship_timeline(results: list[dict], risks: dict[str, str], country: str) -> Chart | None:
    """Institutional changes (one point per change, risks listed) on a time axis by step."""
    changes: dict[str, dict] = {}
    for r in results:
        if r["result_type"] != "institutional_change":
            continue
        c = changes.setdefault(r["result_id"], {**r, "risks": []})
        if r["risk"] and r["risk"] not in c["risks"]:
            c["risks"].append(r["risk"])
    if not changes:
        return None
    ordered = sorted(changes.values(), key=lambda c: (c["result_date"], c["result_id"]))
    values = [
        {
            "date": c["result_date"],
            "step": STEP_LABELS.get(c["step"], f"Step {c['step']}"),
            "description": c["description"],
            "risks": ", ".join(risks.get(k, k) for k in c["risks"]),
        }
        for c in ordered
    ]
    steps = sorted({v["step"] for v in values})
    alt_text = (
        f"Timeline of the {_count(len(values), 'institutional change')} the Flagship Programme "
        f"supported in {country}, {_span([c['year'] for c in ordered])}, one mark per change, "
        f"placed by date and by step ({', '.join(steps)})."
    )
    chart = (
        alt.Chart(DATA)
        .mark_point(size=120, filled=True, opacity=1)
        .encode(
            x=alt.X(
                "date:T",
                title="Date",
                scale=alt.Scale(domain=[PROGRAMME_START, PROGRAMME_END]),
                axis=alt.Axis(format="%Y", tickCount="year"),
            ),
            y=alt.Y("step:N", title=None, sort=list(STEP_LABELS.values())),
            color=alt.Color("step:N", legend=None, sort=list(STEP_LABELS.values())),
            shape=alt.Shape("step:N", legend=None, sort=list(STEP_LABELS.values())),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%Y-%m-%d"),
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("risks:N", title="Risks"),
                alt.Tooltip("description:N", title="Change"),
            ],
        )
        .properties(width=WIDTH - 200, height=140)
    )
    table = Table(
        ["Date", "Phase", "Step", "Risks", "Thematic area", "Change", "Source", "Joint"],
        [
            [
                c["result_date"],
                c["phase"],
                STEP_LABELS.get(c["step"], c["step"]),
                ", ".join(risks.get(k, k) for k in c["risks"]),
                c["thematic_area"],
                c["description"],
                c["source"],
                "yes" if c["is_joint"] else "no",
            ]
            for c in ordered
        ],
    )
    return Chart(
        "Flagship Programme: institutional changes", alt_text, _spec(chart, alt_text, values), table
    )


def flagship_impact(results: list[dict], risks: dict[str, str], country: str) -> Chart | None:
    """Impact on people: one bar per impact record (both sexes). A record concerning several
    risks has one row per risk in fct_flagship_results, each with the record's persons in full:
    it is shown once, with its risks listed. Bars are never added up."""
    records: dict[str, dict] = {}
    for r in results:
        if r["result_type"] != "impact_on_people":
            continue
        rec = records.setdefault(r["result_id"], {**r, "risks": [], "by_sex": {}})
        if r["risk"] and r["risk"] not in rec["risks"]:
            rec["risks"].append(r["risk"])
        rec["by_sex"].setdefault(r["sex"], r["persons"])
    if not records:
        return None
    ordered = sorted(records.values(), key=lambda c: (c["result_date"], c["result_id"]))
    values = [
        {
            "result": f"{c['result_date']} {c['result_id']}",
            "impact": IMPACT_LABELS.get(c["impact_type"], c["impact_type"]),
            "risks": ", ".join(risks.get(k, k) for k in c["risks"]),
            "persons": c["by_sex"]["_T"],
            "description": c["description"],
        }
        for c in ordered
        if c["by_sex"].get("_T") is not None
    ]
    alt_text = (
        f"Bar chart of the people reached by each of the {_count(len(values), 'impact record')} "
        f"of the Flagship Programme in {country}, {_span([c['year'] for c in ordered])}, "
        "one bar per record, coloured by type of impact (legal coverage, effective coverage, "
        "adequacy); the bars are not additive."
    )
    chart = (
        alt.Chart(DATA)
        .mark_bar()
        .encode(
            y=alt.Y("result:N", title=None, sort=None),
            x=alt.X("persons:Q", title="Persons reached (both sexes)"),
            color=alt.Color("impact:N", title="Impact", sort=list(IMPACT_LABELS.values())),
            tooltip=[
                alt.Tooltip("result:N", title="Record"),
                alt.Tooltip("impact:N", title="Impact"),
                alt.Tooltip("risks:N", title="Risks"),
                alt.Tooltip("persons:Q", title="Persons", format=","),
                alt.Tooltip("description:N", title="Description"),
            ],
        )
        .properties(width=WIDTH - 260)
    )
    table = Table(
        [
            "Date",
            "Record",
            "Phase",
            "Impact",
            "Risks",
            "Persons",
            "Women",
            "Men",
            "Description",
            "Source",
            "Joint",
        ],
        [
            [
                c["result_date"],
                c["result_id"],
                c["phase"],
                IMPACT_LABELS.get(c["impact_type"], c["impact_type"]),
                ", ".join(risks.get(k, k) for k in c["risks"]),
                c["by_sex"].get("_T"),
                c["by_sex"].get("F"),
                c["by_sex"].get("M"),
                c["description"],
                c["source"],
                "yes" if c["is_joint"] else "no",
            ]
            for c in ordered
        ],
    )
    return Chart(
        "Flagship Programme: impact on people",
        alt_text,
        _spec(chart, alt_text, values),
        table,
        notes=[
            "Each bar is one record of people reached; records are not added up here, and "
            "people are never added across types of impact (the same person can gain legal and "
            "effective coverage). Programme totals are on the scorecard page."
        ],
    )


MEASURE_LABELS = {
    "step_1_countries": "Countries with a step 1 change (strategy)",
    "step_2_countries": "Countries with a step 2 change (scheme or law)",
    "step_3_countries": "Countries with a step 3 change (operations)",
    "legal_coverage_persons": "People with new legal coverage",
    "effective_coverage_persons": "People with new effective coverage",
    "adequacy_persons": "People with better protection (adequacy)",
    "people_reached_deduplicated": "People reached, any impact (deduplicated)",
    "share_results_joint": "Results achieved jointly with partners (%)",
    "persons_trained": "Persons trained",
    "knowledge_products_endorsed": "Knowledge products endorsed",
    "countries_ratifying_social_security_standards": (
        "Countries ratifying C102 or another up-to-date social security standard"
    ),
    "countries_ratifying_c102": "Countries ratifying C102",
}


def measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure.replace("_", " "))


def flagship_scorecard(card: list[dict]) -> Chart | None:
    """Achieved as a share of the ambition, per measure and phase (both sexes, all risks): the
    mart's share_of_ambition, for the measures that have an ambition."""
    values = [
        {
            "measure": measure_label(r["measure"]),
            "phase": r["phase"] + (" (reference)" if r["is_reference_phase"] else ""),
            "share": r["share_of_ambition"],
            "achieved": r["achieved"],
            "ambition": r["ambition"],
        }
        for r in card
        if r["risk"] == "_T" and r["sex"] == "_T" and r["share_of_ambition"] is not None
    ]
    if not values:
        return None
    alt_text = (
        "Grouped bar chart of the Flagship Programme scorecard: achieved as a percentage of the "
        f"ambition for {len({v['measure'] for v in values})} measures, the 2021–2025 phase "
        "next to the 2016–2020 reference phase, with a rule at 100 %."
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=list(MEASURE_LABELS.values())),
            x=alt.X("share:Q", title="Achieved, % of ambition"),
            color=alt.Color("phase:N", title="Phase", sort="ascending"),
            yOffset=alt.YOffset("phase:N", sort="ascending"),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("phase:N", title="Phase"),
                alt.Tooltip("achieved:Q", title="Achieved", format=","),
                alt.Tooltip("ambition:Q", title="Ambition", format=","),
                alt.Tooltip("share:Q", title="% of ambition", format=".0f"),
            ],
        )
    )
    rule = alt.Chart().mark_rule(color="#222", strokeDash=[4, 3]).encode(x=alt.datum(100))
    chart = alt.layer(bars, rule, data=DATA).properties(width=WIDTH - 260)
    table = Table(
        ["Measure", "Phase", "Achieved", "Ambition", "% of ambition"],
        [[v["measure"], v["phase"], v["achieved"], v["ambition"], v["share"]] for v in values],
    )
    return Chart("Achieved against the ambitions", alt_text, _spec(chart, alt_text, values), table)


def scorecard_tables(card: list[dict], risks: dict[str, str]) -> tuple[Table, Table]:
    """The headline (all risks, both sexes) and every breakdown by risk and sex."""
    columns = ["Measure", "Unit", "Phase", "Achieved", "Source", "Computed", "Ambition", "%"]

    def line(r: dict) -> list:
        return [
            measure_label(r["measure"]),
            r["unit"],
            r["phase"] + (" (reference)" if r["is_reference_phase"] else ""),
            r["achieved"],
            r["achieved_source"],
            r["achieved_computed"],
            r["ambition"],
            r["share_of_ambition"],
        ]

    order = list(MEASURE_LABELS)

    def key(r: dict) -> tuple:
        m = order.index(r["measure"]) if r["measure"] in order else len(order)
        return (m, r["measure"], r["phase"], r["risk"], r["sex"])

    headline = [r for r in card if r["risk"] == "_T" and r["sex"] == "_T"]
    detail = [r for r in card if not (r["risk"] == "_T" and r["sex"] == "_T")]
    return (
        Table(columns, [line(r) for r in sorted(headline, key=key)]),
        Table(
            ["Risk", "Sex", *columns],
            [
                [risks.get(r["risk"], r["risk"]), _sex(r["sex"]), *line(r)]
                for r in sorted(detail, key=key)
            ],
        ),
    )
