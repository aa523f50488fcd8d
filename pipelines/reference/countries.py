"""The country reference table (`raw/reference/countries.csv`).

Codes and names come from pycountry (ISO 3166-1: alpha-3, alpha-2, numeric = UN M49 for
countries, short name) and country_converter (UN M49 subregion). Groupings are derived by the
documented rules of methodology §7:

* ILO region / broad subregion: from the M49 subregion, with the Arab States taken out of
  Western Asia; the rest of Western Asia and Central Asia form "Central and Western Asia"
  (Europe and Central Asia); Iran (Southern Asia) stays in Asia and the Pacific; Australia,
  New Zealand and the Pacific islands go to "South-Eastern Asia and the Pacific".
* SDG region: from the M49 subregion (the SDG regional groupings of the UN Statistics Division).

The one attribute no package provides is the World Bank income group; it is an explicit mapping
below (World Bank FY2025 classification, published 1 July 2024).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import country_converter as coco
import polars as pl
import pycountry

# The 50 focus countries of the ILO Global Flagship Programme on Building Social Protection
# Floors for All (phase 2021-2025), by ILO region, as named by the ILO. Mapped to ISO3 with
# country_converter; this list of names is the only literal.
FLAGSHIP_FOCUS_NAMES: dict[str, tuple[str, ...]] = {
    "Africa": (
        "Angola",
        "Burkina Faso",
        "Burundi",
        "Cabo Verde",
        "Cameroon",
        "Côte d'Ivoire",
        "Democratic Republic of the Congo",
        "Egypt",
        "Eswatini",
        "Ethiopia",
        "Ghana",
        "Kenya",
        "Madagascar",
        "Malawi",
        "Morocco",
        "Mozambique",
        "Nigeria",
        "Rwanda",
        "Senegal",
        "Sierra Leone",
        "South Africa",
        "Sudan",
        "Togo",
        "Uganda",
        "United Republic of Tanzania",
        "Zambia",
    ),
    "Americas": ("Barbados", "Ecuador", "El Salvador", "Paraguay", "Suriname"),
    "Arab States": ("Iraq", "Jordan", "Lebanon", "Occupied Palestinian Territory"),
    "Asia and the Pacific": (
        "Cambodia",
        "India",
        "Indonesia",
        "Lao People's Democratic Republic",
        "Nepal",
        "Pakistan",
        "Philippines",
        "Samoa",
        "Timor-Leste",
        "Viet Nam",
    ),
    "Europe and Central Asia": ("Albania", "Kyrgyzstan", "Tajikistan", "Ukraine", "Uzbekistan"),
}

# Countries in the bundled sample besides the focus countries: spread over the five ILO regions,
# the four income groups and the SDG regions (incl. Oceania).
OTHER_SAMPLE_ISO3: tuple[str, ...] = (
    # Americas
    "ARG", "BRA", "CAN", "CHL", "MEX", "URY", "USA",
    # Europe and Central Asia
    "DEU", "FRA", "GBR", "GEO", "ITA", "KAZ", "POL", "SWE", "TUR",
    # Asia and the Pacific
    "AUS", "BGD", "CHN", "FJI", "JPN", "KOR", "MYS", "NZL", "THA",
    # Arab States
    "OMN", "SAU", "YEM",
    # Africa
    "BWA", "MLI", "NAM", "TUN", "ZWE",
)  # fmt: skip

# World Bank income groups, FY2025 classification (World Bank, "World Bank country
# classifications by income level for 2024-2025", 1 July 2024; GNI per capita 2023, Atlas
# method). Only the sample countries. LIC low, LMC lower-middle, UMC upper-middle, HIC high.
INCOME_GROUP_WB_FY2025: dict[str, str] = {
    "AGO": "LMC", "ALB": "UMC", "ARG": "UMC", "AUS": "HIC", "BDI": "LIC", "BFA": "LIC",
    "BGD": "LMC", "BRA": "UMC", "BRB": "HIC", "BWA": "UMC", "CAN": "HIC", "CHL": "HIC",
    "CHN": "UMC", "CIV": "LMC", "CMR": "LMC", "COD": "LIC", "CPV": "LMC", "DEU": "HIC",
    "ECU": "UMC", "EGY": "LMC", "ETH": "LIC", "FJI": "UMC", "FRA": "HIC", "GBR": "HIC",
    "GEO": "UMC", "GHA": "LMC", "IDN": "UMC", "IND": "LMC", "IRQ": "UMC", "ITA": "HIC",
    "JOR": "LMC", "JPN": "HIC", "KAZ": "UMC", "KEN": "LMC", "KGZ": "LMC", "KHM": "LMC",
    "KOR": "HIC", "LAO": "LMC", "LBN": "LMC", "MAR": "LMC", "MDG": "LIC", "MEX": "UMC",
    "MLI": "LIC", "MOZ": "LIC", "MWI": "LIC", "MYS": "UMC", "NAM": "UMC", "NGA": "LMC",
    "NPL": "LMC", "NZL": "HIC", "OMN": "HIC", "PAK": "LMC", "PHL": "LMC", "POL": "HIC",
    "PRY": "UMC", "PSE": "LMC", "RWA": "LIC", "SAU": "HIC", "SDN": "LIC", "SEN": "LMC",
    "SLE": "LIC", "SLV": "UMC", "SUR": "UMC", "SWE": "HIC", "SWZ": "LMC", "TGO": "LIC",
    "THA": "UMC", "TJK": "LMC", "TLS": "LMC", "TUN": "LMC", "TUR": "UMC", "TZA": "LMC",
    "UGA": "LIC", "UKR": "UMC", "URY": "HIC", "USA": "HIC", "UZB": "LMC", "VNM": "LMC",
    "WSM": "LMC", "YEM": "LIC", "ZAF": "UMC", "ZMB": "LMC", "ZWE": "LMC",
}  # fmt: skip

ILO_REGIONS = (
    "Africa",
    "Americas",
    "Arab States",
    "Asia and the Pacific",
    "Europe and Central Asia",
)

# Arab States (ILO): taken out of M49 Western Asia.
ARAB_STATES_NAMES = (
    "Bahrain",
    "Iraq",
    "Jordan",
    "Kuwait",
    "Lebanon",
    "Oman",
    "Qatar",
    "Saudi Arabia",
    "Syria",
    "United Arab Emirates",
    "Yemen",
    "Palestine",
)

# M49 subregion (as spelled by country_converter's UNregion) -> (ILO region, ILO broad subregion)
_ILO_BY_M49_SUBREGION: dict[str, tuple[str, str]] = {
    "Northern Africa": ("Africa", "Northern Africa"),
    "Eastern Africa": ("Africa", "Sub-Saharan Africa"),
    "Middle Africa": ("Africa", "Sub-Saharan Africa"),
    "Southern Africa": ("Africa", "Sub-Saharan Africa"),
    "Western Africa": ("Africa", "Sub-Saharan Africa"),
    "Caribbean": ("Americas", "Latin America and the Caribbean"),
    "Central America": ("Americas", "Latin America and the Caribbean"),
    "South America": ("Americas", "Latin America and the Caribbean"),
    "Northern America": ("Americas", "Northern America"),
    "Eastern Asia": ("Asia and the Pacific", "Eastern Asia"),
    "South-eastern Asia": ("Asia and the Pacific", "South-Eastern Asia and the Pacific"),
    "Australia and New Zealand": ("Asia and the Pacific", "South-Eastern Asia and the Pacific"),
    "Melanesia": ("Asia and the Pacific", "South-Eastern Asia and the Pacific"),
    "Micronesia": ("Asia and the Pacific", "South-Eastern Asia and the Pacific"),
    "Polynesia": ("Asia and the Pacific", "South-Eastern Asia and the Pacific"),
    "Southern Asia": ("Asia and the Pacific", "Southern Asia"),
    "Central Asia": ("Europe and Central Asia", "Central and Western Asia"),
    "Western Asia": ("Europe and Central Asia", "Central and Western Asia"),  # minus Arab States
    "Eastern Europe": ("Europe and Central Asia", "Eastern Europe"),
    "Northern Europe": ("Europe and Central Asia", "Northern, Southern and Western Europe"),
    "Southern Europe": ("Europe and Central Asia", "Northern, Southern and Western Europe"),
    "Western Europe": ("Europe and Central Asia", "Northern, Southern and Western Europe"),
}
_ARAB_STATES = ("Arab States", "Arab States")

# SDG regional groupings (M49 codes and names, UNSD) by M49 subregion.
SDG_REGIONS: dict[int, str] = {
    202: "Sub-Saharan Africa",
    747: "Northern Africa and Western Asia",
    62: "Central and Southern Asia",
    753: "Eastern and South-Eastern Asia",
    419: "Latin America and the Caribbean",
    53: "Australia and New Zealand",
    543: "Oceania (excluding Australia and New Zealand)",
    513: "Europe and Northern America",
}
_SDG_BY_M49_SUBREGION: dict[str, int] = {
    "Eastern Africa": 202,
    "Middle Africa": 202,
    "Southern Africa": 202,
    "Western Africa": 202,
    "Northern Africa": 747,
    "Western Asia": 747,
    "Central Asia": 62,
    "Southern Asia": 62,
    "Eastern Asia": 753,
    "South-eastern Asia": 753,
    "Caribbean": 419,
    "Central America": 419,
    "South America": 419,
    "Australia and New Zealand": 53,
    "Melanesia": 543,
    "Micronesia": 543,
    "Polynesia": 543,
    "Northern America": 513,
    "Northern Europe": 513,
    "Southern Europe": 513,
    "Eastern Europe": 513,
    "Western Europe": 513,
}

COLUMNS = (
    "iso3",
    "iso2",
    "m49",
    "name",
    "ilo_region",
    "ilo_subregion",
    "sdg_region_code",
    "sdg_region",
    "income_group",
    "is_flagship_focus",
)

_CC: coco.CountryConverter | None = None


def _converter() -> coco.CountryConverter:
    global _CC
    if _CC is None:
        logging.getLogger("country_converter").setLevel(logging.ERROR)
        _CC = coco.CountryConverter()
    return _CC


def _to_iso3(names: list[str]) -> list[str]:
    out = _converter().convert(names, to="ISO3", not_found=None)
    out = [out] if isinstance(out, str) else list(out)
    bad = [n for n, code in zip(names, out, strict=True) if not code or code == n]
    if bad:
        raise ValueError(f"country_converter could not map: {bad}")
    return out


@functools.cache
def _flagship_focus_iso3() -> tuple[str, ...]:
    names = [n for group in FLAGSHIP_FOCUS_NAMES.values() for n in group]
    codes = _to_iso3(names)
    if len(set(codes)) != len(names):
        raise ValueError("Flagship focus names do not map to distinct ISO3 codes")
    return tuple(sorted(codes))


def flagship_focus_iso3() -> list[str]:
    """ISO3 codes of the 50 Flagship focus countries (sorted)."""
    return list(_flagship_focus_iso3())


@functools.cache
def arab_states_iso3() -> tuple[str, ...]:
    return tuple(sorted(_to_iso3(list(ARAB_STATES_NAMES))))


def sample_iso3() -> list[str]:
    """All countries of the bundled sample (sorted)."""
    return sorted(set(flagship_focus_iso3()) | set(OTHER_SAMPLE_ISO3))


def ilo_region_of(iso3: str, m49_subregion: str) -> tuple[str, str]:
    if iso3 in arab_states_iso3():
        return _ARAB_STATES
    return _ILO_BY_M49_SUBREGION[m49_subregion]


def build_countries(iso3s: list[str] | None = None) -> pl.DataFrame:
    """The country reference table for the sample countries (or the given ISO3 codes)."""
    iso3s = sorted(iso3s or sample_iso3())
    focus = set(flagship_focus_iso3())
    subregions = _converter().convert(iso3s, src="ISO3", to="UNregion")
    subregions = [subregions] if isinstance(subregions, str) else list(subregions)
    rows = []
    for iso3, subregion in zip(iso3s, subregions, strict=True):
        country = pycountry.countries.get(alpha_3=iso3)
        if country is None:
            raise ValueError(f"{iso3} is not an ISO 3166-1 alpha-3 code")
        if iso3 not in INCOME_GROUP_WB_FY2025:
            raise ValueError(f"no World Bank FY2025 income group recorded for {iso3}")
        ilo_region, ilo_subregion = ilo_region_of(iso3, subregion)
        sdg_code = _SDG_BY_M49_SUBREGION[subregion]
        rows.append(
            {
                "iso3": iso3,
                "iso2": country.alpha_2,
                "m49": int(country.numeric),
                "name": country.name,
                "ilo_region": ilo_region,
                "ilo_subregion": ilo_subregion,
                "sdg_region_code": sdg_code,
                "sdg_region": SDG_REGIONS[sdg_code],
                "income_group": INCOME_GROUP_WB_FY2025[iso3],
                "is_flagship_focus": iso3 in focus,
            }
        )
    schema = {
        "iso3": pl.String,
        "iso2": pl.String,
        "m49": pl.Int32,
        "name": pl.String,
        "ilo_region": pl.String,
        "ilo_subregion": pl.String,
        "sdg_region_code": pl.Int32,
        "sdg_region": pl.String,
        "income_group": pl.String,
        "is_flagship_focus": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


def write_countries(path: Path | str, df: pl.DataFrame | None = None) -> Path:
    """Write `countries.csv` (UTF-8, comma separated, `true`/`false` booleans, LF line ends)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = build_countries() if df is None else df
    df.select(COLUMNS).write_csv(path, line_terminator="\n")
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    out = write_countries(sys.argv[1] if len(sys.argv) > 1 else "raw/reference/countries.csv")
    print(f"wrote {out}")
