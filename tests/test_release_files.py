"""After a run, warehouse/extracts/<release>/ holds every release file and a manifest that
verifies; a restricted extract (run config) goes to selections/; the same warehouse gives the
same bytes."""

from __future__ import annotations

import csv
import json
import os
from contextlib import closing
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import releases
from pipelines.extracts import manifest

pytestmark = pytest.mark.slow

EXPECTED = {
    "sdg_sdmx.csv",
    "sdg_sdmx.xml",
    "floorboard_indicators.xlsx",
    "floorboard_indicators.csv",
    "what_changed.csv",
    "what_changed.md",
}


def _release(wh: Path) -> releases.Release:
    with closing(duckdb.connect(str(wh / "floorboard.duckdb"), read_only=True)) as con:
        return releases.current_release(con)


def test_release_folder_after_a_run(sample_warehouse: Path):
    release = _release(sample_warehouse)
    folder = sample_warehouse / "extracts" / release.release_id
    names = {p.name for p in folder.iterdir()}
    assert EXPECTED | {"manifest.json", "SHA256SUMS", "open_sdg"} <= names
    assert (folder / "open_sdg" / "KEN" / "data" / "indicator_1-3-1.csv").exists()
    assert manifest.verify_manifest(folder) == []
    # staged in a temporary sibling, published by one rename: no staging folder is left
    assert not list((sample_warehouse / "extracts").glob(".tmp-*"))
    listed = json.loads((folder / "manifest.json").read_text())
    assert listed["release_id"] == release.release_id
    paths = {f["path"] for f in listed["files"]}
    assert paths >= EXPECTED and any(p.startswith("open_sdg/") for p in paths)
    # the first release: every observation is new
    md = (folder / "what_changed.md").read_text()
    assert f"new observations: {release.n_observations}" in md


def _materialize(wh: Path, run_config: dict | None = None) -> None:
    from pipelines.definitions import defs

    old = os.environ.get("FLOORBOARD_WAREHOUSE_DIR")
    os.environ["FLOORBOARD_WAREHOUSE_DIR"] = str(wh)
    try:
        with dg.instance_for_test() as instance:
            job = defs.resolve_job_def("extract_release")
            assert job.execute_in_process(instance=instance, run_config=run_config).success
    finally:
        if old is None:
            os.environ.pop("FLOORBOARD_WAREHOUSE_DIR", None)
        else:
            os.environ["FLOORBOARD_WAREHOUSE_DIR"] = old


def test_same_warehouse_same_bytes_and_a_restricted_extract(warehouse_copy: Path):
    release = _release(warehouse_copy)
    folder = warehouse_copy / "extracts" / release.release_id
    before = {p: manifest.sha256_file(p) for p in manifest.release_files(folder)}
    config = {
        "ops": {
            "extracts__sdg_files": {
                "config": {"flagship_only": True, "series": ["SI_COV_PENSN"], "years": [2020]}
            }
        }
    }
    _materialize(warehouse_copy)
    _materialize(warehouse_copy, config)
    after = {p: manifest.sha256_file(p) for p in manifest.release_files(folder)}
    restricted = {p: h for p, h in after.items() if "selections" in p.parts}
    assert {p: h for p, h in after.items() if p not in restricted} == before
    assert restricted, "the restricted extract was written under selections/"
    sub = next(iter(restricted)).relative_to(folder).parts[1]
    assert sub.startswith("flagship_SI_COV_PENSN_2020_")
    path = folder / "selections" / sub / "floorboard_indicators.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with closing(duckdb.connect(str(warehouse_copy / "floorboard.duckdb"), read_only=True)) as c:
        focus = {
            r[0]
            for r in c.execute(
                "select iso3 from marts.dim_country where is_flagship_focus"
            ).fetchall()
        }
    assert rows
    assert {r["series_code"] for r in rows} == {"SI_COV_PENSN"}
    assert {r["year"] for r in rows} == {"2020"}
    assert {r["iso3"] for r in rows} <= focus


def test_files_not_naming_the_release_are_copied_when_the_observations_are_unchanged(
    sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Issue 13: a release from the same observations copies SDMX-CSV, the Open SDG files and
    the CSV download from the last release folder written (``pipelines.extracts.reuse``), and
    every file is the bytes a write from scratch gives. A copy that was changed, or replaced by
    a link, is not reused: the reusable files are written again, the bytes a write from scratch
    gives, and no file is missing or added."""
    import shutil
    from datetime import datetime

    from pipelines.extracts import reuse
    from pipelines.extracts.write import write_extracts

    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(tmp_path / "wh"))
    extracts = tmp_path / "wh" / "extracts"
    published = sample_warehouse / "floorboard.duckdb"

    def write(release_id: str, reuse_previous: bool = True) -> dict[str, str]:
        out = (extracts if reuse_previous else tmp_path / "fresh") / release_id
        when = datetime(2026, 1, int(release_id[1:]))
        files = write_extracts(published, out, release_id, when, reuse_previous=reuse_previous)
        return {p.relative_to(out).as_posix(): manifest.sha256_file(p) for p in files}

    def copied() -> bool:
        """Would the next release copy its files? (the key of the sample's observations)"""
        from pipelines.extracts import codelists, observations, sdmx_csv

        obs = observations.read(published, None)
        key = reuse.key(
            obs, codelists.load(), (sdmx_csv.DEFAULT_REPORTING_TYPE, sdmx_csv.DATAFLOW_VERSION)
        )
        probe = tmp_path / "probe"
        shutil.rmtree(probe, ignore_errors=True)
        return reuse.copy(key, probe, obs) is not None

    def reusable(files: dict[str, str]) -> dict[str, str]:
        """The files a release can copy (they do not name the release)."""
        return {
            p: h
            for p, h in files.items()
            if p in (reuse.SDMX_CSV, reuse.DOWNLOAD_CSV) or p.startswith(f"{reuse.OPEN_SDG}/")
        }

    assert not copied()  # nothing written yet
    write("R1")
    assert copied()
    second = write("R2")
    fresh = write("R2", reuse_previous=False)
    assert second == fresh  # copied, the same bytes
    reused = {"sdg_sdmx.csv", "floorboard_indicators.csv"}
    assert reused < set(second) and any(p.startswith("open_sdg/") for p in second)
    assert copied()  # R2 recorded its files in turn

    # a published file changed, or replaced by a link to the right bytes: written again, the
    # bytes a write from scratch gives (the reusable files are the same for every release of
    # these observations: R2's written from scratch above)
    (extracts / "R2" / "sdg_sdmx.csv").write_text("changed")
    assert not copied()
    third = write("R3")
    assert third.keys() == fresh.keys() and reusable(third) == reusable(fresh)
    page = extracts / "R3" / "open_sdg" / "KEN" / "data" / "indicator_1-3-1.csv"
    page.rename(tmp_path / "moved.csv")
    page.symlink_to(tmp_path / "moved.csv")
    assert not copied()
    fourth = write("R4")
    assert fourth.keys() == fresh.keys() and reusable(fourth) == reusable(fresh)

    # a record that is not a whole set of the reusable files, or names something else: not used
    cache = tmp_path / "wh" / "cache" / reuse.CACHE
    record = json.loads(cache.read_text())
    assert copied()
    for changed in (
        {**record, "files": {k: v for k, v in record["files"].items() if "open_sdg" not in k}},
        {**record, "files": {**record["files"], "what_changed.md": "0" * 64}},
        {**record, "files": {**record["files"], "../R1/sdg_sdmx.csv": "0" * 64}},
        {**record, "release_id": "R4\0"},
        {**record, "release_id": "../R4"},
        {**record, "release_id": "\ud800"},
    ):
        cache.write_text(json.dumps(changed))
        assert not copied(), changed if len(str(changed)) < 300 else changed["release_id"]
    cache.write_text(json.dumps(record))
    assert copied()
