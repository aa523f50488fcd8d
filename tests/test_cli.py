"""The ``floorboard`` console script, run as people run it: the installed ``.venv/bin/floorboard``
in a subprocess, on real warehouses (the session's sample build, a copy when a test writes).

- ``--help`` on the command and on every subcommand exits 0 within 5 s and writes nothing;
- a wrong argument exits 2 with one line on stderr;
- ``sql``, ``status``, ``releases``, ``extract`` do their work; every ``floorboard`` command
  shown in the README's shell blocks runs and succeeds.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

FLOORBOARD = Path(sys.executable).parent / "floorboard"
README = REPO / "README.md"
#: every subcommand (with the groups' own subcommands)
COMMANDS = [
    [],
    ["run"],
    ["ui"],
    ["test"],
    ["status"],
    ["sql"],
    ["extract"],
    ["releases"],
    ["releases", "list"],
    ["releases", "diff"],
    ["site"],
    ["sample"],
    ["aggregate"],
    ["registry"],
    ["registry", "generate"],
    ["registry", "land"],
]


def floorboard(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 600,
) -> tuple[subprocess.CompletedProcess, float]:
    """Run the console script; returns the finished process and its wall time (s)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORBOARD_")}
    full_env.update(env or {})
    start = time.perf_counter()
    proc = subprocess.run(
        [str(FLOORBOARD), *args],
        env=full_env,
        cwd=cwd or REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, time.perf_counter() - start


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and mtime (empty when absent)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if "__pycache__" not in p.parts
    }


def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    return home


def current_release(warehouse_dir: Path) -> str:
    with closing(duckdb.connect(str(warehouse_dir / "floorboard.duckdb"), read_only=True)) as c:
        return c.execute(
            "select release_id from marts.releases order by published_at desc, release_id desc"
        ).fetchall()[0][0]


def test_console_script_is_installed():
    assert FLOORBOARD.is_file() and os.access(FLOORBOARD, os.X_OK), (
        f"{FLOORBOARD} missing: `make install` installs the project ([project.scripts])"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "floorboard")
def test_help_is_fast_and_touches_nothing(command: list[str], tmp_path: Path):
    """Empty warehouse, raw and Dagster folders stay empty, and so does the working folder
    (``python -m pipelines.site.build --help`` used to build a site into ``./--help``); the
    repository's own warehouse/ and .dagster/ are not touched either."""
    folders = {name: tmp_path / name for name in ("warehouse", "raw", "dagster_home", "cwd")}
    for folder in folders.values():
        folder.mkdir()
    env = {
        "FLOORBOARD_WAREHOUSE_DIR": str(folders["warehouse"]),
        "FLOORBOARD_RAW_DIR": str(folders["raw"]),
        "DAGSTER_HOME": str(folders["dagster_home"]),
    }
    repo_before = {name: tree(REPO / name) for name in ("warehouse", ".dagster")}
    for flag in ("--help", "-h"):
        proc, seconds = floorboard(*command, flag, env=env, cwd=folders["cwd"], timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("Usage: floorboard"), proc.stdout
        assert seconds < 5, f"`floorboard {' '.join(command)} {flag}` took {seconds:.1f} s"
    for name, folder in folders.items():
        assert not any(folder.iterdir()), f"{name}: {sorted(folder.iterdir())}"
    assert {name: tree(REPO / name) for name in ("warehouse", ".dagster")} == repo_before


def test_help_lists_every_command():
    proc, _ = floorboard("--help")
    listed = set(re.findall(r"^  (\w+)\s", proc.stdout, re.M))
    assert {c[0] for c in COMMANDS if c} <= listed


def test_no_command_prints_the_help():
    proc, _ = floorboard()
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: floorboard")


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["nosuchcommand"],
        ["status", "--bogus"],
        ["sql", "--max-rows", "many"],
        ["sql", "--max-rows", "0"],
        ["ui", "--port", "http"],
        ["extract", "--years", "20x0"],
        ["extract", "--years", "2022-2020"],
        ["extract", "--country", "KENYA"],
        ["extract"],
        ["releases", "diff", "R1"],
        ["releases", "nosuch"],
        ["run", "extra"],
    ],
    ids=" ".join,
)
def test_wrong_arguments_exit_2_with_one_line(args: list[str], tmp_path: Path):
    env = {"FLOORBOARD_WAREHOUSE_DIR": str(tmp_path), "FLOORBOARD_RAW_DIR": str(tmp_path)}
    proc, seconds = floorboard(*args, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("floorboard"), proc.stderr
    assert "error:" in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert seconds < 5
    assert not any(tmp_path.iterdir())


def test_a_command_without_warehouse_says_so_in_one_line(tmp_path: Path):
    env = {"FLOORBOARD_WAREHOUSE_DIR": str(tmp_path / "none")}
    for args in (["sql", "-c", "select 1"], ["releases", "list"], ["site"]):
        proc, _ = floorboard(*args, env=env, cwd=tmp_path, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip().count("\n") == 0
        assert "no published warehouse" in proc.stderr and "floorboard run" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_python_m_help_prints_usage_and_does_nothing(tmp_path: Path):
    """``python -m pipelines.run --help`` used to run the whole pipeline, and
    ``python -m pipelines.site.build --help`` built a site into ./--help."""
    env = {
        **os.environ,
        "FLOORBOARD_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "FLOORBOARD_RAW_DIR": str(tmp_path / "raw"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PYTHONPATH": str(REPO),
    }
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for module in ("pipelines.run", "pipelines.site.build", "pipelines.releases"):
        proc = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"usage: python -m {module}"), proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]
    assert not any(cwd.iterdir())


# --- on the published sample warehouse ---------------------------------------------------------


def test_sql_prints_the_count(sample_warehouse: Path, tmp_path: Path):
    db = sample_warehouse / "floorboard.duckdb"
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        count = con.execute("select count(*) from marts.sdg_indicators").fetchall()[0][0]
    before = (db.stat().st_size, db.stat().st_mtime_ns)
    env = {"FLOORBOARD_WAREHOUSE_DIR": str(sample_warehouse)}
    proc, _ = floorboard("sql", "-c", "select count(*) from marts.sdg_indicators", env=env)
    assert proc.returncode == 0, proc.stderr
    assert re.search(rf"│\s+{count}\s+│", proc.stdout), proc.stdout  # a table with the count

    # statements piped on stdin, one result each; CSV output
    proc, _ = floorboard(
        "sql",
        "--csv",
        env=env,
        stdin="select count(*) as n\n  from marts.dim_country;\nselect 'a;b' as s;\n",
    )
    assert proc.returncode == 0, proc.stderr
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        n_countries = con.execute("select count(*) from marts.dim_country").fetchall()[0][0]
    assert proc.stdout.splitlines() == ["n", str(n_countries), "s", "a;b"]

    # read-only: a write is refused (one line, exit 1) and the file is unchanged
    proc, _ = floorboard("sql", "-c", "create table marts.x as select 1", env=env)
    assert proc.returncode == 1
    assert "read-only" in proc.stderr and proc.stderr.strip().count("\n") == 0
    proc, _ = floorboard("sql", env=env, stdin="delete from marts.dim_country;\n.tables\n")
    assert proc.returncode == 1 and "read-only" in proc.stderr
    assert "sdg_indicators" in proc.stdout  # .tables after the error
    assert (db.stat().st_size, db.stat().st_mtime_ns) == before


def test_releases_list_and_diff(sample_warehouse: Path, tmp_path: Path):
    env = {"FLOORBOARD_WAREHOUSE_DIR": str(sample_warehouse)}
    release = current_release(sample_warehouse)
    proc, _ = floorboard("releases", "list", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(f"{release}\t")
    proc, _ = floorboard("releases", "diff", release, release, "--out", str(tmp_path), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "No observation changed." in proc.stdout
    assert (tmp_path / "what_changed.csv").exists() and (tmp_path / "what_changed.md").exists()
    proc, _ = floorboard("releases", "diff", "R1", release, env=env)
    assert proc.returncode == 2 and "unknown release" in proc.stderr


def test_status_on_the_published_sample(sample_warehouse: Path):
    env = {"FLOORBOARD_WAREHOUSE_DIR": str(sample_warehouse)}
    release = current_release(sample_warehouse)
    receipts = sorted((sample_warehouse / "landing" / "_receipts" / "ssi").glob("*.parquet"))
    proc, _ = floorboard("status", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"Last release: {release}" in proc.stdout
    assert f"SSI submissions landed: {len(receipts)} —" in proc.stdout
    assert f"Since release {release}: nothing changed" in proc.stdout

    proc, _ = floorboard("status", "--json", env=env)
    report = json.loads(proc.stdout)
    assert report["release"]["release_id"] == release
    assert [s["key"] for s in report["ssi"]["submissions"]] == [p.stem for p in receipts]
    assert sum(report["ssi"]["counts"].values()) == len(receipts)
    assert not any(report["since_release"][k] for k in report["since_release"])


def _land(raw: Path, warehouse: Path, monkeypatch) -> None:
    """Land every submission of ``raw/ssi`` with the real landing code (no Dagster)."""
    from pipelines.ingest import submissions

    monkeypatch.setenv("FLOORBOARD_RAW_DIR", str(raw))
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(warehouse))
    for sub in submissions.discover():
        submissions.land_submission(sub)


def test_status_shows_quarantined_refused_and_changes(tmp_path: Path, monkeypatch):
    """A small landing (no release yet): one clean submission, one with a rejected row, one in
    a format that is refused; then raw/ changes: a new, a changed and a removed submission."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    shutil.copytree(REPO / "raw" / "reference", raw / "reference")
    ssi = raw / "ssi"
    ssi.mkdir()
    shutil.copytree(REPO / "raw" / "ssi" / "ARG_2016", ssi / "ARG_2016")
    shutil.copytree(REPO / "raw" / "ssi" / "ARG_2017", ssi / "ARG_2017")
    beneficiaries = ssi / "ARG_2017" / "beneficiaries.csv"
    lines = beneficiaries.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].rsplit(",", 1)[0] + ",-5\n"  # a negative count: that row is rejected
    beneficiaries.write_text("".join(lines), encoding="utf-8")
    (ssi / "URY_2020.xls").write_bytes(b"not a workbook")
    _land(raw, warehouse, monkeypatch)

    env = {"FLOORBOARD_WAREHOUSE_DIR": str(warehouse), "FLOORBOARD_RAW_DIR": str(raw)}
    proc, _ = floorboard("status", env=env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Last release: none (no published warehouse" in out
    assert "SSI submissions landed: 3 — 1 loaded, 1 quarantined" in out and "1 refused" in out
    assert re.search(r"ARG_2017\s+quarantined\s+\d+ of \d+ rows loaded, [1-9]\d* quarantined", out)
    assert re.search(r"URY_2020.xls\s+refused\s+URY_2020.xls is refused: it is an Excel", out)
    assert "ARG_2017.md" in out  # where the validation report is
    assert not re.search(r"ARG_2016\s+loaded", out)  # loaded: listed with --all only
    assert "landed, not yet published: 3" in out
    assert "new or changed in raw/reference, not landed: 1 (countries.csv)" in out
    proc, _ = floorboard("status", "--all", env=env)
    assert re.search(r"ARG_2016\s+loaded", proc.stdout)

    shutil.rmtree(ssi / "ARG_2016")  # removed: to withdraw
    shutil.copytree(REPO / "raw" / "ssi" / "ARG_2018", ssi / "ARG_2018")  # new
    beneficiaries.write_text("".join(lines[:2]), encoding="utf-8")  # changed
    proc, _ = floorboard("status", "--json", env=env)
    since = json.loads(proc.stdout)["since_release"]
    assert since["new_in_raw"] == ["ARG_2018"]
    assert since["changed_in_raw"] == ["ARG_2017"]
    assert since["removed_from_raw"] == ["ARG_2016"]
    proc, _ = floorboard("status", env=env)
    assert "removed from raw/ssi, to withdraw: 1 (ARG_2016)" in proc.stdout
    assert "Run `floorboard run`" in proc.stdout


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_extract_writes_a_restricted_release_extract(warehouse_copy: Path, tmp_path: Path):
    from pipelines.extracts import manifest

    env = {
        "FLOORBOARD_WAREHOUSE_DIR": str(warehouse_copy),
        "DAGSTER_HOME": str(dagster_home(tmp_path)),
    }
    release = current_release(warehouse_copy)
    args = ["extract", "--country", "KEN", "--series", "SI_COV_PENSN", "--years", "2020-2022"]
    proc, _ = floorboard(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip().splitlines()[-1].split(" files in ", 1)[1])
    assert folder.parent == warehouse_copy / "extracts" / release / "selections"
    assert folder.name.startswith("KEN_SI_COV_PENSN_2020-2021-2022_")
    rows = _rows(folder / "floorboard_indicators.csv")
    assert rows
    assert {r["iso3"] for r in rows} == {"KEN"}
    assert {r["series_code"] for r in rows} == {"SI_COV_PENSN"}
    assert {r["year"] for r in rows} <= {"2020", "2021", "2022"}
    sdmx = _rows(folder / "sdg_sdmx.csv")
    assert {r["SERIES"] for r in sdmx} == {"SI_COV_PENSN"}
    assert {r["REF_AREA"] for r in sdmx} == {"404"}  # Kenya (M49)
    assert {r["TIME_PERIOD"] for r in sdmx} <= {"2020", "2021", "2022"}
    # the release folder was republished with its manifest covering the selection
    release_folder = warehouse_copy / "extracts" / release
    assert manifest.verify_manifest(release_folder) == []
    listed = json.loads((release_folder / "manifest.json").read_text())["files"]
    assert any(f["path"].startswith(f"selections/{folder.name}/") for f in listed)

    # --out: the same files, byte for byte, in a new folder, with a manifest; no Dagster run
    out = tmp_path / "ken"
    proc, _ = floorboard(*args, "--out", str(out), env={**env, "DAGSTER_HOME": "/nonexistent"})
    assert proc.returncode == 0, proc.stderr
    assert manifest.verify_manifest(out) == []
    mine = {p.relative_to(out): p.read_bytes() for p in manifest.release_files(out)}
    theirs = {p.relative_to(folder): p.read_bytes() for p in manifest.release_files(folder)}
    assert mine == theirs
    # a folder that is not an earlier extract is never overwritten
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "mine.txt").write_text("precious")
    proc, _ = floorboard(*args, "--out", str(keep), env=env)
    assert proc.returncode == 1 and "not an earlier extract" in proc.stderr
    assert [p.name for p in keep.iterdir()] == ["mine.txt"]


def readme_commands() -> list[str]:
    """The ``floorboard`` command lines of the README's ``sh`` blocks (``echo … | floorboard``
    included), comments removed."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            if re.match(r"^(floorboard |echo .*\| *floorboard )", line.strip()):
                found.append(line.strip())
    return found


def test_readme_shows_floorboard_not_a_duckdb_cli():
    text = README.read_text(encoding="utf-8")
    assert "duckdb -readonly" not in text
    assert readme_commands(), "the README shows floorboard commands"
    for doc in (REPO / "docs").glob("*.md"):
        assert not re.search(r"^\s*duckdb ", doc.read_text(encoding="utf-8"), re.M), doc


def test_readme_floorboard_commands_run(warehouse_copy: Path, tmp_path: Path):
    """Every ``floorboard`` command of the README runs and succeeds, on a copy of the sample
    warehouse: ``OLD``/``NEW`` stand for release ids (the current one here) and ``/tmp/``
    folders are made under the test's temporary folder."""
    env = {
        "FLOORBOARD_WAREHOUSE_DIR": str(warehouse_copy),
        "DAGSTER_HOME": str(dagster_home(tmp_path)),
    }
    release = current_release(warehouse_copy)
    commands = readme_commands()
    assert {shlex.split(c.split("|")[-1], comments=True)[1] for c in commands} >= {
        "sql",
        "status",
        "releases",
        "extract",
    }
    for line in commands:
        stdin = None
        if line.startswith("echo "):
            echo, line = line.split("|", 1)
            stdin = shlex.split(echo)[1] + "\n"
        args = shlex.split(line, comments=True)[1:]
        args = [
            release if a in ("OLD", "NEW") else a.replace("/tmp/", f"{tmp_path}/") for a in args
        ]
        proc, _ = floorboard(*args, env=env, stdin=stdin)
        assert proc.returncode == 0, (line, proc.stderr)
        assert proc.stdout.strip(), line
