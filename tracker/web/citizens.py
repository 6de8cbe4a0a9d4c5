"""What the public write path needs: rate limits per client, and pseudonymous supporters."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
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

SECRET_BYTES = 32


def server_secret(settings: Settings) -> bytes:
    """The key behind supporter ids (and, later, signed links).

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


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_key(request: Request) -> str:
    """Who a public request comes from, for limits and supporter ids.

    The address the connection comes from. Only when that is a proxy named in
    TRACKER_TRUSTED_PROXIES is X-Forwarded-For believed: each proxy appends the address it
    was reached from, so the client is the right-most address that is not one of those
    proxies; anything to its left was written by the client itself. An entry that is not an
    address is refused (400), never taken as a client. (The server's own handling of these
    headers is off, see tracker.cli: this is the one rule.) An IPv6 client is keyed by its
    /64, the block one subscriber line is given, or it could take a fresh address for every
    request.
    """
    host = request.client.host if request.client else "unknown"
    peer = _address(host)
    if peer is None:
        return host  # not an IP connection (a Unix socket, the test client)
    proxies = trusted_networks(request.app.state.tracker.settings.trusted_proxies)
    if proxies and _within(peer, proxies):
        peer = _forwarded_client(request, peer, proxies)
    if isinstance(peer, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((peer, 64), strict=False))
    return str(peer)


@functools.lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part) for part in setting.replace(",", " ").split())


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None  # "%anything" is free text: a fresh client for every request
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def _forwarded_client(request: Request, proxy: Address,
                      proxies: tuple[Network, ...]) -> Address:
    entries = [entry.strip() for header in request.headers.getlist("x-forwarded-for")
               for entry in header.split(",")]
    client = proxy
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            raise HTTPException(400, detail={
                "field": "X-Forwarded-For",
                "detail": "X-Forwarded-For holds something that is not an address"})
        client = address
        if not _within(address, proxies):
            break
    return client


def supporter_id(secret: bytes, client: str, issue: int) -> str:
    """One client counts once per issue. The HMAC hides the address (no IP is stored) and,
    keyed by issue too, does not link the same client's support across issues."""
    return hmac.new(secret, f"{client}|{issue}".encode(), hashlib.sha256).hexdigest()[:32]


def answerer_id(secret: bytes, client: str, issue: int, commitment: int) -> str:
    """One client answers once per commitment: the same kind of key as supporter_id, keyed
    by the commitment too, so answers are not linked across commitments or to supports."""
    return hmac.new(secret, f"{client}|{issue}|{commitment}|answer".encode(),
                    hashlib.sha256).hexdigest()[:32]


class RateLimits:
    """Moving-window limits per client for the public commands.

    Kept in this process's memory: with several web workers each counts on its own, so the
    effective limit is the setting times the number of workers.
    """

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits = {"submit": parse(settings.rate_submit),
                        "support": parse(settings.rate_support),
                        "answer": parse(settings.rate_answer),
                        "login": parse(settings.rate_login),
                        "follow": parse(settings.rate_follow)}

    def check(self, kind: str, client: str) -> None:
        """Count one request; raise 429 with Retry-After when the client is over its limit."""
        item = self._limits[kind]
        if self._limiter.hit(item, kind, client):
            return
        reset = self._limiter.get_window_stats(item, kind, client).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise HTTPException(429, detail=f"Too many requests; try again in {wait} seconds",
                            headers={"Retry-After": str(wait)})
