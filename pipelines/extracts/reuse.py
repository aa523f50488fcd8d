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

#: the cache file: {"key", "release_id", "files": {relative path: sha256}}
CACHE = "extracts_reuse.json"
#: the libraries writing the reusable files (with the code: ``code_digest.code_digest``)
DISTS = ("polars", "pyyaml")


def _cache_path() -> Path:
    return paths.cache_dir() / CACHE


def key(obs: pl.DataFrame, cl: CodeLists, options: tuple[str, ...]) -> str:
    """What the reusable files are made of: code, code lists, options, observations (row hashes
    of polars, stable within one polars version, which is part of the code digest)."""
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
    digest.update(json.dumps([[n, str(t)] for n, t in obs.schema.items()]).encode())
    digest.update(obs.hash_rows().to_numpy().tobytes())
    return digest.hexdigest()


def copy(key: str, out_dir: Path) -> list[Path] | None:
    """The reusable files copied into ``out_dir`` from the last release folder written with the
    same ``key``, or None (no such release, or a file of it missing or changed: nothing copied
    is kept, the caller writes them all)."""
    try:
        cached = json.loads(fsutil.read_cache(_cache_path()) or b"null")
        if not isinstance(cached, dict) or cached.get("key") != key:
            return None
        release_id, files = str(cached["release_id"]), dict(cached["files"])
    except (ValueError, KeyError, TypeError):
        return None
    if not files or "/" in release_id or release_id in ("", ".", ".."):
        return None
    source = paths.extracts_dir() / release_id
    found: dict[str, bytes] = {}
    for rel, sha in files.items():
        data = fsutil.read_inside(source, str(rel))
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
