"""dbt models as Dagster assets (dagster-dbt), writing into the run's build file, which the same
step then publishes (when the run materializes the published warehouse too)."""

# first: dagster-dbt without dbt-core's modules in this process (see the module)
from pipelines.warehouse import dbt_types  # noqa: F401  # isort: skip

import importlib.metadata
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    DbtProjectPreparer,
    dbt_assets,
)
from packaging import version

from pipelines import faults, landing, paths, progress
from pipelines.warehouse import build, partial_parse, warm_dbt
from pipelines.warehouse.build import DATABASE

#: what `dbt parse` writes into the target folder and the code location reads
PARSE_ARTIFACTS = ("manifest.json", "semantic_manifest.json", "partial_parse.msgpack")


class FloorboardDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, told dbt's version instead of asking it: dagster-dbt runs
    ``dbt --version`` (a whole dbt process start: 2-4 s on 2 cores) before every dbt command,
    to tell dbt-core from the Fusion engine. Floorboard runs dbt-core from the lock file, whose
    version is that of the installed package (issue 13)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """No dbt adapter in this process: dagster-dbt sets one up before every dbt command
        (loading the profile and project) only for its metadata queries, which
        ``with_table_metadata`` replaces."""
        return None


class FloorboardProjectPreparer(DbtProjectPreparer):
    """Re-parse the dbt project when the code location loads under ``dagster dev`` (``make ui``),
    so an edited model shows in the UI after a reload, as dagster-dbt's default preparer does,
    with two differences: it runs this environment's dbt (the default one looks for ``dbt`` on
    PATH, and the code location failed to load when the virtual environment was not
    activated), and it parses into a temporary folder and renames the results over
    ``target/manifest.json``, so a webserver, a daemon and run workers preparing at the same
    time never read a half-written manifest."""

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        target = project.project_dir / project.target_path
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".parse-", dir=target) as tmp:
            partial = target / "partial_parse.msgpack"
            if partial.exists():  # keep partial parsing: seconds instead of a full parse
                shutil.copy2(partial, Path(tmp) / partial.name)
            resource = FloorboardDbtCli(
                project_dir=project,
                profiles_dir=project.profiles_dir,
                dbt_executable=paths.DBT_EXECUTABLE,
            )
            resource.cli(["parse", "--quiet"], target_path=Path(tmp)).wait()
            for name in PARSE_ARTIFACTS:
                if (Path(tmp) / name).exists():
                    os.replace(Path(tmp) / name, target / name)
        if not project.manifest_path.exists():
            raise FileNotFoundError(f"dbt parse wrote no manifest at {project.manifest_path}")


dbt_project = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
FloorboardProjectPreparer().prepare_if_dev(dbt_project)


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest, with every model and seed in database ``floorboard`` (build.DATABASE).

    dbt names the database after the file FLOORBOARD_DUCKDB_PATH pointed at when the manifest
    was written: a `dbt build` by hand into /tmp/x.duckdb leaves relations "x"."marts"."..." in
    target/manifest.json. Every build file of a run is in database ``floorboard``, and so are
    the relations shown in the UI."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for node in manifest["nodes"].values():
        old = node.get("database")
        if node["resource_type"] not in ("model", "seed", "snapshot") or old in (None, DATABASE):
            continue
        node["database"] = DATABASE
        relation = node.get("relation_name") or ""
        if relation.startswith(f'"{old}".'):
            node["relation_name"] = f'"{DATABASE}".' + relation[len(old) + 3 :]
    return manifest


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


#: (schema, table or view) of the build file
Relation = tuple[str, str]


def _table_facts(build_file: Path) -> tuple[dict[Relation, int], dict[Relation, list]]:
    """Row counts of the tables and column (name, type) of every table and view of the build
    file, read with one read-only connection: two catalog queries and one query counting every
    table at once."""
    con = duckdb.connect(str(build_file), read_only=True)
    try:
        columns: dict[Relation, list] = {}
        for schema, table, column, dtype in con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and not internal "
            "order by schema_name, table_name, column_index"
        ).fetchall():
            columns.setdefault((schema, table), []).append((column, dtype))
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and not internal"
        ).fetchall()
        counts: dict[Relation, int] = {}
        if tables:
            union = " union all ".join(
                f"select {i} as i, count(*) as n from {_quoted(s)}.{_quoted(t)}"
                for i, (s, t) in enumerate(tables)
            )
            for i, n in con.execute(union).fetchall():
                counts[tables[i]] = n
    finally:
        con.close()
    return counts, columns


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def with_table_metadata(
    events: list[Any],
    build_file: Path,
    manifest: Mapping[str, Any],
    log: Callable[[str], object] | None = None,
) -> Iterator[Any]:
    """The events of the dbt stream, each model's and seed's materialization with its row count
    (tables; views are not counted, as dagster-dbt does not) and its column schema, as DuckDB
    names the types (the contracts' names: dbt would say "character varying(256)" for a
    VARCHAR).

    Read here, once, after dbt exited (DuckDB allows one writer process per file): dagster-dbt's
    ``fetch_row_counts`` and ``fetch_column_metadata`` opened a dbt adapter connection per model
    and took about 9 s of every build of the sample (issue 13)."""
    try:
        counts, columns = _table_facts(build_file)
    except duckdb.Error as exc:  # the build passed: metadata for the UI never fails it
        if log is not None:
            log(f"row counts and column schemas not read from {build_file}: {exc}")
        counts, columns = {}, {}
    for event in events:
        uid = getattr(event, "metadata", {}).get("unique_id")
        uid = getattr(uid, "value", uid)
        node = manifest["nodes"].get(uid) if isinstance(uid, str) else None
        if isinstance(event, dg.Output | dg.AssetMaterialization) and node is not None:
            where = (node["schema"], node.get("alias") or node["name"])
            extra: dict[str, Any] = {"dagster/storage_kind": "duckdb"}
            if where in counts:
                extra["dagster/row_count"] = dg.MetadataValue.int(counts[where])
            if where in columns:
                extra["dagster/column_schema"] = dg.TableSchema(
                    columns=[dg.TableColumn(name=c, type=t) for c, t in columns[where]]
                )
            event = event.with_metadata({**event.metadata, **extra})
        yield event


translator = FloorboardTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
        enable_code_references=True,
    )
)


@dbt_assets(
    manifest=load_manifest(dbt_project.manifest_path),
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
    run_id = context.run.run_id
    # the build lock is held from the build to the publish (build.building)
    with build.building(run_id, full=full, log=context.log.warning) as work:
        context.log.info(f"dbt builds into {work} ({'full' if full else 'partial'} build)")
        events, manifest = yield from _run_dbt(context, dbt)
        target = build.keep_build(run_id)  # the run's own build file from here on
        yield from with_table_metadata(events, target, manifest, context.log.warning)
        # reached only when dbt build and its tests passed (a failure raises above)
        if PUBLISHED in context.job_def.asset_layer.selected_asset_keys:
            published, _, release = build.publish(run_id, log=context.log.warning)
            context.log.info(f"published {published} as release {release.release_id}")


def _run_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Run ``dbt build`` into the working build file; yields nothing until dbt has exited, then
    returns (its events, the manifest it ran with). When it fails, its events are yielded and
    the failure raised."""
    os.environ.update(build.dbt_env())
    # build.DBT_BUILD_ARGS: why --full-refresh and no unit tests.
    # The landing is read as a whole: no landing swap happens under a running build.
    # dbt's events are read live, for the progress bar and the kill point (dbt still writing);
    # they are handed to Dagster once dbt has exited, with row counts and column schemas read
    # from the build file in one read-only connection, closed before publish opens the file
    # (with_table_metadata). No column lineage: it fails (with a traceback per model) for the
    # staging models, whose parents are parquet files, not tables of the build file.
    # the background parse of a new warehouse (its state is the one this build starts from)
    partial_parse.finish_pending(context.run.run_id)
    target_path = partial_parse.target_path(context.run.run_id)
    # the dbt process `floorboard run` started has imported dbt meanwhile (warm_dbt); the
    # launcher hands it this command, or runs dbt itself when there is none
    warm = warm_dbt.take()
    if warm:
        dbt = dbt.model_copy(update={"dbt_executable": warm_dbt.launcher()})
    os.environ.update(warm)
    try:
        invocation = dbt.cli(
            [*build.DBT_BUILD_ARGS, *build.pipeline_dbt_flags()],
            context=context,
            target_path=target_path,
        )
    finally:
        for name in warm:
            os.environ.pop(name, None)
    # should this process die alone, the next build stops this dbt first (build.stop_orphan_dbt)
    build.record_dbt_child(invocation.process.pid, helper=warm_dbt.server_pid() if warm else None)
    events: list[Any] = []
    n_models = len(context.selected_asset_keys)
    with landing.reading(), progress.bar("dbt build", n_models) as advance:
        try:
            for event in invocation.stream():
                events.append(event)
                if isinstance(event, dg.Output | dg.AssetMaterialization):
                    # an Output names its model by output name, a materialization by asset key
                    key = getattr(event, "asset_key", None)
                    advance(note=key.to_user_string() if key else getattr(event, "output_name", ""))
                    # once per model or seed built: FLOORBOARD_KILL_AT=dbt.mid_build:N dies
                    # after the N-th, with dbt still writing the build file
                    faults.point("dbt.mid_build")
        except BaseException:
            yield from events  # what was built before the failure is still reported
            raise
    partial_parse.keep(target_path)
    return events, invocation.manifest


dbt_resource = FloorboardDbtCli(
    project_dir=dbt_project,
    profiles_dir=paths.DBT_PROJECT_DIR,
    dbt_executable=paths.DBT_EXECUTABLE,
)
