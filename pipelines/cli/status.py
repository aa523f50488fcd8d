"""``floorboard status``: what is landed, quarantined or refused, the last release, what changed.

Read only: the receipts under ``warehouse/landing/_receipts/<source>/`` (one per landed file or
submission, ``pipelines.landing.receipt_status``), the published warehouse (opened read-only,
``pipelines.releases.current_release``) and the bytes in ``raw/`` (compared by sha256 with what
is landed, as ``make run`` does before it lands anything).
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

import duckdb
import polars as pl

from pipelines import landing, paths, releases, reports
from pipelines.ingest import submissions

#: sources of single-table CSV files, with the schemas module naming their tables
TABLE_SOURCES = ("national", "flagship", "reference")
#: names shown per list before "… and N more" (``--all`` shows every one)
SHOWN = 10


def _receipt(path: Path) -> dict:
    receipt = pl.read_parquet(path)
    loaded_at = receipt["loaded_at"].max() if receipt.height else None
    errors = receipt["file_error"].drop_nulls() if receipt.height else []
    return {
        "key": path.stem,
        "status": landing.receipt_status(receipt),
        "rows_received": int(receipt["rows_received"].sum()) if receipt.height else 0,
        "rows_loaded": int(receipt["rows_loaded"].sum()) if receipt.height else 0,
        "rows_quarantined": int(receipt["rows_quarantined"].sum()) if receipt.height else 0,
        "file_error": errors[0] if len(errors) else None,
        "loaded_at": loaded_at,
    }


def receipts(source: str) -> list[dict]:
    """One line per landed file (or submission) of a source, sorted by key."""
    folder = paths.landing_dir() / "_receipts" / source
    if not folder.is_dir():
        return []
    return [_receipt(p) for p in sorted(folder.glob("*.parquet"))]


def _release() -> tuple[dict | None, str | None]:
    path = paths.published_path()
    if not path.is_file():
        return None, f"no published warehouse at {path}"
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            all_releases = releases.releases(con)
    except (duckdb.Error, releases.ReleaseError) as exc:
        return None, f"{path}: {' '.join(str(exc).split())}"
    if not all_releases:
        return None, f"{path} has no release (not published by Floorboard)"
    last = all_releases[-1]
    return {
        "release_id": last.release_id,
        "published_at": last.published_at,
        "n_observations": last.n_observations,
        "previous_release_id": last.previous_release_id,
        "n_releases": len(all_releases),
        "path": str(path),
    }, None


def _table_changes(source: str, landed: set[str]) -> list[str]:
    """``raw/<source>/<table>.csv`` files whose bytes are not the landed ones (or not landed)."""
    import importlib

    root = paths.raw_dir() / source
    if not root.is_dir():
        return []
    tables = set(getattr(importlib.import_module(f"schemas.{source}"), "TABLES", {}))
    changed = []
    for path in sorted(root.glob("*.csv")):
        key = path.stem
        if key not in tables and key not in landed:
            continue  # not a landed table (e.g. the pinned SDG code lists of raw/reference)
        if landing.landed_sha(source, key) != landing.sha256_of(path):
            changed.append(path.name)
    return changed


def _after(stamp: dt.datetime | None, release: dict | None) -> bool:
    """Landed (or withdrawn) after ``release`` was published; everything is, without one."""
    if release is None:
        return True
    if stamp is None:
        return False
    published = release["published_at"]
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp > published


def _withdrawals() -> list[dict]:
    folder = submissions.withdrawal_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.parquet")):
        for row in pl.read_parquet(path).iter_rows(named=True):
            out.append(row)
    return out


def collect() -> dict:
    """Everything ``status`` shows, as plain data (``--json`` prints it)."""
    release, release_problem = _release()
    landed = receipts(submissions.SOURCE)
    for line in landed:
        report = reports.report_path(line["key"])
        line["report"] = str(report) if report.exists() else None
    present = submissions.discover()
    present_ids = {s.submission_id for s in present}
    landed_ids = submissions.landed_ids()
    new, changed = [], []
    for sub in present:
        sha = landing.landed_sha(submissions.SOURCE, sub.submission_id)
        if sha is None and sub.submission_id not in landed_ids:
            new.append(sub.submission_id)
        elif sha != submissions.submission_sha(sub):
            changed.append(sub.submission_id)  # other bytes, or landed under older rules
    others = {}
    other_changes = {}
    for source in TABLE_SOURCES:
        lines = receipts(source)
        others[source] = lines
        other_changes[source] = _table_changes(source, {x["key"] for x in lines})
    counts = {s: sum(1 for x in landed if x["status"] == s) for s in ("loaded", "quarantined")}
    counts["refused"] = sum(1 for x in landed if x["status"] == "refused")
    return {
        "warehouse_dir": str(paths.warehouse_dir()),
        "raw_dir": str(paths.raw_dir()),
        "release": release,
        "release_problem": release_problem,
        "ssi": {"counts": counts, "submissions": landed},
        "other_sources": others,
        "since_release": {
            "landed_not_published": [
                *(x["key"] for x in landed if _after(x["loaded_at"], release)),
                *(
                    f"{source}/{x['key']}"
                    for source, lines in others.items()
                    for x in lines
                    if _after(x["loaded_at"], release)
                ),
            ],
            "withdrawn_not_published": sorted(
                w["submission_id"] for w in _withdrawals() if _after(w["withdrawn_at"], release)
            ),
            "new_in_raw": new,
            "changed_in_raw": changed,
            "removed_from_raw": sorted(landed_ids - present_ids),
            "other_changed_in_raw": {k: v for k, v in other_changes.items() if v},
        },
    }


def _names(names: list[str], show_all: bool) -> str:
    if show_all or len(names) <= SHOWN:
        return ", ".join(names)
    return ", ".join(names[:SHOWN]) + f", … and {len(names) - SHOWN} more (--all)"


def _relative(path: str | None) -> str:
    if not path:
        return ""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def render(report: dict, show_all: bool = False) -> str:
    out = []
    release = report["release"]
    if release:
        when = release["published_at"].strftime("%Y-%m-%d %H:%M:%S")
        out.append(
            f"Last release: {release['release_id']}, published {when} UTC, "
            f"{release['n_observations']} observations "
            f"(previous: {release['previous_release_id'] or 'none'}; "
            f"{release['n_releases']} release(s) in {_relative(release['path'])})"
        )
    else:
        out.append(f"Last release: none ({report['release_problem']})")

    ssi = report["ssi"]
    counts = ssi["counts"]
    out.append("")
    out.append(
        f"SSI submissions landed: {len(ssi['submissions'])} — {counts['loaded']} loaded, "
        f"{counts['quarantined']} quarantined (some rows rejected), {counts['refused']} refused "
        "(nothing loaded)"
    )
    shown = [x for x in ssi["submissions"] if show_all or x["status"] != "loaded"]
    if shown:
        width = max(len(x["key"]) for x in shown)
        for x in shown:
            detail = (
                f"{x['rows_loaded']} of {x['rows_received']} rows loaded, "
                f"{x['rows_quarantined']} quarantined"
            )
            if x["status"] == "refused" and x["file_error"]:
                reason = " ".join(x["file_error"].split())
                detail = reason if len(reason) <= 90 else reason[:89] + "…"
            line = f"  {x['key']:<{width}}  {x['status']:<11}  {detail}"
            if x["status"] != "loaded" and x.get("report"):
                line += f"  [{_relative(x['report'])}]"
            out.append(line)
    for source, lines in report["other_sources"].items():
        if not lines:
            continue
        by = {s: [x["key"] for x in lines if x["status"] == s] for s in ("quarantined", "refused")}
        text = f"{source}: {len(lines)} file(s) landed"
        for s, keys in by.items():
            if keys:
                text += f"; {s}: {', '.join(keys)}"
        out.append(text)

    since = report["since_release"]
    label = f"Since release {release['release_id']}" if release else "Not published yet"
    out.append("")
    items = [
        ("landed, not yet published", since["landed_not_published"]),
        ("withdrawn, not yet published", since["withdrawn_not_published"]),
        ("new in raw/ssi, not landed", since["new_in_raw"]),
        ("changed in raw/ssi, not landed", since["changed_in_raw"]),
        ("removed from raw/ssi, to withdraw", since["removed_from_raw"]),
        *(
            (f"new or changed in raw/{source}, not landed", names)
            for source, names in since["other_changed_in_raw"].items()
        ),
    ]
    items = [(what, names) for what, names in items if names]
    if not items:
        out.append(f"{label}: nothing changed (raw/ is landed and published).")
    else:
        out.append(f"{label}:")
        for what, names in items:
            out.append(f"  {what}: {len(names)} ({_names(names, show_all)})")
        out.append("Run `floorboard run` to land and publish them.")
    return "\n".join(out)
