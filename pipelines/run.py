"""``python -m pipelines.run`` (``make run``): materialize the whole asset graph on what is in
raw/ and publish it (``pipelines.runner``), unless nothing changed.

Usage: ``python -m pipelines.run [--full] [--ephemeral]``

- With the same raw bytes and the same code as the published release (``pipelines.inputs``),
  it prints "nothing changed since R…" and returns in a few seconds: nothing is landed, built
  or published. This check imports neither Dagster nor dbt.
- ``--full`` builds and publishes even when nothing changed.
- ``--ephemeral`` runs on a throw-away Dagster instance.

The names of ``pipelines.runner`` (``run``, ``summary``…) are reachable from here too, loaded
on first use.
"""

from __future__ import annotations

import os
import sys

from pipelines import inputs, paths, progress


def _parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m pipelines.run",
        description="Materialize the whole asset graph on what is in raw/ and publish "
        "warehouse/floorboard.duckdb (the same as `make run` and `floorboard run`), unless "
        "nothing changed since the published release.",
    )
    parser.add_argument(
        "--full", action="store_true", help="build and publish even when nothing changed"
    )
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        help="use a throw-away Dagster instance instead of DAGSTER_HOME",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # --help prints the usage and exits: nothing runs
    # progress bars and plain progress lines for the person running this (pipelines.progress)
    os.environ.setdefault(progress.ENV, "1")
    ephemeral = args.ephemeral
    release, snap = (None, {}) if ephemeral else inputs.unchanged_since()
    if release is not None and not args.full:
        print(
            f"nothing changed since {release} (same raw files, same code): nothing to land, "
            f"build or publish. Warehouse: {paths.published_path()}"
        )
        return 0
    import dagster as dg

    from pipelines import runner

    with dg.instance_for_test() if ephemeral else dg.DagsterInstance.get() as instance:
        code = runner.run(instance)
    if code == 0 and not ephemeral:
        inputs.record(snap)
    return code


def __getattr__(name: str):
    from pipelines import runner

    return getattr(runner, name)


if __name__ == "__main__":
    sys.exit(main())
