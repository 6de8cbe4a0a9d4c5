"""Where proofs read their hashes: any store that can give a perfect subtree's hash.

Every hash in a root, an inclusion proof or a consistency proof is either the hash of a
perfect, aligned subtree (a `node(level, index)`: leaves `[index << level, (index + 1) <<
level)`) or is folded from a few of them. So one method is all a store must offer: the
in-memory store below keeps every level; `tiles.TileHashReader` reads C2SP tiles and hashes
the levels between them; a database store can keep only the tile levels (0, 8, 16, ...) and
do the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tracker.ledger.compact import CompactRange, Node
from tracker.ledger.errors import LedgerError
from tracker.ledger.hashes import EMPTY_ROOT, largest_power_of_two_below, node_hash


class HashReader(Protocol):
    """Read access to the hashes of perfect subtrees of one append-only tree."""

    def node(self, level: int, index: int) -> bytes:
        """The hash of leaves `[index << level, (index + 1) << level)`; IndexError if unknown."""
        ...


class MemoryHashStore:
    """Every node of the tree in lists, one per level: for tests and small logs."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = []
        self.edge = CompactRange()
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        """The number of leaves appended."""
        return self.edge.size

    def append(self, leaf: bytes) -> list[Node]:
        """Append a leaf hash, keeping every subtree it completes."""
        completed = self.edge.append(leaf)
        for node in completed:
            if node.level == len(self.levels):
                self.levels.append([])
            self.levels[node.level].append(node.hash)
        return completed

    def node(self, level: int, index: int) -> bytes:
        """The stored hash of a perfect subtree."""
        if level < 0 or index < 0:
            raise IndexError(f"no node at level {level}, index {index}")
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first `size` leaves (default: all)."""
        return tree_root(self, self.size if size is None else size)


def subtree_hash(reader: HashReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a subtree of RFC 9162's recursive split.

    Such a range starts at a multiple of the power of two at or above its width, so it is a
    run of perfect subtrees of decreasing size, folded from the right like a whole tree.
    """
    width = end - start
    if width <= 0:
        raise LedgerError(f"empty or reversed range [{start}, {end})")
    if start % (1 << (width - 1).bit_length()):
        raise LedgerError(f"[{start}, {end}) is not a subtree of the RFC 9162 split")
    parts: list[bytes] = []
    while start < end:
        level = (end - start).bit_length() - 1
        parts.append(reader.node(level, start >> level))
        start += 1 << level
    h = parts[-1]
    for part in reversed(parts[:-1]):
        h = node_hash(part, h)
    return h


def tree_root(reader: HashReader, size: int) -> bytes:
    """The root hash of the tree of the first `size` leaves."""
    if size < 0:
        raise LedgerError("a tree size is never negative")
    return EMPTY_ROOT if size == 0 else subtree_hash(reader, 0, size)


def split(start: int, end: int) -> int:
    """Where RFC 9162 splits [start, end): start plus the largest power of two below the width."""
    return start + largest_power_of_two_below(end - start)
