"""An entry's bytes for hashing: its canonical JSON per RFC 8785 (JCS).

The `rfc8785` package does the canonicalisation; it rejects what JCS cannot represent
exactly (integers beyond 2**53 - 1, NaN, infinities) instead of rounding them silently,
so a value that could hash differently in another language never reaches a leaf.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from tracker.ledger.errors import LedgerError
from tracker.ledger.hashes import leaf_hash


def canonical_json(entry: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON of an entry."""
    try:
        return rfc8785.dumps(entry)
    except rfc8785.CanonicalizationError as error:
        raise LedgerError(f"entry cannot be canonicalised: {error}") from error


def entry_leaf_hash(entry: Mapping[str, Any] | bytes) -> bytes:
    """The leaf hash of an entry given as a dict or as its canonical JSON bytes."""
    data = entry if isinstance(entry, bytes | bytearray) else canonical_json(entry)
    return leaf_hash(bytes(data))
