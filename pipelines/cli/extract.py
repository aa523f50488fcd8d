"""``floorboard extract``: a restricted SDG extract of the current release.

It replaces the hand-written run configuration of the ``extract_release`` job: the options
become ``ExtractConfig`` (``pipelines.extracts.selection``), and the job's assets
(``extracts/sdg_files`` then ``extracts/release_manifest``, ``pipelines.extracts.assets``)
write ``warehouse/extracts/<release>/selections/<name>/`` and publish the release folder with
its manifest. With ``--out DIR`` the same files (``pipelines.extracts.write.write_extracts``) and
a manifest are written into DIR instead, without a Dagster run. Values are read from the
published warehouse, never recomputed.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipelines.cli import CliError

if TYPE_CHECKING:  # imported when used: it imports Dagster (slow), wrong options are not
    from pipelines.extracts.selection import ExtractSelection

YEAR = re.compile(r"^\d{4}$")
RANGE = re.compile(r"^(\d{4})-(\d{4})$")
ISO3 = re.compile(r"^[A-Za-z]{3}$")


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def parse_years(text: str | None) -> tuple[int, ...] | None:
    """``2020-2022``, ``2019,2021`` or ``2020-2021,2023`` -> sorted years."""
    if text is None:
        return None
    years: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if YEAR.match(part):
            years.add(int(part))
        elif m := RANGE.match(part):
            first, last = int(m[1]), int(m[2])
            if first > last:
                raise click.BadParameter(
                    f"{part}: the first year is after the last", param_hint="--years"
                )
            years.update(range(first, last + 1))
        else:
            raise click.BadParameter(
                f"{part!r} is not a year or a range like 2020-2022", param_hint="--years"
            )
    return tuple(sorted(years))


def selection(
    countries: list[str] | None, series: list[str] | None, years: str | None, flagship: bool
) -> ExtractSelection:
    """The selection of the options; at least one restriction is needed. The options are
    checked before anything slow is imported."""
    countries = _split(countries)
    series = _split(series)
    for code in countries or ():
        if not ISO3.match(code):
            raise click.BadParameter(f"{code!r} is not an ISO3 code", param_hint="--country")
    chosen_years = parse_years(years)
    if not (countries or series or chosen_years or flagship):
        raise click.BadParameter(
            "give at least one of --country, --series, --years, --flagship "
            "(the full extract is written by `floorboard run`)",
            param_hint="options",
        )
    from pipelines.extracts.selection import ExtractSelection

    return ExtractSelection(
        countries=tuple(countries) if countries else None,
        series=tuple(series) if series else None,
        years=chosen_years,
        flagship_only=flagship,
    )


def check(warehouse: Path, chosen: ExtractSelection) -> int:
    """Validate the selection against the DSD code lists and the published warehouse, the way
    the extract does (``codelists``, ``observations.read``); returns how many observations it
    holds. A code that does not exist is a wrong argument (exit code 2)."""
    from pipelines.extracts import codelists, observations

    if chosen.series is not None:
        try:
            codelists.load().validate({"SERIES": chosen.series})
        except codelists.CodeListError as exc:
            raise click.BadParameter(" ".join(str(exc).split()), param_hint="--series") from None
    try:
        frame = observations.read(warehouse, chosen)
    except ValueError as exc:  # a country not in marts.dim_country
        raise click.BadParameter(" ".join(str(exc).split()), param_hint="--country") from None
    if frame.height == 0:
        raise CliError(f"no published observation matches {describe(chosen)}")
    return frame.height


def describe(chosen: ExtractSelection) -> str:
    parts = []
    if chosen.flagship_only:
        parts.append("Flagship focus countries")
    if chosen.countries:
        parts.append("countries " + ",".join(chosen.countries))
    if chosen.series:
        parts.append("series " + ",".join(chosen.series))
    if chosen.years:
        parts.append("years " + ",".join(map(str, chosen.years)))
    return "; ".join(parts)


def _release(warehouse: Path):
    import duckdb

    from pipelines import releases

    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        try:
            return releases.current_release(con)
        except releases.ReleaseError as exc:
            raise CliError(str(exc)) from None


def run_job(warehouse: Path, chosen: ExtractSelection) -> tuple[Path, int]:
    """Run the ``extract_release`` job with this selection as run configuration (the UI shows
    the run); returns the published selection folder and its number of files."""
    check(warehouse, chosen)
    release = _release(warehouse)

    import dagster as dg

    from pipelines import locks
    from pipelines.definitions import defs
    from pipelines.extracts.assets import release_folder, selection_folder

    config = {
        "countries": list(chosen.countries) if chosen.countries is not None else None,
        "series": list(chosen.series) if chosen.series is not None else None,
        "years": list(chosen.years) if chosen.years is not None else None,
        "flagship_only": chosen.flagship_only,
    }
    level = os.environ.get("FLOORBOARD_LOG_LEVEL", "WARNING")
    run_config = {
        "ops": {"extracts__sdg_files": {"config": config}},
        "loggers": {"console": {"config": {"log_level": level}}},
    }
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("extract_release").execute_in_process(
            instance=instance,
            run_config=run_config,
            tags={**locks.run_tags(), "floorboard/cli": "extract"},
            raise_on_error=False,
        )
    if not result.success:
        reasons = [
            f"{e.step_key}: {e.step_failure_data.error.message.strip()}"
            for e in result.all_events
            if e.is_step_failure and e.step_failure_data and e.step_failure_data.error
        ]
        raise CliError("the extract failed: " + ("; ".join(reasons) or "see the Dagster run"))
    folder = release_folder(release.release_id) / "selections" / selection_folder(chosen)
    return folder, sum(1 for p in folder.rglob("*") if p.is_file())


def write_to(warehouse: Path, chosen: ExtractSelection, out: Path) -> tuple[Path, int]:
    """Write the extract and its manifest into ``out`` (new, empty, or an earlier extract with
    a manifest.json, which is replaced): staged in a temporary sibling, then one rename."""
    from pipelines import fsutil
    from pipelines.extracts import manifest
    from pipelines.extracts.write import write_extracts

    out = out.resolve()
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / manifest.MANIFEST).is_file())
    ):
        raise CliError(
            f"{out} exists and is not an earlier extract (no {manifest.MANIFEST}): "
            "give a new or empty folder"
        )
    check(warehouse, chosen)
    release = _release(warehouse)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = fsutil.temporary_sibling(out, f"cli-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        write_extracts(warehouse, tmp, release.release_id, release.published_at, chosen)
        _, files = manifest.write_manifest(tmp, release)
        fsutil.publish_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out, len(files) + 2  # the files, manifest.json and SHA256SUMS
