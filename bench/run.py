"""``make bench``: time full materializations of the bundled sample.

- cold: empty warehouse folder and a fresh Dagster instance (everything is landed and built);
- warm: the same again on the warehouse of the previous run (landing is a no-op, dbt rebuilds);
- baseline, measured in the same session: plain ``dbt build`` on the warm landing zone, without
  Dagster, to show what orchestration adds;
- extracts: every release file of the published warehouse (``write_extracts``), against the
  baseline of DuckDB's own CSV export of the same observations;
- site: the static country pages (``python -m pipelines.site.build``);
- registry: 50 M registry records against pandas and a bare DuckDB scan (``bench/registry.py``;
  ``BENCH_REGISTRY_RECORDS`` sets the size).
Each figure is the median of ``BENCH_REPEAT`` runs (default 3). Results go to
``bench/results.json`` and ``bench/results.md``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


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


def main() -> int:
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    runs: dict[str, list[float]] = {
        "cold": [],
        "warm": [],
        "baseline_dbt_build": [],
        "extracts": [],
        "site": [],
        "baseline_duckdb_csv_export": [],
    }
    with tempfile.TemporaryDirectory(prefix="floorboard-bench-") as tmp:
        for i in range(repeat):
            wh, home = Path(tmp) / f"wh{i}", Path(tmp) / f"home{i}"
            home.mkdir()
            env = {**os.environ, "FLOORBOARD_WAREHOUSE_DIR": str(wh), "DAGSTER_HOME": str(home)}
            cmd = [sys.executable, "-m", "pipelines.run"]
            runs["cold"].append(_timed(cmd, env, REPO))
            runs["warm"].append(_timed(cmd, env, REPO))
            dbt_env = {
                **env,
                "FLOORBOARD_DUCKDB_PATH": str(wh / "build" / "floorboard.bench-baseline.duckdb"),
                "FLOORBOARD_LANDING_DIR": str(wh / "landing"),
            }
            runs["baseline_dbt_build"].append(
                _timed(
                    [str(BIN / "dbt"), "build", "--profiles-dir", ".", "--quiet"],
                    dbt_env,
                    REPO / "dbt_project",
                )
            )
            published = wh / "floorboard.duckdb"
            runs["extracts"].append(
                _timed(
                    [
                        sys.executable,
                        "-c",
                        EXTRACTS,
                        str(published),
                        str(Path(tmp) / f"extracts{i}"),
                    ],
                    env,
                    REPO,
                )
            )
            runs["site"].append(
                _timed(
                    [sys.executable, "-m", "pipelines.site.build", str(Path(tmp) / f"site{i}")],
                    env,
                    REPO,
                )
            )
            runs["baseline_duckdb_csv_export"].append(
                _timed(
                    [
                        sys.executable,
                        "-c",
                        CSV_EXPORT,
                        str(published),
                        str(Path(tmp) / f"export{i}.csv"),
                    ],
                    env,
                    REPO,
                )
            )
            print(
                f"run {i + 1}/{repeat}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in runs.items())
            )
    medians = {k: round(statistics.median(v), 2) for k, v in runs.items()}
    n_sub = sum(1 for p in (REPO / "raw" / "ssi").iterdir() if not p.name.startswith("."))
    result = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sample": {"ssi_submissions": n_sub},
        "repeat": repeat,
        "median_seconds": medians,
        "runs_seconds": {k: [round(x, 2) for x in v] for k, v in runs.items()},
        "orchestration_overhead_warm_seconds": round(
            medians["warm"] - medians["baseline_dbt_build"], 2
        ),
    }
    # registry microdata at scale (issue 15): 50 M records against pandas and a bare scan
    from bench import registry

    result["registry"] = registry.run()
    out = REPO / "bench"
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    md = [
        "| measurement | median (s) | runs (s) |",
        "| --- | ---: | --- |",
        *[f"| {k} | {medians[k]} | {', '.join(f'{x:.1f}' for x in runs[k])} |" for k in runs],
        *registry.rows(result["registry"]),
    ]
    (out / "results.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
