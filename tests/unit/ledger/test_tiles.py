"""C2SP tlog-tiles: paths, which tiles change as the tree grows, proofs read from tiles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.ledger import (
    LedgerError,
    MemoryHashStore,
    Tile,
    TileError,
    TileHashReader,
    changed_tiles,
    consistency_proof,
    entry_bundle,
    inclusion_proof,
    leaf_hash,
    parse_entry_bundle,
    parse_tile_path,
    tile_bytes,
    tile_hashes,
    tiles_for_size,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

SIZE = 70_000
DATA = [b"%d" % i for i in range(SIZE)]
STORE = MemoryHashStore(leaf_hash(d) for d in DATA)


def publish(sizes: list[int]) -> dict[str, bytes]:
    """The files a log writes as it grows through `sizes`, checkpointing each."""
    files: dict[str, bytes] = {}
    old = 0
    for size in sizes:
        for tile in changed_tiles(old, size):
            files[tile.path] = tile_bytes(STORE, tile)
            if tile.level == 0:
                first = tile.index * 256
                files[tile.bundle.path] = entry_bundle(DATA[first:first + tile.width])
        old = size
    return files


class TestPaths:
    @pytest.mark.parametrize(("tile", "path"), [
        (Tile(0, 0), "tile/0/000"),
        (Tile(0, 1234067), "tile/0/x001/x234/067"),  # the spec's example
        (Tile(1, 999, 17), "tile/1/999.p/17"),
        (Tile(2, 1000), "tile/2/x001/000"),
        (Tile(0, 5, 112, entries=True), "tile/entries/005.p/112"),
    ])
    def test_names_a_tile_as_the_spec_does(self, tile: Tile, path: str) -> None:
        assert tile.path == path
        assert parse_tile_path(path) == tile

    @pytest.mark.parametrize("path", [
        "tile/0/1", "tile/0/0001", "tile/01/000", "tile/64/000", "tile/0/x000/001",
        "tile/0/001.p/256", "tile/0/001.p/0", "tile/0/001.p/07", "tile/0/1234/567",
        "tile/0/x1/234", "tile/x/000", "tile/0/../000", "/tile/0/000", "tile/0/000/",
    ])
    def test_refuses_a_path_that_names_no_tile(self, path: str) -> None:
        with pytest.raises(TileError):
            parse_tile_path(path)

    @given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=256),
           st.integers(min_value=0, max_value=63), st.booleans())
    def test_reads_back_every_path_it_writes(self, index: int, width: int, level: int,
                                             entries: bool) -> None:
        tile = Tile(0 if entries else level, index, width, entries)
        assert parse_tile_path(tile.path) == tile


class TestWhichTiles:
    def test_serves_the_spec_example_tree_of_70000_leaves(self) -> None:
        tiles = tiles_for_size(70_000)
        full0 = [t for t in tiles if t.level == 0 and t.width == 256]
        assert len(full0) == 273
        assert [t for t in tiles if t.width < 256] == [
            Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]
        assert [t for t in tiles if t.level == 1 and t.width == 256] == [Tile(1, 0)]

    def test_serves_a_full_tile_and_a_partial_one_above_for_256_leaves(self) -> None:
        assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]

    def test_changes_nothing_when_the_tree_does_not_grow(self) -> None:
        assert changed_tiles(300, 300) == []
        assert tiles_for_size(0) == []

    def test_refuses_a_tree_that_shrinks(self) -> None:
        with pytest.raises(LedgerError):
            changed_tiles(10, 9)

    @given(st.lists(st.integers(min_value=0, max_value=SIZE), min_size=1, max_size=6))
    @settings(max_examples=60, deadline=None)
    def test_writes_as_it_grows_exactly_the_tiles_of_the_final_tree(
            self, sizes: list[int]) -> None:
        sizes.sort()
        written: set[str] = set()
        old = 0
        for size in sizes:
            for tile in changed_tiles(old, size):
                assert tile.path not in written  # tiles are immutable once written
                written.add(tile.path)
            old = size
        final = {t.path for t in tiles_for_size(sizes[-1])}
        assert final <= written
        # What else was written is partial tiles of earlier sizes, later filled.
        assert all(".p/" in path for path in written - final)


class TestReadingTiles:
    @given(st.lists(st.integers(min_value=1, max_value=SIZE), min_size=1, max_size=4),
           st.data())
    @settings(max_examples=40, deadline=None)
    def test_proves_from_published_tiles_what_the_full_store_proves(
            self, sizes: list[int], data: st.DataObject) -> None:
        sizes.sort()
        files = publish(sizes)
        size = data.draw(st.sampled_from(sizes))
        reader = TileHashReader(size, files.__getitem__)
        root = STORE.root(size)
        assert tree_root(reader, size) == root
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        proof = inclusion_proof(index, size, reader)
        assert proof == inclusion_proof(index, size, STORE)
        verify_inclusion(index, size, leaf_hash(DATA[index]), proof, root)
        old = data.draw(st.integers(min_value=0, max_value=size))
        proof = consistency_proof(old, size, reader)
        assert proof == consistency_proof(old, size, STORE)
        verify_consistency(old, size, STORE.root(old), root, proof)

    def test_keeps_bundles_that_hash_to_their_level_0_tile(self) -> None:
        files = publish([1000])
        for tile in tiles_for_size(1000):
            if tile.level == 0:
                entries = parse_entry_bundle(files[tile.bundle.path])
                assert [leaf_hash(e) for e in entries] == tile_hashes(
                    files[tile.path], tile.width)

    def test_falls_back_to_the_full_tile_once_the_partial_one_is_gone(self) -> None:
        files = publish([300, 600])
        del files["tile/0/001.p/44"]
        reader = TileHashReader(300, files.__getitem__)
        assert tree_root(reader, 300) == STORE.root(300)

    def test_reports_a_missing_tile(self) -> None:
        reader = TileHashReader(600, {}.__getitem__)
        with pytest.raises(TileError, match="tile/0/000"):
            reader.node(0, 3)

    def test_reports_a_tile_of_the_wrong_length(self) -> None:
        files = publish([600])
        files["tile/0/000"] += b"\x00"
        with pytest.raises(TileError, match="8192 bytes"):
            TileHashReader(600, files.__getitem__).node(0, 3)

    def test_refuses_a_node_beyond_the_tree(self) -> None:
        reader = TileHashReader(600, publish([600]).__getitem__)
        with pytest.raises(IndexError):
            reader.node(0, 600)
        with pytest.raises(IndexError):
            reader.node(8, 2)  # 512 leaves would be needed, 600 - 512 = 88

    def test_reads_any_run_of_leaves_across_tiles(self) -> None:
        reader = TileHashReader(SIZE, publish([SIZE]).__getitem__)
        assert list(reader.leaves(250, 800)) == [STORE.node(0, i) for i in range(250, 800)]
        assert list(reader.leaves(69_990, SIZE)) == [STORE.node(0, i)
                                                      for i in range(69_990, SIZE)]


class TestEntryBundles:
    def test_writes_each_entry_after_its_big_endian_length(self) -> None:
        assert entry_bundle([b"ab", b"", b"c"]) == b"\x00\x02ab\x00\x00\x00\x01c"
        assert parse_entry_bundle(b"\x00\x02ab\x00\x00\x00\x01c") == [b"ab", b"", b"c"]

    def test_refuses_an_entry_too_long_for_its_length_field(self) -> None:
        with pytest.raises(LedgerError):
            entry_bundle([b"x" * 65_536])

    @pytest.mark.parametrize("data", [b"\x00", b"\x00\x05abc", b"\x00\x01a\x00"])
    def test_refuses_a_truncated_bundle(self, data: bytes) -> None:
        with pytest.raises(TileError):
            parse_entry_bundle(data)
