"""Ingest assets: raw files (external) → validated landing Parquet + quarantine.

- ``raw/*``: the drop-zone folders, declared as external assets so lineage starts at the file.
- ``landing/ssi_submissions``: SSI submissions (all sections), one dynamic partition each.
- ``landing/national_<table>``, ``landing/reference_countries``: single-table files.
- ``landing/published_<layout>``: indicators already published by ILO/UN (``raw/published/``).
- ``landing/flagship_<table>``: Flagship Programme records (``raw/flagship/``), group ``flagship``.
Each landing asset has a blocking check that loaded + quarantined = received for every file
(``rows_reconcile``) and a non-blocking WARN check ``no_quarantined_rows`` that fails, with the
first reasons as metadata, when a file had rows rejected or could not be read. Every file gets a
validation report under ``warehouse/reports/validation/`` (path in the metadata).
"""

import warnings
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines import landing, paths, reports
from pipelines.ingest import ssi_batches, submissions, table_files
from pipelines.ingest.table_files import land_table_file, landing_table
from pipelines.validation import landing_dtypes, model_dtypes
from schemas import flagship, national, published, reference, ssi

#: quarantine reasons shown in a check's metadata
FIRST_FAILURES = 10

OWNER = "team:data-engineering"
RAW_SSI = dg.AssetKey(["raw", "ssi_submissions"])
RAW_NATIONAL = dg.AssetKey(["raw", "national_statistics"])
RAW_REFERENCE = dg.AssetKey(["raw", "reference_code_lists"])
RAW_PUBLISHED = dg.AssetKey(["raw", "published_indicators"])
RAW_FLAGSHIP = dg.AssetKey(["raw", "flagship_records"])

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
    # the real reference tables of the regional aggregates (methodology §7), read by dbt as
    # they are (source `reference`, raw/README.md "Real reference tables")
    *[
        dg.AssetSpec(
            dg.AssetKey(["reference", name]),
            description=f"Real reference table raw/reference/{name}.csv of the regional and "
            f"global aggregates: {what}",
            group_name="raw",
            kinds={"csv"},
            owners=[OWNER],
        )
        for name, what in (
            ("region_memberships", "every UN M49 country and territory with its groups."),
            ("aggregate_populations", "populations standing for the series denominators."),
            ("gdp_per_capita", "GDP per capita, the covariate of the imputation model."),
        )
    ],
    dg.AssetSpec(
        RAW_PUBLISHED,
        description="Indicator values already published by ILO/UN (raw/published/), as released "
        "by the UN SDG Global Database (SDG 1.3.1 by sex, SDG 3.8.1 UHC index); used to "
        "reconcile the warehouse with what is published. Never modified.",
        group_name="raw",
        kinds={"csv"},
        owners=[OWNER],
    ),
    dg.AssetSpec(
        RAW_FLAGSHIP,
        description="Flagship Programme results records (raw/flagship/, methodology §9): "
        "interventions, institutional changes (steps 1-3) and impact on people in the 50 focus "
        "countries, as kept by the Results Monitoring Tool. Never modified.",
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


def _quarantine_check(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        "no_quarantined_rows",
        asset=_key(table),
        description="Every row of every file was loaded: no row quarantined, no file unreadable, "
        "no sheet missing. Fails with a warning (the accepted rows are still loaded); the first "
        "reasons are in the metadata and every problem is in the validation report.",
        blocking=False,
    )


def _checks(table: str) -> list[dg.AssetCheckSpec]:
    return [_reconcile_check(table), _quarantine_check(table)]


def _md_cell(value) -> str:
    return reports.cell(value, 120)


def _failures_md(q: pl.DataFrame) -> str:
    lines = ["| file | table | row | column | value | reason |", "|---|---|---|---|---|---|"]
    for r in q.head(FIRST_FAILURES).iter_rows(named=True):
        lines.append(
            "| "
            + " | ".join(
                _md_cell(r.get(c))
                for c in (
                    "source_file",
                    "table_name",
                    "row_number",
                    "column_name",
                    "value",
                    "reason",
                )
            )
            + " |"
        )
    return "\n".join(lines)


def _load_quarantine(receipts: pl.DataFrame, tables_of_key: dict[str, list[str]]) -> pl.DataFrame:
    """Quarantine records of the keys whose receipt reports any (``tables_of_key``: key ->
    quarantine tables to read)."""
    if "quarantine_records" not in receipts.columns:
        receipts = receipts.with_columns(pl.lit(None, pl.Int64).alias("quarantine_records"))
    with_problems = receipts.filter(
        pl.col("quarantine_records").is_null()
        | (pl.col("quarantine_records") > 0)
        | pl.col("file_error").is_not_null()
    )
    frames = [
        reports.read_quarantine(key, tables_of_key[key])
        for key in with_problems["_key"].unique(maintain_order=True).to_list()
    ]
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=landing.quarantine_schema())
    return pl.concat(frames, how="vertical_relaxed")


def _check_results(
    receipts: pl.DataFrame,
    tables: list[str],
    quarantine: pl.DataFrame | None = None,
    report_paths: dict[str, Path] | None = None,
    attach: dict[str, list[str]] | None = None,
) -> list[dg.AssetCheckResult]:
    """``rows_reconcile`` and ``no_quarantined_rows`` results per table.

    ``receipts`` carries ``_key`` (the file/submission key); ``attach`` adds the quarantine
    records of other tables (file-level problems) to a table's ``no_quarantined_rows`` check.
    """
    quarantine = (
        quarantine if quarantine is not None else pl.DataFrame(schema=landing.quarantine_schema())
    )
    report_paths = report_paths or {}
    attach = attach or {}
    out = []
    # plain rows, not frame operations: this runs once per submission landed (a cold run: 722
    # times), where each polars query on a one-row frame (about 1 ms while the other core is
    # busy) cost more than the sums themselves; `rows()` reads the frame without a query
    columns = ("table_name", "submission_id", "rows_received", "rows_loaded", "rows_quarantined")
    at = [receipts.columns.index(c) for c in columns]
    all_rows = [tuple(row[i] for i in at) for row in receipts.rows()]
    for table in tables:
        r = [row for row in all_rows if row[0] == table]
        # a count left empty (null) is no mismatch, as in a frame's comparison
        bad = [row[1] for row in r if None not in row[2:] and row[3] + row[4] != row[2]]
        per_file = {
            sid: f"{received} received, {loaded} loaded, {quarantined} quarantined"
            for _, sid, received, loaded, quarantined in r[:1000]
        }
        received, loaded, rejected = (sum(row[i] or 0 for row in r) for i in (2, 3, 4))
        out.append(
            dg.AssetCheckResult(
                asset_key=_key(table),
                check_name="rows_reconcile",
                passed=not bad,
                metadata={
                    "files": len(r),
                    "rows_received": received,
                    "rows_loaded": loaded,
                    "rows_quarantined": rejected,
                    "mismatched_files": ", ".join(bad) or "none",
                    "per_file": dg.MetadataValue.json(per_file),
                },
            )
        )
        q = quarantine
        if q.height:
            q = q.filter(pl.col("table_name").is_in([table, *attach.get(table, [])]))
        keys = q["submission_id"].unique(maintain_order=True).to_list() if q.height else []
        metadata = {
            "rows_quarantined": rejected,
            "quarantine_records": q.height,
            "files_with_problems": ", ".join(keys[:50]) or "none",
        }
        if q.height:
            metadata["first_failures"] = dg.MetadataValue.md(_failures_md(q))
            metadata["first_reasons"] = dg.MetadataValue.json(
                q["reason"].head(FIRST_FAILURES).to_list()
            )
        shown = [k for k in keys if k in report_paths][:20]
        if len(report_paths) == 1:
            (only,) = report_paths.values()
            metadata["validation_report"] = dg.MetadataValue.path(str(only))
        elif shown:
            metadata["validation_reports"] = dg.MetadataValue.json(
                {k: str(report_paths[k]) for k in shown}
            )
        out.append(
            dg.AssetCheckResult(
                asset_key=_key(table),
                check_name="no_quarantined_rows",
                passed=q.is_empty(),
                severity=dg.AssetCheckSeverity.WARN,
                description=None if q.is_empty() else str(q["reason"][0])[:500],
                metadata=metadata,
            )
        )
    return out


def _receipts_frame(receipts: list[pl.DataFrame]) -> pl.DataFrame:
    """The receipts of a landing run, each tagged with its ``_key``, as one frame (empty, with
    the receipt columns, when nothing was landed)."""
    if receipts:
        return pl.concat(receipts, how="vertical_relaxed")
    return pl.DataFrame(
        schema={**landing.RECEIPT_SCHEMA, **landing.PROVENANCE_SCHEMA, "_key": pl.String()}
    )


def _materializations(
    receipts: pl.DataFrame,
    tables: list[str],
    changed: int,
    report_paths: dict[str, Path] | None = None,
):
    report_paths = report_paths or {}
    for table in tables:
        r = receipts.filter(pl.col("table_name") == table)
        metadata = {
            "files": r.height,
            "files_changed": changed,
            "rows_loaded": int(r["rows_loaded"].sum()),
            "rows_quarantined": int(r["rows_quarantined"].sum()),
            "file_errors": int(r["file_error"].is_not_null().sum()),
            "dagster/row_count": int(r["rows_loaded"].sum()),
        }
        if len(report_paths) == 1:
            (only,) = report_paths.values()
            metadata["validation_report"] = dg.MetadataValue.path(str(only))
        elif report_paths:
            metadata["validation_reports_dir"] = dg.MetadataValue.path(str(reports.report_dir()))
        yield dg.MaterializeResult(asset_key=_key(table), metadata=metadata)


SSI_TABLES = submissions.LANDING_TABLES
SSI_QUARANTINE_TABLES = SSI_TABLES + [submissions.FILE_TABLE, submissions.EXTRA_TABLE]


def _ssi_schemas() -> None:
    for section, model in ssi.SECTIONS.items():
        cols = model_dtypes(model)
        if section != "submission":
            cols = {**cols, "iso3": pl.String(), "reference_year": pl.Int32()}
        landing.ensure_schema_file(
            submissions.table_name(section), {**cols, **landing.PROVENANCE_SCHEMA}
        )
    for table in SSI_QUARANTINE_TABLES:
        landing.ensure_schema_file(table, landing.quarantine_schema(), quarantine=True)


SSI_ASSET = _key("ssi_submissions")


#: the landed section tables, read by dbt; produced by (and materialized with) the SSI asset
ssi_section_specs = [
    dg.AssetSpec(
        _key(submissions.table_name(section)),
        deps=[SSI_ASSET],
        description=f"Landed SSI section `{section}` "
        f"(`warehouse/landing/{submissions.table_name(section)}/*.parquet`): validated rows of "
        f"every submission, written by `landing/ssi_submissions`. {(model.__doc__ or '').strip()}",
        group_name="ingest",
        kinds={"parquet"},
        owners=[OWNER],
    )
    for section, model in ssi.SECTIONS.items()
]


#: bookkeeping written by every landing asset, read by dbt (fct_quarantine, dim_submission)
bookkeeping_specs = [
    dg.AssetSpec(
        _key("quarantine"),
        deps=[
            SSI_ASSET,
            *[_key(landing_table("national", t)) for t in national.TABLES],
            *[_key(landing_table("flagship", t)) for t in flagship.TABLES],
            _key("reference_countries"),
        ],
        description="Quarantine of every source (`warehouse/landing/_quarantine/<table>/`): "
        "rejected rows and unreadable files with check, column, value and reason.",
        group_name="ingest",
        kinds={"parquet"},
        owners=[OWNER],
    ),
    dg.AssetSpec(
        _key("receipts"),
        deps=[
            SSI_ASSET,
            *[_key(landing_table("national", t)) for t in national.TABLES],
            *[_key(landing_table("flagship", t)) for t in flagship.TABLES],
            _key("reference_countries"),
        ],
        description="Receipts of every landed file (`warehouse/landing/_receipts/<source>/`): "
        "rows received, loaded and quarantined per table, and file errors.",
        group_name="ingest",
        kinds={"parquet"},
        owners=[OWNER],
    ),
]


# Two Dagster features this asset needs on purpose, announced as beta/preview when the
# definition is made: one run per batch of partitions (backfill_policy) and one check
# evaluation per partition (partitions_def on the checks). Silenced here, for these two
# messages only; any other warning still shows.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Parameter `backfill_policy`", dg.BetaWarning)
    warnings.filterwarnings("ignore", "Specifying a partitions_def", dg.PreviewWarning)

    @dg.asset(
        key=SSI_ASSET,
        deps=[RAW_SSI],
        description="SSI submissions landed: every section (`submission`, `schemes`, "
        "`legal_coverage`, `contributors`, `beneficiaries`, `benefit_amounts`, `expenditure`, "
        "`receipts`) as validated rows in "
        "`warehouse/landing/ssi_<section>/<submission_id>.parquet`, "
        "with provenance (submission_id, source_file, source_sha256, loaded_at); rejected rows in "
        "`warehouse/landing/_quarantine/`, and every problem of a submission listed in "
        "`warehouse/reports/validation/<submission_id>.md`. One partition per submission.",
        group_name="ingest",
        kinds={"polars", "parquet", "pandera"},
        owners=[OWNER],
        partitions_def=ssi_submission_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        check_specs=[
            dg.AssetCheckSpec(
                "rows_reconcile",
                asset=SSI_ASSET,
                description="Per submission and section: rows loaded + quarantined = received. "
                "Blocking per submission: a submission whose rows do not add up is refused before "
                "any of its rows is landed, so it never reaches the warehouse, and the check fails "
                "for its partition only; the other submissions of the run go on.",
                partitions_def=ssi_submission_partitions,
            ),
            dg.AssetCheckSpec(
                "no_quarantined_rows",
                asset=SSI_ASSET,
                description="WARN when a submission had rows rejected or could not be read; the "
                "first failures and the validation report are in the metadata. One result per "
                "submission (partition).",
                partitions_def=ssi_submission_partitions,
            ),
        ],
        pool="landing",
    )
    def ssi_submissions_landing(context: dg.AssetExecutionContext):
        """Read, validate (pandera) and land SSI submissions; one partition per submission."""
        _ssi_schemas()
        keys = context.partition_keys
        receipts, changed, report_paths, gone = [], 0, {}, set()
        for key, receipt, did_change, is_gone in ssi_batches.land_many(keys):
            changed += did_change
            if is_gone:
                gone.add(key)
                context.log.warning(
                    f"{key}: no longer in raw/ssi; "
                    + ("its landed rows were withdrawn" if did_change else "nothing was landed")
                )
                continue
            receipts.append(receipt.with_columns(pl.lit(key).alias("_key")))
            report_paths[key] = reports.report_path(key)
            errors = receipt.filter(pl.col("file_error").is_not_null())
            if not errors.is_empty():
                context.log.warning(f"{key}: {errors['file_error'][0]}")
            elif int(receipt["rows_quarantined"].sum()):
                context.log.warning(
                    f"{key}: {int(receipt['rows_quarantined'].sum())} row(s) quarantined; "
                    f"see {report_paths[key]}"
                )
        receipts_df = _receipts_frame(receipts)
        quarantine = _load_quarantine(receipts_df, dict.fromkeys(keys, SSI_QUARANTINE_TABLES))
        context.log.info(f"{len(keys)} submission(s), {changed} new, changed or withdrawn")
        # one receipt row per submission (all sections added up); quarantine records keep their
        # section in `table_name` so the first failures name the sheet
        combined = receipts_df.group_by("submission_id", "_key", maintain_order=True).agg(
            pl.col("rows_received").sum(),
            pl.col("rows_loaded").sum(),
            pl.col("rows_quarantined").sum(),
            pl.col("file_error").drop_nulls().first(),
            pl.lit("ssi_submissions").alias("table_name"),
        )
        (mat,) = _materializations(combined, ["ssi_submissions"], changed, report_paths)
        yield mat
        yield from _partition_check_results(context, combined, quarantine, report_paths, gone)


def _partition_check_results(
    context: dg.AssetExecutionContext,
    combined: pl.DataFrame,
    quarantine: pl.DataFrame,
    report_paths: dict[str, Path],
    gone: set[str],
):
    """One evaluation of each check per submission (partition) of the run, so that a good
    submission landed in the same run as a broken one shows its own, passed, checks. Dagster
    gives a check result of a run over a partition range no partition, so the evaluations are
    built here with their partition; the checks' outputs are then emitted once."""
    attach = {"ssi_submissions": SSI_QUARANTINE_TABLES}
    # one split of each frame instead of a filter per submission (722 of each on a cold run)
    receipt_of = combined.partition_by("_key", as_dict=True, maintain_order=False)
    quarantine_of = quarantine.partition_by("submission_id", as_dict=True, maintain_order=False)
    no_receipt, no_quarantine = combined.clear(), quarantine.clear()
    for key in context.partition_keys:
        if key in gone:
            results = [
                dg.AssetCheckResult(
                    asset_key=SSI_ASSET,
                    check_name=name,
                    passed=True,
                    description="withdrawn: no longer in raw/ssi",
                    metadata={"withdrawn": True},
                )
                for name in ("rows_reconcile", "no_quarantined_rows")
            ]
        else:
            results = _check_results(
                receipt_of.get((key,), no_receipt),
                ["ssi_submissions"],
                quarantine_of.get((key,), no_quarantine),
                {key: report_paths[key]} if key in report_paths else {},
                attach,
            )
        for r in results:
            yield dg.AssetCheckEvaluation(
                asset_key=SSI_ASSET,
                check_name=r.check_name,
                passed=r.passed,
                metadata=r.metadata,
                severity=r.severity,
                description=r.description,
                # blocking is per submission (see the spec): never the whole run's step
                blocking=False,
                partition=key,
            )
    for name in ("rows_reconcile", "no_quarantined_rows"):
        output = context.assets_def.get_output_name_for_asset_check_key(
            dg.AssetCheckKey(SSI_ASSET, name)
        )
        yield dg.Output(None, output_name=output)


def _table_asset(
    source: str,
    tables: dict,
    raw_key: dg.AssetKey,
    name: str,
    doc: str,
    group: str = "ingest",
    optional: bool = False,
):
    """Landing multi-asset of ``raw/<source>/<table>.csv``. ``optional``: a deployment without
    the folder ``raw/<source>/`` lands empty tables and reports no problem (a missing file in an
    existing folder is still quarantined)."""
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
                group_name=group,
                kinds={"polars", "parquet", "pandera"},
                owners=[OWNER],
            )
            for n, (t, model) in zip(names, tables.items(), strict=True)
        ],
        check_specs=[c for n in names for c in _checks(n)],
        pool="landing",
    )
    def _asset(context: dg.AssetExecutionContext):
        receipts, changed, report_paths = [], 0, {}
        absent = optional and not (paths.raw_dir() / source).is_dir()
        if absent:
            context.log.info(f"raw/{source}/ does not exist: nothing to land")
        for table, model in tables.items():
            n = landing_table(source, table)
            landing.ensure_schema_file(n, {**landing_dtypes(model), **landing.PROVENANCE_SCHEMA})
            landing.ensure_schema_file(n, landing.quarantine_schema(), quarantine=True)
            if absent:
                continue
            receipt, did_change = land_table_file(source, table, model)
            changed += did_change
            receipts.append(receipt.with_columns(pl.lit(table).alias("_key")))
            report_paths[f"{source}/{table}"] = reports.report_path(
                table_files.report_key(source, table)
            )
            errors = receipt.filter(pl.col("file_error").is_not_null())
            if not errors.is_empty():
                context.log.warning(f"{source}/{table}.csv: {errors['file_error'][0]}")
        if source in ("national", "flagship") and not absent:
            landing.ensure_schema_file(
                table_files.file_table(source), landing.quarantine_schema(), quarantine=True
            )
            for key, receipt in table_files.land_other_entries(source, tables):
                context.log.warning(f"{source}/: {receipt['file_error'][0]}")
                report_paths[f"{source}/{key}"] = reports.report_path(
                    table_files.report_key(source, key)
                )
        receipts_df = _receipts_frame(receipts)
        quarantine = _load_quarantine(receipts_df, {t: [landing_table(source, t)] for t in tables})
        yield from _materializations(receipts_df, names, changed, report_paths)
        yield from _check_results(receipts_df, names, quarantine, report_paths)

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

flagship_landing = _table_asset(
    "flagship",
    flagship.TABLES,
    RAW_FLAGSHIP,
    "flagship_records_landing",
    "Validate and land the Flagship Programme records (interventions, institutional changes, "
    "impact on people).",
    group="flagship",
    optional=True,
)

PUBLISHED_TABLES = table_files.PUBLISHED_TABLES


@dg.multi_asset(
    name="published_indicators_landing",
    specs=[
        dg.AssetSpec(
            _key(f"{table_files.PUBLISHED}_{layout}"),
            deps=[RAW_PUBLISHED],
            description=f"Published indicator files in the `{layout}` layout "
            f"(`schemas.published.{model.__name__}`: {(model.__doc__ or '').strip()}), one "
            "Parquet file per raw file, with provenance and `quality_flags` (values flagged, "
            "not rejected: total outside the female-male range, above 100, country without "
            "ISO3). Files in no known layout are quarantined in `published_file`.",
            group_name="ingest",
            kinds={"polars", "parquet", "pandera"},
            owners=[OWNER],
        )
        for layout, model in published.LAYOUTS.items()
    ],
    check_specs=[c for t in PUBLISHED_TABLES for c in _checks(t)],
    pool="landing",
)
def published_indicators_landing(context: dg.AssetExecutionContext):
    """Validate and land the indicator files already published by ILO/UN (raw/published/)."""
    for layout, model in published.LAYOUTS.items():
        n = f"{table_files.PUBLISHED}_{layout}"
        landing.ensure_schema_file(n, {**landing_dtypes(model), **landing.PROVENANCE_SCHEMA})
        landing.ensure_schema_file(n, landing.quarantine_schema(), quarantine=True)
    landing.ensure_schema_file(
        table_files.PUBLISHED_FILE_TABLE, landing.quarantine_schema(), quarantine=True
    )
    receipts, changed, report_paths = [], 0, {}
    files = table_files.discover_published()
    for path in files:
        receipt, did_change = table_files.land_published_file(path)
        changed += did_change
        receipts.append(receipt.with_columns(pl.lit(path.stem).alias("_key")))
        report_paths[f"published/{path.stem}"] = reports.report_path(
            table_files.report_key(table_files.PUBLISHED, path.stem)
        )
        errors = receipt.filter(pl.col("file_error").is_not_null())
        if not errors.is_empty():
            context.log.warning(f"published/{path.name}: {errors['file_error'][0]}")
    context.log.info(f"{len(files)} published file(s), {changed} new or changed")
    receipts_df = _receipts_frame(receipts)
    quarantine = _load_quarantine(
        receipts_df,
        dict.fromkeys(
            receipts_df["_key"].to_list(), PUBLISHED_TABLES + [table_files.PUBLISHED_FILE_TABLE]
        ),
    )
    yield from _materializations(receipts_df, PUBLISHED_TABLES, changed, report_paths)
    attach = {t: [table_files.PUBLISHED_FILE_TABLE] for t in PUBLISHED_TABLES}
    yield from _check_results(receipts_df, PUBLISHED_TABLES, quarantine, report_paths, attach)


ingest_assets = [
    ssi_submissions_landing,
    national_landing,
    reference_landing,
    published_indicators_landing,
    flagship_landing,
]
