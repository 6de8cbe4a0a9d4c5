"""Check a published log from the outside: the routine behind `tracker verify`.

What the reader trusts is the log's public key and what it saw last time (a tree head,
and ideally that tree's leaf hashes). Everything else, the checkpoint, the tiles and the
entries, comes from the log and is checked: the signature; every entry against its leaf
(an entry withheld because it was hidden is simply absent, its leaf stays); the leaves
against the signed root; the new tree against the old one by a consistency proof. The
first thing found wrong is reported with the index of the first entry that differs,
when that index can be named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.ledger.canonical import entry_leaf_hash
from tracker.ledger.checkpoint import SignedCheckpoint, open_checkpoint
from tracker.ledger.compact import CompactRange
from tracker.ledger.errors import InvalidProof, LedgerError, TileError
from tracker.ledger.hashes import HASH_SIZE, node_hash
from tracker.ledger.note import Verifier, parse_verifier_key
from tracker.ledger.proofs import consistency_proof, verify_consistency
from tracker.ledger.store import HashReader, MemoryHashStore
from tracker.ledger.tiles import TileHashReader

Entry = Mapping[str, Any] | bytes
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TreeHead:
    """A tree size and its root hash, as last seen and trusted."""

    size: int
    root: bytes


@dataclass(frozen=True)
class Problem:
    """What is wrong. `first_index` is the first entry that differs or cannot be proven."""

    kind: str  # signature, state, tiles, entries, entry, root, history
    message: str
    first_index: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    """The outcome: ok when `problem` is None; `leaves` is the tree to trust next time."""

    checkpoint: SignedCheckpoint | None
    problem: Problem | None = None
    entries_checked: int = 0
    withheld: int = 0
    beyond: int = 0  # entries past the checkpoint's size: newer than it, not checked
    leaves: bytes = b""

    @property
    def ok(self) -> bool:
        """Whether everything checked out."""
        return self.problem is None

    @property
    def tree_head(self) -> TreeHead | None:
        """The verified tree head, to keep as `previous` for the next run."""
        if not self.ok or self.checkpoint is None:
            return None
        return TreeHead(self.checkpoint.checkpoint.size, self.checkpoint.checkpoint.root)


def verify_log(checkpoint: str | bytes, log_key: str | Verifier, entries: Iterable[
        tuple[int, Entry]], get: Callable[[str], bytes], *, previous: TreeHead | None = None,
        previous_leaves: bytes | None = None, witnesses: Iterable[str | Verifier] = (),
        origin: str | None = None, progress: Progress | None = None) -> VerifyReport:
    """Verify a log's checkpoint, tiles (fetched by `get(path)`) and entries.

    `entries` yields (index, entry) in increasing index order, each entry a dict or its
    canonical JSON bytes. `previous_leaves`, the concatenated leaf hashes of the tree of
    `previous` (the `leaves` of the last good report), lets a rewritten history be pinned
    to its first changed entry. `progress(done, total)` is called once per leaf.
    """
    log = parse_verifier_key(log_key) if isinstance(log_key, str) else log_key
    others = [parse_verifier_key(w) if isinstance(w, str) else w for w in witnesses]
    try:
        signed = open_checkpoint(checkpoint, log, others, origin)
    except LedgerError as error:
        return VerifyReport(None, Problem("signature", str(error)))
    size, root = signed.checkpoint.size, signed.checkpoint.root
    if previous is not None:
        problem = _check_previous(previous, previous_leaves, size)
        if problem is not None:
            return VerifyReport(signed, problem)
    tiles = TileHashReader(size, get)
    walk = _Walk(size, previous_leaves if previous else None)
    problem = walk.run(tiles, entries, progress)
    if problem is None and walk.edge.root() != root:
        first = _first_unproven(size, root, tiles, bytes(walk.leaves))
        where = "" if first is None else f" (from entry {first} on)"
        problem = Problem("root", f"the published leaves do not make the signed tree{where}",
                          first)
    if problem is None and previous is not None and previous.size > 0:
        problem = _check_consistency(previous, size, root, tiles, previous_leaves is not None)
    return VerifyReport(signed, problem, walk.checked, walk.edge.size - walk.checked,
                        walk.beyond, b"" if problem else bytes(walk.leaves))


class _Walk:
    """One pass over the leaves, in order, checking entries and the old tree as it goes."""

    def __init__(self, size: int, previous_leaves: bytes | None) -> None:
        self.size = size
        self.previous = previous_leaves or b""
        self.edge = CompactRange()
        self.leaves = bytearray()
        self.checked = self.beyond = 0

    def run(self, tiles: TileHashReader, entries: Iterable[tuple[int, Entry]],
            progress: Progress | None) -> Problem | None:
        given = self._in_order(entries)
        pending = next(given, None)
        try:
            for index, leaf in enumerate(tiles.leaves(0, self.size)):
                old = self.previous[index * HASH_SIZE:(index + 1) * HASH_SIZE]
                if old and old != leaf:
                    return Problem("history", f"entry {index} differs from the one seen before",
                                   index)
                if pending is not None and pending[0] == index:
                    problem = self._check_entry(index, pending[1], leaf)
                    if problem is not None:
                        return problem
                    pending = next(given, None)
                self.edge.append(leaf)
                self.leaves += leaf
                if progress is not None:
                    progress(index + 1, self.size)
            self.beyond += sum(1 for _ in given) + (pending is not None)
        except TileError as error:
            return Problem("tiles", str(error), self.edge.size)
        except _OutOfOrder as error:
            return Problem("entries", f"entries out of order at index {error.index}",
                           error.index)
        return None

    def _check_entry(self, index: int, entry: Entry, leaf: bytes) -> Problem | None:
        try:
            mine = entry_leaf_hash(entry)
        except LedgerError as error:
            return Problem("entry", f"entry {index}: {error}", index)
        if mine != leaf:
            return Problem("entry", f"entry {index} does not match its leaf", index)
        self.checked += 1
        return None

    def _in_order(self, entries: Iterable[tuple[int, Entry]]) -> Iterator[tuple[int, Entry]]:
        last = -1
        for index, entry in entries:
            if index <= last or index < 0:
                raise _OutOfOrder(index)
            last = index
            yield index, entry


def _check_previous(previous: TreeHead, leaves: bytes | None, size: int) -> Problem | None:
    if previous.size > size:
        return Problem("history", f"the log went back from size {previous.size} to {size}",
                       size)
    if leaves is not None:
        edge = CompactRange()
        edge.extend(leaves[i:i + HASH_SIZE] for i in range(0, len(leaves), HASH_SIZE))
        if len(leaves) != previous.size * HASH_SIZE or edge.root() != previous.root:
            return Problem("state", "the kept leaves do not make the kept tree head")
    return None


def _check_consistency(previous: TreeHead, size: int, root: bytes, tiles: HashReader,
                       leaves_agreed: bool) -> Problem | None:
    try:
        proof = consistency_proof(previous.size, size, tiles)
        verify_consistency(previous.size, size, previous.root, root, proof)
    except (TileError, IndexError) as error:
        return Problem("tiles", f"cannot build the consistency proof: {error}")
    except InvalidProof:
        if leaves_agreed:
            # The leaves were compared one by one; only the tiles above them are wrong.
            return Problem("tiles", "the tiles do not prove the consistency the leaves show")
        return Problem("history", f"the log no longer extends the tree of size "
                       f"{previous.size} it showed before")
    return None


def _first_unproven(size: int, root: bytes, tiles: HashReader, leaves: bytes) -> int | None:
    """The first leaf the signed root does not vouch for, at the tiles' resolution.

    The upper tiles are trusted as far as they hash up to the signed root; walking down
    from there, the first subtree whose published leaves disagree with a trusted hash,
    or whose published children do not hash to it, is where the proof stops.
    """
    mine = MemoryHashStore(leaves[i:i + HASH_SIZE] for i in range(0, len(leaves), HASH_SIZE))
    parts, start = [], 0
    while start < size:
        level = (size - start).bit_length() - 1
        parts.append((level, start >> level))
        start += 1 << level
    try:
        trusted = [tiles.node(level, index) for level, index in parts]
        folded = trusted[-1]
        for h in reversed(trusted[:-1]):
            folded = node_hash(h, folded)
        if folded != root:
            return None
        for (level, index), h in zip(parts, trusted, strict=True):
            if mine.node(level, index) != h:
                return _descend(level, index, h, tiles, mine)
    except (TileError, IndexError):
        return None
    return None


def _descend(level: int, index: int, h: bytes, tiles: HashReader, mine: HashReader) -> int:
    while level > 0:
        left, right = tiles.node(level - 1, 2 * index), tiles.node(level - 1, 2 * index + 1)
        if node_hash(left, right) != h:
            break
        level, index = level - 1, 2 * index
        if mine.node(level, index) == left:
            index, h = index + 1, right
        else:
            h = left
    return index << level


class _OutOfOrder(LedgerError):
    def __init__(self, index: int) -> None:
        super().__init__(f"entry {index} out of order")
        self.index = index
