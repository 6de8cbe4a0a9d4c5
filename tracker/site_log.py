"""The verifiable log as the site serves and publishes it: checkpoint, tiles, entries, words.

Reads the ledger projection's rows (tracker/projections/ledger.py); nothing here is worked
out from events. Tiles and entry bundles are the same bytes for ever once they exist, so
they can be cached without limit; the checkpoint and the words change (a new entry; an
issue hidden or restored).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from tracker.ledger import (
    TILE_WIDTH,
    Checkpoint,
    CompactRange,
    Tile,
    TileHashReader,
    TreeHead,
    consistency_proof,
    entry_bundle,
    inclusion_proof,
    sign_checkpoint,
)
from tracker.ledger.note import Signer
from tracker.projections.ledger import (
    STATE,
    TILE_HEIGHT,
    ledger_leaves,
    ledger_nodes,
    ledger_state,
    tile_width_at,
    words_record,
)
from tracker.projections.timeline import entries as timeline

Salt = Callable[[int], bytes]


@dataclass(frozen=True)
class PublishedLeaf:
    """One leaf: its entry (canonical JSON) and, unless withheld now, its words and salt."""

    index: int
    position: int
    hash: bytes
    entry: bytes
    words: dict[str, Any] | None


def current_tree(conn: Connection) -> TreeHead:
    """The size and root of the tree as projected so far."""
    row = conn.execute(select(ledger_state.c.size, ledger_state.c.edge)
                       .where(ledger_state.c.name == STATE)).first()
    if row is None:
        return TreeHead(0, CompactRange().root())
    return TreeHead(row.size, CompactRange.from_bytes(row.size, bytes(row.edge)).root())


def signed_checkpoint(head: TreeHead, origin: str, signer: Signer) -> str:
    """The C2SP checkpoint note of a tree head, signed by the log's key."""
    return sign_checkpoint(Checkpoint(origin, head.size, head.root), signer)


def tile_data(conn: Connection, tile: Tile, size: int) -> bytes | None:
    """A hash tile's or entry bundle's bytes in a tree of ``size`` leaves; None if the
    tree does not have that many hashes there (yet)."""
    if tile.width > tile_width_at(size, tile.level, tile.index):
        return None
    first = tile.index * TILE_WIDTH
    if tile.entries:
        rows = conn.execute(select(ledger_leaves.c.entry).where(
            ledger_leaves.c.leaf_index >= first, ledger_leaves.c.leaf_index < first + tile.width)
            .order_by(ledger_leaves.c.leaf_index)).scalars()
        return entry_bundle([bytes(r) for r in rows])
    if tile.level == 0:
        hashes = conn.execute(select(ledger_leaves.c.hash).where(
            ledger_leaves.c.leaf_index >= first, ledger_leaves.c.leaf_index < first + tile.width)
            .order_by(ledger_leaves.c.leaf_index)).scalars()
    else:
        hashes = conn.execute(select(ledger_nodes.c.hash).where(
            ledger_nodes.c.level == tile.level * TILE_HEIGHT,
            ledger_nodes.c.node_index >= first, ledger_nodes.c.node_index < first + tile.width)
            .order_by(ledger_nodes.c.node_index)).scalars()
    return b"".join(bytes(h) for h in hashes)


def hash_reader(conn: Connection, size: int) -> TileHashReader:
    """Proofs over the stored tree of ``size`` leaves, read tile by tile."""

    def get(path: str) -> bytes:
        from tracker.ledger import parse_tile_path

        data = tile_data(conn, parse_tile_path(path), size)
        if data is None:
            raise KeyError(path)
        return data

    return TileHashReader(size, get)


def leaf_rows(conn: Connection, start: int, end: int, salt: Salt | None) -> list[PublishedLeaf]:
    """Leaves ``[start, end)`` with their words where they are public now (and ``salt``
    is given): the words are the timeline's fields, which hold placeholders while withheld."""
    query = (select(ledger_leaves, timeline.c.fields, timeline.c.withheld)
             .join(timeline, timeline.c.position == ledger_leaves.c.position, isouter=True)
             .where(and_(ledger_leaves.c.leaf_index >= start, ledger_leaves.c.leaf_index < end))
             .order_by(ledger_leaves.c.leaf_index))
    leaves = []
    for r in conn.execute(query).mappings():
        words = None
        if salt is not None and r["fields"] is not None and not r["withheld"]:
            words = {"fields": json.loads(r["fields"]), "salt": salt(r["leaf_index"]).hex()}
        leaves.append(PublishedLeaf(r["leaf_index"], r["position"], bytes(r["hash"]),
                                    bytes(r["entry"]), words))
    return leaves


def words_document(conn: Connection, index: int, size: int, salt: Salt) -> bytes | None:
    """``/log/words/<N>``: the words of the public entries of level-0 tile N, JSON lines of
    {"leaf", "fields", "salt"}; None beyond the tree."""
    width = tile_width_at(size, 0, index)
    if width == 0:
        return None
    first = index * TILE_WIDTH
    lines = []
    for leaf in leaf_rows(conn, first, first + width, salt):
        if leaf.words is not None:
            lines.append(json.dumps({"leaf": leaf.index, **leaf.words}, ensure_ascii=False,
                                    sort_keys=True))
    return "".join(line + "\n" for line in lines).encode()


def check_words(entry: dict[str, Any], words: dict[str, Any]) -> str | None:
    """Why published words do not match their leaf entry (None when they do)."""
    import hashlib

    try:
        salt = bytes.fromhex(words["salt"])
        digest = hashlib.sha256(words_record(words["fields"], salt)).hexdigest()
    except (KeyError, TypeError, ValueError) as error:
        return f"malformed words record ({error})"
    if digest != entry.get("words"):
        return "its words do not match the commitment in its leaf"
    kept = entry.get("fields") or {}
    if any(v is not None and words["fields"].get(k) != v for k, v in kept.items()):
        return "its words disagree with the fields kept in its leaf"
    return None


def inclusion(conn: Connection, index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    return inclusion_proof(index, size, hash_reader(conn, size))


def consistency(conn: Connection, old: int, new: int) -> list[bytes]:
    """The consistency proof from the tree of ``old`` leaves to that of ``new``."""
    return consistency_proof(old, new, hash_reader(conn, new))


def leaf_of_position(conn: Connection, position: int) -> int | None:
    """The leaf index of the entry at an event position (for links to its proof)."""
    index: int | None = conn.execute(select(ledger_leaves.c.leaf_index).where(
        ledger_leaves.c.position == position)).scalar_one_or_none()
    return index
