"""The code location's start-up (issue 13, pipelines/startup.py): no cyclic garbage collection
while it imports, the collector back on afterwards, nothing reported leaked at exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import gc
{before}
import pipelines.definitions
import duckdb
duckdb.connect().execute("select 1").fetchall()
print(gc.isenabled(), gc.get_freeze_count())
"""


def _child(before: str = "", code: str = CHILD) -> tuple[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", code.format(before=before)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip(), proc.stderr


def test_the_collector_is_back_on_with_the_import_frozen_and_nothing_leaked_at_exit():
    out, err = _child()
    enabled, frozen = out.split()
    assert enabled == "True"
    assert int(frozen) > 100_000  # the import's objects: later collections skip them
    # unfrozen at exit: DuckDB's bindings would report every object of theirs still alive
    assert "leaked" not in err, err[-2000:]


def test_a_collector_the_process_turned_off_stays_off():
    out, _ = _child("gc.disable()")
    assert out.split()[0] == "False"


DBT_TYPES = """
import sys
{before}
import pipelines.definitions
print("dbt-core imported:", "dbt.adapters" in sys.modules)
from dagster_dbt import compat
from dbt.artifacts.schemas.results import NodeStatus, TestStatus
from dbt.node_types import REFABLE_NODE_TYPES
# every status and node type dbt-core 1.x writes in its events compares equal to dagster-dbt's
assert all(compat.NodeStatus[m.name] == m.value for m in NodeStatus), "NodeStatus"
assert all(compat.TestStatus[m.name] == m.value for m in TestStatus), "TestStatus"
assert [str(t) for t in compat.REFABLE_NODE_TYPES] == [t.value for t in REFABLE_NODE_TYPES]
print("same types")
"""


def test_the_code_location_does_not_import_dbt_core_and_dagster_dbt_reads_dbt_the_same():
    """pipelines/warehouse/dbt_types.py: dagster-dbt's own stand-ins for dbt-core's types (its
    path for installations without dbt-core), 1-1.5 s less import. They must equal dbt-core's
    values, for the dbt-core of the lock file; a process that imported dbt first keeps
    dbt-core's own types."""
    for before, imported in (("", "False"), ("import dbt.version", "True")):
        out, _ = _child(before, DBT_TYPES)
        assert out.split("\n") == [f"dbt-core imported: {imported}", "same types"]


PANDERA = """
import sys
{before}
import pipelines.definitions
from pipelines import validation
import polars as pl
from schemas import reference
# a text table as read, one good row and one row breaking a check (pandera runs every check)
row = ["KEN", "KE", "404", "Kenya", "Africa", "Eastern Africa", "202", "SSA", "LMC", "true"]
bad = ["ken", *row[1:2], "405", *row[3:]]
raw = pl.DataFrame([row, bad], schema=list(reference.Countries.to_schema().columns), orient="row")
result = validation.validate_table(raw, reference.Countries, "countries")
print("validated:", result.accepted.height, "accepted,", result.rows_quarantined, "quarantined")
print("pandas imported:", "pandas" in sys.modules)
print("pandera's pandas API:", hasattr(sys.modules["pandera"], "DataFrameSchema"))
import pandas  # sdmx1 and country_converter need it: found as ever, after pandera
print("pandas", pandas.DataFrame({{"a": [1]}}).shape)
"""


def test_pandera_is_imported_without_pandas_and_pandas_stays_importable():
    """pipelines/__init__.py: the code location validates with pandera's polars API only; its
    import of pandera leaves pandas and pandera's pandas API out (0.5 s of every process that
    validates), nor does its validation of a frame (pandera's question "is this a pandas
    frame?": about 0.3 s of every landing worker), and pandas is imported as ever afterwards. A
    process that imported pandera first keeps pandera's pandas API."""
    for before, imported in (("", "False"), ("import pandera", "True")):
        out, _ = _child(before, PANDERA)
        assert out.split("\n") == [
            "validated: 1 accepted, 1 quarantined",
            f"pandas imported: {imported}",
            f"pandera's pandas API: {imported}",
            "pandas (1, 1)",
        ]
