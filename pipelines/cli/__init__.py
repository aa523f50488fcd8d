"""``floorboard``: the one console command (``[project.scripts]`` in pyproject.toml).

Every subcommand imports what it needs when it runs, so ``floorboard --help`` and
``floorboard <command> --help`` only print (no Dagster instance, no warehouse opened, no file
written). A wrong argument prints one line on stderr and exits with 2; a command that cannot do
its work (no published warehouse, a failed run) prints one line and exits with 1.

The modules beside this one hold the work of the longer commands: ``status``, ``sql``,
``extract``. Paths follow ``pipelines.paths`` (``FLOORBOARD_WAREHOUSE_DIR``,
``FLOORBOARD_RAW_DIR``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from pipelines import paths

PROG = "floorboard"
#: the options of ``make test`` (two xdist workers, one module per worker)
PYTEST_OPTIONS = ("-q", "-n", "2", "--dist", "loadfile")
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name=PROG,
    help="Floorboard: land SSI submissions, build and publish the social protection warehouse, "
    "and read it (status, releases, SQL, SDG extracts, country pages).",
    epilog="Paths: FLOORBOARD_RAW_DIR (default raw/), FLOORBOARD_WAREHOUSE_DIR (default "
    "warehouse/). Dagster: DAGSTER_HOME (default .dagster/).",
    add_completion=False,
    context_settings=CONTEXT,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
releases_app = typer.Typer(
    help="Releases of the published warehouse: list them, or what changed between two.",
    context_settings=CONTEXT,
    rich_markup_mode=None,
)
app.add_typer(releases_app, name="releases")


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


@app.callback(invoke_without_command=True)
def _root(ctx: typer.Context) -> None:
    """Without a command: the help (nothing else runs here, before any command's options are
    read, so that ``<command> --help`` touches nothing)."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


@releases_app.callback(invoke_without_command=True)
def _releases(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


# --- pipeline -----------------------------------------------------------------------------------


@app.command()
def run(
    ephemeral: Annotated[
        bool,
        typer.Option(help="Use a throw-away Dagster instance instead of DAGSTER_HOME."),
    ] = False,
) -> None:
    """Land what is in raw/, build and publish warehouse/floorboard.duckdb (= make run)."""
    if not ephemeral:
        ensure_dagster_home()
    from pipelines import run as pipeline

    raise typer.Exit(pipeline.main(["--ephemeral"] if ephemeral else []))


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 3000,
) -> None:
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


@app.command(context_settings={**CONTEXT, "allow_extra_args": True, "ignore_unknown_options": True})
def test(ctx: typer.Context) -> None:
    """Run the test suite with pytest (= make test: -q -n 2 --dist loadfile).

    Extra arguments go to pytest, e.g. `floorboard test tests/test_cli.py -x`
    (`floorboard test -- --help` for pytest's own help)."""
    import importlib.util

    if importlib.util.find_spec("pytest") is None or importlib.util.find_spec("xdist") is None:
        raise CliError("pytest and pytest-xdist are not installed: run `make install`")
    os.chdir(paths.REPO_ROOT)
    args = [sys.executable, "-m", "pytest", *PYTEST_OPTIONS, *ctx.args]
    os.execv(sys.executable, args)


@app.command()
def sample(
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder. Default: the raw folder (FLOORBOARD_RAW_DIR or raw/)."),
    ] = None,
) -> None:
    """Regenerate the synthetic sample (deterministic) into raw/ (= make sample)."""
    from pipelines.sample import generate

    generate.main(["--out", str(out or paths.raw_dir())])


@app.command()
def site(
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder. Default: <warehouse>/site."),
    ] = None,
) -> None:
    """Rebuild the country pages from the published warehouse (= make site)."""
    published()
    from pipelines.site import build

    raise typer.Exit(build.main([str(out)] if out else []))


# --- reading the warehouse ----------------------------------------------------------------------


@app.command("status")
def status_command(
    show_all: Annotated[
        bool, typer.Option("--all", help="List every submission, not only the problems.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """What is landed, quarantined or refused per submission, the last release, and what
    changed since it (new, changed or removed files in raw/ not yet published)."""
    from pipelines.cli import status as st

    report = st.collect()
    if as_json:
        import json

        typer.echo(json.dumps(report, indent=2, default=str))
    else:
        typer.echo(st.render(report, show_all=show_all))


@app.command("sql")
def sql_command(
    command: Annotated[
        str | None,
        typer.Option(
            "--command", "-c", help="SQL to run; without it, statements are read from stdin."
        ),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(help="DuckDB file to open. Default: the published warehouse."),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print results as CSV, every row.")] = False,
    max_rows: Annotated[int, typer.Option(min=1, help="Rows shown per result as a table.")] = 100,
) -> None:
    """A read-only SQL shell on the published warehouse (the bundled DuckDB).

    `floorboard sql -c "select count(*) from marts.sdg_indicators"` prints the result as a
    table; without -c, statements (ending with ;) are read from stdin, interactively or piped.
    Dot commands: .tables, .help, .quit. The file is opened read-only: nothing can be written
    to it."""
    from pipelines.cli import sql as shell

    path = published(warehouse)
    raise typer.Exit(shell.main(path, command, csv=csv, max_rows=max_rows))


@app.command("extract")
def extract_command(
    country: Annotated[
        list[str] | None,
        typer.Option(help="ISO3 code; repeat it or separate with commas (KEN,URY)."),
    ] = None,
    series: Annotated[
        list[str] | None,
        typer.Option(help="SDG series code (SI_COV_PENSN...); repeat or separate with commas."),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(help="Years: 2020-2022, 2019,2021 or 2020-2021,2023."),
    ] = None,
    flagship: Annotated[
        bool, typer.Option("--flagship", help="Only the ILO Flagship focus countries.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the files into this new (or empty) folder instead of the release "
            "folder; no Dagster run."
        ),
    ] = None,
) -> None:
    """A restricted SDG extract of the current release (SDMX-CSV, SDMX-ML, Open SDG, workbook,
    CSV), read from the published warehouse, never recomputed.

    By default it runs the Dagster job extract_release with this selection as run config and
    writes warehouse/extracts/<release>/selections/<name>/ (with the release manifest)."""
    from pipelines.cli import extract as ex

    selection = ex.selection(country, series, years, flagship)
    path = published()
    if out is not None:
        folder, files = ex.write_to(path, selection, out)
    else:
        ensure_dagster_home()
        folder, files = ex.run_job(path, selection)
    typer.echo(f"{files} files in {folder}")


@releases_app.command("list")
def releases_list(
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB file. Default: the published warehouse.")
    ] = None,
) -> None:
    """List the releases: id, published at (UTC), observations, content hash, previous."""
    from pipelines import releases

    raise typer.Exit(releases.main(["--warehouse", str(published(warehouse)), "list"]))


@releases_app.command("diff")
def releases_diff(
    old: Annotated[str, typer.Argument(help="Older release id (R<yyyymmdd>-<hhmmss>).")],
    new: Annotated[str, typer.Argument(help="Newer release id.")],
    out: Annotated[
        Path | None, typer.Option(help="Also write what_changed.csv and .md into this folder.")
    ] = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB file. Default: the published warehouse.")
    ] = None,
) -> None:
    """What changed between two releases: new, revised and withdrawn observations."""
    from pipelines import releases

    argv = ["--warehouse", str(published(warehouse)), "diff", old, new]
    if out is not None:
        argv += ["--out", str(out)]
    raise typer.Exit(releases.main(argv))


# --- entry point --------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """The console script: runs the command, turns every error into one line and an exit
    code (2: wrong arguments, 1: the command failed, 130: interrupted)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        rv = app(args=args, prog_name=PROG, standalone_mode=False)
    except TyperException as exc:  # usage errors (exit code 2) and other click errors
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else PROG
        hint = f" (see `{where} --help`)" if exc.exit_code == 2 else ""
        print(f"{where}: error: {_one_line(exc.format_message())}{hint}", file=sys.stderr)
        return exc.exit_code
    except CliError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.code
    except (KeyboardInterrupt, typer.Abort):
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
