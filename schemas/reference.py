"""Reference code lists (`raw/reference/`)."""

from __future__ import annotations

import pandera.polars as pa

from schemas import codes


class Countries(pa.DataFrameModel):
    """`countries.csv`: one row per country with its codes and groupings (methodology §7)."""

    iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$", unique=True)
    iso2: str = pa.Field(str_matches=r"^[A-Z]{2}$", nullable=True)
    m49: int = pa.Field(ge=1, le=999, unique=True)
    name: str
    ilo_region: str = pa.Field(isin=codes.ILO_REGIONS)
    ilo_subregion: str
    sdg_region_code: int
    sdg_region: str
    income_group: str = pa.Field(isin=codes.INCOME_GROUPS)
    is_flagship_focus: bool

    class Config:
        strict = True
        ordered = True


TABLES: dict[str, type[pa.DataFrameModel]] = {"countries": Countries}
