"""``pipelines.partition_keys`` agrees with Dagster's public API on which keys are valid, so
that the sensor never registers a key Dagster refuses and never drops a key Dagster accepts."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines import partition_keys
from pipelines.ingest import submissions
from tests.conftest import REPO


def dagster_accepts(key: str) -> bool:
    """Dagster's own rule, through its public API."""
    try:
        dg.StaticPartitionsDefinition([key])
    except dg.DagsterInvalidDefinitionError:
        return False
    return True


@pytest.mark.parametrize("bad", partition_keys.INVALID_SUBSTRINGS, ids=repr)
def test_every_listed_substring_is_refused_by_dagster(bad: str):
    key = f"ARG_2019{bad}r2"
    assert not dagster_accepts(key)
    assert not partition_keys.is_valid(key)
    assert partition_keys.invalid_substrings(key) == [bad]


KEYS = [
    "ARG_2019",
    "ARG_2019_r2",
    "a.b",
    "a..b",
    "x" * partition_keys.MAX_LENGTH,
    "café_2020",
    "名前_2020",
    "URY_2020.xls",
    "with space",
    "semi;colon",
    "slash-free-hash-1a2b3c4d",
    *(chr(c) for c in range(32)),
    "\x7f",
    "a\u2028b",
]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_same_verdict_as_dagster(key: str):
    assert partition_keys.is_valid(key) == dagster_accepts(key)


def test_every_sample_submission_key_is_valid():
    keys = [s.submission_id for s in submissions.discover(REPO / "raw" / "ssi")]
    assert len(keys) > 700
    assert all(partition_keys.is_valid(k) for k in keys)


def test_empty_and_too_long_keys_are_not_registered():
    assert not partition_keys.is_valid("")
    assert not partition_keys.is_valid("x" * (partition_keys.MAX_LENGTH + 1))
