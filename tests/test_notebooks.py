"""The statisticians' notebooks run top to bottom on a published warehouse (so they never rot).

They are executed with nbclient in a real Jupyter kernel against a warehouse with two releases
(the sample, then a run with one changed input), opened read-only.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

pytestmark = pytest.mark.slow
NOTEBOOKS = REPO / "notebooks"


def _execute(name: str, warehouse: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("FLOORBOARD_WAREHOUSE_DIR", str(warehouse))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()  # raises CellExecutionError with the failing cell on any error
    return nb


def _outputs(nb: nbformat.NotebookNode) -> tuple[str, int]:
    text, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text.append(out["text"])
            data = out.get("data", {})
            text.append(data.get("text/plain", ""))
            images += "image/png" in data
    return "\n".join(text), images


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


def test_coverage_explorer_runs(two_releases, monkeypatch):
    nb = _execute("coverage_explorer.ipynb", two_releases["warehouse"], monkeypatch)
    text, images = _outputs(nb)
    assert str(two_releases["warehouse"] / "floorboard.duckdb") in text
    assert "SI_COV_BENFTS" in text and "gap_pp" in text
    assert images >= 3, "trend, gender-gap and regional plots"


def test_release_review_runs_and_shows_the_change(two_releases, monkeypatch):
    nb = _execute("release_review.ipynb", two_releases["warehouse"], monkeypatch)
    text, images = _outputs(nb)
    assert "| revised | URY | SI_COV_MATNL | 2020 |" in text
    assert "revised observations" in text
    assert images >= 1


def test_notebooks_open_the_warehouse_read_only():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        assert "read_only=True" in source, path.name
        assert "create table" not in source.lower() and "insert into" not in source.lower()
