"""The publish asset: atomic swap of the run's build file onto warehouse/floorboard.duckdb."""

import dagster as dg

from pipelines.warehouse import build
from pipelines.warehouse.dbt_assets import floorboard_dbt_assets

PUBLISHED = dg.AssetKey(["warehouse", "floorboard_duckdb"])


@dg.asset(
    key=PUBLISHED,
    deps=[k for k in floorboard_dbt_assets.keys if k.path[0] == "marts"],
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    pool="warehouse",
    description="The published warehouse, warehouse/floorboard.duckdb: this run's dbt build file, "
    "renamed atomically into place only after dbt build and its blocking tests passed. Readers "
    "open it read-only; a failed build never touches it.",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    target, counts, release = build.publish(context.run_id)
    context.log.info(f"published {target} as release {release.release_id}")
    return dg.MaterializeResult(
        metadata={
            "path": str(target),
            "release_id": release.release_id,
            "previous_release_id": release.previous_release_id or "",
            "content_sha256": release.content_sha256,
            "size_bytes": target.stat().st_size,
            **{f"rows {t}": n for t, n in counts.items()},
        }
    )
