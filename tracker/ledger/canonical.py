"""An entry's bytes for hashing: its canonical JSON per RFC 8785 (JCS).

The `rfc8785` package does the canonicalisation; it rejects what JCS cannot represent
exactly (integers beyond 2**53 - 1, NaN, infinities) instead of rounding them silently,
so a value that could hash differently in another language never reaches a leaf.

The tracker's entries hold only strings, safe integers, booleans, nulls, lists and objects
with ASCII keys. For those, the standard library's `json.dumps` with sorted keys and no
spaces writes exactly the JCS bytes (the same escapes, lower-case hex; ASCII keys sort
the same by code point as by UTF-16 unit), about ten times faster than the pure-Python
package; anything else (a float, a large integer, a non-ASCII key, a lone surrogate) goes
to `rfc8785`. A property test holds the two to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import rfc8785

from tracker.ledger.errors import LedgerError
from tracker.ledger.hashes import leaf_hash

MAX_SAFE_INTEGER = 2**53 - 1


def canonical_json(entry: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON of an entry."""
    if _plain(entry):
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: JCS escapes it, the package says how
    try:
        return rfc8785.dumps(entry)
    except rfc8785.CanonicalizationError as error:
        raise LedgerError(f"entry cannot be canonicalised: {error}") from error


def _plain(value: Any) -> bool:
    """Whether `json.dumps` writes the JCS bytes of ``value`` (see the module docstring)."""
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    return False


def entry_leaf_hash(entry: Mapping[str, Any] | bytes) -> bytes:
    """The leaf hash of an entry given as a dict or as its canonical JSON bytes."""
    data = entry if isinstance(entry, bytes | bytearray) else canonical_json(entry)
    return leaf_hash(bytes(data))
