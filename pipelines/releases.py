"""Releases: every published build is a release, and every value it published is kept.

At publish time (``record_release``), before the build file is renamed into place, two tables are
written into it next to the dbt marts:

- ``marts.releases`` — one row per release: ``release_id``, ``published_at`` (UTC), ``run_id``,
  ``previous_release_id``, ``n_observations``, ``content_sha256`` (of the released observations,
  so two releases with the same numbers are recognisable).
- ``marts.release_withdrawals`` — append-only: every SSI submission removed from the drop zone
  after it was landed, with the release from which its rows are gone.
- ``marts.indicator_vintages`` — append-only: every observation of ``marts.sdg_indicators``
  (countries) and ``marts.agg_regional`` (regions) as it was released, keyed by ``release_id``.

Both tables carry over from the previously published warehouse (a full build starts from an
empty file, so the history is copied from the published one; a partial build is a copy of it
already). Rows of earlier releases are never updated or deleted; ``record_release`` checks it.
They are written here and not by dbt because they hold history across builds, which a dbt build
of a fresh file cannot see.

``what_changed`` compares any two releases: new, revised (old and new value, difference) and
withdrawn observations. ``python -m pipelines.releases list|diff OLD NEW`` does it from a shell.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import faults, paths

#: the key of one released observation
OBSERVATION_KEY = ("area_type", "ref_area", "series_code", "time_period", "sex", "age")
#: two values closer than this are the same value (floating point noise, not a revision)
REVISION_TOLERANCE = 1e-9

RELEASES_DDL = """
create table if not exists marts.releases (
    release_id varchar primary key,
    published_at timestamp not null,
    run_id varchar not null,
    previous_release_id varchar,
    n_observations bigint not null,
    content_sha256 varchar not null
)"""

VINTAGES_DDL = """
create table if not exists marts.indicator_vintages (
    release_id varchar not null,
    area_type varchar not null,
    ref_area varchar not null,
    series_code varchar not null,
    time_period integer not null,
    sex varchar not null,
    age varchar not null,
    value double,
    unit_measure varchar,
    nature varchar,
    obs_status varchar,
    source_detail varchar
)"""

#: submissions withdrawn from the drop zone (``pipelines.ingest.submissions.withdraw``), each
#: recorded once, with the first release that no longer holds its rows
WITHDRAWALS_DDL = """
create table if not exists marts.release_withdrawals (
    release_id varchar not null,
    submission_id varchar not null,
    source_file varchar,
    source_sha256 varchar,
    rows_withdrawn bigint,
    withdrawn_at timestamp not null
)"""

#: the observations of the build being released, in the vintages layout
CURRENT_OBSERVATIONS = """
select 'country' as area_type, iso3 as ref_area, series_code, time_period, sex,
       coalesce(age, '_T') as age, value, unit_measure, nature, obs_status, source_detail
from marts.sdg_indicators
union all
select 'region', region_type || ':' || region, series_code, time_period, sex, '_T', value,
       unit_measure, nature, null, null
from marts.agg_regional
"""


class ReleaseError(RuntimeError):
    pass


@dataclass(frozen=True)
class Release:
    release_id: str
    published_at: datetime
    run_id: str
    previous_release_id: str | None
    n_observations: int
    content_sha256: str


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = ? "
            "and table_schema = 'marts' and table_name = ?",
            [catalog, table],
        ).fetchall()[0][0]
    )


def _content_sha256(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    frame = con.sql(f"select * from ({CURRENT_OBSERVATIONS}) order by all").pl()
    digest = hashlib.sha256(frame.write_csv(float_precision=12).encode()).hexdigest()
    return frame.height, digest


def new_release_id(published_at: datetime, taken: set[str]) -> str:
    """``R<yyyymmdd>-<hhmmss>`` in UTC, with a suffix if two builds publish in the same second."""
    base = "R" + published_at.strftime("%Y%m%d-%H%M%S")
    release_id, n = base, 1
    while release_id in taken:
        n += 1
        release_id = f"{base}.{n}"
    return release_id


def record_release(
    build_file: Path,
    run_id: str,
    previous_published: Path | None = None,
    now: datetime | None = None,
) -> Release:
    """Write this build's release row and its vintages into ``build_file`` (read-write), carrying
    the history of ``previous_published`` over when the build file does not have it yet."""
    published_at = (now or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
    con = duckdb.connect(str(build_file))
    try:
        catalog = con.execute("select current_database()").fetchall()[0][0]
        carried = _has_table(con, catalog, "releases")
        copy_from = None
        if not carried and previous_published is not None and previous_published.exists():
            copy_from = previous_published
            # attached outside the transaction: DuckDB detaches only once it has ended
            con.execute(f"attach '{copy_from}' as previous (read_only)")
        # one transaction: the history carried over, the vintages and the release row are in
        # the file all together or not at all (a crash before the commit leaves none of them)
        con.execute("begin")
        try:
            con.execute("create schema if not exists marts")
            con.execute(RELEASES_DDL)
            con.execute(VINTAGES_DDL)
            con.execute(WITHDRAWALS_DDL)
            if copy_from is not None:
                if _has_table(con, "previous", "releases"):
                    con.execute("insert into marts.releases select * from previous.marts.releases")
                if _has_table(con, "previous", "release_withdrawals"):
                    con.execute(
                        "insert into marts.release_withdrawals "
                        "select * from previous.marts.release_withdrawals"
                    )
                if _has_table(con, "previous", "indicator_vintages"):
                    con.execute(
                        "insert into marts.indicator_vintages "
                        "select * from previous.marts.indicator_vintages"
                    )
            before = con.execute("select count(*) from marts.indicator_vintages").fetchall()[0][0]
            history = con.execute(
                "select release_id from marts.releases order by published_at, release_id"
            ).fetchall()
            taken = {r[0] for r in history}
            previous_id = history[-1][0] if history else None
            release_id = new_release_id(published_at, taken)
            n_obs, digest = _content_sha256(con)
            con.execute(
                f"insert into marts.indicator_vintages select ? as release_id, * from "
                f"({CURRENT_OBSERVATIONS})",
                [release_id],
            )
            after = con.execute("select count(*) from marts.indicator_vintages").fetchall()[0][0]
            if after != before + n_obs:
                raise ReleaseError(
                    f"indicator_vintages is append-only: expected {before} + {n_obs} rows, "
                    f"found {after}"
                )
            _record_withdrawals(con, release_id)
            con.execute(
                "insert into marts.releases values (?, ?, ?, ?, ?, ?)",
                [release_id, published_at, run_id, previous_id, n_obs, digest],
            )
            faults.point("release.before_commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        if copy_from is not None:
            con.execute("detach previous")
    finally:
        con.close()
    return Release(release_id, published_at, run_id, previous_id, n_obs, digest)


def _record_withdrawals(con: duckdb.DuckDBPyConnection, release_id: str) -> None:
    """Withdrawals recorded in the landing and not yet in any release belong to this one."""
    files = sorted((paths.landing_dir() / "_withdrawals").glob("*/*.parquet"))
    if not files:
        return
    con.execute(
        """
        insert into marts.release_withdrawals
        select ?, w.submission_id, w.source_file, w.source_sha256, w.rows_withdrawn,
               timezone('UTC', w.withdrawn_at)
        from read_parquet(?) as w
        where not exists (
            select 1 from marts.release_withdrawals as r
            where r.submission_id = w.submission_id
              and r.withdrawn_at = timezone('UTC', w.withdrawn_at)
        )
        """,
        [release_id, [str(f) for f in files]],
    )


def releases(con: duckdb.DuckDBPyConnection) -> list[Release]:
    """All releases in a warehouse, oldest first."""
    rows = con.execute(
        "select release_id, published_at, run_id, previous_release_id, n_observations, "
        "content_sha256 from marts.releases order by published_at, release_id"
    ).fetchall()
    return [Release(*row) for row in rows]


def current_release(con: duckdb.DuckDBPyConnection) -> Release:
    """The release a published warehouse file is (its newest release row)."""
    found = releases(con)
    if not found:
        raise ReleaseError("this warehouse has no release: it was not published by Floorboard")
    return found[-1]


def what_changed(con: duckdb.DuckDBPyConnection, old: str, new: str) -> pl.DataFrame:
    """Observations that differ between two releases: ``change`` is ``new`` (only in the newer
    release), ``withdrawn`` (only in the older one) or ``revised`` (value, nature or status
    changed; ``difference`` = new value − old value). Sorted by change and key."""
    known = {r.release_id for r in releases(con)}
    for release_id in (old, new):
        if release_id not in known:
            raise ReleaseError(f"unknown release {release_id!r}; known: {sorted(known)}")
    key = ", ".join(OBSERVATION_KEY)
    on = " and ".join(f"o.{k} = n.{k}" for k in OBSERVATION_KEY)
    coalesced = ", ".join(f"coalesce(n.{k}, o.{k}) as {k}" for k in OBSERVATION_KEY)
    return con.sql(
        f"""
        with o as (select * from marts.indicator_vintages where release_id = $old),
             n as (select * from marts.indicator_vintages where release_id = $new)
        select
            case when o.release_id is null then 'new'
                 when n.release_id is null then 'withdrawn'
                 else 'revised' end as change,
            {coalesced},
            o.value as old_value, n.value as new_value, n.value - o.value as difference,
            o.nature as old_nature, n.nature as new_nature,
            o.obs_status as old_obs_status, n.obs_status as new_obs_status
        from o full outer join n on {on}
        where o.release_id is null or n.release_id is null
           or (o.value is null) <> (n.value is null)
           or abs(n.value - o.value) > {REVISION_TOLERANCE}
           or o.nature is distinct from n.nature
           or o.obs_status is distinct from n.obs_status
        order by change, {key}
        """,
        params={"old": old, "new": new},
    ).pl()


def changes_markdown(changes: pl.DataFrame, old: str, new: str, limit: int = 200) -> str:
    """A human-readable "what changed" report."""
    counts = {
        c: changes.filter(pl.col("change") == c).height for c in ("new", "revised", "withdrawn")
    }
    lines = [
        f"# What changed: {old} → {new}",
        "",
        f"- new observations: {counts['new']}",
        f"- revised observations: {counts['revised']}",
        f"- withdrawn observations: {counts['withdrawn']}",
        "",
    ]
    if changes.is_empty():
        lines.append("No observation changed.")
        return "\n".join(lines) + "\n"
    lines += [
        "| change | area | series | year | sex | age | old value | new value | difference |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def fmt(v: float | None) -> str:
        return "" if v is None else f"{v:.4f}"

    for row in changes.head(limit).iter_rows(named=True):
        lines.append(
            f"| {row['change']} | {row['ref_area']} | {row['series_code']} | "
            f"{row['time_period']} | {row['sex']} | {row['age']} | {fmt(row['old_value'])} | "
            f"{fmt(row['new_value'])} | {fmt(row['difference'])} |"
        )
    if changes.height > limit:
        lines.append(f"\n… and {changes.height - limit} more rows in the CSV file.")
    return "\n".join(lines) + "\n"


def write_what_changed(
    con: duckdb.DuckDBPyConnection, old: str, new: str, out_dir: Path
) -> tuple[pl.DataFrame, list[Path]]:
    """Write ``what_changed.csv`` and ``what_changed.md`` for two releases into ``out_dir``."""
    changes = what_changed(con, old, new)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "what_changed.csv"
    md_path = out_dir / "what_changed.md"
    changes.write_csv(csv_path, float_precision=6)
    md_path.write_text(changes_markdown(changes, old, new), encoding="utf-8")
    return changes, [csv_path, md_path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.releases", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=None, help="published DuckDB file")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the releases of the published warehouse")
    diff = sub.add_parser("diff", help="what changed between two releases")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--out", type=Path, help="also write what_changed.csv/.md here")
    args = parser.parse_args(argv)
    path = args.warehouse or paths.published_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        if args.command == "list":
            for r in releases(con):
                print(
                    f"{r.release_id}\t{r.published_at:%Y-%m-%d %H:%M:%S}\t{r.n_observations}"
                    f"\t{r.content_sha256[:12]}\tprevious={r.previous_release_id}"
                )
            return 0
        if args.out:
            changes, _ = write_what_changed(con, args.old, args.new, args.out)
        else:
            changes = what_changed(con, args.old, args.new)
        sys.stdout.write(changes_markdown(changes, args.old, args.new))
        return 0
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()


if __name__ == "__main__":
    raise SystemExit(main())
