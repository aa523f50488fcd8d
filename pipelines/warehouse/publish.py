"""The publish asset: atomic swap of the run's build file onto warehouse/floorboard.duckdb.

The swap itself happens at the end of the dbt step of the same run (``floorboard_dbt_assets``),
which holds the slot of the ``warehouse`` pool from build to publication; this asset records
what that step published."""

import dagster as dg

from pipelines import paths
from pipelines.warehouse import build
from pipelines.warehouse.dbt_assets import PUBLISHED, floorboard_dbt_assets

__all__ = ["PUBLISHED", "published_warehouse"]


@dg.asset(
    key=PUBLISHED,
    deps=[k for k in floorboard_dbt_assets.keys if k.path[0] == "marts"],
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description="The published warehouse, warehouse/floorboard.duckdb: this run's dbt build file, "
    "renamed atomically into place only after dbt build and its blocking tests passed (at the "
    "end of the dbt step, which holds the warehouse pool from build to publication). Readers "
    "open it read-only; a failed build never touches it.",
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    release = build.release_of_run(context.run.run_id)
    if release is None:
        raise build.PublishError(
            f"run {context.run.run_id} published no release: the warehouse is published at the end "
            "of the dbt step, which did not run (or did not pass) in this run"
        )
    target = paths.published_path()
    context.log.info(f"published {target} as release {release.release_id}")
    return dg.MaterializeResult(
        metadata={
            "path": str(target),
            "release_id": release.release_id,
            "previous_release_id": release.previous_release_id or "",
            "content_sha256": release.content_sha256,
            "n_observations": release.n_observations,
            "published_at": release.published_at.isoformat() + "Z",
        }
    )
