"""Extract assets (group ``extracts``): the release folder ``warehouse/extracts/<release_id>/``.

They read the published warehouse read-only and never recompute a value:
- ``extracts/sdg_files`` — SDMX-CSV, SDMX-ML, Open SDG CSVs, Excel workbook and CSV download
  (``pipelines.extracts.write``); run config restricts them to countries / series / years or to
  the Flagship focus countries, written then to ``<release>/selections/<name>/``;
- ``extracts/what_changed`` — new, revised and withdrawn observations against the previous
  release (``pipelines.releases``), as ``what_changed.csv`` and ``what_changed.md``;
- ``extracts/release_manifest`` — ``manifest.json`` and ``SHA256SUMS`` over the whole folder.

Nothing is written in place: the first two write into the run's staging folder
``extracts/.tmp-<release_id>-<run_id>/``; ``release_manifest`` adds what an earlier run
published for the same release and this run did not rewrite (e.g. other selections), writes the
manifest and checksums there, fsyncs everything and publishes the folder by one rename
(``pipelines.fsutil.publish_dir``). A run that dies leaves only a staging folder, removed at the
start of the next ``make run``.
"""

import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines import faults, fsutil, paths, releases
from pipelines.extracts import manifest
from pipelines.extracts.selection import ExtractConfig, ExtractSelection
from pipelines.warehouse.publish import PUBLISHED

OWNER = "team:sdg-reporting"
SDG_FILES = dg.AssetKey(["extracts", "sdg_files"])
WHAT_CHANGED = dg.AssetKey(["extracts", "what_changed"])
RELEASE_MANIFEST = dg.AssetKey(["extracts", "release_manifest"])


def _current_release() -> releases.Release:
    published = paths.published_path()
    if not published.exists():
        raise releases.ReleaseError(f"no published warehouse at {published}")
    with closing(duckdb.connect(str(published), read_only=True)) as con:
        return releases.current_release(con)


def _release_by_id(release_id: str) -> releases.Release:
    with closing(duckdb.connect(str(paths.published_path()), read_only=True)) as con:
        found = [r for r in releases.releases(con) if r.release_id == release_id]
    if not found:
        raise releases.ReleaseError(f"release {release_id} is not in {paths.published_path()}")
    return found[0]


def run_release(run_id: str) -> releases.Release:
    """The release whose files this run writes, decided once per run: the release the run
    published, if it published one; else the one its ``sdg_files`` step staged files for; else
    the current one. Each step reading "the current release" for itself mislabelled a folder
    when another run published between the two steps (issue 11)."""
    from pipelines.warehouse import build  # the dbt layer; imported when a step runs

    own = build.release_of_run(run_id)
    if own is not None:
        return own
    staged = sorted(paths.extracts_dir().glob(f"{fsutil.TMP_PREFIX}R*-{run_id}"))
    if staged:
        prefix, suffix = fsutil.TMP_PREFIX, f"-{run_id}"
        return _release_by_id(staged[0].name[len(prefix) : -len(suffix)])
    return _current_release()


@contextmanager
def release_snapshot(release: releases.Release, run_id: str) -> Iterator[Path | None]:
    """The published warehouse as it is now, held by a hard link for the step's reads (a
    publish renames a new file over the published path; the link keeps this one). None when the
    published file is no longer ``release``: a newer release replaced it, and that release's run
    writes its own files."""
    link = paths.build_dir() / f"floorboard.{run_id}.snapshot.duckdb"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    os.link(paths.published_path(), link)
    try:
        with closing(duckdb.connect(str(link), read_only=True)) as con:
            now = releases.current_release(con).release_id
        yield link if now == release.release_id else None
    finally:
        link.unlink(missing_ok=True)


def release_folder(release_id: str) -> Path:
    return paths.extracts_dir() / release_id


def staging_folder(release_id: str, run_id: str) -> Path:
    """Where a run writes the files of a release before ``release_manifest`` publishes them."""
    return fsutil.temporary_sibling(release_folder(release_id), run_id)


def _merge_published(final: Path, staging: Path) -> None:
    """Copy into ``staging`` what ``final`` has and this run did not write (top-level entries,
    and single selections): a re-run adds to a release folder, it never loses a file."""
    if not final.is_dir():
        return
    for entry in final.iterdir():
        if entry.name in (manifest.MANIFEST, manifest.CHECKSUMS):
            continue
        ours = staging / entry.name
        if entry.name == "selections" and entry.is_dir():
            for sel in entry.iterdir():
                if not (ours / sel.name).exists():
                    ours.mkdir(parents=True, exist_ok=True)
                    shutil.copytree(sel, ours / sel.name)
        elif not ours.exists():
            if entry.is_dir():
                shutil.copytree(entry, ours)
            else:
                shutil.copy2(entry, ours)


def selection_folder(selection: ExtractSelection) -> str:
    """A readable, stable folder name for a restricted extract, e.g. ``flagship-1a2b3c4d`` or
    ``KEN-URY_SI_COV_PENSN_2020-5e6f7a8b`` (the hash keeps different selections apart)."""
    parts = []
    if selection.flagship_only:
        parts.append("flagship")
    for values, many in (
        (selection.countries, "countries"),
        (selection.series, "series"),
        (selection.years, "years"),
    ):
        if values is not None:
            parts.append("-".join(map(str, values)) if len(values) <= 3 else f"{len(values)}{many}")
    digest = hashlib.sha256(repr(selection).encode()).hexdigest()[:8]
    return "_".join([*parts, digest])


@dg.asset(
    key=SDG_FILES,
    deps=[PUBLISHED],
    group_name="extracts",
    kinds={"sdmx", "csv", "xlsx"},
    owners=[OWNER],
    automation_condition=dg.AutomationCondition.eager(),
    description="SDG 1.3.1 and 3.8.1 for the current release, read from the published warehouse: "
    "SDMX-CSV and SDMX-ML (DSD SDG, DF_SDG_GLH, methodology §8.1–8.2), Open SDG indicator CSVs "
    "(§8.3), an Excel workbook and a CSV download (formula cells neutralized). Config restricts "
    "the extract to countries, series, years or the Flagship focus countries.",
)
def sdg_files(context: dg.AssetExecutionContext, config: ExtractConfig) -> dg.MaterializeResult:
    release = run_release(context.run.run_id)
    selection = config.to_selection()
    out_dir = staging_folder(release.release_id, context.run.run_id)
    shown = release_folder(release.release_id)  # where the files are once published
    if selection != ExtractSelection():
        out_dir = out_dir / "selections" / selection_folder(selection)
        shown = shown / "selections" / selection_folder(selection)
    else:
        selection = None
    # imported here: the writers pull in sdmx1, openpyxl and lxml, start-up the code location
    # should not pay
    from pipelines.extracts.write import write_extracts

    with release_snapshot(release, context.run.run_id) as snapshot:
        if snapshot is None:
            context.log.warning(
                f"release {release.release_id} was replaced by a newer one before its files "
                "were written; the newer release's run writes its own"
            )
            return dg.MaterializeResult(
                metadata={"release_id": release.release_id, "skipped": "replaced"}
            )
        out_dir.mkdir(parents=True, exist_ok=True)  # marks the release this run writes
        written = write_extracts(
            snapshot,
            out_dir,
            release.release_id,
            release.published_at,
            selection,
            reuse_previous=True,
        )
    context.log.info(f"wrote {len(written)} files for {shown} (staged in {out_dir})")
    return dg.MaterializeResult(
        metadata={
            "release_id": release.release_id,
            "folder": dg.MetadataValue.path(str(shown)),
            "files": len(written),
            "selection": str(selection) if selection is not None else "all",
        }
    )


@dg.asset(
    key=WHAT_CHANGED,
    deps=[PUBLISHED],
    group_name="extracts",
    kinds={"csv", "markdown"},
    owners=[OWNER],
    automation_condition=dg.AutomationCondition.eager(),
    description="What changed since the previous release: every observation of "
    "marts.indicator_vintages that is new, revised (old value, new value, difference) or "
    "withdrawn, written to what_changed.csv and what_changed.md in the release folder. "
    "`python -m pipelines.releases diff OLD NEW` compares any two releases.",
)
def what_changed(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    # any later published file holds the vintages of this run's release too
    release = run_release(context.run.run_id)
    out_dir = staging_folder(release.release_id, context.run.run_id)
    previous = release.previous_release_id
    with closing(duckdb.connect(str(paths.published_path()), read_only=True)) as con:
        if previous:
            changes, files = releases.write_what_changed(con, previous, release.release_id, out_dir)
        else:
            changes, files = _first_release(con, release, out_dir)
    counts = {
        c: changes.filter(changes["change"] == c).height for c in ("new", "revised", "withdrawn")
    }
    return dg.MaterializeResult(
        metadata={
            "release_id": release.release_id,
            "previous_release_id": previous or "",
            **{f"{k} observations": v for k, v in counts.items()},
            "report": dg.MetadataValue.md(files[1].read_text(encoding="utf-8")[:4000]),
        }
    )


def _first_release(con, release: releases.Release, out_dir: Path):
    """The first release has no predecessor: every observation is reported as new."""
    changes = releases.what_changed(con, release.release_id, release.release_id)
    assert changes.is_empty()
    all_new = con.sql(
        "select 'new' as change, area_type, ref_area, series_code, time_period, sex, age, "
        "null::double as old_value, value as new_value, null::double as difference, "
        "null as old_nature, nature as new_nature, null as old_obs_status, "
        "obs_status as new_obs_status from marts.indicator_vintages where release_id = $r "
        "order by all",
        params={"r": release.release_id},
    ).pl()
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out_dir / "what_changed.csv", out_dir / "what_changed.md"
    all_new.write_csv(csv_path, float_precision=6)
    md_path.write_text(
        releases.changes_markdown(all_new, "(none)", release.release_id, limit=20)
        + "\nThis is the first release: every observation is new.\n",
        encoding="utf-8",
    )
    return all_new, [csv_path, md_path]


@dg.asset(
    key=RELEASE_MANIFEST,
    deps=[SDG_FILES, WHAT_CHANGED],
    group_name="extracts",
    kinds={"json"},
    owners=[OWNER],
    automation_condition=dg.AutomationCondition.eager(),
    description="manifest.json and SHA256SUMS of the release folder: every file with its size "
    "and sha256, the release id, its publication time and predecessor. Written in the run's "
    "staging folder, which is then published as extracts/<release_id>/ by one rename.",
)
def release_manifest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    release = run_release(context.run.run_id)
    final = release_folder(release.release_id)
    staging = staging_folder(release.release_id, context.run.run_id)
    staged = {p.name for p in staging.iterdir()} if staging.is_dir() else set()
    if not staged - {"what_changed.csv", "what_changed.md"}:  # sdg_files skipped (replaced)
        context.log.warning(f"no files were written for {release.release_id} in this run")
        return dg.MaterializeResult(
            metadata={"release_id": release.release_id, "skipped": "nothing staged"}
        )
    _merge_published(final, staging)
    faults.point("extracts.files_written")
    _, files = manifest.write_manifest(staging, release)
    fsutil.publish_dir(staging, final, kill_point="extracts.before_rename")
    context.log.info(f"published {len(files)} files in {final}")
    return dg.MaterializeResult(
        metadata={
            "release_id": release.release_id,
            "manifest": dg.MetadataValue.path(str(final / manifest.MANIFEST)),
            "files": len(files),
            "bytes": sum(f["bytes"] for f in files),
        }
    )


extract_assets = [sdg_files, what_changed, release_manifest]
