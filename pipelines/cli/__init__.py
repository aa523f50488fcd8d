"""``floorboard``: the one console command (``[project.scripts]`` in pyproject.toml), with click.

Every subcommand imports what it needs when it runs, so ``floorboard --help`` and
``floorboard <command> --help`` only print (no Dagster instance, no warehouse opened, no file
written) and take a fraction of a second. A wrong argument prints one line on stderr and exits
with 2; a command that cannot do its work (no published warehouse, a failed run) prints one line
and exits with 1.

The modules beside this one hold the work of the longer commands: ``status``, ``sql``,
``extract``. Paths follow ``pipelines.paths`` (``FLOORBOARD_WAREHOUSE_DIR``,
``FLOORBOARD_RAW_DIR``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pipelines import paths

PROG = "floorboard"
#: the options of ``make test``: three xdist workers on two cores (the tests wait for their
#: subprocesses, servers and the disk: two workers kept the cores 85 % busy; on fresh clones,
#: back to back, three took 13:37 of pytest against 15:12 with two, and 17:30 against 18:47 on a
#: slower sitting; four, 18:22), one module per worker, modules handed out
#: in collection order (tests/conftest.py puts the longest first), not by their number of tests
PYTEST_OPTIONS = ("-q", "-n", "3", "--dist", "loadfile", "--no-loadscope-reorder")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
PATH = click.Path(path_type=Path)


class CliError(Exception):
    """A command cannot do its work: one line on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def published(warehouse: Path | None = None) -> Path:
    """The published warehouse file (or ``warehouse``), which must exist."""
    path = warehouse or paths.published_path()
    if not path.is_file():
        raise CliError(f"no published warehouse at {path}: run `floorboard run` first")
    return path


def ensure_dagster_home() -> Path:
    """``DAGSTER_HOME``, or ``<repo>/.dagster`` (with a copy of dagster.yaml) as ``make`` sets
    it: the runs of ``floorboard run`` and ``extract`` are kept in the same instance as the UI's."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        return Path(home)
    folder = paths.REPO_ROOT / ".dagster"
    folder.mkdir(exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists():
        config.write_bytes((paths.REPO_ROOT / "dagster.yaml").read_bytes())
    os.environ["DAGSTER_HOME"] = str(folder)
    return folder


def _scripts_dir() -> Path:
    """The bin folder of the environment this command runs in (the project's .venv)."""
    import sysconfig

    return Path(sysconfig.get_path("scripts"))


class InOrder(click.Group):
    """Commands listed in the order they are defined (pipeline first), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    name=PROG,
    cls=InOrder,
    context_settings=CONTEXT,
    invoke_without_command=True,
    epilog="Paths: FLOORBOARD_RAW_DIR (default raw/), FLOORBOARD_WAREHOUSE_DIR (default "
    "warehouse/). Dagster: DAGSTER_HOME (default .dagster/).",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Floorboard: land SSI submissions, build and publish the social protection warehouse, and
    read it (status, releases, SQL, SDG extracts, country pages)."""
    # nothing runs here but the help: this runs before a subcommand's options are read
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


# --- pipeline -----------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--ephemeral", is_flag=True, help="Use a throw-away Dagster instance instead of DAGSTER_HOME."
)
@click.option("--full", is_flag=True, help="Build and publish even when nothing changed.")
@click.pass_context
def run(ctx: click.Context, ephemeral: bool, full: bool) -> None:
    """Land what is in raw/, build and publish warehouse/floorboard.duckdb (= make run);
    with the same raw files and code as the published release, say so and do nothing."""
    if not ephemeral:
        ensure_dagster_home()
    from pipelines import run as pipeline

    ctx.exit(pipeline.main(["--ephemeral"] * ephemeral + ["--full"] * full))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=int, default=3000, show_default=True, help="Port.")
def ui(host: str, port: int) -> None:
    """The Dagster UI (webserver and daemon) on http://HOST:PORT (= make ui)."""
    scripts = _scripts_dir()
    dagster = scripts / "dagster"
    if not dagster.exists():
        raise CliError(f"{dagster} not found: run `make install`")
    ensure_dagster_home()
    env = dict(os.environ)
    # the code location runs dbt: it must find the venv's dbt without an activated venv
    env["PATH"] = os.pathsep.join([str(scripts), env.get("PATH", "")]).rstrip(os.pathsep)
    args = ["dev", "-m", "pipelines.definitions", "-h", host, "-p", str(port)]
    os.chdir(paths.REPO_ROOT)
    os.execve(dagster, [str(dagster), *args], env)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(pytest_args: tuple[str, ...]) -> None:
    """Run the test suite with pytest (= make test: -q -n 3 --dist loadfile, longest modules
    first).

    Extra arguments go to pytest, e.g. `floorboard test tests/test_cli.py -x`
    (`floorboard test -- --help` for pytest's own help)."""
    import importlib.util

    if importlib.util.find_spec("pytest") is None or importlib.util.find_spec("xdist") is None:
        raise CliError("pytest and pytest-xdist are not installed: run `make install`")
    os.chdir(paths.REPO_ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *PYTEST_OPTIONS, *pytest_args])


@cli.command()
@click.option(
    "--out",
    type=PATH,
    help="Output folder. Default: the raw folder (FLOORBOARD_RAW_DIR or raw/).",
)
def sample(out: Path | None) -> None:
    """Regenerate the synthetic sample (deterministic) into raw/ (= make sample)."""
    from pipelines.sample import generate

    generate.main(["--out", str(out or paths.raw_dir())])


@cli.command()
@click.option("--out", type=PATH, help="Output folder. Default: <warehouse>/site.")
@click.pass_context
def site(ctx: click.Context, out: Path | None) -> None:
    """Rebuild the country pages from the published warehouse (= make site)."""
    published()
    from pipelines.site import build

    ctx.exit(build.main([str(out)] if out else []))


# --- reading the warehouse ----------------------------------------------------------------------


@cli.command("status")
@click.option("--all", "show_all", is_flag=True, help="List every submission, not only problems.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def status_command(show_all: bool, as_json: bool) -> None:
    """What is landed, quarantined or refused per submission, the last release, and what
    changed since it (new, changed or removed files in raw/ not yet published)."""
    from pipelines.cli import status as st

    report = st.collect()
    if as_json:
        import json

        click.echo(json.dumps(report, indent=2, default=str))
    else:
        click.echo(st.render(report, show_all=show_all))


@cli.command("sql")
@click.option("--command", "-c", help="SQL to run; without it, statements are read from stdin.")
@click.option("--warehouse", type=PATH, help="DuckDB file. Default: the published warehouse.")
@click.option("--csv", "as_csv", is_flag=True, help="Print results as CSV, every row.")
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Rows shown per result as a table.",
)
@click.pass_context
def sql_command(
    ctx: click.Context, command: str | None, warehouse: Path | None, as_csv: bool, max_rows: int
) -> None:
    """A read-only SQL shell on the published warehouse (the bundled DuckDB).

    `floorboard sql -c "select count(*) from marts.sdg_indicators"` prints the result as a
    table; without -c, statements (ending with ;) are read from stdin, interactively or piped.
    Dot commands: .tables, .help, .quit. The file is opened read-only: nothing can be written
    to it."""
    from pipelines.cli import sql as shell

    path = published(warehouse)
    ctx.exit(shell.main(path, command, csv=as_csv, max_rows=max_rows))


@cli.command("extract")
@click.option(
    "--country", multiple=True, help="ISO3 code; repeat it or separate with commas (KEN,URY)."
)
@click.option(
    "--series", multiple=True, help="SDG series code (SI_COV_PENSN...); repeat or use commas."
)
@click.option("--years", help="Years: 2020-2022, 2019,2021 or 2020-2021,2023.")
@click.option("--flagship", is_flag=True, help="Only the ILO Flagship focus countries.")
@click.option(
    "--out",
    type=PATH,
    help="Write the files into this new (or empty) folder instead of the release folder; "
    "no Dagster run.",
)
def extract_command(
    country: tuple[str, ...],
    series: tuple[str, ...],
    years: str | None,
    flagship: bool,
    out: Path | None,
) -> None:
    """A restricted SDG extract of the current release (SDMX-CSV, SDMX-ML, Open SDG, workbook,
    CSV), read from the published warehouse, never recomputed.

    By default it runs the Dagster job extract_release with this selection as run config and
    writes warehouse/extracts/<release>/selections/<name>/ (with the release manifest)."""
    from pipelines.cli import extract as ex

    selection = ex.selection(list(country), list(series), years, flagship)
    path = published()
    if out is not None:
        folder, files = ex.write_to(path, selection, out)
    else:
        ensure_dagster_home()
        folder, files = ex.run_job(path, selection)
    click.echo(f"{files} files in {folder}")


@cli.group("releases", cls=InOrder, context_settings=CONTEXT, invoke_without_command=True)
@click.pass_context
def releases_group(ctx: click.Context) -> None:
    """Releases of the published warehouse: list them, or what changed between two."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@releases_group.command("list")
@click.option("--warehouse", type=PATH, help="DuckDB file. Default: the published warehouse.")
@click.pass_context
def releases_list(ctx: click.Context, warehouse: Path | None) -> None:
    """List the releases: id, published at (UTC), observations, content hash, previous."""
    from pipelines import releases

    ctx.exit(releases.main(["--warehouse", str(published(warehouse)), "list"]))


@releases_group.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--out", type=PATH, help="Also write what_changed.csv and .md into this folder.")
@click.option("--warehouse", type=PATH, help="DuckDB file. Default: the published warehouse.")
@click.pass_context
def releases_diff(
    ctx: click.Context, old: str, new: str, out: Path | None, warehouse: Path | None
) -> None:
    """What changed between release OLD and release NEW: new, revised and withdrawn
    observations."""
    from pipelines import releases

    argv = ["--warehouse", str(published(warehouse)), "diff", old, new]
    if out is not None:
        argv += ["--out", str(out)]
    ctx.exit(releases.main(argv))


from pipelines.cli import aggregate as _aggregate  # noqa: E402, F401 (`floorboard aggregate`)
from pipelines.cli import registry as _registry  # noqa: E402 (`floorboard registry`)

cli.add_command(_registry.registry)


# --- entry point --------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """The console script: runs the command, turns every error into one line and an exit
    code (2: wrong arguments, 1: the command failed, 130: interrupted)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        rv = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else PROG
        print(
            f"{where}: error: {_one_line(exc.format_message())} (see `{where} --help`)",
            file=sys.stderr,
        )
        return exc.exit_code
    except click.ClickException as exc:
        print(f"{PROG}: error: {_one_line(exc.format_message())}", file=sys.stderr)
        return exc.exit_code
    except CliError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.code
    except (KeyboardInterrupt, click.Abort):
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return rv if isinstance(rv, int) else 0


def console() -> None:
    """The ``floorboard`` console script: ``main()``, then leave without the interpreter's
    teardown (``pipelines.fastexit``: 1 s of a ``floorboard run``)."""
    from pipelines import fastexit

    fastexit.exit_now(main())


if __name__ == "__main__":
    console()
