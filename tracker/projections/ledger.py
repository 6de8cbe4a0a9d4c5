"""The verifiable log: every public entry appended, in order, to an RFC 9162 Merkle tree.

A public entry is what the open-data export holds: one per event of an issue. Its leaf is
not the entry as shown but a **leaf entry** that never has to change and never holds words
that may be withdrawn:

    {"position", "issue", "entry", "type", "at", "occurred_on", "actor_role",
     "fields": the entry's fields with every word withheld (withheld.withhold_fields),
     "words": hex SHA-256 of the canonical JSON of {"fields": all its fields, "salt": hex}}

So hiding an issue changes nothing in the tree, the tiles or the entry bundles: they are
published as they are, and a verifier checks every entry, hidden or not, against its leaf.
The words are published beside them (``/log/words/<N>``, only those of entries not
withheld now), each with its salt, and checked against the commitment in the leaf. The
salt is secret until the words are published, so a leaf of a hidden entry cannot be used
to confirm a guess at its words; it is derived from the log's key and the leaf index
(tracker.log_identity), so a rebuild arrives at the same tree. The sentence is left out:
it is worded by code that may change, the fields are the record.

The tree is kept as its right edge (tracker.ledger.CompactRange) in one state row, the leaf
hashes and leaf entries in one row per leaf, and the nodes at levels 8, 16, ... (the
hashes of the upper C2SP tiles) as they are completed: all written in the batch's
transaction, with the projection's position.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    String,
    Table,
    bindparam,
    select,
)

from tracker.ledger import (
    TILE_WIDTH,
    CompactRange,
    LedgerError,
    canonical_json,
    entry_leaf_hash,
)
from tracker.projections.base import Projection, handles, metadata
from tracker.projections.sentences import TYPE_KEYS, public_fields
from tracker.projections.withheld import withhold_fields

TILE_HEIGHT = 8
STATE = "log"

ledger_state = Table(
    "ledger_state", metadata,
    Column("name", String(20), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("edge", LargeBinary, nullable=False),  # CompactRange.to_bytes()
    # The id of the key the salts come from: a process with another key must not append.
    Column("key_id", BigInteger, nullable=False),
)

ledger_leaves = Table(
    "ledger_leaves", metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("hash", LargeBinary(32), nullable=False),
    Column("entry", LargeBinary, nullable=False),  # the leaf entry's canonical JSON
)

# Hashes of perfect subtrees at tree levels 8, 16, ...: the content of the upper tiles.
ledger_nodes = Table(
    "ledger_nodes", metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("node_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# Each issue's number by its aggregate id: only the submission carries it.
ledger_issues = Table(
    "ledger_issues", metadata,
    Column("issue_id", String(32), primary_key=True),
    Column("number", Integer, nullable=False),
)


_SELECT_STATE = select(ledger_state.c.size, ledger_state.c.edge, ledger_state.c.key_id).where(
    ledger_state.c.name == STATE)
_UPDATE_STATE = ledger_state.update().where(ledger_state.c.name == STATE).values(
    size=bindparam("size"), edge=bindparam("edge"))
_SELECT_NUMBER = select(ledger_issues.c.number).where(
    ledger_issues.c.issue_id == bindparam("key"))


def words_record(fields: dict[str, Any], salt: bytes) -> bytes:
    """The canonical JSON the leaf's ``words`` commits to."""
    return canonical_json({"fields": fields, "salt": salt.hex()})


def leaf_entry(event: Any, position: int, issue: int, salt: bytes) -> dict[str, Any]:
    """The leaf entry of an issue's event (see the module's docstring)."""
    type_key = TYPE_KEYS[type(event)]
    fields = public_fields(event)
    return {
        "position": position, "issue": issue, "entry": event.originator_version,
        "type": type_key, "at": event.timestamp.isoformat(),
        "occurred_on": event.occurred_on.isoformat(), "actor_role": event.actor_role,
        "fields": withhold_fields(type_key, fields),
        "words": hashlib.sha256(words_record(fields, salt)).hexdigest(),
    }


class LedgerProjection(Projection):
    """Appends each public entry's leaf; the tree's state moves with the position."""

    name = "ledger"
    tables = (ledger_state, ledger_leaves, ledger_nodes, ledger_issues)

    def __init__(self, salt: Callable[[int], bytes], key_id: Callable[[], int]) -> None:
        self._salt = salt
        self._key_id = key_id
        self._edge: CompactRange | None = None  # loaded at a batch's first entry
        self._stored = False  # whether the state row exists
        # An issue's number never changes, so it is kept across batches (and rebuilds
        # start from a new projection).
        self._numbers: dict[str, int] = {}

    @handles(*TYPE_KEYS)
    def _append(self, conn: Connection, event: Any, position: int) -> None:
        """Every public entry's leaf, and the tile nodes it completes, held to the batch's
        end; the tree's edge moves in memory and is written once, with them."""
        edge = self._edge if self._edge is not None else self._load(conn)
        number = self._number(conn, event)
        index = edge.size
        data = canonical_json(leaf_entry(event, position, number, self._salt(index)))
        leaf = entry_leaf_hash(data)
        for node in edge.append(leaf):
            if node.level and node.level % TILE_HEIGHT == 0:
                self.bulk.insert(ledger_nodes, (node.level, node.index), {
                    "level": node.level, "node_index": node.index, "hash": node.hash})
        self.bulk.insert(ledger_leaves, index, {"leaf_index": index, "position": position,
                                                "hash": leaf, "entry": data})

    def finish_batch(self, conn: Connection) -> None:
        if self._edge is not None:
            values = {"size": self._edge.size, "edge": self._edge.to_bytes()}
            if self._stored:
                self.bulk.update(_UPDATE_STATE, STATE, values)
            else:
                self.bulk.insert(ledger_state, STATE,
                                 {"name": STATE, **values, "key_id": self._key_id()})
        super().finish_batch(conn)

    def end_batch(self) -> None:
        self._edge = None

    def _load(self, conn: Connection) -> CompactRange:
        row = conn.execute(_SELECT_STATE).first()
        if row is not None and row.key_id != self._key_id():
            raise LogKeyMismatch(
                f"the log was built with key {row.key_id:08x}, but this process has key "
                f"{self._key_id():08x}: give every process the same TRACKER_LOG_KEY")
        self._stored = row is not None
        self._edge = CompactRange() if row is None else CompactRange.from_bytes(
            row.size, bytes(row.edge))
        return self._edge

    def _number(self, conn: Connection, event: Any) -> int:
        key = event.originator_id.hex
        if event.originator_version == 1:  # the submission: always stored with its batch
            number = int(event.number)
            self.bulk.insert(ledger_issues, key, {"issue_id": key, "number": number})
        else:
            cached = self._numbers.get(key)
            if cached is not None:
                return cached
            self.bulk.settle(conn, key)
            number = conn.execute(_SELECT_NUMBER, {"key": key}).scalar_one()
        if len(self._numbers) >= 100_000:
            self._numbers.clear()
        self._numbers[key] = number
        return number


def tile_width_at(size: int, level: int, index: int) -> int:
    """How many hashes tile (level, index) has in a tree of ``size`` leaves (0: none)."""
    count = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


class LogKeyMismatch(LedgerError):
    """This process's log key is not the one the log was built with."""


def ledger_projection(salt: Callable[[int], bytes],
                      key_id: Callable[[], int]) -> LedgerProjection:
    """The projection bound to the log's salts. A rebuild makes fresh projections by
    calling their class with no arguments, so the binding is a class of its own."""

    class BoundLedgerProjection(LedgerProjection):
        def __init__(self) -> None:
            super().__init__(salt, key_id)

    return BoundLedgerProjection()
