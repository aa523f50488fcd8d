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


def _child(before: str = "") -> tuple[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(before=before)],
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
