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

MIN_YEAR = 2000

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
