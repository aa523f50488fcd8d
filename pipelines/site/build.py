"""Build the static site ("country pages") from the published warehouse.

``build_site(warehouse_path, out_dir)`` writes::

    index.html                 world and regional overview, links to every page
    flagship.html              Flagship Programme scorecard
    country/<ISO3>.html        one page per country with data
    region/<slug>.html         one page per aggregate region (agg_regional)
    assets/                    vega-bundle.js (written once), site.js, site.css

The warehouse is opened read-only; the same warehouse gives the same bytes (rows are read in a
fixed order, JSON keys are sorted, no timestamps). ``python -m pipelines.site.build [out_dir]``
builds from the published warehouse into ``<warehouse dir>/site`` by default.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from pipelines import faults, fsutil, paths
from pipelines.site import charts, data, render, reuse

INCOME_LABELS = {
    "LIC": "Low income",
    "LMC": "Lower-middle income",
    "UMC": "Upper-middle income",
    "HIC": "High income",
}
REGION_KINDS = {
    "world": "World",
    "ilo_region": "ILO region",
    "ilo_subregion": "ILO subregion",
    "sdg_region": "SDG region",
    "income_group": "Income group",
    "sdg_subregion": "SDG sub-region",
    "ldc": "Least developed countries",
    "lldc": "Landlocked developing countries",
    "sids": "Small island developing States",
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def region_slug(region_type: str, region: str) -> str:
    """``world``, ``africa`` for ILO regions, ``<type>-<name>`` for the other groupings (the
    same name can be an ILO region and an ILO subregion, e.g. Arab States)."""
    if region_type in ("world", "ilo_region"):
        return slug(region)
    return f"{slug(region_type)}-{slug(region)}"


def region_label(region_type: str, region: str) -> str:
    if region_type == "income_group":
        return INCOME_LABELS.get(region, region)
    return region


def _number(page_charts: list[charts.Chart | None]) -> list[charts.Chart]:
    present = [c for c in page_charts if c is not None]
    for i, c in enumerate(present, start=1):
        c.id = f"chart-{i}"
    return present


def _sdg_table(rows: list[dict]) -> tuple[charts.Table, list[str]]:
    sources = sorted({r["source_detail"] for r in rows if r["source_detail"]})
    index = {s: i for i, s in enumerate(sources, start=1)}
    table = charts.Table(
        ["Series", "Sex", "Age", "Year", "Value (%)", "Nature", "Status", "Source", "Comment"],
        [
            [
                r["series_code"],
                charts.SEX_LABELS.get(r["sex"], r["sex"]),
                r["age"],
                r["year"],
                r["value"],
                r["nature"],
                r["obs_status"],
                f"[{index[r['source_detail']]}]" if r["source_detail"] else None,
                r["comment_obs"],
            ]
            for r in rows
        ],
    )
    return table, sources


def build_site(warehouse_path: Path, out_dir: Path, previous: Path | None = None) -> list[Path]:
    """Write the site into ``out_dir`` (created; existing files overwritten) and return the
    pages written (HTML only, sorted). ``previous``: a published site whose pages are copied
    when their rows and the code are unchanged (``reuse``); the pages are the same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = render.environment()
    render.write_assets(out_dir)
    pages: list[Path] = []
    known = reuse.Pages(out_dir, previous)
    with data.connect(warehouse_path) as con:
        risks = data.risk_labels(con)
        countries = data.countries_with_data(con)
        memberships = data.region_memberships(con)
        agg = data.regional_aggregates(con)
        scorecard_rows = data.flagship_scorecard(con)
        flagship_table = data.has_table(con, "fct_flagship_results")

        regions = sorted(
            {(r["region_type"], r["region"]) for r in agg},
            key=lambda t: (list(REGION_KINDS).index(t[0]), t[1]),
        )
        slugs = {t: region_slug(*t) for t in regions}
        if len(set(slugs.values())) != len(slugs):
            raise ValueError("two regions share a page name")

        # -- countries -----------------------------------------------------------------
        coverage, legal, spending = (
            data.effective_coverage(con),
            data.legal_vs_effective(con),
            data.expenditure(con),
        )
        sdg, flagship = data.sdg_values(con), data.flagship_results(con) or {}
        for c in countries:
            iso3, name = c["iso3"], c["name"]
            results = flagship.get(iso3, [])
            sdg_rows = sdg.get(iso3, [])
            region_links = [
                {"slug": slugs[(t, region)], "label": region_label(t, region)}
                for t in REGION_KINDS
                if (region := memberships.get((iso3, t))) is not None and (t, region) in slugs
            ]
            path = out_dir / "country" / f"{iso3}.html"
            rows = [
                c,
                results,
                sdg_rows,
                coverage.get(iso3, []),
                legal.get(iso3, []),
                spending.get(iso3, []),
                risks,
                region_links,
                flagship_table,
            ]
            pages.append(path)
            if known.reuse(path, "country.html", rows):
                continue
            sdg_table, sources = _sdg_table(sdg_rows)
            page_charts = {
                "coverage": charts.coverage_over_time(coverage.get(iso3, []), risks, name),
                "legal": charts.legal_vs_effective(legal.get(iso3, []), risks, name),
                "expenditure": charts.expenditure_by_function(spending.get(iso3, []), risks, name),
                "benfts": charts.sdg_benfts(sdg_rows, name),
                "timeline": charts.flagship_timeline(results, risks, name),
                "impact": charts.flagship_impact(results, risks, name),
            }
            numbered = _number(list(page_charts.values()))
            render.page(
                env,
                "country.html",
                path,
                title=name,
                root="../",
                charts=numbered,
                country=c,
                region_links=region_links,
                sdg=sdg_table if sdg_rows else None,
                sources=sources,
                flagship_missing=not flagship_table,
                flagship_present=bool(results),
                **page_charts,
            )

        # -- regions -------------------------------------------------------------------
        for region_type, region in regions:
            rows = [r for r in agg if r["region_type"] == region_type and r["region"] == region]
            label = region_label(region_type, region)
            latest: dict[tuple, dict] = {}
            for r in rows:
                k = (r["series_code"], r["sex"])
                if k not in latest or r["year"] > latest[k]["year"]:
                    latest[k] = r
            columns = [
                "Series",
                "Sex",
                "Year",
                "Value",
                "Unit",
                "Population coverage (%)",
                "Reporting countries",
                "Countries",
                "Suppressed",
            ]

            def line(r: dict) -> list:
                return [
                    r["series_code"],
                    charts.SEX_LABELS.get(r["sex"], r["sex"]),
                    r["year"],
                    r["value"],
                    r["unit_measure"],
                    r["population_coverage"],
                    r["n_reporting"],
                    r["n_countries"],
                    "yes" if r["is_suppressed"] else "no",
                ]

            members = (
                list(countries)
                if region_type == "world"
                else [c for c in countries if memberships.get((c["iso3"], region_type)) == region]
            )
            path = out_dir / "region" / f"{slugs[(region_type, region)]}.html"
            pages.append(path)
            if known.reuse(path, "region.html", [region_type, region, rows, members]):
                continue
            total = [r for r in rows if r["sex"] == "_T"]
            page_charts = {
                "over_time": charts.region_over_time(rows, label),
                "data_coverage": charts.region_data_coverage(total, label),
            }
            render.page(
                env,
                "region.html",
                path,
                title=label,
                root="../",
                charts=_number(list(page_charts.values())),
                region={"label": label, "kind": REGION_KINDS[region_type]},
                latest=charts.Table(columns, [line(latest[k]) for k in sorted(latest)]),
                all=charts.Table(columns, [line(r) for r in rows]),
                members=members,
                **page_charts,
            )

    # -- index and Flagship ------------------------------------------------------------------
    overview = charts.regional_overview(agg, {})
    by_region: dict[str, list[dict]] = {}
    for c in countries:
        by_region.setdefault(c["ilo_region"] or "Other", []).append(c)
    groups: dict[str, list[dict]] = {}
    for t in regions:
        groups.setdefault(REGION_KINDS[t[0]], []).append(
            {"slug": slugs[t], "label": region_label(*t)}
        )
    pages.append(
        render.page(
            env,
            "index.html",
            out_dir / "index.html",
            title="Social protection around the world",
            root="",
            charts=_number([overview]),
            overview=overview,
            countries=countries,
            countries_by_region=[
                (k, sorted(v, key=lambda c: (c["name"], c["iso3"])))
                for k, v in sorted(by_region.items())
            ],
            region_groups=list(groups.items()),
        )
    )
    scorecard = charts.flagship_scorecard(scorecard_rows) if scorecard_rows else None
    headline, breakdown = (
        charts.scorecard_tables(scorecard_rows, risks) if scorecard_rows else (None, None)
    )
    pages.append(
        render.page(
            env,
            "flagship.html",
            out_dir / "flagship.html",
            title="Flagship Programme scorecard",
            root="",
            charts=_number([scorecard]),
            scorecard=scorecard,
            headline=headline,
            breakdown=breakdown,
            scorecard_missing=scorecard_rows is None,
            focus=[c for c in countries if c["is_flagship_focus"]],
        )
    )
    known.write_manifest()
    return sorted(pages)


def publish_site(warehouse_path: Path, target: Path, run_id: str) -> list[Path]:
    """Build into a sibling temporary folder, fsync it, then publish it by one rename
    (``fsutil.publish_dir``): readers see either the old complete site or the new complete one;
    a failed build leaves the old site."""
    tmp = fsutil.temporary_sibling(target, run_id)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        pages = build_site(warehouse_path, tmp, target if target.is_dir() else None)
        faults.point("site.files_written")
        fsutil.publish_dir(tmp, target, kill_point="site.before_rename")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [target / p.relative_to(tmp) for p in pages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.site.build",
        description="Build the country pages from the published warehouse (read-only) and "
        "publish them by one rename.",
    )
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        help="output folder (default: <warehouse dir>/site)",
    )
    args = parser.parse_args(argv)  # --help prints the usage and exits: nothing is built
    out = args.out_dir or paths.warehouse_dir() / "site"
    pages = publish_site(paths.published_path(), out, f"cli-{os.getpid()}")
    print(f"{len(pages)} pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
