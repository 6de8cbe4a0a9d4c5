"""The verifiable log in the static copy: ``log/checkpoint``, ``log/key``, the tiles and
entry bundles under ``log/tile/``, and ``log/words/<N>``, as the live site serves them.

Tiles and bundles never change once written, so those already in the directory are left
alone; the checkpoint, the key and the words (which go when an issue is hidden) are
written whenever their bytes change. Everything is read in one transaction, so the files
of one run describe one tree.
"""

from __future__ import annotations

from tracker.bootstrap import Tracker
from tracker.ledger import tiles_for_size
from tracker.site_files import SiteDirectory
from tracker.site_log import current_tree, signed_checkpoint, tile_data, words_document

LOG_FOLDER = "log"


def write_log(tracker: Tracker, site: SiteDirectory) -> int:
    """Bring the directory's copy of the log up to the projected tree; files written."""
    log = tracker.log
    if log is None:
        return 0
    written = 0
    with tracker.engine.connect() as conn:
        head = current_tree(conn)
        for tile in tiles_for_size(head.size):
            for one in (tile, tile.bundle) if tile.level == 0 else (tile,):
                name = f"{LOG_FOLDER}/{one.path}"
                if site.read(name) is not None:
                    continue  # immutable: what is there is what the log served
                data = tile_data(conn, one, head.size)
                if data is not None:
                    written += site.write(name, data)
        for index in range(-(-head.size // 256)):
            words = words_document(conn, index, head.size, log.salt)
            if words is not None:
                written += site.write(f"{LOG_FOLDER}/words/{index}", words)
    written += site.write(f"{LOG_FOLDER}/key", (log.verifier.vkey + "\n").encode())
    # Last: a reader who finds this checkpoint finds every file it needs.
    written += site.write(f"{LOG_FOLDER}/checkpoint",
                          signed_checkpoint(head, log.origin, log.signer).encode())
    return written
