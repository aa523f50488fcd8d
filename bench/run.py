"""``make bench``: the speed targets of issue 13, each next to a baseline measured in the same run.

Per repetition (``BENCH_REPEAT``, default 3), in a fresh warehouse folder and Dagster instance,
on the bundled sample (or ``FLOORBOARD_RAW_DIR``, copied so that the bench can change it):

- ``import_code_location``: a new interpreter until ``import pipelines.definitions`` is done
  (target ≤ 3 s); ``import_process_with_exit``: the same process until it has exited;
- ``cold``: ``floorboard run`` on an empty warehouse: every submission validated and landed, the
  build, the release, its files and the site (target ≤ 45 s);
- ``nothing_changed``: ``floorboard run`` again, same raw files and code (target ≤ 5 s);
- ``warm_full``: ``floorboard run --full``: landing is a no-op, everything else is rebuilt
  (target ≤ 1.5 × ``baseline_dbt_build``);
- ``baseline_dbt_build``: bare ``dbt build`` of the same project on the landing of that
  warehouse, with the arguments of a pipeline run (``build.DBT_BUILD_ARGS``: ``--full-refresh``,
  no unit tests) and dbt's partial parsing (what dbt alone costs for the same work);
- ``one_changed_submission``: a corrected ``<id>_r2`` copy of one submission dropped in, through
  to the published marts, release files and site (target ≤ 25 s);
- ``registry``: 50 M registry records (issue 15) against pandas and a bare DuckDB scan
  (``bench/registry.py``; ``BENCH_REGISTRY_RECORDS`` sets the size);
- ``extracts`` and ``site`` alone, and ``baseline_duckdb_csv_export`` (DuckDB's own CSV export
  of the same observations), for what the release files and pages cost;
- ``hostile_drop_zone``: ``floorboard run`` on an empty warehouse with every bad case of issue
  11 beside the sample (``bench/hostile.py``): exit 0, every good submission landed, every bad
  entry refused or quarantined (target ≤ 180 s).

Each figure is the median over the repetitions. Results: ``bench/results.json`` and
``bench/results.md`` (or ``BENCH_OUT``); the README shows the table.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import hostile
from pipelines.warehouse.build import DBT_BUILD_ARGS

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: all release files of the published warehouse (SDMX-CSV/ML, Open SDG, workbook, CSV)
EXTRACTS = """
import sys, datetime
from pathlib import Path
from pipelines.extracts.write import write_extracts
write_extracts(Path(sys.argv[1]), Path(sys.argv[2]), "BENCH", datetime.datetime(2026, 1, 1))
"""
#: baseline for the extracts: DuckDB's own CSV export of the same observations
CSV_EXPORT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute(f"copy (select * from marts.sdg_indicators union all by name "
            f"select * from marts.agg_regional) to '{sys.argv[2]}' (header)")
"""

#: measurement -> (target in seconds, or "ratio:<baseline>:<factor>")
TARGETS: dict[str, str] = {
    "import_code_location": "3",
    "cold": "45",
    "nothing_changed": "5",
    "warm_full": "ratio:baseline_dbt_build:1.5",
    "one_changed_submission": "25",
    "hostile_drop_zone": "180",
}
ORDER = (
    "import_code_location",
    "import_process_with_exit",
    "cold",
    "nothing_changed",
    "warm_full",
    "baseline_dbt_build",
    "one_changed_submission",
    "extracts",
    "site",
    "baseline_duckdb_csv_export",
    "hostile_drop_zone",
)


def _timed(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    expect: str | None = None,
    output: list[str] | None = None,
) -> float:
    """Seconds ``cmd`` took; it must exit 0 (and print ``expect``). Its output is appended to
    ``output``."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    if expect is not None and expect not in proc.stdout:
        raise SystemExit(f"{' '.join(cmd)}: expected {expect!r} in its output:\n{proc.stdout}")
    if output is not None:
        output.append(proc.stdout)
    return elapsed


def _import_seconds(env: dict[str, str]) -> tuple[float, float]:
    """(seconds from starting a new interpreter to the end of ``import pipelines.definitions``,
    seconds of the whole process): the child prints the wall clock when its import is over.
    The difference is the interpreter's exit, mostly its last garbage collection over the
    import's objects (pipelines/startup.py)."""
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", "import time, pipelines.definitions; print(time.time())"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    end = time.time()
    if proc.returncode != 0:
        raise SystemExit(f"importing the code location failed:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.split()[-1]) - start, end - start


def _revise_one(raw: Path) -> str:
    """Drop a corrected copy (``<id>_r2``) of the first submission into ``raw/ssi``: new bytes
    for one submission, as a focal point's correction is."""
    first = sorted(p for p in (raw / "ssi").iterdir() if not p.name.startswith("."))[0]
    stem = first.name.split(".")[0]
    target = first.with_name(first.name.replace(stem, f"{stem}_r2", 1))
    if first.is_dir():
        shutil.copytree(first, target)
    else:
        shutil.copyfile(first, target)
    return target.name


def _world(tmp: Path, name: str) -> tuple[Path, Path, dict[str, str]]:
    """(raw, warehouse, environment) of a fresh world: a copy of the raw folder, an empty
    warehouse folder and its own Dagster instance (the repository's dagster.yaml)."""
    source = Path(os.environ.get("FLOORBOARD_RAW_DIR", REPO / "raw"))
    raw, wh, home = tmp / f"raw-{name}", tmp / f"wh-{name}", tmp / f"home-{name}"
    shutil.copytree(source, raw, symlinks=True)
    home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "FLOORBOARD_WAREHOUSE_DIR": str(wh),
        "FLOORBOARD_RAW_DIR": str(raw),
        "DAGSTER_HOME": str(home),
    }
    env.pop("FLOORBOARD_PROGRESS", None)
    return raw, wh, env


def _one_repeat(tmp: Path, i: int, runs: dict[str, list[float]]) -> None:
    raw, wh, env = _world(tmp, str(i))
    run = [str(BIN / "floorboard"), "run"]
    imported, whole = _import_seconds(env)
    runs["import_code_location"].append(imported)
    runs["import_process_with_exit"].append(whole)
    cold_output: list[str] = []
    runs["cold"].append(_timed(run, env, REPO, output=cold_output))
    runs["nothing_changed"].append(_timed(run, env, REPO, expect="nothing changed since"))
    runs["warm_full"].append(_timed([*run, "--full"], env, REPO))
    dbt_env = {
        **env,
        "FLOORBOARD_DUCKDB_PATH": str(wh / "build" / "floorboard.bench-baseline.duckdb"),
        "FLOORBOARD_LANDING_DIR": str(wh / "landing"),
    }
    dbt = [str(BIN / "dbt"), *DBT_BUILD_ARGS, "--profiles-dir", ".", "--quiet"]
    # a first build leaves dbt's partial-parse state for this path, as a user's would. Every
    # repetition: each has its own warehouse, so its own path (dbt hashes the profile's path),
    # and a state left for another path made the measured build parse the whole project
    _timed(dbt, dbt_env, REPO / "dbt_project")
    runs["baseline_dbt_build"].append(_timed(dbt, dbt_env, REPO / "dbt_project"))
    _revise_one(raw)
    runs["one_changed_submission"].append(_timed(run, env, REPO))
    published = wh / "floorboard.duckdb"
    runs["extracts"].append(
        _timed([sys.executable, "-c", EXTRACTS, str(published), str(tmp / f"x{i}")], env, REPO)
    )
    runs["site"].append(
        _timed([sys.executable, "-m", "pipelines.site.build", str(tmp / f"site{i}")], env, REPO)
    )
    runs["baseline_duckdb_csv_export"].append(
        _timed(
            [sys.executable, "-c", CSV_EXPORT, str(published), str(tmp / f"e{i}.csv")], env, REPO
        )
    )
    # issue 11: every bad case beside the sample, on an empty warehouse, must not stop the run
    hostile_raw, hostile_wh, hostile_env = _world(tmp, f"hostile{i}")  # no _r2 copy in it
    bad = hostile.add_hostile_entries(hostile_raw, tmp)
    hostile_output: list[str] = []
    runs["hostile_drop_zone"].append(_timed(run, hostile_env, REPO, output=hostile_output))
    hostile.check_summary(hostile_output[0], cold_output[0], bad, hostile_wh / "floorboard.duckdb")
    hostile.check_receipts(hostile_wh, bad)


def _verdict(name: str, medians: dict[str, float]) -> tuple[str, str, str]:
    """(target, ratio, met) cells of the table."""
    spec = TARGETS.get(name)
    if spec is None:
        return "", "", ""
    if spec.startswith("ratio:"):
        _, base, factor = spec.split(":")
        ratio = medians[name] / medians[base]
        return f"≤ {factor} × {base}", f"{ratio:.2f} ×", "yes" if ratio <= float(factor) else "no"
    return f"≤ {spec} s", "", "yes" if medians[name] <= float(spec) else "no"


def main() -> int:
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    out = Path(os.environ.get("BENCH_OUT", REPO / "bench"))
    runs: dict[str, list[float]] = {k: [] for k in ORDER}
    with tempfile.TemporaryDirectory(prefix="floorboard-bench-") as tmp:
        for i in range(repeat):
            _one_repeat(Path(tmp), i, runs)
            print(
                f"run {i + 1}/{repeat}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in runs.items())
            )
    medians = {k: round(statistics.median(v), 2) for k, v in runs.items()}
    raw = Path(os.environ.get("FLOORBOARD_RAW_DIR", REPO / "raw"))
    n_sub = sum(1 for p in (raw / "ssi").iterdir() if not p.name.startswith("."))
    table = {
        k: dict(zip(("target", "ratio", "met"), _verdict(k, medians), strict=True)) for k in runs
    }
    result = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sample": {"ssi_submissions": n_sub},
        "repeat": repeat,
        "median_seconds": medians,
        "runs_seconds": {k: [round(x, 2) for x in v] for k, v in runs.items()},
        "targets": table,
    }
    # registry microdata at scale (issue 15): 50 M records against pandas and a bare scan
    from bench import registry

    result["registry"] = registry.run()
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    md = [
        "| measurement | median (s) | runs (s) | target | ratio | met |",
        "| --- | ---: | --- | --- | ---: | --- |",
        *[
            f"| {k} | {medians[k]} | {', '.join(f'{x:.1f}' for x in runs[k])} | "
            + " | ".join(table[k].values())
            + " |"
            for k in runs
        ],
        *registry.rows(result["registry"]),
    ]
    (out / "results.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
