"""Pages of the published site reused when what they are made of has not changed.

A page is a function of its rows and of the code (charts, templates, the Vega bundle). Each page
gets a key: the sha256 of the code's digest, its template and its rows as canonical JSON. The
keys of a site's pages, with the sha256 of each page's bytes, are kept in the site itself
(``.pages.json``, written last, published with the pages by the same rename). The next build
copies a page from the published site when the key it computes equals the published one and the
page's bytes are the ones recorded, and renders it otherwise: a warm rebuild or one changed
submission renders only the pages whose rows changed (issue 13). Nothing outside the published
site is read, and a page that cannot be read, is a link or no longer has its recorded bytes
(another build published meanwhile) is rendered: reuse never changes what a page holds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipelines import fsutil
from pipelines.code_digest import code_digest

#: the site's own record of its pages (relative path -> {"key", "sha256"})
MANIFEST = ".pages.json"


#: the libraries that draw the pages (with the code: ``code_digest.code_digest``)
DISTS = ("altair", "jinja2", "markupsafe", "vl-convert-python")


class Pages:
    """The keys of the pages being built, and the published site to copy unchanged pages
    from (None: render every page)."""

    def __init__(self, out_dir: Path, previous: Path | None):
        self.out_dir = out_dir
        self.previous = previous
        self.digest = code_digest(DISTS)
        self.pages: dict[str, dict[str, str]] = {}
        self.published: dict[str, Any] = {}
        (out_dir / MANIFEST).unlink(missing_ok=True)  # a build in place starts without one
        if previous is not None:
            try:
                found = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
                self.published = found if isinstance(found, dict) else {}
            except (OSError, ValueError):
                self.published = {}  # no site, or not one of ours: render everything

    def key(self, template: str, rows: Any) -> str:
        text = json.dumps(rows, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(f"{self.digest}\0{template}\0{text}".encode()).hexdigest()

    def reuse(self, path: Path, template: str, rows: Any) -> bool:
        """Copy the page at ``path`` from the published site when its key and bytes are the
        recorded ones (True); else the caller renders it (False) and calls ``rendered``."""
        rel = path.relative_to(self.out_dir).as_posix()
        key = self.key(template, rows)
        self.pages[rel] = {"key": key}
        known = self.published.get(rel)
        if self.previous is None or not isinstance(known, dict) or known.get("key") != key:
            return False
        data = fsutil.read_inside(self.previous, rel)
        if data is None or hashlib.sha256(data).hexdigest() != known.get("sha256"):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.pages[rel]["sha256"] = known["sha256"]
        return True

    def write_manifest(self) -> Path:
        """Record the pages with the sha256 of their bytes as written (last, after every page)."""
        for rel, page in self.pages.items():
            if "sha256" not in page:
                page["sha256"] = hashlib.sha256((self.out_dir / rel).read_bytes()).hexdigest()
        target = self.out_dir / MANIFEST
        target.write_text(json.dumps(self.pages, sort_keys=True, indent=0) + "\n", encoding="utf-8")
        return target
