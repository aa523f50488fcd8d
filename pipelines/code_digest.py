"""The digest of the code that writes an output: what a cached output is keyed on, with its
inputs, so that any change of the code writes it again (site pages, release files; issue 13)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def code_digest(dists: Iterable[str]) -> str:
    """Every file of the pipelines and schemas packages (the writers and what they import, their
    templates and static files), the versions of the libraries ``dists`` and of Python.
    Computed per build (about 50 ms), never cached: an edited file counts at once."""
    digest = hashlib.sha256(sys.version.encode())
    for package in ("pipelines", "schemas"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    for dist in sorted(dists):
        digest.update(f"{dist}=={importlib.metadata.version(dist)}\n".encode())
    return digest.hexdigest()
