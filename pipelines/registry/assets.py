"""Dagster: ``raw/registry`` (external) → ``landing/registry_beneficiaries`` and
``landing/registry_contributors`` (issue 15).

Validated with DuckDB (``pipelines.registry.land``), one atomic landing per registry folder,
after the SSI submissions (the scheme ids of a registry are those of the SSI submission of its
country and year). Same checks as the other landing assets: ``rows_reconcile`` (blocking:
loaded + quarantined = received per registry and part) and ``no_quarantined_rows`` (warn, with
the first reasons; the quarantine is read with a row limit, never whole).
"""

import dagster as dg
import polars as pl

from pipelines import landing, paths
from pipelines.ingest import assets as ingest
from pipelines.registry import land

RAW_REGISTRY = dg.AssetKey(["raw", "registry_microdata"])
TABLES = list(land.TABLES.values())

raw_registry = dg.AssetSpec(
    RAW_REGISTRY,
    description="Registry microdata as received (raw/registry/<ISO3>_<YEAR>/): person-level "
    "records, parts `beneficiaries` and `contributors`, Parquet or CSV. Never modified.",
    group_name="raw",
    kinds={"parquet", "csv"},
    owners=[ingest.OWNER],
)


def _first_quarantine(keys: list[str]) -> pl.DataFrame:
    """The first quarantine records of each registry (lazily: a registry may have millions)."""
    frames = []
    for key in keys:
        for table in [*TABLES, land.FILE_TABLE]:
            path = paths.quarantine_dir() / table / f"{key}.parquet"
            if path.exists():
                frames.append(pl.scan_parquet(path).head(ingest.FIRST_FAILURES).collect())
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=landing.quarantine_schema())
    return pl.concat(frames, how="vertical_relaxed")


@dg.multi_asset(
    name="registry_landing",
    specs=[
        dg.AssetSpec(
            ingest._key(table),
            deps=[RAW_REGISTRY, ingest._key("ssi_schemes")],
            description=f"Registry part `{part}` validated with DuckDB against "
            f"`schemas.registry.{land.model.PARTS[part].__name__}` (codes, ranges, scheme ids "
            "of the country-year's SSI submission, duplicates, one sex and birth year per "
            "person), with provenance; rejected records in the quarantine with their reason.",
            group_name="ingest",
            kinds={"duckdb", "parquet", "pandera"},
            owners=[ingest.OWNER],
        )
        for part, table in land.TABLES.items()
    ],
    check_specs=[c for t in TABLES for c in ingest._checks(t)],
    pool="landing",
)
def registry_landing(context: dg.AssetExecutionContext):
    """Validate and land every registry of raw/registry/ (withdraw those removed)."""
    results = land.land_all()
    receipts, changed = [], 0
    for key, receipt, did_change in results:
        changed += did_change
        receipts.append(receipt.with_columns(pl.lit(key).alias("_key")))
        errors = receipt.filter(pl.col("file_error").is_not_null())
        if not errors.is_empty():
            context.log.warning(f"registry/{key}: {errors['file_error'][0]}")
    context.log.info(f"{len(results)} registr(y/ies), {changed} new or changed")
    receipts_df = ingest._receipts_frame(receipts)
    quarantine = _first_quarantine([k for k, _, _ in results])
    yield from ingest._materializations(receipts_df, TABLES, changed)
    attach = {t: [land.FILE_TABLE] for t in TABLES}
    yield from ingest._check_results(receipts_df, TABLES, quarantine, attach=attach)
