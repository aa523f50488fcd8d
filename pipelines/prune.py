"""Pruning policy, applied at the start of every ``make run`` (``prune(instance)``):

- **build files** ``warehouse/build/floorboard.<run_id>.duckdb`` (and ``.wal``) of runs that
  are not in progress any more are removed: a published build was renamed away, so what is
  left is a failed or killed build (the last failed one stays for diagnosis until the next run);
  all of them, and the working build file (``floorboard.building.duckdb``), only when no build
  holds the build lock (a build holds it from its start to its publish);
- **temporary folders and files** (``.tmp-*`` siblings of the site and of the release folders,
  ``.manifest.json.tmp``) of runs or processes that no longer exist are removed;
- **release folders** ``warehouse/extracts/<release_id>/``: those of the newest
  ``FLOORBOARD_KEEP_RELEASES`` (default 5) releases are kept, older ones removed;
- ``marts.releases`` and ``marts.indicator_vintages`` keep everything, always: every value ever
  released stays queryable in the warehouse, whatever files were pruned.
"""

from __future__ import annotations

import os
import re
from contextlib import closing
from pathlib import Path

import dagster as dg
import duckdb

from pipelines import fsutil, locks, paths, releases
from pipelines.warehouse import build

DEFAULT_KEEP_RELEASES = 5
RELEASE_FOLDER = re.compile(r"^R\d{8}-\d{6}(\.\d+)?$")
RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLI_PID = re.compile(r"cli-(\d+)$")
#: where ``fsutil.publish_dir``'s fallback (no RENAME_EXCHANGE) moves the published folder
#: ``<name>`` before renaming the new one into place
OLD_FOLDER = re.compile(rf"^{re.escape(fsutil.TMP_PREFIX)}(?P<name>.+)-old-(?P<pid>\d+)$")


def keep_releases() -> int:
    return int(os.environ.get("FLOORBOARD_KEEP_RELEASES", DEFAULT_KEEP_RELEASES))


def _run_alive(instance: dg.DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is not None and locks.run_is_dead(run) is None


def _owner_alive(instance: dg.DagsterInstance, name: str) -> bool:
    """Is the run (uuid suffix) or CLI process (``cli-<pid>`` suffix) that wrote ``name``
    still working? Anything else temporary is an orphan."""
    if m := RUN_ID.search(name):
        return _run_alive(instance, m.group(0))
    if m := CLI_PID.search(name):
        return locks.process_alive(int(m.group(1)))
    if m := OLD_FOLDER.match(name):
        return locks.process_alive(int(m["pid"]))
    return False


def prune_builds(instance: dg.DagsterInstance) -> list[Path]:
    """Only when no build holds the build lock: a build holds it from its start to its publish,
    and its run may be unknown to this instance (another DAGSTER_HOME on the same warehouse)."""
    try:
        with locks.build_lock("make run: pruning", timeout=0):
            return _prune_builds(instance)
    except TimeoutError:
        return []


def _prune_builds(instance: dg.DagsterInstance) -> list[Path]:
    build.stop_orphan_dbt()  # a dead build's dbt still writing the working file
    # the working file is a dead build's (the lock is free); it has no run id
    removed = []
    for f in sorted(paths.build_dir().glob("*.duckdb*")):
        m = RUN_ID.search(f.name.split(".duckdb")[0])  # floorboard.<run_id>.duckdb[.wal|.tmp]
        if m is None or not _run_alive(instance, m.group(0)):
            fsutil.remove(f)
            removed.append(f)
    return removed


def prune_temporary(instance: dg.DagsterInstance) -> list[Path]:
    removed = []
    wh = paths.warehouse_dir()
    candidates = [*wh.glob(f"{fsutil.TMP_PREFIX}*"), *wh.glob(".site-*")]
    if paths.extracts_dir().is_dir():
        candidates += paths.extracts_dir().glob(f"{fsutil.TMP_PREFIX}*")
        candidates += paths.extracts_dir().glob("*/.manifest.json.tmp")
    for path in sorted(candidates):
        if _owner_alive(instance, path.name):
            continue
        old = OLD_FOLDER.match(path.name)
        if old and path.is_dir() and not path.with_name(old["name"]).exists():
            # its publish_dir died between its two renames: this is the only copy of the
            # published folder (the site, a release folder); put it back, never delete it
            path.rename(path.with_name(old["name"]))
            continue
        fsutil.remove(path)
        removed.append(path)
    return removed


def prune_release_folders(keep: int | None = None) -> list[Path]:
    """Remove the release folders of all but the newest ``keep`` releases of the published
    warehouse (a folder of a release it does not know is left alone)."""
    keep = keep_releases() if keep is None else keep
    published, folder = paths.published_path(), paths.extracts_dir()
    if not published.exists() or not folder.is_dir():
        return []
    with closing(duckdb.connect(str(published), read_only=True)) as con:
        ids = [r.release_id for r in releases.releases(con)]
    if not ids:
        return []
    kept = set(ids[-keep:]) if keep > 0 else set()
    kept.add(ids[-1])  # the current release's files are never pruned
    removed = []
    for path in sorted(folder.iterdir()):
        old = path.name in ids and path.name not in kept
        if old and path.is_dir() and RELEASE_FOLDER.match(path.name):
            fsutil.remove(path)
            removed.append(path)
    return removed


def prune(instance: dg.DagsterInstance) -> list[Path]:
    """The whole policy, under the warehouse lock (no run publishes meanwhile)."""
    with locks.warehouse_lock("make run: pruning"):
        return [*prune_builds(instance), *prune_temporary(instance), *prune_release_folders()]
