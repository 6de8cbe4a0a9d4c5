"""What the public write path needs: rate limits per client, and pseudonymous supporters."""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import time
from pathlib import Path

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from tracker.config import Settings


def server_secret(settings: Settings) -> bytes:
    """The key behind supporter ids (and, later, signed links).

    From TRACKER_SECRET_KEY when set; otherwise made once and kept beside the data, readable
    by its owner only, so ids stay the same across restarts without anyone configuring it.
    """
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        return key


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def supporter_id(secret: bytes, client: str, issue: int) -> str:
    """One client counts once per issue; the id reveals neither the address nor links the
    same client's support across issues."""
    return hmac.new(secret, f"{client}|{issue}".encode(), hashlib.sha256).hexdigest()[:32]


class RateLimits:
    """Moving-window limits per client for the public commands (in this process)."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits = {"submit": parse(settings.rate_submit),
                        "support": parse(settings.rate_support)}

    def check(self, kind: str, client: str) -> None:
        """Count one request; raise 429 with Retry-After when the client is over its limit."""
        item = self._limits[kind]
        if self._limiter.hit(item, kind, client):
            return
        reset = self._limiter.get_window_stats(item, kind, client).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise HTTPException(429, detail=f"Too many requests; try again in {wait} seconds",
                            headers={"Retry-After": str(wait)})
