"""Automation: the ingest jobs, a sensor on the drop zone, and the two schedules.

- ``raw_files_sensor`` watches ``raw/ssi/``, ``raw/national/``, ``raw/flagship/`` and
  ``raw/registry/``. Its cursor holds, per file (or folder submission), a cheap stat fingerprint
  and the sha256 of the bytes. A file's sha256 enters the cursor only once its run succeeded:
  until then the request is kept under ``pending`` in the cursor, and a failed run is requested
  again at the next tick (``MAX_ATTEMPTS`` in all, then only a change of the file tries again).
  A new or changed SSI submission is registered as a dynamic partition of ``ssi_submission`` and
  gets a run of ``ingest_ssi_submissions`` for that partition; a new or changed national file
  gets one run of ``ingest_national_statistics``, a changed Flagship file one run of
  ``ingest_flagship_records``, a new, changed or removed registry folder one run of
  ``ingest_registry_microdata`` (after the SSI run of its country-year, when one is due). A
  landed submission removed from ``raw/ssi`` gets a run of its partition that withdraws it; a
  partition with nothing in raw/ssi and nothing landed is deleted. Identical bytes do nothing: a
  file whose sha256 is in the cursor, or already landed (its receipt carries the same sha256),
  requests no run.
- ``ssi_round_schedule`` (annual, 1 November 06:00 UTC, after the SSI collection round closes):
  registers every submission in ``raw/ssi`` and lands them all in one run.
- ``national_statistics_schedule`` (monthly, 1st at 05:00 UTC): lands the national tables.
Landing is idempotent, so a scheduled run over unchanged files only reads and hashes them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines import dropzone, landing, partition_keys, paths
from pipelines.ingest import submissions
from pipelines.ingest.assets import flagship_landing, national_landing, ssi_submission_partitions
from pipelines.ingest.assets import ssi_submissions_landing as _ssi_assets
from pipelines.registry import land as registry_land
from pipelines.registry.assets import registry_landing

SENSOR_NAME = "raw_files_sensor"
#: at most this many SSI runs are requested per tick; the others come at the next ticks
MAX_SSI_RUNS_PER_TICK = 100
SHA_TAG = "floorboard/source_sha256"
#: every run the sensor requests carries its run key here, so a later tick finds its outcome
REQUEST_TAG = "floorboard/sensor_request"
#: a failed run is requested again at the next ticks, this many times in all
MAX_ATTEMPTS = 3

#: the ingest jobs have one step each: it runs in the run worker. With the default executor the
#: step got a process of its own, which claimed the single slot of the ``landing`` pool and then
#: held it for the 10-25 s that process spends importing the code location, while ``make run``
#: (or another run) waited for the slot.
INGEST_EXECUTOR = dg.in_process_executor

ingest_ssi_job = dg.define_asset_job(
    "ingest_ssi_submissions",
    selection=dg.AssetSelection.assets(_ssi_assets),
    executor_def=INGEST_EXECUTOR,
    description="Validate and land SSI submissions (one partition per submission).",
)
ingest_national_job = dg.define_asset_job(
    "ingest_national_statistics",
    selection=dg.AssetSelection.assets(national_landing),
    executor_def=INGEST_EXECUTOR,
    description="Validate and land the national statistics tables (raw/national/).",
)

ingest_flagship_job = dg.define_asset_job(
    "ingest_flagship_records",
    selection=dg.AssetSelection.assets(flagship_landing),
    executor_def=INGEST_EXECUTOR,
    description="Validate and land the Flagship Programme records (raw/flagship/).",
)


ingest_registry_job = dg.define_asset_job(
    "ingest_registry_microdata",
    selection=dg.AssetSelection.assets(registry_landing),
    tags={"floorboard/trigger": "raw_files_sensor"},
    description="Validate and land the registry microdata (raw/registry/<ISO3>_<YEAR>/); "
    "registries no longer there are withdrawn.",
)


def _fingerprint(*paths_: Path) -> str:
    """Names, kinds, sizes and modification times, read with ``lstat`` (links are never
    followed, nothing is opened): when unchanged, the sha256 is not recomputed."""
    digest = hashlib.sha256()
    for path in paths_:
        top = dropzone.entry(path)
        entries = [top, *dropzone.walk(path)] if top.kind == dropzone.FOLDER else [top]
        for e in entries:
            rel = e.path.relative_to(path.parent).as_posix()
            digest.update(f"{rel}\0{e.kind}\0{e.size}\0{e.mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _sha(path: Path, seen: dict[str, list[str]], key: str, sub=None) -> tuple[str, str]:
    """(fingerprint, sha256) of ``path`` (of every entry of a clashing submission ``sub``); the
    sha256 is reused when the fingerprint matches."""
    fp = _fingerprint(*(sub.paths if sub is not None else (path,)))
    prev = seen.get(key)
    if prev and prev[0] == fp:
        return fp, prev[1]
    return fp, submissions.submission_sha(sub) if sub is not None else landing.sha256_of(path)


def _valid_partition_key(key: str) -> bool:
    return partition_keys.is_valid(key)


def _changed_tables(
    source: str, old: dict[str, list[str]], new: dict[str, list[str]]
) -> list[tuple[str, str, str]]:
    """(file name, fingerprint, sha256) of the changed ``raw/<source>/*.csv`` files; the
    unchanged ones go into ``new``."""
    root = paths.raw_dir() / source
    changed = []
    if root.is_dir():
        for path in sorted(root.glob("*.csv")):
            key = path.name
            fp, sha = _sha(path, old, key)
            prev = old.get(key)
            if (prev and prev[1] == sha) or landing.landed_sha(source, path.stem) == sha:
                new[key] = [fp, sha]
                continue
            changed.append((key, fp, sha))
    return changed


def _changed_registries(
    old: dict[str, list[str]], new: dict[str, list[str]], ssi_busy: set[str]
) -> list[tuple[str, str, str]]:
    """(folder name, fingerprint, sha256) of the new or changed registry folders of
    ``raw/registry/``, and (name, "", "withdraw:<landing stamp>") for a landed registry no longer
    there (its run withdraws it; the stamp makes a second withdrawal a new run key). The
    unchanged ones go into ``new``. A registry whose country-year has an SSI run requested or
    running (``ssi_busy``) waits for the next tick: its scheme ids are that submission's, and a
    registry landed before them would have every record quarantined."""
    changed = []
    present = set()
    for reg in registry_land.discover():
        present.add(reg.key)
        fp, sha = _sha(reg.path, old, reg.key)
        prev = old.get(reg.key)
        if (prev and prev[1] == sha) or landing.landed_sha(registry_land.SOURCE, reg.key) == sha:
            new[reg.key] = [fp, sha]
            continue
        if reg.key not in ssi_busy:
            changed.append((reg.key, fp, sha))
    receipts = paths.landing_dir() / "_receipts" / registry_land.SOURCE
    for receipt in sorted(receipts.glob("*.parquet")) if receipts.is_dir() else []:
        key = receipt.stem
        if key in present:
            continue
        marker = f"withdraw:{_landing_stamp(key, registry_land.SOURCE)}"
        if old.get(key, [None, None])[1] == marker:
            new[key] = old[key]  # its withdrawal run ended (given up after MAX_ATTEMPTS)
            continue
        changed.append((key, "", marker))
    return changed


def _ssi_busy(run_requests: list[dg.RunRequest], pending: dict) -> set[str]:
    """Submissions (``ISO3_YEAR`` and revisions, as ``ISO3_YEAR``) with an SSI run requested at
    this tick or still in flight."""
    keys = {r.partition_key for r in run_requests if r.job_name == ingest_ssi_job.name}
    keys |= set(_in_flight(pending, "ssi"))
    return {"_".join(k.split("_")[:2]) for k in keys if k}


def _table_run(source: str, job, changed: list[tuple[str, str, str]], attempt: int):
    """One run of the landing job of ``raw/<source>/`` for a set of changed files."""
    combined = hashlib.sha256("".join(f"{k}:{s}\n" for k, _, s in changed).encode()).hexdigest()
    run_key = _attempt_key(f"{source}/{combined[:16]}", attempt)
    return dg.RunRequest(
        run_key=run_key,
        job_name=job.name,
        tags={
            "floorboard/changed_files": ",".join(k for k, _, _ in changed)[:1000],
            REQUEST_TAG: run_key,
        },
    )


def _landing_stamp(key: str, source: str = submissions.SOURCE) -> str:
    """What identifies the current landing of a submission or registry (sha256 and time of its
    receipt): a withdrawal request names it, so that one landed again and removed again is
    withdrawn again (Dagster launches a run key only once)."""
    receipt = pl.read_parquet(landing.receipt_path(source, key))
    if receipt.is_empty():
        return "empty"
    return f"{(receipt['source_sha256'][0] or '')[:12]}-{receipt['loaded_at'][0]:%Y%m%dT%H%M%S}"


def _attempt_key(run_key: str, attempt: int) -> str:
    """A retry needs a new run key: Dagster launches a run key only once per sensor."""
    return run_key if attempt == 0 else f"{run_key}/retry{attempt}"


def _outcome(instance: dg.DagsterInstance, run_key: str) -> str | None:
    """'success' or 'failed' once the run of a request has ended; None while it has not
    (queued, running, or not created yet)."""
    found = instance.get_runs(filters=dg.RunsFilter(tags={REQUEST_TAG: run_key}), limit=1)
    if not found:
        return None
    if found[0].status == dg.DagsterRunStatus.SUCCESS:
        return "success"
    if found[0].status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED):
        return "failed"
    return None


def _settle_pending(
    context: dg.SensorEvaluationContext, pending: dict, done: dict[str, dict[str, list[str]]]
) -> tuple[dict, dict[str, dict[str, int]]]:
    """Runs requested at earlier ticks: a file's sha256 enters the cursor (``done``) only when
    its run succeeded; a failed run is retried at this tick (``MAX_ATTEMPTS`` in all). Returns
    the requests still in flight and, per section, the attempt number of each file to retry."""
    in_flight, retry = {}, {}
    for run_key, entry in pending.items():
        outcome = _outcome(context.instance, run_key)
        section, files, attempt = entry["section"], entry["files"], entry["attempt"]
        if outcome is None:
            in_flight[run_key] = entry
        elif outcome == "success" or attempt + 1 >= MAX_ATTEMPTS:
            if outcome != "success":
                context.log.warning(
                    f"run {run_key} failed {MAX_ATTEMPTS} times; {', '.join(files)} will be "
                    "tried again when the file changes (or the sensor is reset)"
                )
            done.setdefault(section, {}).update(files)
        else:
            context.log.info(f"run {run_key} failed; retrying {', '.join(files)}")
            for key in files:
                retry.setdefault(section, {})[key] = attempt + 1
    return in_flight, retry


def _in_flight(pending: dict, section: str) -> dict[str, str]:
    """file key -> sha256 of the files whose run is in flight."""
    return {
        key: fs[1]
        for entry in pending.values()
        if entry["section"] == section
        for key, fs in entry["files"].items()
    }


@dg.sensor(
    name=SENSOR_NAME,
    jobs=[ingest_ssi_job, ingest_national_job, ingest_flagship_job, ingest_registry_job],
    minimum_interval_seconds=60,
    description="New or changed files in raw/ssi/ (one run per submission partition), "
    "raw/national/ (one run of the national landing), raw/flagship/ (one run of the "
    "Flagship landing) and raw/registry/ (one run of the registry landing, which also withdraws "
    "a registry removed). Cursor: sha256 per file, stored once its run succeeded, so identical "
    "bytes request nothing and a failed run is retried at the next tick.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def raw_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    sections = ("ssi", "national", "flagship", "registry")
    done = {section: dict(cursor.get(section, {})) for section in sections}
    pending, retry = _settle_pending(context, cursor.get("pending", {}), done)
    old_ssi, old_nat, old_flagship = done["ssi"], done["national"], done["flagship"]
    new_ssi: dict[str, list[str]] = {}
    new_nat: dict[str, list[str]] = {}
    new_flagship: dict[str, list[str]] = {}
    new_registry: dict[str, list[str]] = {}
    run_requests: list[dg.RunRequest] = []
    known = set(context.instance.get_dynamic_partitions(ssi_submission_partitions.name))
    to_add: list[str] = []
    flying = _in_flight(pending, "ssi")

    present: set[str] = set()
    for sub in submissions.discover():
        key = sub.submission_id
        present.add(key)
        if not _valid_partition_key(key):
            context.log.warning(f"raw/ssi/{sub.path.name}: name cannot be a partition; rename it")
            continue
        fp, sha = _sha(sub.path, old_ssi, key, sub)
        prev = old_ssi.get(key)
        if prev and prev[1] == sha:
            new_ssi[key] = [fp, sha]
            continue
        if flying.get(key) == sha:
            continue  # its run is queued or running
        if len(run_requests) >= MAX_SSI_RUNS_PER_TICK:
            continue  # not in the cursor: picked up at the next tick
        if key not in known:
            to_add.append(key)
        if landing.landed_sha(submissions.SOURCE, key) == sha:
            new_ssi[key] = [fp, sha]
            continue  # these bytes are already landed: nothing to do
        run_key = _attempt_key(f"ssi/{key}/{sha[:16]}", retry.get("ssi", {}).get(key, 0))
        pending[run_key] = {
            "section": "ssi",
            "files": {key: [fp, sha]},
            "attempt": retry.get("ssi", {}).get(key, 0),
        }
        run_requests.append(
            dg.RunRequest(
                run_key=run_key,
                job_name=ingest_ssi_job.name,
                partition_key=key,
                tags={SHA_TAG: sha, REQUEST_TAG: run_key},
            )
        )

    # submissions removed from raw/ssi after they were landed: one run each withdraws them
    # (pipelines.ingest.submissions.withdraw); partitions with nothing landed are deleted
    landed = submissions.landed_ids()
    for key in sorted(landed - present):
        if not _valid_partition_key(key) or len(run_requests) >= MAX_SSI_RUNS_PER_TICK:
            continue
        try:
            marker = f"withdraw:{_landing_stamp(key)}"
        except FileNotFoundError:
            continue  # withdrawn meanwhile by another run
        if flying.get(key) == marker:
            continue  # its run is queued or running
        if old_ssi.get(key, [None, None])[1] == marker:
            new_ssi[key] = old_ssi[key]  # gave up after MAX_ATTEMPTS: wait for a change
            continue
        if key not in known:
            to_add.append(key)
        attempt = retry.get("ssi", {}).get(key, 0)
        run_key = _attempt_key(f"ssi/{key}/{marker}", attempt)
        pending[run_key] = {"section": "ssi", "files": {key: ["", marker]}, "attempt": attempt}
        run_requests.append(
            dg.RunRequest(
                run_key=run_key,
                job_name=ingest_ssi_job.name,
                partition_key=key,
                tags={REQUEST_TAG: run_key},
            )
        )
    busy = {k for entry in pending.values() for k in entry["files"]}
    forget = sorted(k for k in known - present - landed - busy if _valid_partition_key(k))

    n_tables = {}
    for section, job, old, new in (
        ("national", ingest_national_job, old_nat, new_nat),
        ("flagship", ingest_flagship_job, old_flagship, new_flagship),
        ("registry", ingest_registry_job, done["registry"], new_registry),
    ):
        flying = _in_flight(pending, section)
        found = (
            _changed_registries(old, new, _ssi_busy(run_requests, pending))
            if section == "registry"
            else _changed_tables(section, old, new)
        )
        changed = [c for c in found if flying.get(c[0]) != c[2]]
        n_tables[section] = len(changed)
        if changed:
            attempt = max(retry.get(section, {}).get(k, 0) for k, _, _ in changed)
            request = _table_run(section, job, changed, attempt)
            pending[request.run_key] = {
                "section": section,
                "files": {k: [fp, sha] for k, fp, sha in changed},
                "attempt": attempt,
            }
            run_requests.append(request)

    requests = []
    if to_add:
        requests.append(ssi_submission_partitions.build_add_request(to_add))
    if forget:
        requests.append(ssi_submission_partitions.build_delete_request(forget))
    n_ssi = len(run_requests) - sum(bool(n) for n in n_tables.values())
    if run_requests:
        context.log.info(
            f"{n_ssi} SSI submission run(s), {len(to_add)} new partition(s), "
            f"{n_tables['national']} changed national file(s), "
            f"{n_tables['flagship']} changed Flagship file(s), "
            f"{n_tables['registry']} new, changed or removed registr(y/ies)"
        )
    new_cursor: dict = {"ssi": new_ssi, "national": new_nat}
    if new_flagship:
        new_cursor["flagship"] = new_flagship
    if new_registry:
        new_cursor["registry"] = new_registry
    if pending:
        new_cursor["pending"] = pending
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=requests,
        cursor=json.dumps(new_cursor, sort_keys=True),
    )


@dg.schedule(
    name="ssi_round_schedule",
    cron_schedule="0 6 1 11 *",
    job=ingest_ssi_job,
    execution_timezone="UTC",
    description="Annual SSI round (1 November, after the collection round closes): register "
    "every submission in raw/ssi and land them all in one run (unchanged files are no-ops).",
)
def ssi_round_schedule(context: dg.ScheduleEvaluationContext):
    found = [s.submission_id for s in submissions.discover()]
    found = [k for k in found if _valid_partition_key(k)]
    if not found:
        return dg.SkipReason("no SSI submission in raw/ssi")
    known = set(context.instance.get_dynamic_partitions(ssi_submission_partitions.name))
    new = [k for k in found if k not in known]
    if new:
        context.instance.add_dynamic_partitions(ssi_submission_partitions.name, new)
    # a removed submission that is still landed stays in the range (its run withdraws it);
    # one with nothing landed is forgotten
    landed = submissions.landed_ids()
    for k in sorted(known - set(found) - landed):
        context.instance.delete_dynamic_partition(ssi_submission_partitions.name, k)
    keys = context.instance.get_dynamic_partitions(ssi_submission_partitions.name)
    return dg.RunRequest(
        run_key=f"ssi_round/{context.scheduled_execution_time:%Y}",
        tags={
            "dagster/asset_partition_range_start": keys[0],
            "dagster/asset_partition_range_end": keys[-1],
        },
    )


national_statistics_schedule = dg.ScheduleDefinition(
    name="national_statistics_schedule",
    cron_schedule="0 5 1 * *",
    job=ingest_national_job,
    execution_timezone="UTC",
    description="Monthly refresh of the national statistics (raw/national/); unchanged files "
    "are no-ops.",
)

jobs = [ingest_ssi_job, ingest_national_job, ingest_flagship_job, ingest_registry_job]
#: evaluates the eager automation conditions of the release outputs (extract files, what
#: changed, manifest, country pages): when a new warehouse is published outside ``make run``
#: (e.g. a run launched by ``raw_files_sensor`` or from the UI), the daemon rebuilds them. On by
#: default, unlike Dagster's default automation sensor, which must be switched on in the UI.
release_outputs_sensor = dg.AutomationConditionSensorDefinition(
    "release_outputs_automation",
    target=dg.AssetSelection.groups("extracts", "site"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuild the extract files and country pages when the published warehouse "
    "changes (eager automation conditions of the groups extracts and site).",
)

sensors = [raw_files_sensor, release_outputs_sensor]
schedules = [ssi_round_schedule, national_statistics_schedule]
