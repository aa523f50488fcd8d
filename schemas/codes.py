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
