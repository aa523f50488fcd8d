"""dbt models as Dagster assets (dagster-dbt), writing into the run's build file, which the same
step then publishes (when the run materializes the published warehouse too)."""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines import faults, landing, paths, progress
from pipelines.warehouse import build

dbt_project = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

LAYERS = ("staging", "intermediate", "marts")
#: the published warehouse (asset ``pipelines.warehouse.publish.published_warehouse``)
PUBLISHED = dg.AssetKey(["warehouse", "floorboard_duckdb"])


class FloorboardTranslator(DagsterDbtTranslator):
    """Group = dbt layer folder, unless the node sets ``config: meta: dagster: group`` (e.g. the
    Flagship models, group ``flagship``); key = [layer, model]; owners from the layer."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") in ("model", "seed"):
            layer = next((p for p in node.get("fqn", []) if p in LAYERS), "staging")
            meta = node.get("config", {}).get("meta") or node.get("meta") or {}
            group = (meta.get("dagster") or {}).get("group") or layer
            spec = spec.replace_attributes(
                key=dg.AssetKey([layer, node["name"]]),
                group_name=group,
                owners=["team:statistics"] if layer == "marts" else ["team:data-engineering"],
            )
        return spec

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return dbt_resource_props.get("description") or dbt_resource_props["name"]


translator = FloorboardTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
        enable_code_references=True,
    )
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="floorboard_dbt",
    pool="warehouse",
)
def floorboard_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Run `dbt build` (models, seeds, tests) into this run's build file; when it passed and the
    run also materializes the published warehouse, publish it here, in the same step.

    Build and publish form one step so that they hold the single slot of the ``warehouse`` pool
    together: with two steps, the slot freed by this run's dbt went to the dbt step of another
    run waiting for it before this run's publish step could ask, and two runs interleaved
    (build A, build B, publish A, publish B): a run waited a whole other build to publish, and
    a partial build, started from the release the other run then replaced, was refused."""
    full = set(context.selected_asset_keys) >= set(floorboard_dbt_assets.keys)
    target = build.start_build(context.run.run_id, full=full)
    os.environ.update(build.dbt_env(context.run.run_id))
    context.log.info(f"dbt builds into {target} ({'full' if full else 'partial'} build)")
    # --full-refresh: seeds are recreated, so a changed seed schema never meets an old table.
    # The landing is read as a whole: no landing swap happens under a running build.
    n_models = len(context.selected_asset_keys)
    with landing.reading(), progress.bar("dbt build", n_models) as advance:
        for event in dbt.cli(["build", "--full-refresh"], context=context).stream():
            yield event
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                # an Output names its model by output name, a materialization by asset key
                key = getattr(event, "asset_key", None)
                advance(note=key.to_user_string() if key else getattr(event, "output_name", None))
                # reached once per model or seed built: FLOORBOARD_KILL_AT=dbt.mid_build:N dies
                # after the N-th, with dbt still writing the build file
                faults.point("dbt.mid_build")
    # reached only when dbt build and its tests passed (a failure raises above)
    if PUBLISHED in context.job_def.asset_layer.selected_asset_keys:
        published, _, release = build.publish(context.run.run_id, log=context.log.warning)
        context.log.info(f"published {published} as release {release.release_id}")


dbt_resource = DbtCliResource(
    project_dir=dbt_project,
    profiles_dir=paths.DBT_PROJECT_DIR,
    # the dbt of this virtual environment, whether or not it is on PATH
    dbt_executable=str(Path(sys.executable).parent / "dbt"),
)
