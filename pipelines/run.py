"""``python -m pipelines.run`` (``make run``): materialize the whole asset graph on what is in
raw/ and publish it (``pipelines.runner``), unless nothing changed.

Usage: ``python -m pipelines.run [--full] [--ephemeral]``

- With the same raw bytes and the same code as the published release (``pipelines.inputs``),
  it prints "nothing changed since R…" and returns in a few seconds: nothing is landed, built
  or published. This check imports neither Dagster nor dbt.
- When the published release was built from the same inputs by a run that died before its
  release files and site were in place (kill -9 after the publish), it writes them for that
  release ("finishing release R…"): no second build, no second release of the same content.
- When only SSI submissions changed since the published release was built (same code, same
  other drop zones), the build refreshes only the models that depend on them, in a copy of the
  published warehouse; everything else is as published.
- ``--full`` builds everything and publishes, even when nothing changed.
- ``--ephemeral`` runs on a throw-away Dagster instance.

The names of ``pipelines.runner`` (``run``, ``summary``…) are reachable from here too, loaded
on first use.
"""

from __future__ import annotations

import os

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
    found = inputs.Check(inputs.CHANGED) if ephemeral else inputs.check()
    if args.full:  # build everything whatever the check found; its snapshot is still recorded
        found = inputs.Check(inputs.CHANGED, None, found.snap)
    if found.state == inputs.UNCHANGED:
        print(
            f"nothing changed since {found.release} (same raw files, same code): nothing to "
            f"land, build or publish. Warehouse: {paths.published_path()}"
        )
        return 0
    # the build's dbt process imports dbt on the second core while this one imports Dagster
    # and lands (pipelines.warehouse.warm_dbt); finishing a release builds nothing
    from pipelines.warehouse import warm_dbt

    if found.state != inputs.UNFINISHED:
        warm_dbt.start()
    try:
        code, done, finished = _land_build_publish(found, ephemeral)
    finally:
        warm_dbt.stop()
    if code == 0 and finished and not ephemeral:
        inputs.record(found.snap, done)
    return code


def _land_build_publish(found: inputs.Check, ephemeral: bool) -> tuple[int, str | None, bool]:
    """``main`` once there is something to do: (exit code, the release it published or
    finished, whether this process did the work, to record as done)."""
    import uuid

    # first: no cyclic garbage collection while Dagster and the code location import
    # (pipelines/startup.py; pipelines.definitions turns it back on)
    from pipelines import startup  # noqa: F401  # isort: skip

    import dagster as dg

    from pipelines import locks, runner
    from pipelines.warehouse import build

    with dg.instance_for_test() if ephemeral else dg.DagsterInstance.get() as instance:
        if found.state == inputs.UNFINISHED:
            builder = instance.get_run_by_id(found.build_run_id)
            if locks.run_is_dead(builder) is None:
                print(
                    f"release {found.release} was published from the same raw files and code "
                    f"by run {found.build_run_id}, which is still writing its release files "
                    "and site: nothing to do"
                )
                return 0, None, False
            print(
                f"finishing release {found.release}: it was published from the same raw files "
                "and code by a run that stopped before its release files and site were in "
                "place; writing them (no new build)"
            )
            code = runner.finish_release(instance, found.release)
            done = found.release
        else:
            build_run_id = str(uuid.uuid4())
            if not ephemeral:
                inputs.record_pending(found.snap, build_run_id)
            code = runner.run(
                instance,
                build_run_id=build_run_id,
                only_ssi=found.only_ssi_changed(),
                snap=found.snap,
            )
            built = build.release_of_run(build_run_id) if code == 0 and not ephemeral else None
            done = built.release_id if built else None
    return code, done, True


def __getattr__(name: str):
    from pipelines import runner

    return getattr(runner, name)


if __name__ == "__main__":
    from pipelines import fastexit

    fastexit.exit_now(main())
