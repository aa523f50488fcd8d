"""Build, then publish: a failing build never touches the published file. (A reader holding the
published file open does not block a build: tests/test_end_to_end.py, on the second run.)"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from worlds import run_process

#: whole pipeline runs (minutes): left out of `make test-fast`
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failing_build_leaves_published_file_untouched(warehouse_copy: Path, tmp_path: Path):
    published = warehouse_copy / "floorboard.duckdb"
    before = _sha(published)

    # a temporary copy of the dbt project with a blocking test that fails on purpose
    dbt_dir = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    (dbt_dir / "tests" / "fail_on_purpose.sql").write_text(
        "-- fails whenever sdg_indicators has rows\nselect * from {{ ref('sdg_indicators') }}\n"
    )
    parse = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--profiles-dir", "."],
        cwd=dbt_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert parse.returncode == 0, parse.stdout

    reader = duckdb.connect(str(published), read_only=True)
    try:
        result = run_process(
            warehouse_copy, tmp_path / "home", {"FLOORBOARD_DBT_PROJECT_DIR": str(dbt_dir)}
        )
        assert result.returncode != 0
        assert "published warehouse was not changed" in result.stderr
        assert "fail_on_purpose" in result.stderr + result.stdout
        # the reader that held the file open still reads it
        assert reader.execute("select count(*) from marts.sdg_indicators").fetchall()[0][0] > 0
    finally:
        reader.close()
    assert _sha(published) == before
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_effective_coverage").fetchall()[0][0]
    finally:
        con.close()
    # the failed build file is kept for diagnosis, the published file is not it
    assert list((warehouse_copy / "build").glob("*.duckdb"))
