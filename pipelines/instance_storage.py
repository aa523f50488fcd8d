"""How this process writes the local Dagster instance (SQLite, under DAGSTER_HOME).

Dagster's SQLite storage opens a new connection and commits one transaction for every event it
stores: a materialization or a check evaluation of every partition, a few per dbt model. With
SQLite's default ``synchronous=FULL`` every commit waits for the disk (fsync of the write-ahead
log, then a checkpoint when the connection closes), and those waits were most of a cold run:
about 60 ms per partition on this 2-core machine, 722 partitions, several events each
(``make bench``; issue 13). ``synchronous=OFF`` hands the writes to the operating system instead.
A process that dies (kill -9, out of memory) loses nothing that way: SQLite's journal still makes
each transaction all-or-nothing. Only an operating-system crash or power loss can lose or damage
the *run history* of a local instance, never the warehouse: releases, vintages, the landing zone
and its journal live in the warehouse folder and are fsynced by Floorboard itself
(pipelines/landing.py, pipelines/releases.py). A deployment on PostgreSQL storage is unaffected.
See docs/decisions.md.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

_INSTALLED = False


def _no_fsync(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def install() -> None:
    """Apply ``synchronous=OFF`` to every SQLite connection SQLAlchemy opens in this process
    (only Dagster's storage uses SQLAlchemy here). Idempotent."""
    global _INSTALLED
    if not _INSTALLED:
        event.listen(Engine, "connect", _no_fsync)
        _INSTALLED = True
