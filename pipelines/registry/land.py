"""Validate and land one registry folder ``raw/registry/<ISO3>_<YEAR>/`` with DuckDB.

Registries hold tens of millions of records, so nothing here loads a file into pandas or into
Python lists: DuckDB scans the files (Parquet, or CSV read as text) with a bounded memory limit
and a spill folder, applies the checks of the pandera models (``schemas.registry.sql_checks``,
the codes written once) and writes the accepted records, the quarantine and the receipt as
Parquet straight from SQL. The result is then checked against the pandera models lazily
(``pandera`` on a polars ``LazyFrame`` of the landed file: columns and types, no row collected).

Rules, in order (a record gets the reason of the first rule it breaks):
1. each column as the models say (codes, lengths, a whole-number birth year from 1890), formula
   prefixes refused (a cell starting with ``=``, ``+``, ``@`` …, as for SSI files);
2. ``birth_year`` not after the reference year;
3. ``scheme_id`` among the schemes of the SSI submission of that country and year (the latest
   revision landed); without a submission every record is quarantined;
4. a person whose sex or birth year differs between records (across both parts): every record
   of that person, since none can be trusted;
5. a duplicate of an earlier record (same person, scheme, risk and benefit type; the first one
   in file order is kept).
loaded + quarantined = received for each part, checked before the swap.

Files are classified with ``pipelines.dropzone`` before a byte is read: links, devices, FIFOs
are refused, as are names that are not a part (``beneficiaries*`` / ``contributors*`` with
``.parquet`` or ``.csv``); such entries get a file-level quarantine record and reject no row.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from pipelines import dropzone, landing, paths
from pipelines.validation import FORMULA_PREFIXES, QUARANTINE_SCHEMA
from schemas import registry as model

SOURCE = "registry"
KEY = re.compile(r"^([A-Z]{3})_(\d{4})$")
PART_FILE = re.compile(r"^(beneficiaries|contributors)([-_.][A-Za-z0-9_.-]*)?\.(parquet|csv)$")
#: landed tables (warehouse/landing/<table>/<ISO3>_<YEAR>.parquet)
TABLES = {part: f"registry_{part}" for part in model.PARTS}
FILE_TABLE = "registry_file"
#: DuckDB memory limit while validating: the rest of the 4 GB budget is Python and the OS cache
MEMORY_LIMIT = os.environ.get("FLOORBOARD_REGISTRY_MEMORY", "2500MB")


def landed_schema(part: str) -> dict[str, pl.DataType]:
    cols = {
        "person_id": pl.String(),
        "scheme_id": pl.String(),
        "risk": pl.String(),
        "benefit_type": pl.String(),
        "sex": pl.String(),
        "birth_year": pl.Int32(),
    }
    keep = list(model.PARTS[part].to_schema().columns)
    return {
        **{c: cols[c] for c in keep},
        "iso3": pl.String(),
        "reference_year": pl.Int32(),
        **landing.PROVENANCE_SCHEMA,
    }


@dataclass(frozen=True)
class Registry:
    key: str
    iso3: str
    year: int
    path: Path


def discover(root: Path | None = None) -> list[Registry]:
    """The registry folders of ``raw/registry/`` (a wrongly named entry is refused by
    ``land_other_entries``)."""
    root = root or paths.raw_dir() / SOURCE
    out = []
    for e in dropzone.scan(root):
        m = KEY.match(e.path.name)
        if m and e.kind == dropzone.FOLDER:
            out.append(Registry(e.path.name, m.group(1), int(m.group(2)), e.path))
    return out


def _known_schemes(iso3: str, year: int) -> list[str] | None:
    """Scheme ids of the latest landed SSI submission of the country-year (None: none landed)."""
    folder = paths.landing_dir() / "ssi_schemes"
    files = sorted(folder.glob(f"{iso3}_{year}*.parquet"))
    files = [f for f in files if re.fullmatch(rf"{iso3}_{year}(_r\d+)?\.parquet", f.name)]
    if not files:
        return None
    # the latest revision: _r<n> sorts by n (the first submission has no suffix)
    latest = max(files, key=lambda f: int(f.stem.rpartition("_r")[2]) if "_r" in f.stem else 1)
    return pl.read_parquet(latest, columns=["scheme_id"])["scheme_id"].unique().sort().to_list()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scan(f: Path) -> tuple[str, str]:
    """(DuckDB scan of a part file, its 1-based row number expression)."""
    name = _sql_text(str(f))
    if f.suffix == ".parquet":
        # by name: a missing column reads as null (then fails its check), extra ones are ignored
        return f"read_parquet({name}, file_row_number = true)", "file_row_number + 1"
    scan = (
        f"read_csv({name}, all_varchar = true, header = true, delim = ',', quote = '\"', "
        "escape = '\"', strict_mode = false, null_padding = true)"
    )
    return scan, "row_number() over ()"


def _types(files: list[Path]) -> dict[str, str]:
    """The column types of the files as DuckDB reads them (first file that has the column)."""
    out: dict[str, str] = {}
    for f in files:
        scan, _ = _scan(f)
        for name, kind, *_ in duckdb.sql(f"describe select * from {scan}").fetchall():
            out.setdefault(name, "VARCHAR" if f.suffix == ".csv" else str(kind).upper())
            if f.suffix == ".csv":
                out[name] = "VARCHAR"
    return out


def _is_int(kind: str | None) -> bool:
    return bool(kind) and kind.replace("U", "", 1) in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")


def _source_sql(part: str, files: list[Path], person_type: str, birth_type: str) -> str:
    """Every record of ``part``: its file, row number (1-based, file order) and columns, in
    their native type when every file has it as integers (``person_id`` BIGINT, ``birth_year``
    INTEGER: no text conversion of 50 million values), else as text. Read by DuckDB, never
    whole in memory."""
    cols = list(model.PARTS[part].to_schema().columns)
    selects = []
    for i, f in enumerate(files):
        scan, row = _scan(f)
        have = {r[0] for r in duckdb.sql(f"describe select * from {scan}").fetchall()}
        kinds = {"person_id": person_type, "birth_year": birth_type}
        parts = [
            f"cast({c if c in have else 'null'} as {kinds.get(c, 'VARCHAR')}) as {c}" for c in cols
        ]
        selects.append(
            f"select {i} as file_index, {row} as row_number, {', '.join(parts)} from {scan}"
        )
    return " union all ".join(selects)


def _checks_sql(part: str, year: int, schemes: list[str] | None) -> list[tuple[str, str, str, str]]:
    """``(column, check_name, ok_sql, reason)`` of the row-level rules 1–3, in order."""
    cols = list(model.PARTS[part].to_schema().columns)
    rules = []
    for c in cols:
        rules.append((c, "not_nullable", f"c_{c} is not null", "is empty but a value is required"))
        if c not in ("birth_year",):
            prefixes = ", ".join(_sql_text(p) for p in FORMULA_PREFIXES if p != "-")
            rules.append(
                (
                    c,
                    "formula",
                    f"not starts_with(ltrim(c_{c}), '-') and "
                    f"not list_contains([{prefixes}], left(ltrim(c_{c}), 1))",
                    "starts like a spreadsheet formula; formulas are never evaluated",
                )
            )
    rules += model.sql_checks(model.PARTS[part])
    rules.append(
        (
            "birth_year",
            "born_by_reference_year",
            f"t_birth_year <= {year}",
            f"is after the reference year {year}",
        )
    )
    if schemes is None:
        rules.append(
            (
                "scheme_id",
                "known_scheme",
                "false",
                "no SSI submission of this country and year is landed, so no scheme is known",
            )
        )
    else:
        listed = ", ".join(_sql_text(s) for s in schemes) or "''"
        rules.append(
            (
                "scheme_id",
                "known_scheme",
                f"c_scheme_id in ({listed})",
                "is not a scheme of the SSI submission of this country and year",
            )
        )
    return rules


def _rules_table(con: duckdb.DuckDBPyConnection, part: str, rules) -> None:
    con.execute(
        f"create table rules_{part} (rule_id utinyint, column_name varchar, check_name varchar, "
        "reason varchar)"
    )
    con.executemany(
        f"insert into rules_{part} values (?, ?, ?, ?)",
        [(i, r[0], r[1], r[3]) for i, r in enumerate(rules, 1)],
    )


class RegistryError(Exception):
    """The registry cannot be read at all (file_error of the receipt)."""


def _part_files(reg: Registry) -> tuple[dict[str, list[Path]], list[tuple[str, str]]]:
    """The part files of a registry folder and the refused entries ``(name, reason)``."""
    files: dict[str, list[Path]] = {p: [] for p in model.PARTS}
    refused = []
    for e in dropzone.walk(reg.path):
        rel = e.path.relative_to(reg.path).as_posix()
        if e.kind == dropzone.FOLDER:
            if e.path.name not in model.PARTS:
                refused.append(
                    (rel, "is a folder that is not a part (beneficiaries, contributors)")
                )
            continue
        if not e.regular:
            refused.append((rel, dropzone.not_regular_reason(e)))
            continue
        m = PART_FILE.match(e.path.name)
        parent = e.path.parent.name if e.path.parent != reg.path else None
        part = m.group(1) if m else None
        if m is None and parent in model.PARTS and e.path.suffix in (".parquet", ".csv"):
            part = parent
        if part is None or (parent is not None and parent != part):
            refused.append(
                (
                    rel,
                    "is not a registry part: expected beneficiaries*.parquet|csv or "
                    "contributors*.parquet|csv (docs/raw_formats.md)",
                )
            )
            continue
        files[part].append(e.path)
    return files, refused


def _schemes_digest(schemes: list[str] | None) -> str:
    """What a registry's scheme ids were checked against (``_known_schemes``), as one digest."""
    if schemes is None:
        return "no SSI submission"
    return hashlib.sha256("\n".join(schemes).encode("utf-8")).hexdigest()


def _as_landed(reg: Registry) -> tuple[str, list[str] | None, str, bool]:
    """(sha256 of its files, the SSI scheme ids it is checked against, their digest, whether
    it is landed already from those bytes against those schemes)."""
    sha = landing.sha256_of(reg.path)
    schemes = _known_schemes(reg.iso3, reg.year)
    digest = _schemes_digest(schemes)
    landed = landing.landed_metadata(SOURCE, reg.key)
    current = landed.get("source_sha256") == sha and landed.get("ssi_schemes") == digest
    return sha, schemes, digest, current


def land_registry(reg: Registry, force: bool = False) -> tuple[pl.DataFrame, bool]:
    """Validate and land a registry (one atomic swap). Returns (receipt, changed). A registry
    whose bytes are landed already is validated again when the SSI schemes of its country-year
    changed since (a revision adding a scheme: its records are no longer unknown)."""
    sha, schemes, digest, current = _as_landed(reg)
    if not force and current:
        return pl.read_parquet(landing.receipt_path(SOURCE, reg.key)), False
    prov = landing.Provenance(reg.key, f"registry/{reg.key}", sha, landing.now_utc())
    files, refused = _part_files(reg)
    tmp = Path(tempfile.mkdtemp(prefix="registry-", dir=paths.warehouse_dir()))
    con = duckdb.connect(str(tmp / "validate.duckdb"))
    try:
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"set temp_directory = {_sql_text(str(tmp / 'spill'))}")
        if all(f.suffix == ".parquet" for fs in files.values() for f in fs):
            # Parquet rows are numbered by the reader (file_row_number); CSV rows by their order
            # in the scan, which must then be kept
            con.execute("set preserve_insertion_order = false")
        receipts, writes, file_error = [], [], None
        #: rows each accepted file must hold (checked by the writer before the swap)
        written: dict[str, int] = {}
        try:
            _validate(con, reg, files, schemes)
        except duckdb.Error as exc:
            file_error = (
                "the registry could not be read (" + str(exc).splitlines()[0][:300] + "); "
                "send Parquet, or UTF-8 CSV with a header row"
            )
        prov_sql = (
            f"{_sql_text(prov.submission_id)} as submission_id, "
            f"{_sql_text(prov.source_file)} as source_file, "
            f"{_sql_text(prov.source_sha256)} as source_sha256, "
            f"timestamptz {_sql_text(prov.loaded_at.isoformat())} as loaded_at"
        )
        for part, table in TABLES.items():
            if file_error:
                received = loaded = rejected = 0
            else:
                ((received,),) = con.execute(f"select count(*) from src_{part}").fetchall()
                ((rejected,),) = con.execute(f"select count(*) from rejected_{part}").fetchall()
                loaded = received - rejected
                written[table] = loaded
                writes.append(
                    (
                        paths.landing_dir() / table / f"{reg.key}.parquet",
                        _copy(con, _accepted_sql(part, reg, prov_sql), written, table),
                    )
                )
            writes.append(
                (
                    paths.quarantine_dir() / table / f"{reg.key}.parquet",
                    _copy(con, _quarantine_sql(part, table, prov_sql, bool(file_error))),
                )
            )
            receipts.append(
                {
                    "table_name": table,
                    "rows_received": received,
                    "rows_loaded": loaded,
                    "rows_quarantined": rejected,
                    "file_error": file_error,
                    "quarantine_records": rejected,
                }
            )
        # entries that are not a part: one record each, no row rejected
        notes = [
            {
                "table_name": FILE_TABLE,
                "row_number": None,
                "check_name": "registry_entry",
                "column_name": None,
                "value": name,
                "reason": f"{name} {reason}",
                "row_json": None,
            }
            for name, reason in refused
        ]
        if file_error:
            notes.append(
                {
                    "table_name": FILE_TABLE,
                    "row_number": None,
                    "check_name": "readable",
                    "column_name": None,
                    "value": None,
                    "reason": file_error,
                    "row_json": None,
                }
            )
        entry_q = pl.DataFrame(notes, schema=QUARANTINE_SCHEMA).with_columns(prov.columns())
        entry_q = entry_q.select(list(landing.quarantine_schema()))
        writes.append(
            (
                paths.quarantine_dir() / FILE_TABLE / f"{reg.key}.parquet",
                landing._parquet_writer(entry_q),
            )
        )
        receipts.append(
            {
                "table_name": FILE_TABLE,
                "rows_received": 0,
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "file_error": None,
                "quarantine_records": len(notes),
            }
        )
        receipt = pl.DataFrame(receipts, schema=landing.RECEIPT_SCHEMA).with_columns(prov.columns())
        table_ = receipt.to_arrow().replace_schema_metadata(
            {
                "source_sha256": prov.source_sha256,
                "rules_version": landing.RULES_VERSION,
                "ssi_schemes": digest,
            }
        )
        writes.append((landing.receipt_path(SOURCE, reg.key), lambda t: pq.write_table(table_, t)))
        removes = (
            []
            if not file_error
            else [paths.landing_dir() / t / f"{reg.key}.parquet" for t in TABLES.values()]
        )
        landing.swap(writes, removes)
    finally:
        con.close()
        for p in sorted(tmp.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        tmp.rmdir()
    if not file_error:
        for part, table in TABLES.items():
            check_landed(paths.landing_dir() / table / f"{reg.key}.parquet", part)
    return receipt, True


def _validate(
    con: duckdb.DuckDBPyConnection,
    reg: Registry,
    files: dict[str, list[Path]],
    schemes: list[str] | None,
) -> None:
    """Views ``src_<part>`` (every record received) and tables ``rejected_<part>`` (the
    rejected records with the number of the first rule they break, ``rules_<part>``).

    A registry is large and its problems are rare, so the work is arranged to touch each
    record as few times as possible: the code and range rules depend only on the values of the
    low-cardinality columns, so they are checked once per distinct combination (a few
    thousand), not once per record; the two checks across records are one aggregation each
    (persons, then record keys as a 64-bit hash, the rare candidates verified exactly); and only
    rejected records are ever stored."""
    types = {part: _types(fs) for part, fs in files.items()}
    every = [t for part in files for t in [types[part]] if files[part]]
    person_type = (
        "BIGINT" if every and all(_is_int(t.get("person_id")) for t in every) else "VARCHAR"
    )
    birth_type = (
        "INTEGER" if every and all(_is_int(t.get("birth_year")) for t in every) else "VARCHAR"
    )
    for part, part_files in files.items():
        cols = list(model.PARTS[part].to_schema().columns)
        combo = [c for c in cols if c != "person_id"]
        if not part_files:
            empty = ", ".join(
                f"cast(null as {person_type if c == 'person_id' else 'VARCHAR'}) as {c}"
                if c != "birth_year"
                else f"cast(null as {birth_type}) as {c}"
                for c in cols
            )
            source = f"select 0 as file_index, 0::bigint as row_number, {empty} where false"
        else:
            source = _source_sql(part, part_files, person_type, birth_type)
        con.execute(f"create view src_{part} as {source}")
        rules = _checks_sql(part, reg.year, schemes)
        _rules_table(con, part, rules)
        ids = {id(r): i for i, r in enumerate(rules, 1)}
        person_rules = [r for r in rules if r[0] == "person_id"]
        combo_rules = [r for r in rules if r[0] != "person_id"]
        text = {c: f"cast({c} as varchar)" for c in cols}
        # rules on person_id, per record; an integer id can only break "not empty"
        if person_type == "BIGINT":
            person_case = f"case when person_id is null then {ids[id(person_rules[0])]} end"
        else:
            arms = " ".join(
                f"when not coalesce({r[2]}, false) then {ids[id(r)]}" for r in person_rules
            )
            person_case = f"case {arms} end".replace("c_person_id", "person_id")
        # rules on the other columns, once per distinct combination of their values
        arms = " ".join(f"when not coalesce({r[2]}, false) then {ids[id(r)]}" for r in combo_rules)
        con.execute(
            f"""
            create table bad_combos_{part} as
            select * from (
                select {", ".join(combo)}, case {arms} end::utinyint as rule_id
                from (
                    select {", ".join(combo)},
                        {", ".join(f"{text[c]} as c_{c}" for c in combo)},
                        try_cast({text["birth_year"]} as integer) as t_birth_year
                    from (select distinct {", ".join(combo)} from src_{part})
                )
            )
            where rule_id is not null
            """
        )
        (n_bad,) = con.execute(f"select count(*) from bad_combos_{part}").fetchall()[0]
        join = ""
        combo_rule = "null"
        if n_bad:
            join = f"left join bad_combos_{part} as b on " + " and ".join(
                f"s.{c} is not distinct from b.{c}" for c in combo
            )
            combo_rule = "b.rule_id"
        con.execute(
            f"""
            create table rejected_{part} as
            select s.*, coalesce({person_case.replace("person_id", "s.person_id")}, {combo_rule})
                ::utinyint as rule_id
            from src_{part} as s {join}
            where coalesce({person_case.replace("person_id", "s.person_id")}, {combo_rule})
                is not null
            """
        )
        con.execute(
            f"""
            create view valid_{part} as
            select * from src_{part} as s
            where not exists (
                select 1 from rejected_{part} as r
                where r.file_index = s.file_index and r.row_number = s.row_number
            )
            """
        )
    # rule 4: persons whose sex or birth year differs between records of either part
    by = "try_cast(birth_year as integer)" if birth_type == "VARCHAR" else "birth_year"
    con.execute(
        f"""
        create table conflicting as
        select person_id
        from (
            select person_id, sex, {by} as birth_year from valid_beneficiaries
            union all
            select person_id, sex, {by} as birth_year from valid_contributors
        )
        group by person_id
        having min(sex) <> max(sex) or min(birth_year) <> max(birth_year)
        """
    )
    for part in files:
        (n,) = con.execute(f"select max(rule_id) from rules_{part}").fetchall()[0]
        keys = model.KEYS[part]
        con.execute(
            f"""
            insert into rules_{part} values
                ({n + 1}, 'person_id', 'consistent_person',
                 'the sex or birth year of this person differs between records'),
                ({n + 2}, 'person_id', 'duplicate_record',
                 'duplicates an earlier record (same {", ".join(keys)})')
            """
        )
        con.execute(
            f"""
            insert into rejected_{part}
            select s.*, {n + 1} from valid_{part} as s
            where s.person_id in (select person_id from conflicting)
            """
        )
        # rule 5: a duplicate of an earlier record (same key; the first in file order stays).
        # Candidates by a 64-bit hash of the key (one narrow aggregation over every record),
        # then the few candidate records compared exactly.
        h = f"hash({', '.join(keys)})"
        con.execute(
            f"""
            insert into rejected_{part}
            with candidates as (
                select {h} as h from valid_{part} group by h having count(*) > 1
            ),
            rows as (
                select * from valid_{part}
                where {h} in (select h from candidates)
                  and person_id not in (select person_id from conflicting)
            )
            select * exclude (rn), {n + 2} from (
                select *, row_number() over (
                    partition by {", ".join(keys)} order by file_index, row_number
                ) as rn
                from rows
            )
            where rn > 1
            """
        )


def _accepted_sql(part: str, reg: Registry, prov_sql: str) -> str:
    cols = [c for c in model.PARTS[part].to_schema().columns if c != "birth_year"]
    return f"""
        select {", ".join(f"cast({c} as varchar) as {c}" for c in cols)},
            try_cast(birth_year as integer) as birth_year,
            {_sql_text(reg.iso3)} as iso3,
            cast({reg.year} as integer) as reference_year,
            {prov_sql}
        from src_{part} as s
        where not exists (
            select 1 from rejected_{part} as r
            where r.file_index = s.file_index and r.row_number = s.row_number
        )
    """


def _quarantine_sql(part: str, table: str, prov_sql: str, nothing: bool) -> str:
    cols = list(model.PARTS[part].to_schema().columns)
    text = {c: f"cast(q.{c} as varchar)" for c in cols}
    row = "json_object(" + ", ".join(f"'{c}', {text[c]}" for c in cols) + ")::varchar"
    value = "case r.column_name " + " ".join(f"when '{c}' then {text[c]}" for c in cols) + " end"
    source = f"rejected_{part} as q join rules_{part} as r using (rule_id)"
    where = "where false" if nothing else ""
    if nothing:  # the registry could not be read: an empty quarantine with the columns
        empty = ", ".join(f"null::varchar as {c}" for c in cols)
        source = (
            f"(select 0 as rule_id, 0 as file_index, 0::bigint as row_number, {empty}) as q "
            "cross join (select null::varchar as column_name, null::varchar as check_name, "
            "null::varchar as reason) as r"
        )
    return f"""
        select {prov_sql},
            {_sql_text(table)} as table_name,
            cast(q.row_number as bigint) as row_number,
            r.check_name,
            r.column_name,
            {value} as "value",
            r.reason,
            {row} as row_json
        from {source}
        {where}
        order by q.file_index, q.row_number
    """


def _copy(con: duckdb.DuckDBPyConnection, sql: str, expect: dict | None = None, key: str = ""):
    """A landing writer (``landing.swap``): DuckDB writes the query's result as Parquet. With
    ``expect``, the rows written must be ``expect[key]`` (loaded + quarantined = received),
    else the swap is abandoned before anything is renamed into place."""

    def write(target: Path) -> None:
        ((n,),) = con.execute(
            f"copy ({sql}) to {_sql_text(str(target))} "
            "(format parquet, compression zstd, row_group_size 1000000)"
        ).fetchall()
        if expect is not None and n != expect[key]:
            raise RuntimeError(f"{key}: {n} rows written, {expect[key]} expected")

    return write


def check_landed(path: Path, part: str) -> None:
    """The landed file against the pandera model, lazily: pandera checks the columns and their
    types of a ``LazyFrame`` without collecting a row (the rows were checked in SQL)."""
    lf = pl.scan_parquet(path).select(list(model.PARTS[part].to_schema().columns))
    lf = lf.with_columns(pl.col("birth_year").cast(pl.Int64))
    model.PARTS[part].validate(lf)


def _schema_files() -> list[tuple[str, dict[str, pl.DataType], bool]]:
    """(table, schema, in the quarantine) of every zero-row schema file the registry landing
    keeps (``landing.ensure_schema_file``)."""
    out = []
    for part, table in TABLES.items():
        out.append((table, landed_schema(part), False))
        out.append((table, landing.quarantine_schema(), True))
    out.append((FILE_TABLE, landing.quarantine_schema(), True))
    return out


def ensure_schema_files() -> None:
    for table, schema, quarantine in _schema_files():
        landing.ensure_schema_file(table, schema, quarantine=quarantine)


def _landed_receipts() -> list[Path]:
    """The receipt of every registry landed (one per registry key), sorted."""
    folder = paths.landing_dir() / "_receipts" / SOURCE
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def nothing_to_land() -> bool:
    """Would ``land_all`` now land, validate again or withdraw nothing? Every registry of
    raw/registry/ is landed from the same bytes against the same SSI scheme ids of its
    country-year (``land_registry``'s own test), no landed registry has left raw/registry/, and
    the landing's schema files are in place. A build in which only SSI submissions changed then
    leaves the models built from the registry landing alone as published
    (``runner.ssi_dependents``)."""
    present = discover()
    if not all(_as_landed(reg)[3] for reg in present):
        return False
    if {p.stem for p in _landed_receipts()} - {reg.key for reg in present}:
        return False
    return all(landing.schema_file(t, q).exists() for t, _, q in _schema_files())


def land_all() -> list[tuple[str, pl.DataFrame, bool]]:
    """Land every registry of raw/registry/ and withdraw those no longer there."""
    ensure_schema_files()
    out = []
    present = discover()
    for reg in present:
        receipt, changed = land_registry(reg)
        out.append((reg.key, receipt, changed))
    keys = {r.key for r in present}
    for old in _landed_receipts():
        if old.stem not in keys:  # withdrawn: its rows leave the warehouse with it
            removes = [
                base / t / f"{old.stem}.parquet"
                for t in [*TABLES.values(), FILE_TABLE]
                for base in (paths.landing_dir(), paths.quarantine_dir())
            ]
            landing.swap([], [*removes, old])
    return out
