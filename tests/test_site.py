"""The static site (country pages): built by the Dagster asset in the shared sample run, byte-for-
byte reproducible, offline, accessible, and rendered without error by headless Debian chromium.

The browser tests skip with a message when chromium is missing outside CI and fail under ``CI``
(``.ci/run`` installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.site.assets import SITE
from pipelines.site.build import publish_site
from pipelines.warehouse.publish import PUBLISHED

ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOT_COUNTRY = "KHM"
SCREENSHOT = f"country_{SCREENSHOT_COUNTRY}.png"
CHART_READY = "Array.from(document.querySelectorAll('.chart')).every(e => e.dataset.rendered)"


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(sample_warehouse: Path) -> Path:
    """The site the build_warehouse job wrote (asset site/country_pages) next to the warehouse."""
    out = sample_warehouse / "site"
    assert (out / "index.html").is_file(), "the site asset did not run in build_warehouse"
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.fixture(scope="module")
def parsed(pages: list[Path]) -> dict[Path, Page]:
    return {p: Page.parse(p) for p in pages}


@pytest.fixture(scope="module")
def chromium() -> str:
    """/usr/bin/chromium (Debian); skipped outside CI when missing, a failure in CI."""
    from browser import chromium_path

    return chromium_path()


# --- a small reader of the generated HTML ---------------------------------------------------

REF = re.compile(r'\b(?:href|src)="([^"]*)"')
ID = re.compile(r'\bid="([^"]+)"')
FIGURE = re.compile(r'<figure class="chart-figure">(.*?)</figure>', re.S)
CHART = re.compile(
    r'<div class="chart" id="([^"]+)" role="([^"]*)" aria-label="([^"]*)" data-spec="([^"]+)">'
)
JSON_SCRIPT = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


@dataclass
class Page:
    """Links, ids and charts of one page (the site's own markup, so regular expressions do)."""

    path: Path
    text: str
    lang: str | None
    refs: list[str]
    ids: set[str]
    h1: int
    figures: list[str]

    @classmethod
    def parse(cls, path: Path) -> Page:
        text = path.read_text(encoding="utf-8")
        lang = re.search(r'<html lang="([^"]*)"', text)
        return cls(
            path=path,
            text=text,
            lang=lang.group(1) if lang else None,
            refs=[html.unescape(r) for r in REF.findall(text)],
            ids=set(ID.findall(text)),
            h1=len(re.findall(r"<h1[ >]", text)),
            figures=FIGURE.findall(text),
        )


# --- the asset ---------------------------------------------------------------------------------


def test_asset_is_defined_eager_after_the_published_warehouse():
    graph = defs.resolve_asset_graph()
    node = graph.get(SITE)
    assert node.group_name == "site"
    assert PUBLISHED in node.parent_keys
    assert node.automation_condition is not None
    assert "eager" in (node.automation_condition.get_label() or "").lower() or (
        node.automation_condition == dg.AutomationCondition.eager()
    )
    job = defs.resolve_job_def("build_warehouse")
    assert SITE in job.asset_layer.executable_asset_keys


def test_site_written_by_the_run_has_every_page(site: Path, sample_warehouse: Path):
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        countries = {
            r[0]
            for r in con.execute(
                "select iso3 from marts.dim_country where iso3 in (select iso3 from "
                "marts.sdg_indicators union select iso3 from marts.fct_effective_coverage)"
            ).fetchall()
        }
        n_regions = con.execute(
            "select count(distinct (region_type, region)) from marts.agg_regional"
        ).fetchall()[0][0]
    finally:
        con.close()
    written = {p.stem for p in (site / "country").glob("*.html")}
    assert countries <= written and len(written) >= 50
    assert "KHM" in written
    assert len(list((site / "region").glob("*.html"))) == n_regions
    assert (site / "flagship.html").is_file()
    assert (site / "assets" / "vega-bundle.js").stat().st_size > 500_000
    # the bundle is written once, never inlined: pages stay light
    for page in (site / "country").glob("*.html"):
        assert page.stat().st_size < 400_000, page
        assert "vegaEmbed=" not in page.read_text(encoding="utf-8")
    assert not list(sample_warehouse.glob(".tmp-site-*")), "temporary build folders left behind"


@pytest.mark.slow
def test_same_warehouse_same_bytes(site: Path, sample_warehouse: Path, tmp_path: Path):
    """A second build, through the asset's swap, gives the run's site byte for byte."""
    target = tmp_path / "site"
    (target / "stale").mkdir(parents=True)  # a previous site is replaced whole
    pages = publish_site(sample_warehouse / "floorboard.duckdb", target, "test")
    assert pages == sorted(pages) and all(p.is_file() for p in pages)
    assert not (target / "stale").exists()
    assert not list(tmp_path.glob(".tmp-*"))
    ours = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert ours == theirs
    for rel in ours:
        assert (target / rel).read_bytes() == (site / rel).read_bytes(), rel


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_pages_whose_rows_did_not_change_are_reused(
    sample_warehouse: Path, warehouse_copy: Path, tmp_path: Path, monkeypatch
):
    """A rebuild renders only the pages whose rows changed and copies the others from the
    published site; the site is byte for byte the one a build from scratch writes."""
    from pipelines.site import build, render

    target = tmp_path / "site"
    publish_site(sample_warehouse / "floorboard.duckdb", target, "first")
    rendered: list[str] = []
    page = render.page

    def counting(env, template, path, **context):
        rendered.append(path.name)
        return page(env, template, path, **context)

    monkeypatch.setattr(render, "page", counting)
    publish_site(sample_warehouse / "floorboard.duckdb", target, "same")
    assert sorted(rendered) == ["flagship.html", "index.html"]  # not kept: one of each

    path = warehouse_copy / "floorboard.duckdb"
    path.chmod(0o644)  # the published file is read-only
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "update marts.fct_effective_coverage set coverage_rate = coverage_rate / 2 "
            "where iso3 = 'KEN'"
        )
    finally:
        con.close()
    # a published page whose bytes are not the recorded ones is rendered again, never copied
    other = next(p for p in sorted((target / "country").glob("*.html")) if p.stem != "KEN")
    other.write_text("tampered", encoding="utf-8")
    rendered.clear()
    publish_site(path, target, "changed")
    assert sorted(rendered) == sorted(["KEN.html", other.name, "flagship.html", "index.html"])
    fresh = tmp_path / "fresh"
    monkeypatch.setattr(render, "page", page)
    build.build_site(path, fresh)
    assert _files(target) == _files(fresh)


# --- static checks of every page ---------------------------------------------------------------


def test_no_external_urls(site: Path, parsed: dict[Path, Page]):
    """Nothing on the pages, the stylesheet or the page script points outside the site (the
    vega bundle's own strings, e.g. SVG namespaces, are checked by the browser test: no request
    leaves file://)."""
    texts = {p: page.text for p, page in parsed.items()}
    for f in (site / "assets" / "site.css", site / "assets" / "site.js"):
        texts[f] = f.read_text(encoding="utf-8")
    for f, text in texts.items():
        assert not re.search(r"https?:|ftp:|//[a-z0-9]", text, re.I), f
    for f, page in parsed.items():
        for ref in page.refs:
            assert not urlsplit(ref).scheme or ref == "data:,", (f, ref)


def test_internal_links_resolve(parsed: dict[Path, Page]):
    checked = 0
    for path, page in parsed.items():
        for ref in page.refs:
            if ref.startswith("data:"):
                continue
            parts = urlsplit(ref)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), (path, ref)
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else Page.parse(target).ids
                assert parts.fragment in ids, (path, ref)
            checked += 1
    assert checked > 1000


def test_accessible_structure(parsed: dict[Path, Page]):
    """lang, one h1, and for every chart: role img, an alt text that is also the spec's
    description (Vega's ARIA label), the data table behind it in a <details>."""
    n_charts = 0
    for path, page in parsed.items():
        assert page.lang == "en", path
        assert page.h1 == 1, path
        assert len(CHART.findall(page.text)) == len(page.figures), path
        specs = dict(JSON_SCRIPT.findall(page.text))
        for figure in page.figures:
            ((chart_id, role, label, spec_id),) = CHART.findall(figure)
            n_charts += 1
            where = f"{path.name}#{chart_id}"
            assert role == "img" and len(label) > 40, where
            assert re.search(r"<details>\s*<summary>Data table", figure), where
            assert re.search(r"<table>.*<th scope=\"col\">.*<tbody>\s*<tr>", figure, re.S), where
            spec = json.loads(specs[spec_id])
            assert spec["description"] == html.unescape(label), where
            assert "$schema" not in spec and spec["data"]["values"], where
    assert n_charts > 300


def test_flagship_sections(parsed: dict[Path, Page], site: Path, sample_warehouse: Path):
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        has = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'fct_flagship_results'"
        ).fetchall()[0][0]
        focus = [
            r[0]
            for r in con.execute(
                "select iso3 from marts.dim_country where is_flagship_focus order by iso3"
            ).fetchall()
        ]
        with_results = (
            [
                r[0]
                for r in con.execute(
                    "select distinct iso3 from marts.fct_flagship_results order by 1"
                ).fetchall()
            ]
            if has
            else []
        )
    finally:
        con.close()
    assert focus
    for iso3 in focus:
        html = (site / "country" / f"{iso3}.html").read_text(encoding="utf-8")
        assert 'id="flagship"' in html, iso3
        if not has:
            assert "No Flagship records" in html, iso3
    for iso3 in with_results:
        html = (site / "country" / f"{iso3}.html").read_text(encoding="utf-8")
        assert "Flagship Programme: institutional changes" in html or (
            "Flagship Programme: impact on people" in html
        ), iso3
    flagship = (site / "flagship.html").read_text(encoding="utf-8")
    assert ("No Flagship records" in flagship) != bool(has)


def test_flagship_people_shown_once_per_record(site: Path, sample_warehouse: Path):
    """An impact record concerning several risks has one row per risk in fct_flagship_results,
    each with its persons in full: the country page shows it once (one bar, one table row)."""
    con = duckdb.connect(str(sample_warehouse / "floorboard.duckdb"), read_only=True)
    try:
        if not con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'fct_flagship_results'"
        ).fetchall()[0][0]:
            pytest.skip("no Flagship tables in this warehouse")
        multi = con.execute(
            """
            select iso3, result_id, max(persons) filter (where sex = '_T')
            from marts.fct_flagship_results where result_type = 'impact_on_people'
            group by all having count(distinct risk) > 1 order by 1, 2
            """
        ).fetchall()
        headline = con.execute(
            "select achieved from marts.fct_flagship_scorecard where risk = '_T' and sex = '_T' "
            "and measure = 'legal_coverage_persons' order by phase"
        ).fetchall()
    finally:
        con.close()
    assert multi, "the sample has impact records with several risks"
    for iso3, result_id, persons in multi[:10]:
        text = (site / "country" / f"{iso3}.html").read_text(encoding="utf-8")
        assert text.count(f"<td>{result_id}</td>") == 1, (iso3, result_id)
        spec = next(
            json.loads(body)
            for _, body in JSON_SCRIPT.findall(text)
            if "people reached by each of the" in json.loads(body)["description"]
        )
        bars = [v for v in spec["data"]["values"] if v["result"].endswith(f" {result_id}")]
        assert [b["persons"] for b in bars] == [persons], (iso3, result_id)
    flagship = (site / "flagship.html").read_text(encoding="utf-8")
    for (achieved,) in headline:
        assert f">{achieved:,.0f}</td>" in flagship


# --- in headless chromium ----------------------------------------------------------------------


CHART_STATE = """els => els.map(e => ({
    id: e.id,
    state: e.dataset.rendered,
    marks: e.querySelectorAll('svg path, svg rect, svg line').length,
    canvas: e.querySelectorAll('canvas').length,
    rows: e.closest('figure').querySelectorAll('details table tbody tr').length,
    label: e.getAttribute('aria-label') || ''
}))"""
#: pages open at the same time (one browser; 3 tabs keep 2 cores busy while a tab waits)
TABS = 3


async def _visit_all(chromium: str, site: Path, pages: list[Path]) -> tuple[list[str], int]:
    from playwright.async_api import async_playwright

    problems: list[str] = []
    rendered = 0
    queue: asyncio.Queue[Path] = asyncio.Queue()
    for path in pages:
        queue.put_nowait(path)

    async def tab(browser) -> None:
        nonlocal rendered
        context = await browser.new_context(viewport={"width": 1100, "height": 900})
        page = await context.new_page()
        where = {"url": ""}

        def note(text: str) -> None:
            problems.append(f"{where['url']}: {text}")

        page.on("console", lambda m: m.type in ("error", "warning") and note(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: note(f"page error: {e}"))
        page.on("requestfailed", lambda r: note(f"failed request {r.url} {r.failure}"))
        page.on(
            "request",
            lambda r: r.url.startswith(("file://", "data:")) or note(f"external request {r.url}"),
        )
        while not queue.empty():
            path = queue.get_nowait()
            where["url"] = str(path.relative_to(site))
            await page.goto(path.as_uri())
            await page.wait_for_function(CHART_READY, timeout=30_000)
            for c in await page.eval_on_selector_all(".chart", CHART_STATE):
                if c["state"] != "true":
                    note(f"chart {c['id']} failed to render")
                elif c["marks"] == 0 and c["canvas"] == 0:
                    note(f"chart {c['id']} is empty")
                elif not (c["rows"] and c["label"]):
                    note(f"chart {c['id']} has no alt text or no data table")
                else:
                    rendered += 1
            if path == site / "country" / f"{SCREENSHOT_COUNTRY}.html":
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / SCREENSHOT), full_page=True)
        await context.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            await asyncio.gather(*(tab(browser) for _ in range(TABS)))
        finally:
            await browser.close()
    return problems, rendered


@pytest.mark.slow
def test_every_page_in_chromium(site: Path, pages: list[Path], chromium: str):
    """Every page loads from file:// in headless chromium with no console error or warning, no
    failed or external request; every chart renders to a non-empty SVG inside its container
    (role img, ARIA label = the alt text) and has its data table; a screenshot of one country
    page is kept in tests/artifacts/."""
    shot = ARTIFACTS / SCREENSHOT
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    problems, rendered = asyncio.run(_visit_all(chromium, site, pages))
    elapsed = time.monotonic() - started
    print(f"\n{len(pages)} pages, {rendered} charts rendered in chromium in {elapsed:.1f} s")
    print(f"screenshot of country/{SCREENSHOT_COUNTRY}.html: {shot}")
    assert not problems, "\n".join(problems[:20])
    assert rendered > 300
    assert shot.stat().st_size > 10_000


def test_1990s_years_chart_and_table():
    """Any reference year from 1990 on (methodology §8.1): no year floor in the charts or the
    SDG table of a country page."""
    from pipelines.site import build, charts

    cov = [
        {
            "year": y,
            "risk": "old_age",
            "sex": s,
            "coverage_rate": 40.0 + y - 1990,
            "covered": 40 + y - 1990,
            "reference_population": 100,
            "is_above_100": False,
            "is_estimated": False,
        }  # fmt: skip
        for y in (1990, 1996, 2020)
        for s in ("_T", "F", "M")
    ]
    chart = charts.coverage_over_time(cov, {"old_age": "Old age"}, "Testland")
    assert chart is not None and "1990–2020" in chart.alt
    assert sorted({v["year"] for v in chart.spec["data"]["values"]}) == [1990, 1996, 2020]
    sdg = {"series_code": "SI_COV_PENSN", "sex": "_T", "age": "_T", "year": 1996, "value": 50.0,
           "nature": "E", "obs_status": "A", "source_detail": "s", "comment_obs": None}  # fmt: skip
    table, _ = build._sdg_table([sdg])
    assert table.rows[0][3] == "1996" and table.rows[0][5] == "E"


def test_the_vega_bundle_is_made_once_per_installation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Issue 13: a new warehouse's first site does not bundle Vega again (1.3 s): ``make
    install`` keeps the bundle in the environment (``paths.install_cache_dir``). A cut or
    missing file there is made again; a warehouse's own cached bundle is still read."""
    import sys

    from pipelines import paths
    from pipelines.site import render

    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setattr(render, "vega_bundle", render.vega_bundle.__wrapped__)
    shared = paths.install_cache_dir()
    assert shared == tmp_path / "venv" / "share" / "floorboard"

    whole = render.vega_bundle()  # made, kept for the installation
    (kept,) = shared.glob("vega-bundle-*.js")
    assert kept.read_text(encoding="utf-8") == whole and "window.vegaEmbed=" in whole[-2000:]
    kept.write_text(whole[: len(whole) // 2], encoding="utf-8")  # cut
    assert render.vega_bundle() == whole
    assert kept.read_text(encoding="utf-8") == whole
    # a bundle an earlier build kept in the warehouse is used (and shared) when there is none
    kept.unlink()
    own = paths.cache_dir() / kept.name
    own.parent.mkdir(parents=True)
    own.write_text(whole, encoding="utf-8")
    assert render.vega_bundle() == whole and kept.read_text(encoding="utf-8") == whole
