"""Synthetic registries: ``floorboard registry generate --persons N --records M``.

Seeded and vectorised (numpy), written in chunks of persons so that memory stays flat whatever
the size: 50 M records take a few hundred MB. The shape follows how registries look:

* persons have a sex and a birth year (an age pyramid), and 1–4 records each (the mean is
  ``records / persons``);
* what a person holds depends on the life stage at the end of the reference year: children get
  child and orphans' benefits, working-age persons contribute (often to two social-insurance
  schemes: the same people, §2.5) and some receive unemployment, disability or social assistance
  benefits, older persons get contributory and universal pensions (a universal pension paid on
  top of a contributory one), survivors' pensions and social assistance;
* health (in kind) records exist too: they never count as a cash benefit.

``errors`` (a share of records) plants the problems validation must catch: unknown codes and
scheme ids, impossible birth years, exact duplicate records, and persons whose sex differs
between records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

#: persons per chunk (memory: about 60 bytes per record)
CHUNK = 1_000_000
CONTRIBUTOR = "contributor"

#: (menu) what a person of a life stage may hold, most common first:
#: (scheme suffix, risk or CONTRIBUTOR, benefit type)
MENUS: dict[str, list[tuple[str, str, str]]] = {
    "children": [
        ("CHILD", "children", "cash_periodic"),
        ("HEALTH", "health", "in_kind"),
        ("PEN", "survivors", "cash_periodic"),
        ("SOCASSIST", "social_assistance", "cash_periodic"),
    ],
    "working_age": [
        ("PEN", CONTRIBUTOR, ""),
        ("UNEMP", CONTRIBUTOR, ""),
        ("HEALTH", "health", "in_kind"),
        ("SOCASSIST", "social_assistance", "cash_periodic"),
        ("UNEMP", "unemployment", "cash_periodic"),
        ("PEN", "disability", "cash_periodic"),
    ],
    "older": [
        ("PEN", "old_age", "cash_periodic"),
        ("SOCPEN", "old_age", "cash_periodic"),
        ("HEALTH", "health", "in_kind"),
        ("PEN", "survivors", "cash_periodic"),
        ("SOCASSIST", "social_assistance", "cash_periodic"),
        ("PEN", "old_age", "cash_lump_sum"),
    ],
}
STAGES = ("children", "working_age", "older")
#: schemes the generator uses (``<ISO3>-<suffix>``; the sample's SSI submissions have them)
SCHEMES = ["PEN", "SOCPEN", "CHILD", "UNEMP", "SOCASSIST", "HEALTH", "UNKNOWN"]
#: the risk codes of the menus, plus one that is not a risk (planted errors)
RISK_CODES = sorted({r for menu in MENUS.values() for _, r, _ in menu}) + ["pension"]
BENEFIT_CODES = ["", "cash_lump_sum", "cash_periodic", "in_kind"]


@dataclass(frozen=True)
class Generated:
    folder: Path
    persons: int
    beneficiaries: int
    contributors: int

    @property
    def records(self) -> int:
        return self.beneficiaries + self.contributors


def _records_per_person(rng: np.random.Generator, n: int, total: int) -> np.ndarray:
    """1–4 records for each of ``n`` persons, ``total`` in all: 1 + binomial(3, p) with the
    mean ``total / n``, then single persons moved up or down by one record until the sum is
    exact (``--records`` is a count, not a target)."""
    p = min(max((total / n - 1.0) / 3.0, 0.0), 1.0)
    k = 1 + rng.binomial(3, p, size=n)
    diff = total - int(k.sum())
    while diff:
        room = np.nonzero(k < 4 if diff > 0 else k > 1)[0]
        pick = rng.choice(room, size=min(abs(diff), room.size), replace=False)
        k[pick] += 1 if diff > 0 else -1
        diff = total - int(k.sum())
    return k


def _dictionary(codes: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    """Strings as a dictionary array (indices into ``values``): no Python object per record."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(values, pa.string()))


def _chunk(
    rng: np.random.Generator,
    first_id: int,
    n: int,
    total: int,
    year: int,
    iso3: str,
    errors: float,
    id_key: int,
) -> tuple[pa.Table, pa.Table]:
    # age pyramid: more young than old, open-ended at 100
    age = np.minimum((rng.exponential(34.0, size=n)).astype(np.int64), 100)
    female = rng.random(n) < 0.51
    birth_year = year - age
    # pseudonymised ids: an invertible scramble of the row number (distinct, not sequential)
    pid = ((np.arange(first_id, first_id + n, dtype=np.int64) * 2654435761) ^ id_key) & (
        (1 << 62) - 1
    )
    stage = np.where(age < 15, 0, np.where(age < 65, 1, 2))
    k = _records_per_person(rng, n, total)
    offsets = np.minimum(rng.geometric(0.55, size=n) - 1, 3)
    person = np.repeat(np.arange(n), k)
    slot = np.arange(person.size) - np.repeat(np.cumsum(k) - k, k)
    st = stage[person]
    # codes into SCHEMES, RISK_CODES, BENEFIT_CODES
    scheme = np.zeros(person.size, np.int8)
    risk = np.zeros(person.size, np.int8)
    btype = np.zeros(person.size, np.int8)
    for s, name in enumerate(STAGES):
        menu = MENUS[name]
        rows = np.nonzero(st == s)[0]
        item = (offsets[person[rows]] + slot[rows]) % len(menu)
        for i, (suffix, r, b) in enumerate(menu):
            pick = rows[item == i]
            scheme[pick] = SCHEMES.index(suffix)
            risk[pick] = RISK_CODES.index(r)
            btype[pick] = BENEFIT_CODES.index(b)
    is_contrib = risk == RISK_CODES.index(CONTRIBUTOR)
    rec_female = female[person]
    rec_by = birth_year[person]
    if errors > 0:
        bad = rng.random(person.size) < errors
        kind = rng.integers(0, 4, size=person.size)
        risk[bad & (kind == 0) & ~is_contrib] = RISK_CODES.index("pension")  # not a risk code
        scheme[bad & (kind == 1)] = SCHEMES.index("UNKNOWN")  # not in the SSI submission
        rec_by = np.where(bad & (kind == 2), year + 5, rec_by)  # born after the year
        flip = bad & (kind == 3)  # the person's sex differs between records
        rec_female = np.where(flip, ~rec_female, rec_female)
    schemes = [f"{iso3}-{s}" for s in SCHEMES]
    sexes = np.where(rec_female, 0, 1).astype(np.int8)
    ben, con = ~is_contrib, is_contrib
    beneficiaries = pa.table(
        {
            "person_id": pa.array(pid[person[ben]]),
            "scheme_id": _dictionary(scheme[ben], schemes),
            "risk": _dictionary(risk[ben], RISK_CODES),
            "benefit_type": _dictionary(btype[ben], BENEFIT_CODES),
            "sex": _dictionary(sexes[ben], ["F", "M"]),
            "birth_year": pa.array(rec_by[ben].astype(np.int32)),
        }
    )
    contributors = pa.table(
        {
            "person_id": pa.array(pid[person[con]]),
            "scheme_id": _dictionary(scheme[con], schemes),
            "sex": _dictionary(sexes[con], ["F", "M"]),
            "birth_year": pa.array(rec_by[con].astype(np.int32)),
        }
    )
    if errors > 0 and beneficiaries.num_rows:
        # exact duplicate records (the same row sent twice)
        n_dup = int(round(beneficiaries.num_rows * errors / 4))
        if n_dup:
            idx = np.sort(rng.choice(beneficiaries.num_rows, size=n_dup, replace=False))
            beneficiaries = pa.concat_tables([beneficiaries, beneficiaries.take(idx)])
    return beneficiaries, contributors


def generate(
    out: Path | str,
    persons: int,
    records: int,
    iso3: str = "WSM",
    year: int = 2022,
    seed: int = 15,
    fmt: str = "parquet",
    errors: float = 0.0,
) -> Generated:
    """Write ``out/<ISO3>_<YEAR>/{beneficiaries,contributors}.<fmt>``; returns what it wrote.
    Same arguments, same bytes."""
    if persons < 1 or not persons <= records <= 4 * persons:
        raise ValueError("records must lie between persons and 4 × persons (1–4 per person)")
    if fmt not in ("parquet", "csv"):
        raise ValueError("format must be parquet or csv")
    folder = Path(out) / f"{iso3}_{year}"
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"beneficiaries": 0, "contributors": 0}
    writers: dict[str, object] = {}
    try:
        for c, first in enumerate(range(0, persons, CHUNK)):
            rng = np.random.default_rng([seed, c])
            n = min(CHUNK, persons - first)
            # records of this chunk: its share of the total, rounded cumulatively (exact sum)
            total = records * (first + n) // persons - records * first // persons
            tables = _chunk(rng, first, n, total, year, iso3, errors, seed * 7919)
            for part, table in zip(("beneficiaries", "contributors"), tables, strict=True):
                counts[part] += table.num_rows
                if fmt == "csv":  # the CSV writer wants plain strings
                    table = table.cast(
                        pa.schema(
                            [
                                f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f
                                for f in table.schema
                            ]
                        )
                    )
                if part not in writers:
                    path = folder / f"{part}.{fmt}"
                    if fmt == "parquet":
                        writers[part] = pq.ParquetWriter(path, table.schema, compression="zstd")
                    else:
                        writers[part] = pacsv.CSVWriter(path, table.schema)
                writers[part].write_table(table)
    finally:
        for w in writers.values():
            w.close()
    return Generated(folder, persons, counts["beneficiaries"], counts["contributors"])
