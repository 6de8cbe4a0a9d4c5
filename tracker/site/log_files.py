"""The verifiable log's files: checkpoint, key, tiles and entry bundles, words
(C2SP tlog-tiles; docs/verification.md). Tiles never change once the tree has them; the
checkpoint moves with every entry; the words of an entry go when its issue is hidden."""

from __future__ import annotations

from sqlalchemy import Connection

from tracker.ledger import Tile
from tracker.log_identity import LogIdentity
from tracker.site.answer import Answer, SiteContext, json_answer
from tracker.site_log import current_tree, signed_checkpoint, tile_data, words_document

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
