"""dbt's partial parsing from one pipeline run to the next (issue 13).

dagster-dbt gives every dbt invocation a fresh target folder, so dbt found no
``partial_parse.msgpack`` there and parsed the whole project at every run (4 s of the sample's
build on 2 cores). A run's dbt now starts from the state the last successful build of the same
warehouse left, kept in ``<warehouse>/cache/``: dbt checks it (dbt's version, the profile, the
project's variables and environment, every file's checksum) and re-parses only what changed,
or everything when any of those changed, so a stale or foreign state costs time, never
correctness. The state is per warehouse because the profile's path (the working build file,
``build.working_path``) is: the state written by a ``dbt build`` by hand, or by another
warehouse, would not match; and per dbt project folder, as dbt's own is.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
import uuid
from pathlib import Path

from pipelines import fsutil, paths

#: dbt's partial-parsing state, in a target folder
NAME = "partial_parse.msgpack"


def cache_path() -> Path:
    """Per warehouse and per dbt project folder (a test's copy of the project has its own)."""
    project = hashlib.sha256(str(paths.DBT_PROJECT_DIR.resolve()).encode()).hexdigest()[:12]
    return paths.cache_dir() / f"dbt_partial_parse-{project}.msgpack"


#: the target folders of earlier dbt calls (dbt's log, compiled SQL: a few MB each) are
#: removed once they are this old
KEEP_TARGET_SECONDS = 24 * 3600


def target_path(run_id: str) -> Path:
    """A fresh target folder for a run's dbt invocation (named as dagster-dbt names its own),
    holding the warehouse's last partial-parsing state when there is one. Folders of calls
    older than ``KEEP_TARGET_SECONDS`` are removed."""
    root = paths.DBT_PROJECT_DIR / "target"
    cutoff = time.time() - KEEP_TARGET_SECONDS
    for old in root.glob("floorboard_dbt-*"):
        with contextlib.suppress(OSError):
            if old.is_dir() and not old.is_symlink() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    target = root / f"floorboard_dbt-{run_id[:7]}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True, exist_ok=True)
    state = fsutil.read_cache(cache_path())
    if state is not None:
        (target / NAME).write_bytes(state)
    return target


def keep(target: Path) -> None:
    """Keep the state of a successful invocation for the next run."""
    state = fsutil.read_cache(target / NAME)
    if state is not None:
        fsutil.write_cache(cache_path(), state)
