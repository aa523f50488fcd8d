"""Code lists shared by the schemas (methodology §1)."""

from __future__ import annotations

RISKS: tuple[str, ...] = (
    "children",
    "maternity",
    "sickness",
    "unemployment",
    "employment_injury",
    "disability",
    "old_age",
    "survivors",
    "health",
    "social_assistance",
)
SEXES: tuple[str, ...] = ("F", "M", "_T")
SEXES_SPECIFIC: tuple[str, ...] = ("F", "M")
SCHEME_TYPES: tuple[str, ...] = ("contributory", "universal", "means_tested", "employer_liability")
AFFILIATIONS: tuple[str, ...] = ("mandatory", "voluntary")
BENEFIT_TYPES: tuple[str, ...] = ("cash_periodic", "cash_lump_sum", "in_kind")
EXPENDITURE_ITEMS: tuple[str, ...] = (
    "benefits_cash",
    "benefits_in_kind",
    "administration",
    "transfers_to_other_schemes",
    "other",
)
RECEIPT_SOURCES: tuple[str, ...] = (
    "employer_contributions",
    "protected_persons_contributions",
    "general_government",
    "transfers_from_other_schemes",
    "investment_income",
    "other",
)
LABOUR_STATUSES: tuple[str, ...] = ("employed", "unemployed")
INCOME_GROUPS: tuple[str, ...] = ("LIC", "LMC", "UMC", "HIC")
ILO_REGIONS: tuple[str, ...] = (
    "Africa",
    "Americas",
    "Arab States",
    "Asia and the Pacific",
    "Europe and Central Asia",
)

FIVE_YEAR_AGE_GROUPS: tuple[str, ...] = tuple(f"Y{a}T{a + 4}" for a in range(0, 80, 5)) + (
    "Y_GE80",
)
AGGREGATE_AGE_GROUPS: tuple[str, ...] = ("_T", "Y0T14", "Y15T64", "Y_GE15", "Y_GE65")
AGE_GROUPS: tuple[str, ...] = AGGREGATE_AGE_GROUPS + FIVE_YEAR_AGE_GROUPS
#: broad or open-ended groups that may be reported beside the 5-year groups (methodology §2.1)
BROAD_AGE_GROUPS: tuple[str, ...] = tuple(g for g in AGGREGATE_AGE_GROUPS if g != "_T")


def age_bounds(group: str) -> tuple[int, int | None]:
    """(first age, first age after the group; None = open-ended) of an age group code other
    than _T: ``Y15T64`` -> (15, 65), ``Y_GE65`` -> (65, None)."""
    if group.startswith("Y_GE"):
        return int(group[4:]), None
    lo, hi = group[1:].split("T")
    return int(lo), int(hi) + 1


def age_group_span(group: str) -> tuple[str, ...]:
    """The 5-year groups a broad group spans (``Y_GE65`` -> Y65T69 … Y_GE80); all of them
    for ``_T``."""
    if group == "_T":
        return FIVE_YEAR_AGE_GROUPS
    lo, hi = age_bounds(group)
    out = []
    for g in FIVE_YEAR_AGE_GROUPS:
        g_lo, g_hi = age_bounds(g)
        if g_lo >= lo and (hi is None or (g_hi is not None and g_hi <= hi)):
            out.append(g)
    return tuple(out)


#: broad group -> the 5-year groups it spans
AGE_GROUP_SPANS: dict[str, tuple[str, ...]] = {g: age_group_span(g) for g in BROAD_AGE_GROUPS}

#: first reference year accepted: published SDG 1.3.1 series go back to the 1990s (methodology §8.1)
MIN_YEAR = 1990

#: SDG Global Database codes (published indicator files, `raw/published/`)
SDG_SEXES: dict[str, str] = {"BOTHSEX": "_T", "FEMALE": "F", "MALE": "M"}
SDG_AREA_TYPES: tuple[str, ...] = ("country", "aggregate")
#: SDMX NATURE codes used by the SDG Global Database
SDG_NATURES: tuple[str, ...] = ("C", "CA", "E", "G", "M", "N", "NA")
SDG_UNITS: tuple[str, ...] = ("PERCENT", "INDEX")


def _country_list(path: str, mtime_ns: int) -> frozenset[str]:
    import polars as pl

    frame = pl.read_csv(path, columns=["iso3"], infer_schema=False)
    return frozenset(c for c in frame["iso3"].drop_nulls().str.strip_chars().to_list() if c)


_COUNTRY_CACHE: dict[tuple[str, int], frozenset[str]] = {}


def iso3166_countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code (pycountry), plus XKX (Kosovo, user-assigned)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}


def known_countries() -> frozenset[str]:
    """Country codes of the reference list ``raw/reference/countries.csv``.

    Read at call time (cached per file version), so ``FLOORBOARD_RAW_DIR`` is honoured. When the
    reference list is absent or unreadable, every ISO 3166-1 alpha-3 code is accepted instead.
    """
    from pipelines import paths

    path = paths.raw_dir() / "reference" / "countries.csv"
    try:
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _COUNTRY_CACHE:
            _COUNTRY_CACHE[key] = _country_list(*key)
        codes = _COUNTRY_CACHE[key]
    except Exception:  # absent or unreadable reference list: fall back to ISO 3166
        codes = frozenset()
    return codes or iso3166_countries()


def known_currencies() -> frozenset[str]:
    """ISO 4217 currency codes (pycountry)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)
