"""Registry benchmark (issue 15), called by ``make bench`` (``bench/run.py``).

A synthetic registry of ``BENCH_REGISTRY_RECORDS`` records (default 50 million; 2.5 records per
person) is generated once (not timed), then three ways of getting the unduplicated counts are
timed, each in its own process, on the same files in the same session:

* ``floorboard``: what the pipeline does — validate and land (``pipelines.registry.land``:
  codes, scheme ids, duplicates, consistent persons, Parquet out, atomic swap), then the dbt
  registry models on DuckDB (``fct_registry_persons``, ``int_registry_unduplicated``,
  ``fct_registry_unduplicated``);
* ``pandas``: the script a statistician would write (read both parts, keep cash benefits, age
  group, ``nunique`` per measure, sex and age group) — no validation at all;
* ``duckdb_bare_scan``: ``count(distinct person_id)`` over the same files, the floor for any
  engine that reads them.

Peak memory is the operating system's: the resident set size of the process and all its
descendants, summed, sampled every 50 ms from ``/proc`` (``VmRSS``), not Python's allocator.
Targets (issue 15, 2 cores): ≤ 60 s and ≤ 4 GB for 50 M records, ≥ 10× faster than pandas,
≤ 3× the bare scan.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_RECORDS = 50_000_000
TARGETS = {"seconds": 60.0, "peak_gb": 4.0, "vs_pandas": 10.0, "vs_bare_scan": 3.0}
SCHEMES = ["WSM-PEN", "WSM-SOCPEN", "WSM-CHILD", "WSM-UNEMP", "WSM-SOCASSIST", "WSM-HEALTH"]
MODELS = ["fct_registry_persons", "int_registry_unduplicated", "fct_registry_unduplicated"]

LAND = """
from pipelines.registry import land
for key, receipt, _ in land.land_all():
    print(key, receipt.select("table_name", "rows_received", "rows_loaded").rows())
"""

PANDAS = """
import sys
import pandas as pd
folder = sys.argv[1]
b = pd.read_parquet(f"{folder}/beneficiaries.parquet")
c = pd.read_parquet(f"{folder}/contributors.parquet")
for df in (b, c):
    age = 2022 - df["birth_year"]
    df["age_group"] = ("Y" + (age // 5 * 5).astype(str) + "T" + (age // 5 * 5 + 4).astype(str))
    df.loc[age >= 80, "age_group"] = "Y_GE80"
cash = b[b["benefit_type"].isin(["cash_periodic", "cash_lump_sum"])]
out = []
for risk, g in cash.groupby("risk", observed=True):
    out.append(g.groupby(["sex", "age_group"], observed=True)["person_id"].nunique())
out.append(cash.groupby(["sex", "age_group"], observed=True)["person_id"].nunique())
both = pd.concat([cash[["person_id", "sex", "age_group"]], c[["person_id", "sex", "age_group"]]])
out.append(both.groupby(["sex", "age_group"], observed=True)["person_id"].nunique())
out.append(both.groupby("sex", observed=True)["person_id"].nunique())
print(int(out[-1].sum()))
"""

BARE = """
import sys, duckdb
folder = sys.argv[1]
print(duckdb.sql(
    f"select count(distinct person_id) from read_parquet(['{folder}/beneficiaries.parquet', "
    f"'{folder}/contributors.parquet'])"
).fetchall())
"""


def _tree_rss(pid: int) -> int:
    """Resident set size (bytes) of ``pid`` and every descendant, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> dict:
    """Run ``cmd``; wall seconds and peak resident memory of its process tree (OS figures)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "peak_gb": round(peak / 1e9, 2),
        "ok": proc.returncode == 0,
        "error": None if proc.returncode == 0 else (err.decode(errors="replace")[-500:]),
    }


def _combine(*steps: dict) -> dict:
    return {
        "seconds": round(sum(s["seconds"] for s in steps), 2),
        "peak_gb": max(s["peak_gb"] for s in steps),
        "ok": all(s["ok"] for s in steps),
        "error": next((s["error"] for s in steps if s["error"]), None),
    }


def run(records: int | None = None) -> dict:
    """Generate, then time the three ways; returns the figures (``bench/results.json``)."""
    import polars as pl

    from pipelines.registry.generate import generate

    records = records or int(os.environ.get("BENCH_REGISTRY_RECORDS", DEFAULT_RECORDS))
    persons = int(records / 2.5)
    tmp = Path(tempfile.mkdtemp(prefix="floorboard-bench-registry-"))
    try:
        t = time.perf_counter()
        g = generate(tmp / "raw" / "registry", persons, records)
        generated = round(time.perf_counter() - t, 1)
        wh = tmp / "warehouse"
        (wh / "landing" / "ssi_schemes").mkdir(parents=True)
        pl.DataFrame({"scheme_id": SCHEMES}).write_parquet(
            wh / "landing" / "ssi_schemes" / "WSM_2022.parquet"
        )
        env = {
            **os.environ,
            "FLOORBOARD_RAW_DIR": str(tmp / "raw"),
            "FLOORBOARD_WAREHOUSE_DIR": str(wh),
            "FLOORBOARD_DUCKDB_PATH": str(tmp / "floorboard.duckdb"),
            "FLOORBOARD_LANDING_DIR": str(wh / "landing"),
            "DBT_TARGET_PATH": str(tmp / "target"),
            "DBT_LOG_PATH": str(tmp / "logs"),
        }
        bare = measure([sys.executable, "-c", BARE, str(g.folder)], env)
        land = measure([sys.executable, "-c", LAND], env)
        dbt = measure(
            [str(BIN / "dbt"), "run", "--profiles-dir", ".", "--quiet", "--select", *MODELS],
            env,
            REPO / "dbt_project",
        )
        ours = _combine(land, dbt)
        pandas = measure([sys.executable, "-c", PANDAS, str(g.folder)], env)
        return {
            "records": g.records,
            "persons": g.persons,
            "generate_seconds": generated,
            "floorboard": ours,
            "floorboard_land": land,
            "floorboard_dbt": dbt,
            "pandas": pandas,
            "duckdb_bare_scan": bare,
            "speedup_vs_pandas": (
                round(pandas["seconds"] / ours["seconds"], 1) if pandas["ok"] else None
            ),
            "ratio_to_bare_scan": round(ours["seconds"] / bare["seconds"], 1),
            "targets": TARGETS,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def rows(result: dict) -> list[str]:
    """Markdown rows of ``bench/results.md`` (measurement, seconds, notes, target, ratio, met)."""
    n = f"{result['records'] / 1e6:g} M records"
    fb = result["floorboard"]

    def row(name: str, r: dict, note: str = "", target: str = "", ratio: str = "", met: str = ""):
        shown = f"{r['seconds']}" if r["ok"] else "failed"
        cells = [
            f"registry {name}, {n}",
            shown,
            f"peak {r['peak_gb']} GB{note}",
            target,
            ratio,
            met,
        ]
        return "| " + " | ".join(cells) + " |"

    def yes(ok: bool) -> str:
        return "yes" if ok else "no"

    at_scale = result["records"] >= 50_000_000  # the targets are stated for 50 M records
    return [
        row(
            "floorboard (validate + land + dbt)",
            fb,
            "",
            "≤ 60 s, ≤ 4 GB",
            "",
            yes(fb["ok"] and fb["seconds"] <= 60 and fb["peak_gb"] <= 4) if at_scale else "",
        ),
        row(
            "  against pandas",
            result["pandas"],
            " (baseline)",
            "≥ 10 × faster",
            f"{result['speedup_vs_pandas']} × faster",
            yes(result["speedup_vs_pandas"] >= 10) if at_scale else "",
        ),
        row(
            "  against a bare DuckDB count(distinct) scan",
            result["duckdb_bare_scan"],
            " (baseline)",
            "≤ 3 × the scan",
            f"{result['ratio_to_bare_scan']} ×",
            yes(result["ratio_to_bare_scan"] <= 3) if at_scale else "",
        ),
        row("  of which validate + land", result["floorboard_land"]),
        row("  of which dbt registry models", result["floorboard_dbt"]),
    ]


if __name__ == "__main__":
    import json

    res = run(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(json.dumps(res, indent=2))
    print("\n".join(rows(res)))
