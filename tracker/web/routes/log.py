"""The verifiable log: checkpoint, key, tiles, entry bundles, words, and proofs.

Tiles and entry bundles never change once the tree has them, so they are cached for ever;
the checkpoint (and its proofs) move with every entry, and the words of an entry go when
its issue is hidden. See docs/verification.md.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from tracker.bootstrap import Tracker
from tracker.domain.errors import InvalidValue, NotFound
from tracker.ledger import LedgerError, tree_root
from tracker.log_identity import LogIdentity
from tracker.site import log_files
from tracker.site.addresses import Read, log_tile
from tracker.site.log_files import CHANGING
from tracker.site_log import (
    consistency,
    current_tree,
    hash_reader,
    inclusion,
    leaf_of_position,
    leaf_rows,
    signed_checkpoint,
)
from tracker.web.deps import TrackerDep
from tracker.web.http_cache import SiteDep
from tracker.web.replies import body_in, refusals

router = APIRouter(tags=["verifiable log"])

MAX_SIZE = 2**63 - 1
Size = Annotated[int | None, Query(ge=0, le=MAX_SIZE,
                                   description="A tree size (default: the current one)")]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _identity(tracker: Tracker) -> LogIdentity:
    if tracker.log is None:  # only a tracker built without bootstrap has none
        raise NotFound("this tracker keeps no verifiable log")
    return tracker.log


@router.get("/log/checkpoint", response_class=Response,
            responses=body_in("text/plain", description="A C2SP signed checkpoint"))
def read_checkpoint(site: SiteDep) -> Response:
    """The log's latest tree head, signed with its key (C2SP tlog-checkpoint)."""
    return site.uncached(Read("log-checkpoint", log_files.checkpoint, None))


@router.get("/log/key", response_class=Response,
            responses=body_in("text/plain", description="The log's verifier key"))
def read_log_key(site: SiteDep) -> Response:
    """The public key checkpoints are signed with (a C2SP signed-note verifier key)."""
    return site.uncached(Read("log-key", log_files.key, None))


@router.get("/log/tile/{path:path}", response_class=Response,
            responses={**refusals(404, 422), **body_in(
                "application/octet-stream", description="A C2SP tile or entry bundle")})
def read_tile(path: str, site: SiteDep) -> Response:
    """A hash tile or entry bundle (C2SP tlog-tiles); the same bytes for ever once it exists."""
    read = log_tile(path)
    if read is None:
        raise InvalidValue("not a tile path: tile/<level>/<N>[.p/<width>], N in groups of "
                           "three digits (x001/234)", field="path")
    return site.uncached(read)


@router.get("/log/words/{index}", response_class=Response,
            responses={**refusals(404, 422), **body_in(
                "application/x-ndjson", description="JSON lines: leaf, fields, salt")})
def read_words(index: int, site: SiteDep) -> Response:
    """The words of the entries of level-0 tile N that are public now, with their salts."""
    if not 0 <= index <= MAX_SIZE:
        raise InvalidValue("a tile number is a whole number from 0", field="index")
    return site.uncached(Read("log-words", log_files.words, index))


def _tree_size(size: int | None, current: int, field: str) -> int:
    if size is None:
        return current
    if size > current:
        raise InvalidValue(f"the log has {current} entries; {field} can be at most that",
                           field=field)
    return size


@router.get("/api/v1/log/proof/{entry}", responses=refusals(404, 422))
def read_inclusion_proof(entry: int, tracker: TrackerDep, size: Size = None) -> JSONResponse:
    """Proof that entry (a leaf index) is in the tree of `size` entries (RFC 9162 §2.1.3)."""
    log = _identity(tracker)
    with tracker.engine.connect() as conn:
        head = current_tree(conn)
        tree = _tree_size(size, head.size, "size")
        if not 0 <= entry < tree:
            raise NotFound(f"the tree of size {tree} has entries 0 to {tree - 1}",
                           field="entry")
        proof = inclusion(conn, entry, tree)
        leaf = leaf_rows(conn, entry, entry + 1, None)[0]
        root = head.root if tree == head.size else _root(conn, tree)
    body = {"entry": entry, "position": leaf.position, "tree_size": tree,
            "leaf_hash": _b64(leaf.hash), "leaf_entry": json.loads(leaf.entry),
            "root_hash": _b64(root), "proof": [_b64(h) for h in proof],
            "checkpoint": signed_checkpoint(head, log.origin, log.signer)}
    return JSONResponse(body, headers={"Cache-Control": CHANGING})


@router.get("/api/v1/log/positions/{position}/proof", responses=refusals(404, 422))
def read_inclusion_proof_of_position(position: int, tracker: TrackerDep,
                                     size: Size = None) -> JSONResponse:
    """The inclusion proof of the entry recorded at an event position (as history shows)."""
    with tracker.engine.connect() as conn:
        entry = leaf_of_position(conn, position) if 0 < position <= MAX_SIZE else None
    if entry is None:
        raise NotFound(f"no public entry at position {position} in the log yet",
                       field="position")
    return read_inclusion_proof(entry, tracker, size)


@router.get("/api/v1/log/consistency", responses=refusals(422))
def read_consistency_proof(
        tracker: TrackerDep,
        from_: Annotated[int, Query(alias="from", ge=0, le=MAX_SIZE,
                                    description="The older tree size")],
        to: Size = None) -> JSONResponse:
    """Proof that the tree of `from` entries is a prefix of that of `to` (RFC 9162 §2.1.4)."""
    with tracker.engine.connect() as conn:
        head = current_tree(conn)
        new = _tree_size(to, head.size, "to")
        if from_ > new:
            raise InvalidValue(f"from ({from_}) is larger than to ({new})", field="from")
        try:
            proof = consistency(conn, from_, new)
        except LedgerError as error:
            raise InvalidValue(str(error), field="from") from None
        old_root, new_root = _root(conn, from_), _root(conn, new)
    return JSONResponse({"from": from_, "to": new, "from_root": _b64(old_root),
                         "to_root": _b64(new_root), "proof": [_b64(h) for h in proof]},
                        headers={"Cache-Control": CHANGING})


def _root(conn: Connection, size: int) -> bytes:
    return tree_root(hash_reader(conn, size), size)
