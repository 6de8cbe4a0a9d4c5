"""The embedded database files hold personal data (password hashes, contact details, follower
addresses): readable by the tracker's own user only, whatever the umask.

SQLite creates a database file with mode 0644 less the umask, and its -wal and -shm files
with the mode of the database file. So each database file is made here, empty and 0600,
before SQLite first opens it; files left readable by an earlier version are tightened at
start. The data directory is 0700 when the tracker owns it (the default layout).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

SIDE_FILES = ("-wal", "-shm", "-journal")


def private_directory(path: Path, *, tighten: bool) -> None:
    """Make ``path`` (mode 0700); an existing one is tightened to 0700 when ``tighten``."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if tighten:
        _tighten(path, 0o700)


def private_database(path: Path) -> None:
    """Make the SQLite file ``path`` if missing, and it and its side files 0600."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        if file.exists():
            _tighten(file, 0o600)


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        try:
            path.chmod(current & mode)
        except PermissionError:
            log.warning("%s is mode %o and could not be made %o: it is not ours", path,
                        current, mode)
            return
        log.warning("%s was mode %o; made %o (it holds personal data)", path, current,
                    current & mode)
