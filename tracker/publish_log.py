"""The verifiable log in the static copy: ``log/checkpoint``, ``log/key``, the tiles and
entry bundles under ``log/tile/``, and ``log/words/<N>``, as the live site serves them.

Only what changed since the copy's own checkpoint is written: the tiles the tree gained
(tiles never change once written), the words of the tiles that gained entries, and the
words of every tile holding an entry of an issue hidden or restored since (a hide
withdraws words from tiles written long ago). The checkpoint is written last, so a reader
of the copy always finds the files its checkpoint names. Everything is read in one
transaction, so the files of one run describe one tree.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from tracker.bootstrap import Tracker
from tracker.ledger import TILE_WIDTH, Checkpoint, LedgerError, changed_tiles
from tracker.projections.ledger import ledger_leaves
from tracker.projections.timeline import entries as timeline
from tracker.site_files import SiteDirectory
from tracker.site_log import current_tree, signed_checkpoint, tile_data, words_document

LOG_FOLDER = "log"
CHECKPOINT = f"{LOG_FOLDER}/checkpoint"


def write_log(tracker: Tracker, site: SiteDirectory) -> int:
    """Bring the directory's copy of the log up to the projected tree; files written."""
    log = tracker.log
    if log is None:
        return 0
    old = _copied_size(site, log.origin)
    written = 0
    with tracker.engine.connect() as conn:
        head = current_tree(conn)
        if old is None or old > head.size:  # no copy yet, or the log was replaced
            old = 0
            rewrite = set(range(-(-head.size // TILE_WIDTH)))
        else:
            rewrite = set(range(old // TILE_WIDTH, -(-head.size // TILE_WIDTH)))
            rewrite |= _tiles_of_hidden_or_restored(conn, old)
        for tile in changed_tiles(old, head.size):
            for one in (tile, tile.bundle) if tile.level == 0 else (tile,):
                data = tile_data(conn, one, head.size)
                if data is not None:
                    written += site.write(f"{LOG_FOLDER}/{one.path}", data)
        for index in sorted(rewrite):
            words = words_document(conn, index, head.size, log.salt)
            if words is not None:
                written += site.write(f"{LOG_FOLDER}/words/{index}", words)
    written += site.write(f"{LOG_FOLDER}/key", (log.verifier.vkey + "\n").encode())
    written += site.write(CHECKPOINT, signed_checkpoint(head, log.origin, log.signer).encode())
    return written


def _copied_size(site: SiteDirectory, origin: str) -> int | None:
    text = site.read(CHECKPOINT)
    if text is None:
        return None
    try:
        checkpoint = Checkpoint.parse(text.decode().split("\n\n", 1)[0] + "\n")
    except (LedgerError, UnicodeDecodeError):
        return None
    return checkpoint.size if checkpoint.origin == origin else None


def _tiles_of_hidden_or_restored(conn: Connection, since_leaf: int) -> set[int]:
    """Level-0 tiles holding an entry of an issue hidden or restored at leaf >= since."""
    first_position = conn.execute(select(ledger_leaves.c.position).where(
        ledger_leaves.c.leaf_index == since_leaf)).scalar_one_or_none()
    if first_position is None:
        return set()
    numbers = select(timeline.c.issue_number).where(
        timeline.c.position >= first_position,
        timeline.c.type.in_(("hidden", "restored"))).scalar_subquery()
    leaves = conn.execute(select(ledger_leaves.c.leaf_index).join(
        timeline, timeline.c.position == ledger_leaves.c.position).where(
        timeline.c.issue_number.in_(numbers))).scalars()
    return {leaf // TILE_WIDTH for leaf in leaves}
