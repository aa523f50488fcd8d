"""The pipeline run behind ``python -m pipelines.run``: materialize the whole asset graph on
what is in raw/.

1. registers every SSI submission found under raw/ssi as a dynamic partition;
2. lands all submissions in one run (single-run backfill over the partitions);
3. lands national statistics and reference lists, runs dbt build into a fresh file and
   publishes it atomically;
4. prints where the warehouse is and a few headline numbers.
Exits non-zero, with dbt's or the validation's reason, when a step fails; the published
warehouse is then untouched.
"""

from __future__ import annotations

import os
import sys
import uuid

import dagster as dg
import duckdb

from pipelines import inputs, landing, locks, paths, prune, releases
from pipelines.definitions import defs
from pipelines.ingest import ssi_batches, submissions
from pipelines.ingest.assets import ssi_submission_partitions
from pipelines.warehouse import partial_parse

#: console log level of the runs (every event is still stored in the instance, for the UI)
QUIET = {
    "loggers": {
        "console": {"config": {"log_level": os.environ.get("FLOORBOARD_LOG_LEVEL", "INFO")}}
    }
}


def register_submissions(instance: dg.DagsterInstance) -> list[str]:
    """Add a dynamic partition for every submission in raw/ssi (and for a submission that was
    removed but is still landed, so that its run withdraws it). Returns the present ones."""
    found = [s.submission_id for s in submissions.discover()]
    withdrawn = sorted(submissions.landed_ids() - set(found))
    known = set(instance.get_dynamic_partitions(ssi_submission_partitions.name))
    new = [k for k in [*found, *withdrawn] if k not in known]
    if new:
        instance.add_dynamic_partitions(ssi_submission_partitions.name, new)
    return found


def forget_removed(instance: dg.DagsterInstance, present: list[str]) -> list[str]:
    """Delete the partitions of submissions that are no longer in raw/ssi and have nothing
    landed any more (withdrawn, or never landed): later runs never meet them."""
    landed = submissions.landed_ids()
    keep = set(present)
    gone = [
        k
        for k in instance.get_dynamic_partitions(ssi_submission_partitions.name)
        if k not in keep and k not in landed
    ]
    for k in gone:
        instance.delete_dynamic_partition(ssi_submission_partitions.name, k)
    return gone


def _failure_reason(result: dg.ExecuteInProcessResult) -> str:
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            lines.append(f"{event.step_key}: {event.step_failure_data.error.message.strip()}")
    return "\n".join(lines) or "see the Dagster run log"


def changed_submissions(keys: list[str], snap: dict[str, list[str]] | None = None) -> list[str]:
    """Submissions whose bytes differ from what is landed (or that were never landed). A file
    unchanged since the run's input snapshot ``snap`` was taken is not read again."""
    by_id = {s.submission_id: s for s in submissions.discover()}
    return [
        k
        for k in keys
        if landing.landed_sha(submissions.SOURCE, k)
        != (inputs.known_sha(snap, by_id[k].path) or landing.sha256_of(by_id[k].path))
    ]


def ssi_dependents(job_name: str, registries_landed: bool = False) -> list[dg.AssetKey]:
    """What a build of job ``job_name`` materializes when only SSI submissions changed: the
    assets that depend on the landed SSI sections or on the landing's bookkeeping (receipts,
    quarantine), and every landing asset of the job. The landing assets land nothing when their
    files are landed already; they run so that the landing equals raw/ (a sensor may have
    landed a file since changed back, a landing may have been restored), and the dbt models
    built only from it are then those of the published build, which a partial build copies.

    The registry landing depends on the SSI schemes (a registry's scheme ids are checked
    against them). ``registries_landed``: no registry would be landed again
    (``registry.land.nothing_to_land``: same bytes, same schemes), so what depends on the SSI
    only through the registry landing is left as published (issue 13)."""
    from pipelines.ingest.assets import _key, bookkeeping_specs, ssi_section_specs
    from pipelines.registry.assets import TABLES as REGISTRY_TABLES

    landed = {s.key for s in (*ssi_section_specs, *bookkeeping_specs)}
    graph = defs.resolve_asset_graph()
    through = {_key(t) for t in REGISTRY_TABLES} if registries_landed else set()
    below: set[dg.AssetKey] = set()
    frontier = list(landed)
    while frontier:
        for child in graph.get(frontier.pop()).child_keys:
            if child not in below and child not in through:
                below.add(child)
                frontier.append(child)
    in_job = set(defs.resolve_job_def(job_name).asset_layer.selected_asset_keys)
    landing_assets = {k for k in in_job if k.path[0] == "landing"}
    return sorted(((below - landed) | landing_assets) & in_job)


def _execute(
    instance: dg.DagsterInstance,
    job_name: str,
    tags: dict[str, str] | None = None,
    run_id: str | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
):
    """Run a job in this process, tagged with this process (so that a later run can tell it
    died) and saying, while it waits for a pool slot, what it waits for."""
    run_id = run_id or str(uuid.uuid4())
    with locks.report_waits(instance, {run_id}):
        return defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            run_config=QUIET,
            run_id=run_id,
            asset_selection=asset_selection,
            tags={**(tags or {}), **locks.run_tags()},
            raise_on_error=False,
        )


def _clean_up_after_dead_runs(instance: dg.DagsterInstance) -> None:
    """Free what runs that died hold (pool slots, locks) and prune what they left."""
    for message in locks.free_dead_runs(instance):
        print(message, file=sys.stderr)
    removed = prune.prune(instance)
    if removed:
        print(f"pruned {len(removed)} old build(s), temporary file(s) and release folder(s)")


def run(
    instance: dg.DagsterInstance,
    release_files: bool = True,
    build_run_id: str | None = None,
    only_ssi: bool = False,
    snap: dict[str, list[str]] | None = None,
) -> int:
    """Land, build and publish (see the module doc). ``release_files=False`` leaves out the
    release files and the country pages (job ``build_numbers``: tests of the numbers).
    ``build_run_id``: the Dagster run id of the build (``inputs.record_pending``).
    ``only_ssi``: only SSI submissions changed since the published release was built (same code,
    same other drop zones; ``inputs.Check.only_ssi_changed``): the build refreshes only what
    depends on them (``ssi_dependents``), in a copy of the published warehouse. ``snap``: the
    input snapshot the caller just took (``inputs.snapshot``), whose sha256 are reused."""
    _clean_up_after_dead_runs(instance)
    recovered = landing.recover()
    if recovered:
        print(f"completed {len(recovered)} landing swap(s) left by a run that died")
    keys = register_submissions(instance)
    changed = changed_submissions(keys, snap)
    withdrawn = sorted(submissions.landed_ids() - set(keys))
    print(
        f"{len(keys)} SSI submission(s) in raw/ssi, {len(changed)} new or changed"
        + (f", {len(withdrawn)} removed (to withdraw)" if withdrawn else "")
    )
    todo = changed + withdrawn
    # a new warehouse's first dbt parse runs on the core the landing frees at its end, while
    # Dagster records the landing (partial_parse)
    parse = partial_parse.Deferred(len(todo))
    ssi_batches.at_last_batches(parse.start)
    try:
        return _land_and_build(instance, keys, todo, release_files, build_run_id, only_ssi, parse)
    finally:
        ssi_batches.at_last_batches(None)
        partial_parse.hand_to_build("", None)
        partial_parse.abandon(parse.parse)


def _land_and_build(
    instance: dg.DagsterInstance,
    keys: list[str],
    todo: list[str],
    release_files: bool,
    build_run_id: str | None,
    only_ssi: bool,
    parse: partial_parse.Deferred,
) -> int:
    """``run`` once it knows what to land: land ``todo`` (within the partitions of ``keys``),
    then build and publish."""
    if todo:
        # one run over the partition range from the first to the last submission to land or
        # withdraw (unchanged ones inside the range are no-ops: their bytes are already landed)
        partitions = instance.get_dynamic_partitions(ssi_submission_partitions.name)
        order = {k: i for i, k in enumerate(partitions)}
        todo.sort(key=order.__getitem__)
        # the landing's worker processes import while Dagster creates the run
        ssi_batches.prestart(order[todo[-1]] - order[todo[0]] + 1)
        try:
            result = _execute(
                instance,
                "ingest_ssi_submissions",
                {
                    "dagster/asset_partition_range_start": todo[0],
                    "dagster/asset_partition_range_end": todo[-1],
                },
            )
        finally:
            ssi_batches.discard()  # when the landing did not use them (a failure before it)
        if not result.success:
            print(f"SSI ingestion failed:\n{_failure_reason(result)}", file=sys.stderr)
            return 1
    forgotten = forget_removed(instance, keys)
    if forgotten:
        print(f"forgot {len(forgotten)} partition(s) of submissions no longer in raw/ssi")
    # dbt and publish share the single-slot "warehouse" pool; the publish step also takes the
    # warehouse lock and refuses a build older than the published release (pipelines.locks).
    # The lock is not held over the whole job: a run holding it while waiting for a pool slot
    # could deadlock with a daemon run holding the slot while waiting for the lock.
    job = "build_warehouse" if release_files else "build_numbers"
    selection = None
    if only_ssi:
        from pipelines.registry import land as registry_land

        selection = ssi_dependents(job, registries_landed=registry_land.nothing_to_land())
    if selection:
        print(
            "only SSI submissions changed since the published release (same code, same other "
            f"files): rebuilding the {len(selection)} assets that depend on them"
        )
    build_run_id = build_run_id or str(uuid.uuid4())
    partial_parse.hand_to_build(build_run_id, parse.parse)
    result = _execute(instance, job, run_id=build_run_id, asset_selection=selection)
    if not result.success:
        from pipelines.warehouse import build

        published = build.release_of_run(result.run_id)
        what = (
            f"Release {published.release_id} was published; writing its release files or site "
            "failed (the next `make run` finishes them)."
            if published
            else "Warehouse build failed; the published warehouse was not changed."
        )
        print(f"{what}\n{_failure_reason(result)}", file=sys.stderr)
        return 1
    print(landing_summary())
    print(summary(result.run_id))
    return 0


def finish_release(instance: dg.DagsterInstance, release_id: str) -> int:
    """Write the release files and the site of the published release ``release_id`` (job
    ``write_release_outputs``), when the run that published it died before they were in place
    (``inputs.UNFINISHED``): nothing is landed, built or published again. If another run has
    published a newer release since, that run writes its own; nothing is done here."""
    _clean_up_after_dead_runs(instance)
    with duckdb.connect(str(paths.published_path()), read_only=True) as con:
        current = releases.current_release(con).release_id
    if current != release_id:
        print(f"release {release_id} was replaced by {current} since; its run writes its files")
        return 0
    result = _execute(instance, "write_release_outputs")
    if not result.success:
        print(
            "Writing the release files and site failed; the published warehouse was not "
            f"changed.\n{_failure_reason(result)}",
            file=sys.stderr,
        )
        return 1
    print(landing_summary())
    print(summary())
    return 0


def landing_summary() -> str:
    """What became of every file of the drop zones: loaded, quarantined, refused (receipts)."""
    lines = [
        "Drop zones (receipts in warehouse/landing/_receipts/, reports in "
        "warehouse/reports/validation/):"
    ]
    for source, what in (
        ("ssi", "SSI submissions"),
        ("national", "national statistics files"),
        ("flagship", "Flagship files"),
        ("published", "published files"),
        ("registry", "registries"),
    ):
        out = landing.outcomes(source)
        total = sum(len(v) for v in out.values())
        if not total:
            continue
        lines.append(
            f"  {what}: {total} — {len(out['loaded'])} loaded, {len(out['quarantined'])} "
            f"quarantined (some rows rejected), {len(out['refused'])} refused"
        )
        for status in ("refused", "quarantined"):
            if out[status]:
                shown = ", ".join(out[status][:8]) + (" …" if len(out[status]) > 8 else "")
                lines.append(f"    {status}: {shown}")
    return "\n".join(lines)


def summary(run_id: str | None = None) -> str:
    """What was published: read from the marts (never recomputed here). With ``run_id``, the
    release that run published is named, even if another run has published a newer one since
    (the figures are those of the published file)."""
    path = paths.published_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        current = releases.current_release(con)
        release = next(
            (r for r in releases.releases(con) if run_id and r.run_id == run_id), current
        )
        n_countries = con.execute("select count(*) from marts.dim_country").fetchall()[0][0]
        n_obs = con.execute("select count(*) from marts.sdg_indicators").fetchall()[0][0]
        rows = con.execute(
            """
            select region, time_period, value, n_reporting, population_coverage
            from marts.agg_regional
            where region_type = 'ilo_region' and series_code = 'SI_COV_PENSN' and sex = '_T'
              and time_period = (select max(time_period) from marts.agg_regional
                                 where series_code = 'SI_COV_PENSN')
            order by region
            """
        ).fetchall()
    finally:
        con.close()
    out = [
        f"Published warehouse: {path} (release {release.release_id}"
        + (f"; since replaced by {current.release_id})" if current != release else ")"),
        f"  {n_countries} countries, {n_obs} SDG indicator observations",
        "  Old-age pension coverage (SI_COV_PENSN, both sexes, marts.agg_regional):",
    ]
    for region, year, value, n, cov in rows:
        shown = "suppressed" if value is None else f"{value:5.1f} %"
        out.append(f"    {region:<26} {year}  {shown}  ({n} countries, {cov:.0f} % of population)")
    extracts = paths.extracts_dir() / release.release_id
    if extracts.exists():
        out.append(f"Release files: {extracts}")
    site = paths.warehouse_dir() / "site" / "index.html"
    if site.exists():
        out.append(f"Country pages: {site}")
    return "\n".join(out)
