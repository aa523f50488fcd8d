"""Which strings Dagster accepts as a partition key, checked before a key is registered.

Dagster refuses a dynamic partition key holding ``...`` or an ASCII control character
(``\\a \\b \\f \\n \\r \\t \\v \\0``): ``DagsterInstance.add_dynamic_partitions`` and every
partitions definition raise ``DagsterInvalidDefinitionError`` for it. The list is not part of
Dagster's public API (it lives in a private module), so it is written out here;
``tests/test_partition_keys.py`` checks it against the public ``dg.StaticPartitionsDefinition``,
which applies the same rule, so a change in Dagster shows up as a failing test, never as every
submission key being rejected.
"""

from __future__ import annotations

#: substrings Dagster does not allow in a partition key (Dagster 1.13)
INVALID_SUBSTRINGS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")
#: longest key registered (a submission id is far shorter; a key is also a file name)
MAX_LENGTH = 200


def invalid_substrings(key: str) -> list[str]:
    """The substrings of ``key`` that Dagster refuses in a partition key."""
    return [s for s in INVALID_SUBSTRINGS if s in key]


def is_valid(key: str) -> bool:
    """True when ``key`` can be a dynamic partition key: not empty, at most ``MAX_LENGTH``
    characters, and none of ``INVALID_SUBSTRINGS``."""
    return bool(key) and len(key) <= MAX_LENGTH and not invalid_substrings(key)
