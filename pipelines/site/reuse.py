"""Pages of the published site reused when what they are made of has not changed.

A page is a function of its rows and of the code (charts, templates, the Vega bundle). Each page
gets a key: the sha256 of the code's digest, its template and its rows as canonical JSON. The
keys of a site's pages are kept in the site itself (``.pages.json``, written last, published
with the pages by the same rename). The next build copies a page from the published site
when the key it computes equals the published one, and renders it otherwise: a warm rebuild or
one changed submission renders only the pages whose rows changed (issue 13). Nothing outside
the published site is read, so a crash at any point leaves nothing to reuse wrongly.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import shutil
from pathlib import Path
from typing import Any

#: the site's own record of its pages' keys (relative path -> key)
MANIFEST = ".pages.json"
ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def code_digest() -> str:
    """Every source file of the pipelines and schemas packages (the site and what it imports),
    its templates and static files, and the versions of the libraries drawing the pages: any
    change renders every page again."""
    digest = hashlib.sha256()
    for package in ("pipelines", "schemas"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    for dist in ("altair", "jinja2", "vl-convert-python"):
        digest.update(f"{dist}=={importlib.metadata.version(dist)}\n".encode())
    return digest.hexdigest()


def page_key(template: str, rows: Any) -> str:
    text = json.dumps(rows, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{code_digest()}\0{template}\0{text}".encode()).hexdigest()


class Pages:
    """The keys of the pages being built, and the published site to copy unchanged pages
    from (None: render every page)."""

    def __init__(self, out_dir: Path, previous: Path | None):
        self.out_dir = out_dir
        self.previous = previous
        self.keys: dict[str, str] = {}
        self.published: dict[str, str] = {}
        if previous is not None:
            try:
                found = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
                if isinstance(found, dict):
                    self.published = {str(k): str(v) for k, v in found.items()}
            except (OSError, ValueError):
                self.published = {}  # no site, or not one of ours: render everything

    def reuse(self, path: Path, template: str, rows: Any) -> bool:
        """Record the key of the page at ``path``; copy it from the published site when its key
        is the published one (True), else the caller renders it (False)."""
        rel = path.relative_to(self.out_dir).as_posix()
        key = self.keys[rel] = page_key(template, rows)
        if self.previous is None or self.published.get(rel) != key:
            return False
        source = self.previous / rel
        if source.is_symlink() or not source.is_file():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        return True

    def write_manifest(self) -> Path:
        target = self.out_dir / MANIFEST
        target.write_text(json.dumps(self.keys, sort_keys=True, indent=0) + "\n", encoding="utf-8")
        return target
