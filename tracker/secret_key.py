"""The server's secret key: behind supporter ids, idempotency callers and signed links."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from tracker.config import Settings

SECRET_BYTES = 32


def server_secret(settings: Settings) -> bytes:
    """The key behind supporter ids, idempotency callers and signed links.

    From TRACKER_SECRET_KEY when set. Otherwise one is made on first start and kept in the
    data directory, readable by its owner only (mode 600), so that supporter ids stay the
    same across restarts without anyone having to configure a secret for a small site.
    Several web servers on several machines must share one TRACKER_SECRET_KEY instead:
    each would otherwise make its own, and one supporter could count once per server.
    """
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret.key"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Made by an earlier start, or by another worker starting at the same moment.
        return _read_secret(path)
    key = secrets.token_bytes(SECRET_BYTES)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key)
    return key


def _read_secret(path: Path) -> bytes:
    # A worker that lost the race may look before the winner has written the key.
    for _ in range(50):
        key = path.read_bytes()
        if len(key) >= SECRET_BYTES:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} holds no usable key; delete it to make a new one")
