"""``make docs``: the dbt documentation site, with the real catalog of the published warehouse.

``dbt docs generate`` needs a database connection for the catalog (every table and column with
its type and comment). It never gets one on the published ``warehouse/floorboard.duckdb``: dbt
opens its database read-write, and a reader must never hold a write lock on the published
file. The file is copied instead (published files are never changed in place, only replaced
by a rename, so one open and read gives a consistent copy) into a temporary folder as
``floorboard.duckdb``, the database name of the manifest, and the copy is removed afterwards.

Writes ``dbt_project/target/index.html`` (served by ``dbt docs serve``, which needs the
``manifest.json`` and ``catalog.json`` beside it) and ``static_index.html`` (everything in one
file, opens from disk), and prints where they are.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines import paths


def generate(target_path: Path | None = None) -> Path:
    """Build the docs site from the published warehouse; returns the path of ``index.html``."""
    published = paths.published_path()
    if not published.exists():
        raise FileNotFoundError(f"no published warehouse at {published}: run `make run` first")
    target = Path(target_path or paths.DBT_PROJECT_DIR / "target").resolve()
    with tempfile.TemporaryDirectory(prefix="floorboard-docs-") as tmp:
        copy = Path(tmp) / "floorboard.duckdb"
        shutil.copyfile(published, copy)
        os.chmod(copy, 0o600)  # the published file is read-only; dbt opens its copy read-write
        env = {
            **os.environ,
            "FLOORBOARD_DUCKDB_PATH": str(copy),
            "FLOORBOARD_LANDING_DIR": str(paths.landing_dir()),
        }
        done = subprocess.run(
            [
                paths.DBT_EXECUTABLE,
                "--no-use-colors",
                "docs",
                "generate",
                "--static",
                "--profiles-dir",
                str(paths.DBT_PROJECT_DIR),
                "--project-dir",
                str(paths.DBT_PROJECT_DIR),
                "--target-path",
                str(target),
            ],
            cwd=paths.DBT_PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}")
    return target / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.warehouse.docs",
        description="Build the dbt documentation site with the catalog of the published "
        "warehouse (DuckDB opens a temporary copy of it, never the published file).",
    )
    parser.add_argument(
        "--target-path",
        type=Path,
        default=None,
        help="where dbt writes the site (default: dbt_project/target)",
    )
    args = parser.parse_args(argv)
    try:
        index = generate(args.target_path)
    except (FileNotFoundError, RuntimeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"dbt docs: {index}")
    print(f"  one file that opens from disk: {index.with_name('static_index.html')}")
    project = paths.DBT_PROJECT_DIR
    print(
        f"  or serve it: {paths.DBT_EXECUTABLE} docs serve --project-dir {project} "
        f"--profiles-dir {project} --target-path {index.parent}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
