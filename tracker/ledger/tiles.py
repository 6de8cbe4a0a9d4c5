"""C2SP tlog-tiles: the tree served as static, cacheable files.

A tile at tile-level L holds up to 256 consecutive hashes of tree level 8·L (level 0: leaf
hashes; level 1: the roots of full level-0 tiles; ...), concatenated, 32 bytes each. Full
tiles live at `tile/<L>/<N>`, the rightmost partial ones at `tile/<L>/<N>.p/<W>`; N is
written in 3-digit groups, all but the last prefixed by `x` (1234067: `x001/x234/067`).
An entry bundle `tile/entries/<N>[.p/<W>]` holds the entries whose leaf hashes make up the
level-0 tile with the same N and W, each as a big-endian uint16 length and the bytes.
See https://c2sp.org/tlog-tiles.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tracker.ledger.errors import LedgerError, TileError
from tracker.ledger.hashes import HASH_SIZE, node_hash
from tracker.ledger.store import HashReader

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 0xFFFF


@dataclass(frozen=True, order=True)
class Tile:
    """One tile (or, with `entries`, the entry bundle beside a level-0 tile)."""

    level: int
    index: int
    width: int = TILE_WIDTH
    entries: bool = False

    @property
    def path(self) -> str:
        """The tile's path below the log's prefix."""
        level = "entries" if self.entries else str(self.level)
        suffix = "" if self.width == TILE_WIDTH else f".p/{self.width}"
        return f"tile/{level}/{encode_index(self.index)}{suffix}"

    @property
    def bundle(self) -> Tile:
        """The entry bundle matching this level-0 tile."""
        if self.level != 0:
            raise LedgerError("only level-0 tiles have entry bundles")
        return Tile(0, self.index, self.width, entries=True)

    @property
    def first_leaf(self) -> int:
        """The index of the first leaf under this tile."""
        return self.index << (TILE_HEIGHT * (self.level + 1))


def encode_index(index: int) -> str:
    """N in 3-digit path segments, all but the last prefixed by `x`."""
    if index < 0:
        raise LedgerError("a tile index is never negative")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


_PATH = re.compile(
    r"tile/(?P<level>0|[1-9][0-9]?|entries)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?")


def parse_tile_path(path: str) -> Tile:
    """The tile named by a path such as `tile/1/x001/234.p/17`; TileError if malformed."""
    match = _PATH.fullmatch(path)
    # A partial tile is 1 to 255 hashes wide; a full one has no width in its path.
    if match is None or (match["width"] and int(match["width"]) >= TILE_WIDTH) or (
            match["level"] != "entries" and int(match["level"]) > 63):
        raise TileError(f"not a tile path: {path!r}")
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    groups = match["index"].split("/")
    # Reject a path with a leading zero group such as x000/001: each N has one path.
    if len(groups) > 1 and groups[0] == "x000":
        raise TileError(f"not a tile path: {path!r}")
    index = int("".join(g.lstrip("x") for g in groups))
    entries = match["level"] == "entries"
    return Tile(0 if entries else int(match["level"]), index, width, entries)


def tiles_for_size(size: int) -> list[Tile]:
    """Every hash tile of a tree of `size` leaves, level by level."""
    return changed_tiles(0, size)


def changed_tiles(old_size: int, new_size: int) -> list[Tile]:
    """The hash tiles a tree of `new_size` serves that one of `old_size` did not.

    Those are the new full tiles and the new partial tiles; for level 0, `tile.bundle` gives
    the entry bundle to write beside each. Nothing else changes: tiles are append-only.
    """
    if not 0 <= old_size <= new_size:
        raise LedgerError(f"a tree does not shrink from {old_size} to {new_size}")
    tiles: list[Tile] = []
    level = 0
    while (new_count := new_size >> (TILE_HEIGHT * level)) > (
            old_count := old_size >> (TILE_HEIGHT * level)):
        for index in range(old_count // TILE_WIDTH, -(-new_count // TILE_WIDTH)):
            tiles.append(Tile(level, index, min(TILE_WIDTH, new_count - index * TILE_WIDTH)))
        level += 1
    return tiles


def tile_bytes(reader: HashReader, tile: Tile) -> bytes:
    """The content of a hash tile: its `width` hashes from the store, concatenated."""
    first = tile.index * TILE_WIDTH
    level = tile.level * TILE_HEIGHT
    return b"".join(reader.node(level, first + i) for i in range(tile.width))


def tile_hashes(data: bytes, width: int) -> list[bytes]:
    """Split a tile's bytes into its hashes; TileError unless it holds exactly `width`."""
    if len(data) != width * HASH_SIZE:
        raise TileError(f"a tile of width {width} is {width * HASH_SIZE} bytes, not {len(data)}")
    return [data[i:i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes."""
    if len(entries) > TILE_WIDTH:
        raise LedgerError("an entry bundle holds at most 256 entries")
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise LedgerError(f"an entry in a bundle is at most {MAX_ENTRY_SIZE} bytes")
        parts.append(len(entry).to_bytes(2, "big") + entry)
    return b"".join(parts)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; TileError if it is truncated."""
    entries, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at:at + 2], "big")
        if at + 2 + length > len(data) or len(data) - at < 2:
            raise TileError("truncated entry bundle")
        entries.append(data[at + 2:at + 2 + length])
        at += 2 + length
    if len(entries) > TILE_WIDTH:
        raise TileError("an entry bundle holds at most 256 entries")
    return entries


class TileHashReader:
    """A `HashReader` over the tiles of a tree of `size` leaves, fetched by `get(path)`.

    Only tiles a tree of `size` serves are asked for (so `size` must be a checkpointed
    size). Levels between tile levels are hashed up from the level below, at most 128
    hashes. A partial tile that is gone is taken from the full tile that replaced it.
    """

    def __init__(self, size: int, get: Callable[[str], bytes], cache: int = 64) -> None:
        self.size = size
        self._get = get
        self._cache: OrderedDict[tuple[int, int], list[bytes]] = OrderedDict()
        self._cache_size = cache

    def node(self, level: int, index: int) -> bytes:
        """The hash of a perfect subtree within the first `size` leaves."""
        tile_level, height = divmod(level, TILE_HEIGHT)
        first, count = index << height, 1 << height
        if index < 0 or level < 0 or first + count > self.size >> (TILE_HEIGHT * tile_level):
            raise IndexError(f"no node at level {level}, index {index} in size {self.size}")
        hashes = self._tile(tile_level, first // TILE_WIDTH)
        offset = first % TILE_WIDTH
        row = hashes[offset:offset + count]
        while len(row) > 1:
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def leaves(self, start: int, end: int) -> Iterator[bytes]:
        """The leaf hashes `[start, end)`, one level-0 tile fetched at a time."""
        if not 0 <= start <= end <= self.size:
            raise IndexError(f"no leaves [{start}, {end}) in size {self.size}")
        at = start
        while at < end:
            hashes = self._tile(0, at // TILE_WIDTH)
            stop = min(end, (at // TILE_WIDTH + 1) * TILE_WIDTH)
            yield from hashes[at % TILE_WIDTH:stop % TILE_WIDTH or TILE_WIDTH]
            at = stop

    def _tile(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        count = self.size >> (TILE_HEIGHT * level)
        tile = Tile(level, index, min(TILE_WIDTH, count - index * TILE_WIDTH))
        hashes = tile_hashes(self._fetch(tile), tile.width)
        self._cache[key] = hashes
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return hashes

    def _fetch(self, tile: Tile) -> bytes:
        try:
            return self._get(tile.path)
        except Exception as error:  # whatever the fetcher raises (HTTP, file, key) = missing
            if tile.width == TILE_WIDTH:
                raise TileError(f"cannot fetch {tile.path}: {error}") from error
            first_error = error
        full = Tile(tile.level, tile.index)
        try:
            return self._get(full.path)[:tile.width * HASH_SIZE]
        except Exception as error:
            raise TileError(f"cannot fetch {tile.path}: {first_error}") from error
