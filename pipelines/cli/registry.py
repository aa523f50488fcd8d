"""``floorboard registry``: registry microdata (issue 15; docs/raw_formats.md).

``generate`` writes a synthetic registry (seeded: same arguments, same bytes); ``land``
validates and lands the registries of raw/registry/ without running the rest of the pipeline
(``floorboard run`` lands them too). Heavy modules are imported when a command runs, so
``--help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli import CONTEXT, PATH, InOrder


@click.group("registry", cls=InOrder, context_settings=CONTEXT, invoke_without_command=True)
@click.pass_context
def registry(ctx: click.Context) -> None:
    """Registry microdata: generate a synthetic registry, land raw/registry/."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@registry.command("generate")
@click.option("--persons", type=click.IntRange(min=1), required=True, help="Persons (N).")
@click.option(
    "--records",
    type=click.IntRange(min=1),
    required=True,
    help="Records in both parts (M, between N and 4 N: each person holds 1-4).",
)
@click.option("--country", default="WSM", show_default=True, help="ISO3 code.")
@click.option("--year", type=click.IntRange(1990, 2100), default=2022, show_default=True)
@click.option("--seed", type=int, default=15, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True
)
@click.option(
    "--errors",
    type=click.FloatRange(0, 0.5),
    default=0.0,
    show_default=True,
    help="Share of records with a planted problem (bad code, unknown scheme, birth year, "
    "conflicting sex, duplicate).",
)
@click.option(
    "--out", type=PATH, default=None, help="Folder holding <ISO3>_<YEAR>/ (raw/registry)."
)
def generate(
    persons: int,
    records: int,
    country: str,
    year: int,
    seed: int,
    fmt: str,
    errors: float,
    out: Path | None,
) -> None:
    """Write a synthetic registry OUT/<ISO3>_<YEAR>/{beneficiaries,contributors}.<format>."""
    import time

    from pipelines import paths
    from pipelines.registry.generate import generate as make

    if not persons <= records <= 4 * persons:
        raise click.BadParameter(
            "must lie between --persons and 4 × --persons", param_hint="--records"
        )
    if len(country) != 3 or not country.isalpha():
        raise click.BadParameter("an ISO3 code such as WSM", param_hint="--country")
    start = time.perf_counter()
    g = make(
        out or paths.raw_dir() / "registry",
        persons,
        records,
        iso3=country.upper(),
        year=year,
        seed=seed,
        fmt=fmt,
        errors=errors,
    )
    click.echo(
        f"wrote {g.persons} persons, {g.beneficiaries} beneficiary and {g.contributors} "
        f"contributor records to {g.folder} in {time.perf_counter() - start:.1f} s"
    )


@registry.command("land")
def land_command() -> None:
    """Validate and land raw/registry/ (needs the SSI submissions landed: `floorboard run`)."""
    from pipelines.registry import land

    for key, receipt, changed in land.land_all():
        for row in receipt.iter_rows(named=True):
            if row["table_name"] == land.FILE_TABLE:
                continue
            click.echo(
                f"{key} {row['table_name']}: {row['rows_received']} received, "
                f"{row['rows_loaded']} loaded, {row['rows_quarantined']} quarantined"
                + ("" if changed else " (unchanged)")
                + (f"; {row['file_error']}" if row["file_error"] else "")
            )
