"""The release manifest: every file of a release folder with its size and sha256.

``manifest.json`` (machine-readable) and ``SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks a
download) are written last, over the whole folder, so they list the files of every extract asset.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.releases import Release

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_files(folder: Path) -> list[Path]:
    """Files of a release folder, sorted, without the manifest files themselves."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, CHECKSUMS) and not p.name.startswith(".")
    )


def write_manifest(folder: Path, release: Release) -> tuple[Path, list[dict]]:
    files = [
        {
            "path": p.relative_to(folder).as_posix(),
            "bytes": p.stat().st_size,
            "sha256": sha256_file(p),
        }
        for p in release_files(folder)
    ]
    manifest = {
        "release_id": release.release_id,
        "published_at": release.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "previous_release_id": release.previous_release_id,
        "content_sha256": release.content_sha256,
        "n_observations": release.n_observations,
        "files": files,
    }
    target = folder / MANIFEST
    tmp = target.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(target)
    (folder / CHECKSUMS).write_text(
        "".join(f"{f['sha256']}  {f['path']}\n" for f in files), encoding="utf-8"
    )
    return target, files


def verify_manifest(folder: Path) -> list[str]:
    """Problems found when checking a release folder against its manifest (empty = intact)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    problems = []
    listed = {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        path = folder / f["path"]
        if not path.exists():
            problems.append(f"missing: {f['path']}")
        elif sha256_file(path) != f["sha256"]:
            problems.append(f"changed: {f['path']}")
    for path in release_files(folder):
        if path.relative_to(folder).as_posix() not in listed:
            problems.append(f"not in manifest: {path.relative_to(folder).as_posix()}")
    return problems
