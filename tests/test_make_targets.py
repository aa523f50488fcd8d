"""The README's `make test-fast` and `make test-faults`, run as written, each on a small part of
the suite through ``PYTEST_ARGS`` (the whole of either is what `make test` runs anyway)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _make(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_test_fast_leaves_out_the_slow_tests():
    # one process (-n 0 after make test's -n 3): three workers would start for one test
    proc = _make("test-fast", "PYTEST_ARGS=tests/test_lint.py -p no:randomly -n 0")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # ruff runs; the sqlfluff test (slow) does not
    assert re.search(r"\b1 passed(, 1 deselected)? in ", proc.stdout), proc.stdout[-2000:]


def test_make_test_faults_selects_every_kill_point():
    proc = _make("test-faults", "PYTEST_ARGS=-k fallback --collect-only")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    from pipelines import faults

    assert "test_prune_puts_back_a_folder_left_between" in proc.stdout
    # FLOORBOARD_FAULT_POINTS=all: one test per kill point (deselected here by -k), the
    # partial-build test and the fallback test
    assert f"1/{len(faults.POINTS) + 2} tests collected" in proc.stdout, proc.stdout[-2000:]
