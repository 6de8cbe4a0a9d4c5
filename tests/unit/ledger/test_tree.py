"""The tree, its right edge and its proofs, against published vectors and two other codes."""

from __future__ import annotations

from functools import cache

import pymerkle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.ledger import reference
from tracker.ledger import (
    EMPTY_ROOT,
    CompactRange,
    InvalidProof,
    LedgerError,
    MemoryHashStore,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# Test vectors from github.com/transparency-dev/merkle, proof/verify_test.go and
# rfc6962/rfc6962_test.go (Apache-2.0): the eight leaves, the roots of the trees of
# sizes 1 to 8, and inclusion and consistency proofs (leaf numbers there are 1-based).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
INCLUSION = [  # (leaf index, tree size, proof)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")

VECTOR_STORE = MemoryHashStore(leaf_hash(leaf) for leaf in LEAVES)

# One big tree serves every size: a perfect subtree's hash does not depend on the size.
BIG = 3000
BIG_DATA = [f"entry {i}".encode() for i in range(BIG)]
BIG_STORE = MemoryHashStore(leaf_hash(data) for data in BIG_DATA)


@cache
def reference_root(size: int) -> bytes:
    return reference.mth(BIG_DATA[:size])


def flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x08]) + data[at + 1:]


class TestHashing:
    # Vectors from transparency-dev/merkle rfc6962/rfc6962_test.go.
    def test_hashes_the_empty_tree_as_the_hash_of_nothing(self) -> None:
        assert EMPTY_ROOT.hex() == (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        assert root_of([]) == EMPTY_ROOT

    def test_prefixes_a_leaf_with_a_zero_byte(self) -> None:
        assert leaf_hash(b"").hex() == (
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        assert leaf_hash(b"L123456").hex() == (
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")

    def test_prefixes_a_node_with_a_one_byte(self) -> None:
        assert node_hash(b"N123", b"N456").hex() == (
            "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")

    def test_never_gives_a_node_the_hash_of_a_leaf_of_its_children(self) -> None:
        left, right = leaf_hash(b"Hello"), leaf_hash(b"World")
        assert node_hash(left, right) != leaf_hash(left + right)
        assert node_hash(left, right) != node_hash(right, left)


class TestPublishedVectors:
    @pytest.mark.parametrize("size", range(1, 9))
    def test_gives_the_published_root_for_each_size(self, size: int) -> None:
        assert VECTOR_STORE.root(size) == ROOTS[size - 1]
        assert root_of(leaf_hash(leaf) for leaf in LEAVES[:size]) == ROOTS[size - 1]

    @pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
    def test_makes_and_verifies_the_published_inclusion_proofs(
            self, index: int, size: int, proof: list[str]) -> None:
        expected = [bytes.fromhex(h) for h in proof]
        assert inclusion_proof(index, size, VECTOR_STORE) == expected
        verify_inclusion(index, size, leaf_hash(LEAVES[index]), expected, ROOTS[size - 1])

    @pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
    def test_makes_and_verifies_the_published_consistency_proofs(
            self, old: int, new: int, proof: list[str]) -> None:
        expected = [bytes.fromhex(h) for h in proof]
        assert consistency_proof(old, new, VECTOR_STORE) == expected
        verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], expected)

    @pytest.mark.parametrize(("index", "size", "proof"), INCLUSION[:4])
    def test_refuses_every_corruption_of_an_inclusion_proof(
            self, index: int, size: int, proof: list[str]) -> None:
        # The probes of transparency-dev/merkle's corruptInclusionProof.
        path = [bytes.fromhex(h) for h in proof]
        root, leaf = ROOTS[size - 1], leaf_hash(LEAVES[index])
        probes = [
            (index - 1, size, leaf, path, root), (index + 1, size, leaf, path, root),
            (index ^ 2, size, leaf, path, root), (index, size * 2, leaf, path, root),
            (index, size // 2, leaf, path, root), (index, size, b"WrongLeaf", path, root),
            (index, size, leaf, path, EMPTY_ROOT), (index, size, leaf, path, SOME_HASH),
            (index, size, leaf, [*path, b""], root), (index, size, leaf, [*path, root], root),
            (index, size, leaf, [b"", *path], root), (index, size, leaf, [root, *path], root),
            (index, size, leaf, path[:-1], root),
            *[(index, size, leaf, [*path[:i], flip(path[i]), *path[i + 1:]], root)
              for i in range(len(path))],
        ]
        if len(path) > 1:
            probes.append((index, size, leaf, [path[0], SOME_HASH, *path[1:]], root))
        for probe in probes:
            with pytest.raises(InvalidProof):
                verify_inclusion(*probe)

    @pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY[1:])
    def test_refuses_every_corruption_of_a_consistency_proof(
            self, old: int, new: int, proof: list[str]) -> None:
        # The probes of transparency-dev/merkle's corruptConsistencyProof.
        path = [bytes.fromhex(h) for h in proof]
        r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
        probes = [
            (old - 1, new, r1, r2, path), (old + 1, new, r1, r2, path),
            (old ^ 2, new, r1, r2, path), (old, new * 2, r1, r2, path),
            (old, new // 2, r1, r2, path), (old, new, b"WrongRoot", r2, path),
            (old, new, r1, b"WrongRoot", path), (old, new, r2, r1, path),
            (old, new, r1, r2, []), (old, new, r1, r2, [*path, b""]),
            (old, new, r1, r2, [*path, r1]), (old, new, r1, r2, [*path, r2]),
            (old, new, r1, r2, [b"", *path]), (old, new, r1, r2, [r1, *path]),
            (old, new, r1, r2, [r2, *path]), (old, new, r1, r2, [path[0], *path]),
            (old, new, r1, r2, path[:-1]),
            *[(old, new, r1, r2, [*path[:i], flip(path[i]), *path[i + 1:]])
              for i in range(len(path))],
        ]
        for probe in probes:
            if probe[0] == 0 and probe[4] == []:
                continue  # the empty tree is consistent with anything by an empty proof
            with pytest.raises(InvalidProof):
                verify_consistency(*probe)

    def test_treats_the_empty_tree_and_equal_sizes_as_the_go_verifier_does(self) -> None:
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
        verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
        verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
        for probe in [(3, 3, ROOTS[2], ROOTS[3], []), (3, 3, ROOTS[2], ROOTS[2], [SOME_HASH]),
                      (0, 1, EMPTY_ROOT, ROOTS[0], [SOME_HASH]), (2, 1, ROOTS[1], ROOTS[0], [])]:
            with pytest.raises(InvalidProof):
                verify_consistency(*probe)

    def test_refuses_to_prove_a_leaf_outside_the_tree(self) -> None:
        for index, size in [(0, 0), (8, 8), (-1, 8)]:
            with pytest.raises(LedgerError):
                inclusion_proof(index, size, VECTOR_STORE)
            with pytest.raises(InvalidProof):
                root_from_inclusion_proof(index, size, leaf_hash(b""), [])
        with pytest.raises(LedgerError):
            consistency_proof(5, 4, VECTOR_STORE)


class TestRightEdge:
    def test_keeps_one_hash_per_set_bit_of_the_size(self) -> None:
        edge = CompactRange()
        for size in range(1, 300):
            edge.append(leaf_hash(b"%d" % size))
            assert len(edge.hashes) == size.bit_count()

    def test_reports_every_subtree_an_append_completes(self) -> None:
        edge = CompactRange()
        edge.extend(leaf_hash(leaf) for leaf in LEAVES[:7])
        completed = edge.append(leaf_hash(LEAVES[7]))
        assert [(n.level, n.index) for n in completed] == [(0, 7), (1, 3), (2, 1), (3, 0)]
        assert completed[-1].hash == ROOTS[7]

    def test_survives_a_round_trip_through_its_stored_bytes(self) -> None:
        edge = CompactRange()
        edge.extend(leaf_hash(data) for data in BIG_DATA[:1234])
        stored = CompactRange.from_bytes(1234, edge.to_bytes())
        stored.extend(leaf_hash(data) for data in BIG_DATA[1234:2000])
        assert stored.root() == BIG_STORE.root(2000)

    def test_refuses_a_stored_edge_that_does_not_fit_the_size(self) -> None:
        edge = CompactRange()
        edge.extend(leaf_hash(data) for data in BIG_DATA[:6])
        with pytest.raises(LedgerError):
            CompactRange.from_bytes(7, edge.to_bytes())
        with pytest.raises(LedgerError):
            CompactRange.from_bytes(6, edge.to_bytes()[:-1])


sizes = st.integers(min_value=1, max_value=BIG)


class TestProperties:
    @given(size=st.integers(min_value=0, max_value=BIG))
    @settings(max_examples=60, deadline=None)
    def test_grows_to_the_same_root_as_the_tree_built_from_scratch(self, size: int) -> None:
        edge = CompactRange()
        edge.extend(leaf_hash(data) for data in BIG_DATA[:size])
        assert edge.root() == BIG_STORE.root(size) == reference_root(size)

    @given(data=st.data(), size=sizes)
    @settings(max_examples=150, deadline=None)
    def test_proves_any_leaf_in_any_tree(self, data: st.DataObject, size: int) -> None:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        proof = inclusion_proof(index, size, BIG_STORE)
        verify_inclusion(index, size, leaf_hash(BIG_DATA[index]), proof, reference_root(size))

    @given(data=st.data(), size=st.integers(min_value=1, max_value=300))
    @settings(max_examples=60, deadline=None)
    def test_makes_the_inclusion_proof_the_rfc_recursion_makes(
            self, data: st.DataObject, size: int) -> None:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        assert inclusion_proof(index, size, BIG_STORE) == reference.path(
            index, BIG_DATA[:size])

    @given(data=st.data(), new=sizes)
    @settings(max_examples=150, deadline=None)
    def test_proves_any_tree_a_prefix_of_any_larger_one(
            self, data: st.DataObject, new: int) -> None:
        old = data.draw(st.integers(min_value=0, max_value=new))
        proof = consistency_proof(old, new, BIG_STORE)
        verify_consistency(old, new, reference_root(old), reference_root(new), proof)

    @given(data=st.data(), new=st.integers(min_value=1, max_value=300))
    @settings(max_examples=60, deadline=None)
    def test_makes_the_consistency_proof_the_rfc_recursion_makes(
            self, data: st.DataObject, new: int) -> None:
        old = data.draw(st.integers(min_value=1, max_value=new))
        assert consistency_proof(old, new, BIG_STORE) == reference.proof(old, BIG_DATA[:new])

    @given(data=st.data(), size=st.integers(min_value=2, max_value=BIG))
    @settings(max_examples=150, deadline=None)
    def test_refuses_an_inclusion_proof_with_any_byte_changed(
            self, data: st.DataObject, size: int) -> None:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        leaf, root = leaf_hash(BIG_DATA[index]), BIG_STORE.root(size)
        proof = inclusion_proof(index, size, BIG_STORE)
        target = data.draw(st.sampled_from(["leaf", "root", "proof"]))
        at = data.draw(st.integers(min_value=0, max_value=31))
        if target == "leaf":
            leaf = flip(leaf, at)
        elif target == "root":
            root = flip(root, at)
        else:
            i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
            proof[i] = flip(proof[i], at)
        with pytest.raises(InvalidProof):
            verify_inclusion(index, size, leaf, proof, root)

    @given(data=st.data(), new=st.integers(min_value=2, max_value=BIG))
    @settings(max_examples=150, deadline=None)
    def test_refuses_a_consistency_proof_with_any_byte_changed(
            self, data: st.DataObject, new: int) -> None:
        old = data.draw(st.integers(min_value=1, max_value=new - 1))
        roots = [BIG_STORE.root(old), BIG_STORE.root(new)]
        proof = consistency_proof(old, new, BIG_STORE)
        at = data.draw(st.integers(min_value=0, max_value=31))
        target = data.draw(st.integers(min_value=0, max_value=len(proof) + 1))
        if target < 2:
            roots[target] = flip(roots[target], at)
        else:
            proof[target - 2] = flip(proof[target - 2], at)
        with pytest.raises(InvalidProof):
            verify_consistency(old, new, roots[0], roots[1], proof)

    @given(data=st.data(), size=st.integers(min_value=2, max_value=BIG))
    @settings(max_examples=60, deadline=None)
    def test_changes_the_root_when_any_leaf_changes(self, data: st.DataObject, size: int) -> None:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        leaves = [leaf_hash(d) for d in BIG_DATA[:size]]
        leaves[index] = leaf_hash(BIG_DATA[index] + b" (altered)")
        assert root_of(leaves) != BIG_STORE.root(size)


OTHER = pymerkle.InmemoryTree(algorithm="sha256")
for _data in BIG_DATA[:600]:
    OTHER.append_entry(_data)


class TestAgainstPymerkle:
    """pymerkle 7 hashes as RFC 9162 by default (0x00 / 0x01 prefixes, SHA-256)."""


    @given(size=st.integers(min_value=1, max_value=600))
    @settings(max_examples=80, deadline=None)
    def test_agrees_on_the_root_of_every_size(self, size: int) -> None:
        assert BIG_STORE.root(size) == OTHER.get_root(size)

    @given(data=st.data(), size=st.integers(min_value=1, max_value=600))
    @settings(max_examples=80, deadline=None)
    def test_agrees_on_every_inclusion_path(self, data: st.DataObject, size: int) -> None:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        theirs = OTHER.prove_inclusion(index + 1, size).path  # 1-based, leaf first
        assert inclusion_proof(index, size, BIG_STORE) == theirs[1:]

    @given(data=st.data(), new=st.integers(min_value=1, max_value=600))
    @settings(max_examples=80, deadline=None)
    def test_proves_consistency_between_the_roots_pymerkle_computes(
            self, data: st.DataObject, new: int) -> None:
        # pymerkle's consistency proofs are laid out differently; its roots are the check.
        old = data.draw(st.integers(min_value=1, max_value=new))
        proof = consistency_proof(old, new, BIG_STORE)
        verify_consistency(old, new, OTHER.get_root(old), OTHER.get_root(new), proof)
