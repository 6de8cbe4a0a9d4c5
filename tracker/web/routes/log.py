"""The verifiable log: checkpoint, key, tiles, entry bundles, words, and proofs.

Tiles and entry bundles never change once the tree has them, so they are cached for ever;
the checkpoint (and its proofs) move with every entry, and the words of an entry go when
its issue is hidden. See docs/verification.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tracker.domain.errors import InvalidValue
from tracker.site import log_files
from tracker.site.addresses import Read, log_tile
from tracker.site.log_files import MAX_SIZE
from tracker.web.http_cache import SiteDep
from tracker.web.replies import body_in, refusals

router = APIRouter(tags=["verifiable log"])

Size = Annotated[int | None, Query(ge=0, le=MAX_SIZE,
                                   description="A tree size (default: the current one)")]


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


@router.get("/api/v1/log/proof/{entry}", responses=refusals(404, 422))
def read_inclusion_proof(entry: int, site: SiteDep, size: Size = None) -> Response:
    """Proof that entry (a leaf index) is in the tree of `size` entries (RFC 9162 §2.1.3)."""
    return site.uncached(Read("log-proof", log_files.inclusion_proof,
                              log_files.Inclusion(entry=entry, size=size)))


@router.get("/api/v1/log/positions/{position}/proof", responses=refusals(404, 422))
def read_inclusion_proof_of_position(position: int, site: SiteDep,
                                     size: Size = None) -> Response:
    """The inclusion proof of the entry recorded at an event position (as history shows)."""
    return site.uncached(Read("log-proof", log_files.inclusion_proof,
                              log_files.Inclusion(position=position, size=size)))


@router.get("/api/v1/log/consistency", responses=refusals(422))
def read_consistency_proof(
        site: SiteDep,
        from_: Annotated[int, Query(alias="from", ge=0, le=MAX_SIZE,
                                    description="The older tree size")],
        to: Size = None) -> Response:
    """Proof that the tree of `from` entries is a prefix of that of `to` (RFC 9162 §2.1.4)."""
    return site.uncached(Read("log-consistency", log_files.consistency_proof,
                              log_files.Consistency(from_, to)))
