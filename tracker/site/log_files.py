"""The verifiable log's files: checkpoint, key, tiles and entry bundles, words
(C2SP tlog-tiles; docs/verification.md), and its proofs. Tiles never change once the tree
has them; the checkpoint moves with every entry; the words of an entry go when its issue is
hidden."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from sqlalchemy import Connection

from tracker.domain.errors import InvalidValue, NotFound
from tracker.ledger import LedgerError, Tile, tree_root
from tracker.log_identity import LogIdentity
from tracker.site.answer import Answer, SiteContext, json_answer
from tracker.site_log import (
    consistency,
    current_tree,
    hash_reader,
    inclusion,
    leaf_of_position,
    leaf_rows,
    signed_checkpoint,
    tile_data,
    words_document,
)

IMMUTABLE = "public, max-age=31536000, immutable"
CHANGING = "no-cache"  # revalidate every time: a checkpoint a minute old is already stale
WORDS = "public, max-age=60"
TEXT = "text/plain; charset=utf-8"


def not_found(detail: str, field: str | None = None) -> Answer:
    """As the web app answers tracker.domain.errors.NotFound."""
    return json_answer({"error": "NotFound", "detail": detail, "field": field}, 404)


def _no_log() -> Answer:
    return not_found("this tracker keeps no verifiable log")


def _identity(ctx: SiteContext) -> LogIdentity | None:
    return ctx.log


def checkpoint(conn: Connection, ctx: SiteContext, _: None) -> Answer:
    """The log's latest tree head, signed with its key (C2SP tlog-checkpoint)."""
    if (log := _identity(ctx)) is None:
        return _no_log()
    body = signed_checkpoint(current_tree(conn), log.origin, log.signer)
    return Answer(200, TEXT, body.encode("utf-8"), (("cache-control", CHANGING),))


def key(_conn: Connection | None, ctx: SiteContext, _: None) -> Answer:
    """The public key checkpoints are signed with (a C2SP signed-note verifier key)."""
    if (log := _identity(ctx)) is None:
        return _no_log()
    return Answer(200, TEXT, (log.verifier.vkey + "\n").encode("utf-8"),
                  (("cache-control", "public, max-age=3600"),))


def tile(conn: Connection, _ctx: SiteContext, which: Tile) -> Answer:
    """A hash tile or entry bundle: the same bytes for ever once it exists."""
    data = tile_data(conn, which, current_tree(conn).size)
    if data is None:
        return not_found(f"the log has no {which.path} yet", "path")
    return Answer(200, "application/octet-stream", data, (("cache-control", IMMUTABLE),))


def words(conn: Connection, ctx: SiteContext, index: int) -> Answer:
    """The words of the entries of level-0 tile N that are public now, with their salts."""
    if (log := _identity(ctx)) is None:
        return _no_log()
    data = words_document(conn, index, current_tree(conn).size, log.salt)
    if data is None:
        return not_found(f"the log has no tile {index} yet", "index")
    return Answer(200, "application/x-ndjson; charset=utf-8", data,
                  (("cache-control", WORDS),))


# -- proofs (JSON; never published: they answer questions about any tree size) -----------
# These raise tracker.domain.errors (NotFound, InvalidValue, with the field at fault): the
# web app answers them as it answers any refusal.

MAX_SIZE = 2**63 - 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _root(conn: Connection, size: int) -> bytes:
    return tree_root(hash_reader(conn, size), size)


def _tree_size(size: int | None, current: int, field: str) -> int:
    if size is None:
        return current
    if size > current:
        raise InvalidValue(f"the log has {current} entries; {field} can be at most that",
                           field=field)
    return size


@dataclass(frozen=True)
class Inclusion:
    """Entry ``entry`` (a leaf index), or the entry recorded at event ``position``, in the
    tree of ``size`` entries (default: the current one)."""

    entry: int | None = None
    position: int | None = None
    size: int | None = None


def inclusion_proof(conn: Connection, ctx: SiteContext, p: Inclusion) -> Answer:
    """Proof that an entry is in the tree (RFC 9162 §2.1.3)."""
    if p.position is not None:
        found = leaf_of_position(conn, p.position) if 0 < p.position <= MAX_SIZE else None
        if found is None:
            raise NotFound(f"no public entry at position {p.position} in the log yet",
                           field="position")
        entry = found
    else:
        entry = p.entry or 0
    if (log := _identity(ctx)) is None:
        raise NotFound("this tracker keeps no verifiable log")
    head = current_tree(conn)
    tree = _tree_size(p.size, head.size, "size")
    if not 0 <= entry < tree:
        raise NotFound(f"the tree of size {tree} has entries 0 to {tree - 1}", field="entry")
    proof = inclusion(conn, entry, tree)
    leaf = leaf_rows(conn, entry, entry + 1, None)[0]
    root = head.root if tree == head.size else _root(conn, tree)
    return json_answer({
        "entry": entry, "position": leaf.position, "tree_size": tree,
        "leaf_hash": _b64(leaf.hash), "leaf_entry": json.loads(leaf.entry),
        "root_hash": _b64(root), "proof": [_b64(h) for h in proof],
        "checkpoint": signed_checkpoint(head, log.origin, log.signer)},
        headers=(("cache-control", CHANGING),))


@dataclass(frozen=True)
class Consistency:
    old: int
    new: int | None = None


def consistency_proof(conn: Connection, _ctx: SiteContext, p: Consistency) -> Answer:
    """Proof that the tree of ``old`` entries is a prefix of that of ``new``
    (RFC 9162 §2.1.4)."""
    head = current_tree(conn)
    new = _tree_size(p.new, head.size, "to")
    if p.old > new:
        raise InvalidValue(f"from ({p.old}) is larger than to ({new})", field="from")
    try:
        proof = consistency(conn, p.old, new)
    except LedgerError as error:
        raise InvalidValue(str(error), field="from") from None
    return json_answer({"from": p.old, "to": new, "from_root": _b64(_root(conn, p.old)),
                        "to_root": _b64(_root(conn, new)), "proof": [_b64(h) for h in proof]},
                       headers=(("cache-control", CHANGING),))
