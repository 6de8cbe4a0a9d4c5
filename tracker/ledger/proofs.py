"""Inclusion and consistency proofs: made from a `HashReader`, checked with nothing but hashes.

Making them follows RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (PROOF, SUBPROOF), walking down
the recursive split instead of recursing. Checking them is the RFC's own algorithms,
§2.1.3.2 and §2.1.4.2, step for step, so that a reader can hold the code against the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.ledger.errors import InvalidProof, LedgerError
from tracker.ledger.hashes import HASH_SIZE, node_hash
from tracker.ledger.store import HashReader, split, subtree_hash


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `size` leaves, bottom-up."""
    if not 0 <= index < size:
        raise LedgerError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(start, end)
        if index < k:
            path.append(subtree_hash(reader, k, end))
            end = k
        else:
            path.append(subtree_hash(reader, start, k))
            start = k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """The proof that the tree of `old_size` leaves is a prefix of that of `new_size`."""
    if not 0 <= old_size <= new_size:
        raise LedgerError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, whole = 0, new_size, True
    # `old_size - start` plays the RFC's m inside the subtree [start, end).
    while old_size != end:
        k = split(start, end)
        if old_size <= k:
            path.append(subtree_hash(reader, k, end))
            end = k
        else:
            path.append(subtree_hash(reader, start, k))
            start, whole = k, False
    if not whole:
        path.append(subtree_hash(reader, start, end))
    path.reverse()
    return path


def root_from_inclusion_proof(
        index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root that `proof` leads to from `leaf` at `index`."""
    _check_hashes([leaf, *proof])
    if index >= size or index < 0:
        raise InvalidProof(f"leaf {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise InvalidProof("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(
        index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise InvalidProof unless `proof` shows `leaf` at `index` in the tree with `root`."""
    _check_hashes([root])
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise InvalidProof(f"leaf {index} is not in the tree of size {size} with this root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: raise InvalidProof unless the old tree is a prefix of the new."""
    _check_hashes([old_root, new_root, *proof])
    if not 0 <= old_size <= new_size:
        raise InvalidProof(f"a tree of size {old_size} cannot be a prefix of size {new_size}")
    # The RFC's algorithm assumes 0 < first < second; the two edge cases have empty proofs.
    if old_size == new_size:
        if proof:
            raise InvalidProof("a tree is consistent with itself by an empty proof")
        if old_root != new_root:
            raise InvalidProof(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise InvalidProof("the empty tree is a prefix of every tree by an empty proof")
        return
    # Step 1.
    if not proof:
        raise InvalidProof("empty consistency proof")
    path = list(proof)
    # Step 2: an old tree that is a perfect subtree is its own first node.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3 and 4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("the proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # Step 7.
    if sn != 0:
        raise InvalidProof("the proof is shorter than the trees are deep")
    if fr != old_root:
        raise InvalidProof(f"the proof does not lead to the old root of size {old_size}")
    if sr != new_root:
        raise InvalidProof(f"the proof does not lead to the new root of size {new_size}")


def _check_hashes(hashes: Sequence[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise InvalidProof("every hash in a proof is 32 bytes")
