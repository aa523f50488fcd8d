"""The Floorboard code location: ``pipelines.definitions:defs``."""

# first: no cyclic garbage collection while the code location imports (pipelines/startup.py)
from pipelines import startup

try:
    import dagster as dg

    from pipelines import automation, instance_storage
    from pipelines.extracts.assets import RELEASE_MANIFEST, SDG_FILES, extract_assets
    from pipelines.ingest.assets import (
        bookkeeping_specs,
        ingest_assets,
        raw_assets,
        ssi_section_specs,
        ssi_submissions_landing,
    )
    from pipelines.registry.assets import raw_registry, registry_landing
    from pipelines.site.assets import country_pages
    from pipelines.warehouse.dbt_assets import dbt_resource, floorboard_dbt_assets
    from pipelines.warehouse.publish import published_warehouse
except BaseException:
    startup.resume()  # a failed import must not leave the collector off
    raise

all_assets_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.groups("raw")
    - dg.AssetSelection.assets(ssi_submissions_landing)
    - dg.AssetSelection.keys(*[s.key for s in [*ssi_section_specs, *bookkeeping_specs]]),
    description="Land national statistics and reference lists, run dbt, publish the warehouse.",
)

numbers_job = dg.define_asset_job(
    "build_numbers",
    selection=all_assets_job.selection - dg.AssetSelection.groups("extracts", "site"),
    description="Land, build and publish the warehouse, without the release files and the "
    "country pages (for checking numbers; `make run` writes them, and the eager extract and site "
    "assets catch up under the daemon).",
)

release_outputs_job = dg.define_asset_job(
    "write_release_outputs",
    selection=dg.AssetSelection.groups("extracts", "site"),
    description="Write the release files and the country pages of the published release "
    "(what `make run` does when the run that published it died before they were in place).",
)

extract_job = dg.define_asset_job(
    "extract_release",
    # release_manifest publishes what sdg_files staged (manifest, SHA256SUMS, one rename)
    selection=dg.AssetSelection.assets(SDG_FILES, RELEASE_MANIFEST),
    description="Write SDG extracts of the current release; run config restricts them to "
    "countries, series, years or the Flagship focus countries (written to "
    "warehouse/extracts/<release>/selections/<name>/), then the release manifest.",
)

# the instance this code location writes (run workers, make run, tests): see the module
instance_storage.install()

ingest_ssi_job = automation.ingest_ssi_job  # defined with the sensor and schedules

defs = dg.Definitions(
    assets=[
        *raw_assets,
        *ingest_assets,
        *ssi_section_specs,
        *bookkeeping_specs,
        raw_registry,
        registry_landing,
        floorboard_dbt_assets,
        published_warehouse,
        *extract_assets,
        country_pages,
    ],
    jobs=[
        ingest_ssi_job,
        automation.ingest_national_job,
        automation.ingest_flagship_job,
        automation.ingest_registry_job,
        all_assets_job,
        numbers_job,
        extract_job,
        release_outputs_job,
    ],
    sensors=automation.sensors,
    schedules=automation.schedules,
    resources={"dbt": dbt_resource},
)

startup.resume()  # the import is over (pipelines/startup.py)
