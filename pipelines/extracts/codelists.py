"""The SDG global DSD (IAEG-SDGs ``SDG`` 1.3): key order, attributes and code lists
(methodology §8.1), and the validation of every code an extract uses.

Source, in this order:
1. the real structure in ``$FLOORBOARD_REAL_DATA/sdmx/`` (default ``../shared/data/real`` beside
   the repository): ``sdg_dsd_components.csv``, ``sdg_dsd_codelists.csv`` (parsed from
   ``SDG_DSD.xml``);
2. otherwise the pinned copy ``raw/reference/sdg_dsd_pinned.csv``: only the codes Floorboard uses,
   with the DSD version in a column (tests check it is a subset of the real code lists).

The component list (key order, attribute attachment) of DSD 1.3 is also written out below as
constants; a test checks them against the real ``sdg_dsd_components.csv``.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import paths

AGENCY = "IAEG-SDGs"
DSD_ID = "SDG"
DSD_VERSION = "1.3"
DATAFLOW_ID = "DF_SDG_GLH"

#: dimensions of DSD SDG 1.3 in key order, with their code list (TIME_PERIOD is last, free text)
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("FREQ", "CL_FREQ"),
    ("REPORTING_TYPE", "CL_REPORTING_TYPE"),
    ("SERIES", "CL_SERIES"),
    ("REF_AREA", "CL_AREA"),
    ("SEX", "CL_SEX"),
    ("AGE", "CL_AGE"),
    ("URBANISATION", "CL_URBANISATION"),
    ("INCOME_WEALTH_QUANTILE", "CL_QUANTILE"),
    ("EDUCATION_LEV", "CL_EDUCATION_LEV"),
    ("OCCUPATION", "CL_OCCUPATION"),
    ("CUST_BREAKDOWN", "CL_CUST_BREAKDOWN"),
    ("COMPOSITE_BREAKDOWN", "CL_COMP_BREAKDOWN"),
    ("DISABILITY_STATUS", "CL_DISABILITY"),
    ("ACTIVITY", "CL_ACTIVITY"),
    ("PRODUCT", "CL_PRODUCT"),
)
TIME_DIMENSION = "TIME_PERIOD"
PRIMARY_MEASURE = "OBS_VALUE"
#: attributes of DSD SDG 1.3 in DSD order, with their code list ("" = free text)
ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("OBS_STATUS", "CL_OBS_STATUS"),
    ("UNIT_MULT", "CL_UNIT_MULT"),
    ("UNIT_MEASURE", "CL_UNIT_MEASURE"),
    ("BASE_PER", ""),
    ("NATURE", "CL_NATURE"),
    ("TIME_DETAIL", ""),
    ("COMMENT_OBS", ""),
    ("TIME_COVERAGE", ""),
    ("UPPER_BOUND", ""),
    ("LOWER_BOUND", ""),
    ("SOURCE_DETAIL", ""),
    ("COMMENT_TS", ""),
    ("GEO_INFO_URL", ""),
    ("GEO_INFO_TYPE", "CL_GEO_INFO_TYPE"),
    ("CUST_BREAKDOWN_LB", ""),
    ("DATA_LAST_UPDATE", ""),
)
#: attributes attached to the series (all dimensions but TIME_PERIOD) in the DSD; the others are
#: attached to the observation (primary measure)
SERIES_ATTRIBUTES = frozenset(
    {"UNIT_MEASURE", "COMMENT_TS", "GEO_INFO_URL", "GEO_INFO_TYPE", "CUST_BREAKDOWN_LB",
     "DATA_LAST_UPDATE"}
)  # fmt: skip
#: mandatory attributes (assignmentStatus="Mandatory")
MANDATORY_ATTRIBUTES = ("OBS_STATUS", "UNIT_MULT", "UNIT_MEASURE")

PINNED_FILE = "sdg_dsd_pinned.csv"
PINNED_COLUMNS = (
    "dsd_agency",
    "dsd_id",
    "dsd_version",
    "agency_id",
    "codelist_id",
    "codelist_version",
    "code",
    "name_en",
)


class CodeListError(ValueError):
    """Codes used in an extract that are not in their DSD code list."""


@dataclass(frozen=True, eq=False)  # hashed by identity: load() caches one instance per source
class CodeLists:
    """The code lists an extract is validated against and the DSD's component order."""

    source: str  # "real" or "pinned"
    dsd_version: str
    dimensions: tuple[tuple[str, str], ...]
    attributes: tuple[tuple[str, str], ...]
    codes: Mapping[str, frozenset[str]]
    names: Mapping[tuple[str, str], str] = field(repr=False)
    codelist_agency: Mapping[str, tuple[str, str]] = field(repr=False)  # id -> (agency, version)

    @property
    def key_order(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.dimensions)

    def codelist_of(self, component: str) -> str | None:
        for cid, cl in (*self.dimensions, *self.attributes):
            if cid == component:
                return cl or None
        return None

    def name(self, codelist_id: str, code: str) -> str:
        return self.names.get((codelist_id, code), code)

    def validate(self, columns: Mapping[str, Iterable[object]]) -> None:
        """Check every value of every coded component column (``{component: values}``); raise
        ``CodeListError`` listing each offending code with its column and code list. Empty values
        (``None``/``""``) are "not given" and pass."""
        problems = []
        for component in sorted(columns):
            codelist = self.codelist_of(component)
            if codelist is None:
                continue
            allowed = self.codes.get(codelist, frozenset())
            bad = sorted(
                {str(v) for v in columns[component] if v not in (None, "")} - allowed,
            )
            if bad:
                problems.append(f"{component} ({codelist}): {', '.join(bad)}")
        if problems:
            raise CodeListError(
                f"codes not in the SDG DSD {self.dsd_version} code lists ({self.source}): "
                + "; ".join(problems)
            )


def real_data_dir() -> Path:
    """``$FLOORBOARD_REAL_DATA`` or ``../shared/data/real`` relative to the repository."""
    return Path(
        os.environ.get("FLOORBOARD_REAL_DATA", paths.REPO_ROOT.parent / "shared" / "data" / "real")
    )


def real_sdmx_dir() -> Path | None:
    """The real DSD folder when its three files are present, else ``None``."""
    folder = real_data_dir() / "sdmx"
    needed = ("sdg_dsd_codelists.csv", "sdg_dsd_components.csv", "SDG_DSD.xml")
    if all((folder / n).is_file() for n in needed):
        return folder
    return None


def pinned_path() -> Path:
    return paths.raw_dir() / "reference" / PINNED_FILE


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def components_from_csv(path: Path) -> tuple[tuple, tuple, str]:
    """(dimensions, attributes, dsd_version) from ``sdg_dsd_components.csv``."""
    rows = _read_csv(path)
    dims = sorted(
        (r for r in rows if r["component_type"] == "Dimension"), key=lambda r: int(r["position"])
    )
    attrs = [r for r in rows if r["component_type"] == "Attribute"]
    return (
        tuple((r["component_id"], r["codelist_id"]) for r in dims),
        tuple((r["component_id"], r["codelist_id"]) for r in attrs),
        rows[0]["dsd_version"],
    )


def _codes_from_rows(rows: list[dict[str, str]]):
    codes: dict[str, set[str]] = {}
    names: dict[tuple[str, str], str] = {}
    agency: dict[str, tuple[str, str]] = {}
    for r in rows:
        codes.setdefault(r["codelist_id"], set()).add(r["code"])
        names[(r["codelist_id"], r["code"])] = r["name_en"]
        agency[r["codelist_id"]] = (r["agency_id"], r["codelist_version"])
    return {k: frozenset(v) for k, v in codes.items()}, names, agency


@functools.cache
def _load(real: str | None, pinned: str) -> CodeLists:
    if real is not None:
        folder = Path(real)
        dims, attrs, version = components_from_csv(folder / "sdg_dsd_components.csv")
        codes, names, agency = _codes_from_rows(_read_csv(folder / "sdg_dsd_codelists.csv"))
        return CodeLists("real", version, dims, attrs, codes, names, agency)
    rows = _read_csv(Path(pinned))
    versions = {r["dsd_version"] for r in rows}
    if versions != {DSD_VERSION}:
        raise CodeListError(f"{pinned}: expected DSD version {DSD_VERSION}, found {versions}")
    codes, names, agency = _codes_from_rows(rows)
    return CodeLists("pinned", DSD_VERSION, DIMENSIONS, ATTRIBUTES, codes, names, agency)


def load(prefer_real: bool = True) -> CodeLists:
    """The real code lists when available (and ``prefer_real``), else the pinned copy."""
    real = real_sdmx_dir() if prefer_real else None
    return _load(str(real) if real else None, str(pinned_path()))


# --- the pinned copy -------------------------------------------------------------------------

#: codes Floorboard uses, per code list (CL_AREA is filled from raw/reference/countries.csv)
USED_CODES: dict[str, tuple[str, ...]] = {
    "CL_FREQ": ("A",),
    "CL_REPORTING_TYPE": ("G", "N"),
    "CL_SERIES": (
        "SI_COV_BENFTS",
        "SI_COV_CHLD",
        "SI_COV_DISAB",
        "SI_COV_MATNL",
        "SI_COV_PENSN",
        "SI_COV_POOR",
        "SI_COV_UEMP",
        "SI_COV_VULN",
        "SI_COV_WKINJRY",
        "SH_ACS_UNHC",
    ),
    "CL_SEX": ("_T", "F", "M"),
    "CL_AGE": ("_T",),
    "CL_URBANISATION": ("_T",),
    "CL_QUANTILE": ("_T",),
    "CL_EDUCATION_LEV": ("_T",),
    "CL_OCCUPATION": ("_T",),
    "CL_CUST_BREAKDOWN": ("_T",),
    "CL_COMP_BREAKDOWN": ("_T",),
    "CL_DISABILITY": ("_T",),
    "CL_ACTIVITY": ("_T",),
    "CL_PRODUCT": ("_T",),
    "CL_NATURE": ("C", "CA", "E", "M", "N"),
    "CL_OBS_STATUS": ("A", "E"),
    "CL_UNIT_MEASURE": ("PT", "IX"),
    "CL_UNIT_MULT": ("0",),
}


def used_area_codes(countries_csv: Path) -> set[str]:
    """M49 codes of the reference countries, World (1) and their SDG regions."""
    rows = _read_csv(countries_csv)
    return {"1"} | {r["m49"] for r in rows} | {r["sdg_region_code"] for r in rows}


def pin(real_folder: Path, countries_csv: Path, out: Path) -> Path:
    """Write the pinned subset of the real code lists (run by hand when the DSD or the country
    list changes: ``python -m pipelines.extracts.codelists``)."""
    _, _, version = components_from_csv(real_folder / "sdg_dsd_components.csv")
    wanted = {k: set(v) for k, v in USED_CODES.items()}
    wanted["CL_AREA"] = used_area_codes(countries_csv)
    rows = [
        r
        for r in _read_csv(real_folder / "sdg_dsd_codelists.csv")
        if r["code"] in wanted.get(r["codelist_id"], ())
    ]
    missing = {
        (cl, c) for cl, cs in wanted.items() for c in cs
    } - {(r["codelist_id"], r["code"]) for r in rows}  # fmt: skip
    if missing:
        raise CodeListError(f"codes Floorboard uses are not in the real DSD: {sorted(missing)}")
    rows.sort(key=lambda r: (r["codelist_id"], r["code"]))
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(PINNED_COLUMNS)
        for r in rows:
            w.writerow(
                [
                    AGENCY,
                    DSD_ID,
                    version,
                    r["agency_id"],
                    r["codelist_id"],
                    r["codelist_version"],
                    r["code"],
                    r["name_en"],
                ]
            )
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance command
    folder = real_sdmx_dir()
    if folder is None:
        raise SystemExit(f"no real DSD under {real_data_dir()}")
    print(pin(folder, paths.raw_dir() / "reference" / "countries.csv", pinned_path()))
