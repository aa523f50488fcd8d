"""Release files copied from the previous release when what they are made of has not changed.

SDMX-CSV, the Open SDG files and the CSV download depend only on the observations, the code
lists, the options and the code, never on the release id or its date (the SDMX-ML header and the
workbook's metadata sheet carry those: they are always written). When a release's files are
written, their key (the sha256 of the code's digest, the code lists, the options and the
observations) and the sha256 of each file are kept in the warehouse's cache
(``extracts_reuse.json``). The next release with the same key copies them from that release's
published folder, each read without following links and checked against its recorded sha256;
when any of them is missing or differs, all are written again. A forced rebuild of unchanged
data (``floorboard run --full``) writes only the files that name the release (issue 13).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

from pipelines import fsutil, paths
from pipelines.code_digest import code_digest
from pipelines.extracts.codelists import CodeLists
from pipelines.extracts.open_sdg import INDICATORS, file_names

#: the names ``write_extracts`` gives the reusable files (not imported from it: it imports us)
SDMX_CSV = "sdg_sdmx.csv"
DOWNLOAD_CSV = "floorboard_indicators.csv"
OPEN_SDG = "open_sdg"

#: the cache file: {"key", "release_id", "files": {relative path: sha256}}
CACHE = "extracts_reuse.json"
#: the libraries writing the reusable files (with the code: ``code_digest.code_digest``)
DISTS = ("polars", "pyyaml")


def _cache_path() -> Path:
    return paths.cache_dir() / CACHE


def key(obs: pl.DataFrame, cl: CodeLists, options: tuple[str, ...]) -> str:
    """What the reusable files are made of: code, code lists, options and observations."""
    digest = hashlib.sha256(code_digest(DISTS).encode())
    lists = {
        "source": cl.source,
        "version": cl.dsd_version,
        "dimensions": cl.dimensions,
        "attributes": cl.attributes,
        "codes": {k: sorted(v) for k, v in sorted(cl.codes.items())},
        "names": sorted([*k, v] for k, v in cl.names.items()),
        "agency": sorted([k, *v] for k, v in cl.codelist_agency.items()),
    }
    digest.update(json.dumps([lists, options], sort_keys=True).encode())
    # the observations as Arrow IPC bytes (schema and values), one chunk: the same frame gives
    # the same bytes, and sha256 of them cannot collide in practice
    digest.update(obs.rechunk().write_ipc(None, compression="uncompressed").getvalue())
    return digest.hexdigest()


def copy(key: str, out_dir: Path, obs: pl.DataFrame) -> list[Path] | None:
    """The reusable files copied into ``out_dir`` from the last release folder written with the
    same ``key``, or None (no such release, a file of it missing or changed, or a record that
    is not a whole set of them: both CSVs and the Open SDG metadata of every country of
    ``obs``; nothing copied is kept, the caller writes them all)."""
    try:
        cached = json.loads(fsutil.read_cache(_cache_path()) or b"null")
        if not isinstance(cached, dict) or cached.get("key") != key:
            return None
        release_id, files = str(cached["release_id"]), dict(cached["files"])
    except (ValueError, KeyError, TypeError):
        return None
    countries = set(obs.filter(pl.col("area_type") == "country")["iso3"].drop_nulls())
    names = [file_names(iso3, indicator) for iso3 in countries for indicator in INDICATORS]
    needed = {SDMX_CSV, DOWNLOAD_CSV} | {f"{OPEN_SDG}/{meta}" for _, meta in names}
    allowed = needed | {f"{OPEN_SDG}/{data}" for data, _ in names}
    if not needed <= set(files) <= allowed:
        return None
    found: dict[str, bytes] = {}
    for rel, sha in files.items():
        # the release folder itself is not followed if it is a link either
        data = fsutil.read_inside(paths.extracts_dir(), f"{release_id}/{rel}")
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            return None
        found[rel] = data
    written = []
    for rel, data in found.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def record(key: str, release_id: str, out_dir: Path, written: list[Path]) -> None:
    """Remember the reusable files of release ``release_id`` just written in ``out_dir``."""
    files = {
        p.relative_to(out_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in written
    }
    data = {"key": key, "release_id": release_id, "files": files}
    fsutil.write_cache(_cache_path(), json.dumps(data, sort_keys=True).encode())
