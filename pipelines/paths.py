"""Where things live: the repository folders and the warehouse files.

Every path can be overridden with an environment variable so that tests and CI can point a run
at a temporary copy (``FLOORBOARD_RAW_DIR``, ``FLOORBOARD_WAREHOUSE_DIR``).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: the dbt project; FLOORBOARD_DBT_PROJECT_DIR points a process at another copy (tests use it to
#: make a build fail on purpose without touching the real project)
DBT_PROJECT_DIR = Path(
    os.environ.get("FLOORBOARD_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project")
).resolve()
#: the dbt of this virtual environment, whether or not it is activated (on PATH): `make ui` and
#: `make run` call .venv/bin/dagster and .venv/bin/python directly
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def install_cache_dir() -> Path:
    """What ``make install`` prepares once for the installed libraries (the Vega bundle of the
    site), shared by every warehouse of this environment: ``<venv>/share/floorboard``."""
    return Path(sys.prefix) / "share" / "floorboard"


@functools.lru_cache(maxsize=32)
def _resolved(value: str, cwd: str) -> Path:
    # one realpath per setting and working folder: a landing asks for its folders for every
    # file it writes, and resolving them again each time was 5 % of a cold run's landing
    return (Path(cwd) / value).resolve()


def _setting(name: str, default: Path) -> Path:
    return _resolved(os.environ.get(name, str(default)), os.getcwd())


def raw_dir() -> Path:
    return _setting("FLOORBOARD_RAW_DIR", REPO_ROOT / "raw")


def warehouse_dir() -> Path:
    return _setting("FLOORBOARD_WAREHOUSE_DIR", REPO_ROOT / "warehouse")


def landing_dir() -> Path:
    return warehouse_dir() / "landing"


def quarantine_dir() -> Path:
    return landing_dir() / "_quarantine"


def build_dir() -> Path:
    return warehouse_dir() / "build"


def cache_dir() -> Path:
    """What a run keeps to go faster next time and can always do without (``fsutil.read_cache``)."""
    return warehouse_dir() / "cache"


def published_path() -> Path:
    return warehouse_dir() / "floorboard.duckdb"


def extracts_dir() -> Path:
    """Release files: ``warehouse/extracts/<release_id>/``."""
    return warehouse_dir() / "extracts"
