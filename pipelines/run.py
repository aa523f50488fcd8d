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

USAGE = __doc__.split("\n\n")[1]
OPTIONS = {"--full", "--ephemeral"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if {"-h", "--help"} & set(args):
        print(__doc__.strip())
        return 0
    unknown = [a for a in args if a not in OPTIONS]
    if unknown:
        print(f"error: unknown option {unknown[0]}. {USAGE}", file=sys.stderr)
        return 2
    # progress bars and plain progress lines for the person running this (pipelines.progress)
    os.environ.setdefault(progress.ENV, "1")
    ephemeral = "--ephemeral" in args
    release, snap = (None, {}) if ephemeral else inputs.unchanged_since()
    if release is not None and "--full" not in args:
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
