"""The site asset: country pages rebuilt from the published warehouse whenever it changes."""

from pathlib import Path

import dagster as dg

from pipelines import paths
from pipelines.warehouse.publish import PUBLISHED

SITE = dg.AssetKey(["site", "country_pages"])


def site_dir() -> Path:
    return paths.warehouse_dir() / "site"


@dg.asset(
    key=SITE,
    deps=[PUBLISHED],
    group_name="site",
    kinds={"html"},
    owners=["team:data-engineering"],
    automation_condition=dg.AutomationCondition.eager(),
    description="Static site from the published warehouse, warehouse/site/: index with the world "
    "and regional overview, one page per country (country/<ISO3>.html), regional pages with "
    "aggregates and their data coverage, the Flagship Programme scorecard. Charts are Vega-Lite "
    "specs rendered offline by one shared script (assets/); every chart has alt text and its "
    "data table. Rebuilt whenever the published warehouse changes; swapped into place whole.",
)
def country_pages(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    # imported here: the page builder pulls in altair and pandas, seconds of start-up that loading
    # the code location (every run worker, `floorboard`, the tests) should not pay
    from pipelines.site.build import publish_site

    target = site_dir()
    pages = publish_site(paths.published_path(), target, context.run.run_id)
    context.log.info(f"{len(pages)} pages in {target}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target / "index.html")),
            "page_count": len(pages),
            "country_pages": sum(1 for p in pages if p.parent.name == "country"),
            "region_pages": sum(1 for p in pages if p.parent.name == "region"),
            "size_bytes": sum(f.stat().st_size for f in target.rglob("*") if f.is_file()),
        }
    )
