"""Releases: every publish is a release, vintages are append-only, and "what changed" between two
releases lists exactly the observations that a changed input moved.

One extra pipeline run on a copy of the sample warehouse, with one national statistic changed
(Uruguay's live births in 2020, the denominator of SI_COV_MATNL), gives the second release.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from pipelines import releases
from pipelines.extracts import manifest
from tests.conftest import NEW_BIRTHS

pytestmark = pytest.mark.slow


def _release_rows(path: Path) -> list[releases.Release]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return releases.releases(con)


def test_every_publish_is_a_release_and_history_is_kept(two_releases):
    first = _release_rows(two_releases["first"])
    both = _release_rows(two_releases["warehouse"] / "floorboard.duckdb")
    assert len(first) == 1 and len(both) == 2
    assert both[0] == first[0], "the earlier release row must be carried over unchanged"
    assert both[1].previous_release_id == both[0].release_id
    assert both[1].release_id != both[0].release_id
    assert both[1].content_sha256 != both[0].content_sha256


def test_vintages_are_append_only(two_releases):
    """Every value of release 1 is still in the vintages of the later warehouse, unchanged."""
    with closing(duckdb.connect(str(two_releases["warehouse"] / "floorboard.duckdb"))) as con:
        con.execute(f"attach '{two_releases['first']}' as r1 (read_only)")
        missing = con.execute(
            "select count(*) from (select * from r1.marts.indicator_vintages "
            "except all select * from marts.indicator_vintages)"
        ).fetchall()[0][0]
        per_release = dict(
            con.execute(
                "select v.release_id, count(*) = any_value(r.n_observations) "
                "from marts.indicator_vintages v join marts.releases r using (release_id) "
                "group by all"
            ).fetchall()
        )
    assert missing == 0
    assert len(per_release) == 2 and all(per_release.values())


def _direct_diff(first: Path, second: Path) -> set[tuple]:
    """Observations that differ between two published warehouses, from the marts themselves
    (not from the vintages), for an independent check of what_changed."""
    obs = releases.CURRENT_OBSERVATIONS
    with closing(duckdb.connect()) as con:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")
        rows = {}
        for db in ("a", "b"):
            con.execute(f"use {db}")
            rows[db] = {r[:6]: r[6] for r in con.execute(obs).fetchall()}
    keys = set(rows["a"]) | set(rows["b"])

    def differs(k):
        a, b = rows["a"].get(k, "absent"), rows["b"].get(k, "absent")
        if isinstance(a, float) and isinstance(b, float):
            return abs(a - b) > releases.REVISION_TOLERANCE
        return a != b

    return {k for k in keys if differs(k)}


def test_what_changed_lists_exactly_the_change(two_releases):
    wh = two_releases["warehouse"]
    r1, r2 = _release_rows(wh / "floorboard.duckdb")
    with closing(duckdb.connect(str(wh / "floorboard.duckdb"), read_only=True)) as con:
        changes = releases.what_changed(con, r1.release_id, r2.release_id)
    assert changes.height > 0
    assert set(changes["change"]) == {"revised"}, "a changed number is a revision"

    country = changes.filter(changes["area_type"] == "country")
    assert set(zip(country["ref_area"], country["time_period"], strict=True)) == {("URY", 2020)}
    assert "SI_COV_MATNL" in set(country["series_code"])
    matnl = country.filter(country["series_code"] == "SI_COV_MATNL").row(0, named=True)
    # the numerator is unchanged: the rate scales with the inverse of the mothers' count
    # (live births / (1 + multiple-birth share), the share unchanged)
    expected = matnl["old_value"] * two_releases["old_births"] / NEW_BIRTHS
    assert matnl["new_value"] == pytest.approx(expected, rel=1e-9)
    assert matnl["difference"] == pytest.approx(matnl["new_value"] - matnl["old_value"])
    # regional revisions only for 2020 aggregates of series that moved for URY
    regional = changes.filter(changes["area_type"] == "region")
    assert set(regional["time_period"]) <= {2020}
    assert set(regional["series_code"]) <= set(country["series_code"])

    listed = {tuple(r[1:7]) for r in changes.iter_rows()}
    assert listed == _direct_diff(two_releases["first"], wh / "floorboard.duckdb")


def test_what_changed_file_and_cli(two_releases, tmp_path, capsys):
    wh = two_releases["warehouse"] / "floorboard.duckdb"
    r1, r2 = _release_rows(wh)
    code = releases.main(
        ["--warehouse", str(wh), "diff", r1.release_id, r2.release_id, "--out", str(tmp_path)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert f"# What changed: {r1.release_id} → {r2.release_id}" in out
    assert "| revised | URY | SI_COV_MATNL | 2020 |" in out
    lines = (tmp_path / "what_changed.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("change,area_type,ref_area,series_code,time_period,sex,age")
    assert releases.main(["--warehouse", str(wh), "diff", "R1", r2.release_id]) == 2
    assert "unknown release" in capsys.readouterr().err


def test_manifest_lists_every_file_with_its_hash(tmp_path):
    folder = tmp_path / "R1"
    (folder / "open_sdg").mkdir(parents=True)
    (folder / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (folder / "open_sdg" / "b.csv").write_text("y\n", encoding="utf-8")
    release = releases.Release(
        "R1", __import__("datetime").datetime(2026, 1, 1), "run", None, 1, "0" * 64
    )
    _, files = manifest.write_manifest(folder, release)
    assert [f["path"] for f in files] == ["a.csv", "open_sdg/b.csv"]
    assert manifest.verify_manifest(folder) == []
    (folder / "a.csv").write_text("x\n2\n", encoding="utf-8")
    (folder / "c.csv").write_text("z\n", encoding="utf-8")
    assert manifest.verify_manifest(folder) == ["changed: a.csv", "not in manifest: c.csv"]
