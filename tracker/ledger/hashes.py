"""RFC 9162 (and RFC 6962) hashing: a leaf and an interior node never share a preimage."""

from __future__ import annotations

from hashlib import sha256

HASH_SIZE = 32
# The root of the empty tree is the hash of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162's split: the largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)
