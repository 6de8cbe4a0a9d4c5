"""The right edge of the tree: all a writer keeps to append leaves and know the root.

A tree of size n is the left-to-right sequence of perfect subtrees given by the binary
digits of n (7 = 4 + 2 + 1). Their roots, one per set bit (so at most log2(n) + 1 hashes),
are the whole state needed to append the next leaf and to compute the current root. A
projection stores `to_bytes()` in the same row and transaction as its position, and rebuilds
the range with `CompactRange.from_bytes(size, blob)` before the next append.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.ledger.errors import LedgerError
from tracker.ledger.hashes import EMPTY_ROOT, HASH_SIZE, node_hash


@dataclass(frozen=True, slots=True)
class Node:
    """A perfect subtree's hash: level 0 is a leaf; it covers leaves [index << level, ...)."""

    level: int
    index: int
    hash: bytes


@dataclass
class CompactRange:
    """The perfect-subtree roots of a tree of `size` leaves, largest (leftmost) first."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise LedgerError(
                f"a tree of size {self.size} has {max(self.size, 0).bit_count()} edge hashes,"
                f" not {len(self.hashes)}")
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise LedgerError("edge hashes are 32 bytes each")

    def append(self, leaf: bytes) -> list[Node]:
        """Add a leaf hash; return every perfect subtree it completes, the leaf first."""
        index, level, h = self.size, 0, leaf
        completed = [Node(0, index, leaf)]
        # Each trailing 1 bit of the old size is a subtree of that level waiting for a sibling.
        while (index >> level) & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            completed.append(Node(level, index >> level, h))
        self.hashes.append(h)
        self.size += 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaf hashes (when the completed subtrees are not wanted)."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The tree's root hash (RFC 9162 MTH): the edge folded from the right."""
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            root = node_hash(h, root)
        return root

    def to_bytes(self) -> bytes:
        """The edge hashes concatenated, for storing beside the size."""
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> CompactRange:
        """Rebuild the range stored by `to_bytes` for a tree of `size` leaves."""
        if len(data) % HASH_SIZE:
            raise LedgerError("stored edge is not a whole number of 32-byte hashes")
        hashes = [data[i:i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return cls(size, hashes)


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root hash of a tree over these leaf hashes."""
    edge = CompactRange()
    edge.extend(leaves)
    return edge.root()
