"""Parameters of the synthetic sample: rough country magnitudes and scheme design choices.

Everything here is approximate and only meant to give the synthetic data realistic orders of
magnitude. None of it is official data and none of it is read by the pipeline.
"""

from __future__ import annotations

import pycountry

SEED = 20240601
YEARS: tuple[int, ...] = tuple(range(2015, 2025))
BASE_YEAR = 2020
#: share of country-years without an SSI submission (KEN and URY are always complete)
MISSING_SHARE = 0.15
ALWAYS_COMPLETE: tuple[str, ...] = ("KEN", "URY")
#: countries whose `_T` sex rows include persons of unknown sex (so `_T` > F + M)
SEX_UNKNOWN_COUNTRIES: tuple[str, ...] = ("IND", "NGA")
#: resubmissions (`<ISO3>_<YEAR>_r2`): one workbook (focus country) and one CSV folder
RESUBMISSIONS: tuple[tuple[str, int], ...] = (("GHA", 2021), ("CHL", 2019))

# iso3: (approximate 2020 population in millions, GDP per capita in USD 2020 (rounded),
#        LCU per USD 2020 (rounded)). Rough magnitudes typed for the synthetic sample.
COUNTRY_MAGNITUDES: dict[str, tuple[float, float, float]] = {
    "AGO": (33.4, 1900, 580), "ALB": (2.84, 5300, 108), "ARG": (45.4, 8500, 70.5),
    "AUS": (25.7, 51700, 1.45), "BDI": (12.2, 240, 1915), "BFA": (21.5, 830, 575),
    "BGD": (167.4, 2000, 84.9), "BRA": (213.2, 6800, 5.16), "BRB": (0.287, 16000, 2.0),
    "BWA": (2.55, 6300, 11.3), "CAN": (38.0, 43200, 1.34), "CHL": (19.3, 13100, 792),
    "CHN": (1411.0, 10400, 6.9), "CIV": (26.8, 2300, 575), "CMR": (26.5, 1500, 575),
    "COD": (92.9, 550, 1850), "CPV": (0.58, 3000, 96.8), "DEU": (83.2, 46700, 0.877),
    "ECU": (17.6, 5600, 1.0), "EGY": (107.5, 3600, 15.8), "ETH": (117.2, 930, 34.9),
    "FJI": (0.92, 4900, 2.17), "FRA": (67.6, 39000, 0.877), "GBR": (67.1, 40300, 0.78),
    "GEO": (3.72, 4300, 3.11), "GHA": (32.2, 2200, 5.6), "IDN": (273.5, 3900, 14580),
    "IND": (1396.0, 1900, 74.1), "IRQ": (42.6, 4200, 1190), "ITA": (59.4, 31900, 0.877),
    "JOR": (10.9, 4300, 0.709), "JPN": (126.3, 40000, 106.8), "KAZ": (18.8, 9100, 413),
    "KEN": (52.2, 2000, 106.5), "KGZ": (6.58, 1200, 77.3), "KHM": (16.7, 1600, 4090),
    "KOR": (51.8, 31700, 1180), "LAO": (7.3, 2600, 9050), "LBN": (6.8, 4000, 1507),
    "MAR": (36.7, 3300, 9.5), "MDG": (28.2, 470, 3790), "MEX": (126.0, 8600, 21.5),
    "MLI": (20.3, 860, 575), "MOZ": (31.3, 450, 69.5), "MWI": (19.4, 600, 750),
    "MYS": (32.4, 10400, 4.2), "NAM": (2.5, 4200, 16.5), "NGA": (208.3, 2100, 358),
    "NPL": (29.3, 1150, 118), "NZL": (5.1, 41600, 1.54), "OMN": (4.5, 16700, 0.3845),
    "PAK": (227.2, 1300, 161.8), "PHL": (109.6, 3300, 49.6), "POL": (38.0, 15800, 3.9),
    "PRY": (7.1, 5400, 6770), "PSE": (4.8, 3200, 3.44), "RWA": (13.1, 800, 943),
    "SAU": (35.0, 20400, 3.75), "SDN": (44.4, 600, 53.9), "SEN": (16.4, 1500, 575),
    "SLE": (8.0, 510, 9.83), "SLV": (6.3, 3900, 1.0), "SUR": (0.59, 4900, 14.0),
    "SWE": (10.35, 52300, 9.21), "SWZ": (1.16, 3400, 16.5), "TGO": (8.4, 920, 575),
    "THA": (71.5, 7000, 31.3), "TJK": (9.5, 850, 10.3), "TLS": (1.3, 1500, 1.0),
    "TUN": (12.2, 3500, 2.81), "TUR": (84.3, 8600, 7.0), "TZA": (59.7, 1100, 2300),
    "UGA": (45.7, 850, 3720), "UKR": (44.1, 3700, 27.0), "URY": (3.43, 15600, 42.0),
    "USA": (331.5, 63500, 1.0), "UZB": (34.2, 1750, 10050), "VNM": (97.3, 3500, 23200),
    "WSM": (0.21, 4200, 2.7), "YEM": (32.3, 700, 600), "ZAF": (59.3, 5700, 16.5),
    "ZMB": (18.9, 1000, 18.3), "ZWE": (15.7, 1400, 1.0),
}  # fmt: skip

# Currency: ISO 4217 national currencies share the country's numeric code, so pycountry finds
# most of them from the M49 code; these are the currencies that do not (monetary unions,
# dollarised economies, redenominated currencies).
CURRENCY_FALLBACK: dict[str, str] = {
    "AGO": "AOA", "BFA": "XOF", "BRA": "BRL", "CIV": "XOF", "CMR": "XAF", "COD": "CDF",
    "DEU": "EUR", "ECU": "USD", "ETH": "ETB", "FRA": "EUR", "GEO": "GEL", "GHA": "GHS",
    "ITA": "EUR", "MDG": "MGA", "MLI": "XOF", "MOZ": "MZN", "POL": "PLN", "PSE": "ILS",
    "SDN": "SDG", "SEN": "XOF", "SLE": "SLE", "SLV": "USD", "SUR": "SRD", "TGO": "XOF",
    "TJK": "TJS", "TLS": "USD", "TUR": "TRY", "UKR": "UAH", "YEM": "YER", "ZMB": "ZMW",
    "ZWE": "USD",
}  # fmt: skip


def currency_of(iso3: str) -> str:
    if iso3 in CURRENCY_FALLBACK:
        code = CURRENCY_FALLBACK[iso3]
    else:
        numeric = pycountry.countries.get(alpha_3=iso3).numeric
        cur = pycountry.currencies.get(numeric=numeric)
        if cur is None:
            raise ValueError(f"no currency found for {iso3}; add it to CURRENCY_FALLBACK")
        code = cur.alpha_3
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code} is not an ISO 4217 currency")
    return code


# Population growth per year by income group, and country overrides (fraction per year).
GROWTH = {"LIC": 0.028, "LMC": 0.017, "UMC": 0.009, "HIC": 0.005}
GROWTH_OVERRIDE = {
    "JPN": -0.003, "ITA": -0.003, "UKR": -0.006, "POL": -0.002, "DEU": 0.002, "ALB": -0.004,
    "KOR": 0.001, "CHN": 0.002, "THA": 0.003, "GEO": 0.0, "LBN": 0.0, "URY": 0.001,
    "BRB": 0.001, "SAU": 0.015, "OMN": 0.02, "KAZ": 0.013, "UZB": 0.019, "TJK": 0.022,
}  # fmt: skip

# Age structure: `g` (stable-population growth rate shaping the age pyramid) and the female
# median age at death of a Gompertz survival curve (men 5 years less), by income group.
AGE_SHAPE = {"LIC": (0.031, 71.0), "LMC": (0.021, 76.0), "UMC": (0.011, 80.0), "HIC": (0.002, 86.0)}
AGE_SHAPE_OVERRIDE = {
    "CHN": (0.0, 82.0), "THA": (0.0, 82.0), "UKR": (-0.004, 79.0), "GEO": (0.002, 79.0),
    "ALB": (0.0, 82.0), "JPN": (-0.009, 90.0), "ITA": (-0.007, 88.0), "KOR": (-0.006, 88.0),
    "DEU": (-0.004, 86.0), "POL": (-0.002, 84.0), "URY": (0.004, 83.0), "BRB": (0.0, 83.0),
    "SAU": (0.018, 80.0), "OMN": (0.02, 80.0), "KAZ": (0.014, 79.0), "CHL": (0.004, 85.0),
    "LKA": (0.006, 82.0), "ARG": (0.01, 82.0), "ZAF": (0.016, 72.0), "MAR": (0.013, 80.0),
    "TUN": (0.008, 80.0), "VNM": (0.008, 81.0), "IRQ": (0.026, 76.0), "PSE": (0.028, 78.0),
    "TLS": (0.029, 74.0), "PAK": (0.025, 74.0), "YEM": (0.03, 72.0), "TUR": (0.008, 82.0),
}  # fmt: skip

# Female labour force participation (15-64) where it differs strongly from the income default.
FEMALE_LFPR_OVERRIDE = {
    "EGY": 0.2, "MAR": 0.24, "TUN": 0.3, "SDN": 0.3, "JOR": 0.16, "IRQ": 0.13, "LBN": 0.3,
    "PSE": 0.2, "SAU": 0.3, "OMN": 0.35, "YEM": 0.07, "IND": 0.26, "PAK": 0.25, "BGD": 0.38,
    "TUR": 0.38, "ITA": 0.56, "MEX": 0.48, "KOR": 0.6,
}  # fmt: skip

# Unemployment rate (% of labour force, around 2019) where it differs from the income default.
UNEMPLOYMENT_OVERRIDE = {
    "ZAF": 28.0, "NAM": 20.0, "BWA": 20.0, "SWZ": 23.0, "JOR": 18.0, "PSE": 25.0, "LBN": 11.0,
    "IRQ": 13.0, "TUN": 15.5, "MAR": 10.0, "EGY": 8.5, "TUR": 11.0, "ARG": 9.8, "BRA": 12.0,
    "ITA": 9.5, "FRA": 8.4, "SAU": 6.0, "OMN": 3.0, "YEM": 13.0, "GEO": 12.0, "ALB": 11.5,
    "SDN": 16.0, "NGA": 9.0, "KEN": 5.5, "URY": 8.9, "THA": 1.0, "KHM": 0.6, "LAO": 1.2,
    "VNM": 2.0, "JPN": 2.6, "KOR": 3.8, "DEU": 3.3, "USA": 4.5, "GBR": 4.0, "CHN": 4.6,
    "MEX": 3.5, "KAZ": 4.8, "SUR": 8.0, "BRB": 9.0, "ECU": 4.0, "UKR": 8.5, "POL": 3.5,
    "SWE": 7.0, "CAN": 6.0, "AUS": 5.2, "NZL": 4.2, "CHL": 7.5, "MYS": 3.4, "IDN": 4.5,
    "PHL": 2.5, "IND": 6.0, "PAK": 5.0, "BGD": 4.5, "NPL": 10.0, "FJI": 4.5, "WSM": 8.0,
    "TLS": 4.5, "KGZ": 5.0, "TJK": 7.0, "UZB": 6.0, "ZMB": 12.0, "ZWE": 7.0, "CPV": 12.0,
    "AGO": 15.0, "GHA": 4.5, "CMR": 3.5, "CIV": 3.2, "SEN": 3.0, "COD": 4.5, "ETH": 3.0,
}  # fmt: skip
UNEMPLOYMENT_DEFAULT = {"LIC": 4.5, "LMC": 6.0, "UMC": 8.0, "HIC": 5.0}

# Statutory pensionable age (F, M). A few change during 2015-2024: (F, M, from_year, F, M).
SPA: dict[str, tuple[int, int]] = {
    "AGO": (60, 60), "ALB": (61, 65), "ARG": (60, 65), "AUS": (66, 66), "BDI": (60, 60),
    "BFA": (60, 60), "BGD": (60, 60), "BRA": (62, 65), "BRB": (67, 67), "BWA": (65, 65),
    "CAN": (65, 65), "CHL": (60, 65), "CHN": (55, 60), "CIV": (60, 60), "CMR": (60, 60),
    "COD": (60, 65), "CPV": (60, 65), "DEU": (65, 65), "ECU": (60, 60), "EGY": (60, 60),
    "ETH": (60, 60), "FJI": (55, 55), "FRA": (62, 62), "GBR": (65, 65), "GEO": (60, 65),
    "GHA": (60, 60), "IDN": (57, 57), "IND": (58, 58), "IRQ": (60, 60), "ITA": (67, 67),
    "JOR": (55, 60), "JPN": (65, 65), "KAZ": (61, 63), "KEN": (60, 60), "KGZ": (58, 63),
    "KHM": (60, 60), "KOR": (62, 62), "LAO": (60, 60), "LBN": (64, 64), "MAR": (60, 60),
    "MDG": (60, 60), "MEX": (65, 65), "MLI": (58, 58), "MOZ": (55, 60), "MWI": (60, 60),
    "MYS": (60, 60), "NAM": (60, 60), "NGA": (60, 60), "NPL": (58, 58), "NZL": (65, 65),
    "OMN": (55, 60), "PAK": (55, 60), "PHL": (60, 60), "POL": (60, 65), "PRY": (60, 60),
    "PSE": (60, 60), "RWA": (60, 60), "SAU": (58, 58), "SDN": (60, 60), "SEN": (60, 60),
    "SLE": (60, 60), "SLV": (55, 60), "SUR": (60, 60), "SWE": (65, 65), "SWZ": (60, 60),
    "TGO": (60, 60), "THA": (55, 55), "TJK": (58, 63), "TLS": (60, 60), "TUN": (60, 60),
    "TUR": (58, 60), "TZA": (60, 60), "UGA": (60, 60), "UKR": (60, 60), "URY": (60, 60),
    "USA": (66, 66), "UZB": (55, 60), "VNM": (55, 60), "WSM": (65, 65), "YEM": (55, 60),
    "ZAF": (60, 60), "ZMB": (60, 60), "ZWE": (60, 60),
}  # fmt: skip
SPA_CHANGES: dict[str, tuple[int, int, int]] = {
    # iso3: (from_year, F, M)
    "DEU": (2023, 66, 66),
    "GBR": (2021, 66, 66),
    "VNM": (2021, 56, 61),
    "IDN": (2019, 58, 58),
    "TUR": (2023, 60, 62),
}

# Old-age social pensions (non-contributory): (scheme type, eligibility age, first year).
# Countries not listed draw one at random by income group.
SOCIAL_PENSION: dict[str, tuple[str, int, int] | None] = {
    "KEN": ("universal", 70, 2015), "NPL": ("universal", 70, 2015), "TLS": ("universal", 60, 2015),
    "WSM": ("universal", 65, 2015), "NAM": ("universal", 60, 2015), "BWA": ("universal", 65, 2015),
    "NZL": ("universal", 65, 2015), "GEO": ("universal", 65, 2015), "THA": ("universal", 60, 2015),
    "SUR": ("universal", 60, 2015), "SWZ": ("universal", 60, 2015), "UGA": ("universal", 80, 2015),
    "VNM": ("universal", 80, 2015), "MEX": ("universal", 65, 2019),
    "ZAF": ("means_tested", 60, 2015),
    "URY": ("means_tested", 70, 2015), "BRA": ("means_tested", 65, 2015),
    "ARG": ("means_tested", 65, 2016), "IND": ("means_tested", 60, 2015),
    "PHL": ("means_tested", 60, 2015), "ECU": ("means_tested", 65, 2015),
    "SLV": ("means_tested", 70, 2015), "PRY": ("means_tested", 65, 2015),
    "CPV": ("means_tested", 60, 2015), "MOZ": ("means_tested", 60, 2015),
    "CHL": ("means_tested", 65, 2015), "UKR": ("means_tested", 65, 2015),
    "IDN": None, "PAK": None, "SEN": None, "GHA": None, "NGA": None, "LAO": None, "KHM": None,
    "MWI": None, "TZA": None, "ZMB": None, "ETH": None, "JOR": None, "LBN": None, "IRQ": None,
    "PSE": None, "EGY": None, "USA": ("means_tested", 65, 2015),
}  # fmt: skip

# People in more than one scheme (methodology §2.5, column `overlap_group` of `schemes`, given
# in every submission). The contributory social-insurance schemes of a country (pensions,
# sickness/maternity, employment injury, unemployment, contributory health insurance and family
# allowances) insure the same employees, so they share one overlap group: persons = the largest
# of their counts, not the sum. Non-contributory schemes (universal or means-tested, paid only to
# persons without a contributory benefit) and employer-liability schemes have no group: their
# counts add up to the social-insurance ones.
SOCIAL_INSURANCE_GROUP = "social_insurance"
# (a) Universal social pensions paid ON TOP of contributory pensions (elsewhere they go only to
# persons without one): the universal scheme joins the social-insurance group of the
# contributory pension (a scheme has one group); with eligibility at 80 it has fewer pensioners
# above the SPA than the contributory one.
UNIVERSAL_ON_TOP: tuple[str, ...] = ("UGA", "VNM")
# (b) Separate contributory pension schemes for civil servants and private-sector workers
# (disjoint groups of people, so their counts add up): iso3 -> (overlap group of the national
# social-insurance schemes -- the private-sector pension scheme and the other contributory
# schemes of the same institution(s) --, of the civil-service scheme; None = no group), share of
# the contributors, legally covered and disability/survivors beneficiaries in the civil-service
# scheme, share of the old-age pensioners in it. Women are over-represented in the civil service
# (shares x CIVIL_SERVICE_FEMALE_FACTOR for F, the male share lowered to keep the overall share).
CIVIL_SERVICE_PENSIONS: dict[str, tuple[str | None, str | None, float, float]] = {
    "PHL": ("private_sector", "civil_service", 0.12, 0.15),
    "IDN": (SOCIAL_INSURANCE_GROUP, None, 0.25, 0.75),
}
CIVIL_SERVICE_FEMALE_FACTOR = 1.25
# country -> scheme key -> (scheme name, institution, legal basis, legal year); "civil_service"
# is the second contributory pension scheme of CIVIL_SERVICE_PENSIONS
CIVIL_SERVICE_NAMES: dict[str, dict[str, tuple[str, str, str, int]]] = {
    "PHL": {
        "pension": (
            "SSS retirement, disability and death benefits (private sector)",
            "Social Security System (SSS)",
            "Social Security Act of 2018 (Republic Act 11199)",
            2018,
        ),
        "civil_service": (
            "GSIS retirement, disability and survivorship benefits (government employees)",
            "Government Service Insurance System (GSIS)",
            "GSIS Act of 1997 (Republic Act 8291)",
            1997,
        ),
    },
    "IDN": {
        "pension": (
            "Jaminan Pensiun: pension programme for private-sector workers",
            "BPJS Ketenagakerjaan",
            "Law 40/2004 on the National Social Security System",
            2004,
        ),
        "civil_service": (
            "TASPEN pensions for civil servants",
            "PT TASPEN (Persero)",
            "Law 11/1969 on pensions of civil servants",
            1969,
        ),
    },
}

# Contributory pensions paying lump sums (provident-fund style) besides periodic pensions.
LUMP_SUM_PENSIONS: tuple[str, ...] = ("KEN", "MYS", "FJI", "IND", "SWZ", "UGA")

# Health protection through a national health service or universal entitlement (else
# contributory health insurance with subsidies).
UNIVERSAL_HEALTH: tuple[str, ...] = (
    "GBR", "SWE", "ITA", "BRA", "THA", "CAN", "AUS", "NZL", "BRB", "CHN", "WSM", "FJI",
)  # fmt: skip
# Maternity and employment injury under employer liability (no administrative data).
EMPLOYER_LIABILITY_MATERNITY: tuple[str, ...] = (
    "KEN", "IND", "BGD", "PAK", "NPL", "UGA", "TZA", "MWI", "ZMB", "SLE", "ETH", "NGA", "SWZ",
    "LBN", "IRQ", "YEM", "PSE", "SDN", "BDI", "MDG", "KHM", "LAO", "TLS", "WSM", "FJI", "AGO",
)  # fmt: skip
EMPLOYER_LIABILITY_INJURY: tuple[str, ...] = (
    "KEN", "BGD", "PAK", "NPL", "UGA", "SLE", "ETH", "SDN", "YEM", "PSE", "LBN", "BDI", "TLS",
    "WSM", "AGO", "MWI",
)  # fmt: skip
# Family allowances paid by social insurance (francophone Africa, Maghreb).
CONTRIBUTORY_CHILD: tuple[str, ...] = (
    "SEN", "CIV", "CMR", "BFA", "TGO", "MLI", "MAR", "TUN", "COD", "BDI", "RWA", "MDG",
)  # fmt: skip

# Ranges by income group: (low, high)
FORMAL_SHARE = {"LIC": (0.05, 0.13), "LMC": (0.12, 0.35), "UMC": (0.35, 0.62), "HIC": (0.72, 0.9)}
PENSION_CONTRIB_COVERAGE = {
    "LIC": (0.05, 0.14),
    "LMC": (0.12, 0.35),
    "UMC": (0.40, 0.72),
    "HIC": (0.78, 0.94),
}
MEANS_TESTED_TAKEUP = {
    "LIC": (0.1, 0.3),
    "LMC": (0.15, 0.45),
    "UMC": (0.45, 0.75),
    "HIC": (0.5, 0.9),
}
POVERTY_PCT = {"LIC": (35.0, 55.0), "LMC": (18.0, 42.0), "UMC": (10.0, 28.0), "HIC": (9.0, 17.0)}

# UHC tracers (methodology §6.1): code -> (description, unit, annual series or survey-based)
UHC_TRACERS: dict[str, tuple[str, str, bool]] = {
    "FP": ("family planning demand satisfied with modern methods", "%", False),
    "ANC4": ("antenatal care, 4+ visits", "%", False),
    "DTP3": ("DTP3 immunization coverage among 1-year-olds", "%", True),
    "CARE_ARI": ("care sought for children under 5 with ARI symptoms", "%", False),
    "TB": ("TB effective treatment coverage", "%", True),
    "ART": ("people living with HIV receiving ART", "%", True),
    "ITN": ("ITN use in the population at risk (high malaria burden countries only)", "%", True),
    "WASH": ("population using at least basic sanitation services", "%", True),
    "HTN": ("treatment of hypertension, adults 30-79 (age-standardised)", "%", False),
    "FPG": ("mean fasting plasma glucose, adults (age-standardised)", "mmol/L", True),
    "TOBACCO": ("tobacco use, adults 15+ (age-standardised)", "%", False),
    "BEDS": ("hospital beds", "per 10 000 population", True),
    "PHYS": ("physicians", "per 1 000 population", True),
    "PSYCH": ("psychiatrists", "per 100 000 population", True),
    "SURG": ("surgeons", "per 100 000 population", True),
    "IHR": ("IHR core capacity index", "%", True),
}
# High malaria burden countries in the sample (ITN tracer reported)
MALARIA_ENDEMIC: tuple[str, ...] = (
    "AGO", "BDI", "BFA", "CIV", "CMR", "COD", "ETH", "GHA", "KEN", "MDG", "MLI", "MOZ", "MWI",
    "NGA", "RWA", "SEN", "SLE", "SDN", "TGO", "TZA", "UGA", "ZMB", "ZWE", "IND", "PAK", "YEM",
)  # fmt: skip

#: the country-year of the sample's synthetic registry (raw/registry/, issue 15): a small
#: country whose SSI submission has the generator's scheme ids
SAMPLE_REGISTRY: tuple[str, int] = ("WSM", 2022)
