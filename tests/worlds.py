"""Small raw folders for tests that run the whole pipeline (a few submissions, not 722)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def small_raw(raw: Path) -> Path:
    """Two SSI submissions (a workbook and a CSV folder) and every other input of the bundled
    sample, in ``raw``. Returns ``raw``."""
    (raw / "ssi").mkdir(parents=True)
    for name in ("national", "reference", "flagship"):
        shutil.copytree(REPO / "raw" / name, raw / name)
    shutil.copy(REPO / "raw" / "ssi" / "KEN_2020.xlsx", raw / "ssi")
    shutil.copytree(REPO / "raw" / "ssi" / "URY_2020", raw / "ssi" / "URY_2020")
    return raw
