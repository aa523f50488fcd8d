"""Ingest assets: raw files (external) → validated landing Parquet + quarantine.

- ``raw/*``: the drop-zone folders, declared as external assets so lineage starts at the file.
- ``landing/ssi_<section>``: SSI submissions, one dynamic partition per submission.
- ``landing/national_<table>``, ``landing/reference_countries``: single-table files.
Each landing asset has a blocking check that loaded + quarantined = received for every file.
"""

import dagster as dg
import polars as pl

from pipelines import landing
from pipelines.ingest import submissions
from pipelines.ingest.table_files import land_table_file, landing_table
from pipelines.validation import model_dtypes
from schemas import national, reference, ssi

OWNER = "team:data-engineering"
RAW_SSI = dg.AssetKey(["raw", "ssi_submissions"])
RAW_NATIONAL = dg.AssetKey(["raw", "national_statistics"])
RAW_REFERENCE = dg.AssetKey(["raw", "reference_code_lists"])

ssi_submission_partitions = dg.DynamicPartitionsDefinition(name="ssi_submission")

raw_assets = [
    dg.AssetSpec(
        RAW_SSI,
        description="SSI questionnaires as received from country focal points (raw/ssi/): one "
        ".xlsx workbook or folder of section CSVs per country and reference year. Never modified.",
        group_name="raw",
        kinds={"xlsx", "csv"},
        owners=[OWNER],
    ),
    dg.AssetSpec(
        RAW_NATIONAL,
        description="National statistics (raw/national/): population by sex and age, labour force, "
        "births, disability prevalence, poverty, pensionable age, GDP, UHC tracers.",
        group_name="raw",
        kinds={"csv"},
        owners=[OWNER],
    ),
    dg.AssetSpec(
        RAW_REFERENCE,
        description="Reference code lists (raw/reference/): countries with ISO3, M49, ILO and SDG "
        "regions, income group and Flagship focus flag.",
        group_name="raw",
        kinds={"csv"},
        owners=[OWNER],
    ),
]


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", table])


def _reconcile_check(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        "rows_reconcile",
        asset=_key(table),
        description="Per file: rows loaded + rows quarantined = rows received.",
        blocking=True,
    )


def _check_results(receipts: pl.DataFrame, tables: list[str]) -> list[dg.AssetCheckResult]:
    out = []
    for table in tables:
        r = receipts.filter(pl.col("table_name") == table)
        bad = r.filter(
            pl.col("rows_loaded") + pl.col("rows_quarantined") != pl.col("rows_received")
        )
        out.append(
            dg.AssetCheckResult(
                asset_key=_key(table),
                check_name="rows_reconcile",
                passed=bad.is_empty(),
                metadata={
                    "files": r.height,
                    "rows_received": int(r["rows_received"].sum()),
                    "rows_loaded": int(r["rows_loaded"].sum()),
                    "rows_quarantined": int(r["rows_quarantined"].sum()),
                    "mismatched_files": ", ".join(bad["submission_id"].to_list()) or "none",
                },
            )
        )
    return out


def _materializations(receipts: pl.DataFrame, tables: list[str], changed: int):
    for table in tables:
        r = receipts.filter(pl.col("table_name") == table)
        yield dg.MaterializeResult(
            asset_key=_key(table),
            metadata={
                "files": r.height,
                "files_changed": changed,
                "rows_loaded": int(r["rows_loaded"].sum()),
                "rows_quarantined": int(r["rows_quarantined"].sum()),
                "file_errors": int(r["file_error"].is_not_null().sum()),
            },
        )


SSI_TABLES = submissions.LANDING_TABLES


def _ssi_schemas() -> None:
    for section, model in ssi.SECTIONS.items():
        cols = model_dtypes(model)
        if section != "submission":
            cols = {**cols, "iso3": pl.String(), "reference_year": pl.Int32()}
        landing.ensure_schema_file(
            submissions.table_name(section), {**cols, **landing.PROVENANCE_SCHEMA}
        )
    for table in SSI_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE]:
        landing.ensure_schema_file(table, landing.quarantine_schema(), quarantine=True)


@dg.multi_asset(
    name="ssi_submissions_landing",
    specs=[
        dg.AssetSpec(
            _key(t),
            deps=[RAW_SSI],
            description=f"SSI section `{t.removeprefix('ssi_')}` as validated rows with provenance "
            "(submission_id, source_file, source_sha256, loaded_at); rejected rows are in "
            f"`warehouse/landing/_quarantine/{t}/`.",
            group_name="ingest",
            kinds={"polars", "parquet", "pandera"},
            owners=[OWNER],
            partitions_def=ssi_submission_partitions,
        )
        for t in SSI_TABLES
    ],
    check_specs=[_reconcile_check(t) for t in SSI_TABLES],
    partitions_def=ssi_submission_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="landing",
)
def ssi_submissions_landing(context: dg.AssetExecutionContext):
    """Read, validate (pandera) and land SSI submissions; one partition per submission."""
    _ssi_schemas()
    receipts, changed = [], 0
    keys = context.partition_keys
    for key in keys:
        sub = submissions.find(key)
        receipt, did_change = submissions.land_submission(sub)
        changed += did_change
        receipts.append(receipt)
        errors = receipt.filter(pl.col("file_error").is_not_null())
        if not errors.is_empty():
            context.log.warning(f"{sub.path.name}: {errors['file_error'][0]}")
    receipts_df = pl.concat(receipts, how="vertical_relaxed")
    context.log.info(f"{len(keys)} submission(s), {changed} new or changed")
    yield from _materializations(receipts_df, SSI_TABLES, changed)
    yield from _check_results(receipts_df, SSI_TABLES)


def _table_asset(source: str, tables: dict, raw_key: dg.AssetKey, name: str, doc: str):
    names = [landing_table(source, t) for t in tables]

    @dg.multi_asset(
        name=name,
        specs=[
            dg.AssetSpec(
                _key(n),
                deps=[raw_key],
                description=f"`raw/{source}/{t}.csv` validated against "
                f"`schemas.{source}.{model.__name__}` ({(model.__doc__ or '').strip()}), "
                "with provenance; rejected rows in the quarantine.",
                group_name="ingest",
                kinds={"polars", "parquet", "pandera"},
                owners=[OWNER],
            )
            for n, (t, model) in zip(names, tables.items(), strict=True)
        ],
        check_specs=[_reconcile_check(n) for n in names],
        pool="landing",
    )
    def _asset(context: dg.AssetExecutionContext):
        receipts, changed = [], 0
        for table, model in tables.items():
            n = landing_table(source, table)
            landing.ensure_schema_file(n, {**model_dtypes(model), **landing.PROVENANCE_SCHEMA})
            landing.ensure_schema_file(n, landing.quarantine_schema(), quarantine=True)
            receipt, did_change = land_table_file(source, table, model)
            changed += did_change
            receipts.append(receipt)
            errors = receipt.filter(pl.col("file_error").is_not_null())
            if not errors.is_empty():
                context.log.warning(f"{source}/{table}.csv: {errors['file_error'][0]}")
        receipts_df = pl.concat(receipts, how="vertical_relaxed")
        yield from _materializations(receipts_df, names, changed)
        yield from _check_results(receipts_df, names)

    _asset.__doc__ = doc
    return _asset


national_landing = _table_asset(
    "national",
    national.TABLES,
    RAW_NATIONAL,
    "national_statistics_landing",
    "Validate and land the national statistics tables.",
)
reference_landing = _table_asset(
    "reference",
    reference.TABLES,
    RAW_REFERENCE,
    "reference_landing",
    "Validate and land the reference code lists.",
)

ingest_assets = [ssi_submissions_landing, national_landing, reference_landing]
