"""Tables of one model validated together (``pipelines.validation.validate_tables``).

The SSI sections of many submissions are validated in one pandera call: a call costs a few
milliseconds whatever its size, and a submission's sheets hold tens of rows (issue 13). Their
rows are stacked with ``COLUMN`` numbering the table each row comes from. A check comparing rows
with each other (uniqueness, parts against their total) must then compare rows of the same table
only: it groups by ``keys(frame, key)`` instead of ``key``.
"""

from __future__ import annotations

import polars as pl

#: the table (submission) a stacked row comes from; absent when one table is validated alone
COLUMN = "__table"


def keys(frame: pl.LazyFrame | pl.DataFrame, key: list[str]) -> list[str]:
    """``key``, led by ``COLUMN`` when ``frame`` stacks several tables."""
    if COLUMN in key or COLUMN not in frame.collect_schema().names():
        return key
    return [COLUMN, *key]
