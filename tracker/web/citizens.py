"""What the public write path needs: rate limits per client, and pseudonymous supporters.

The key behind supporter ids is the server's secret (tracker.secret_key), worked out once by
the container."""

from __future__ import annotations

import bisect
import functools
import hashlib
import hmac
import ipaddress
import math
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from fastapi import HTTPException, Request
from limits import RateLimitItem, parse

from tracker.config import Settings
from tracker.web.mounting import container_of

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
    proxies = trusted_networks(container_of(request).settings.trusted_proxies)
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
    """Moving-window limits per client for the public commands: at most N requests of a
    kind in any window of the setting's length (``30/minute``: 30 in any 60 seconds).

    Per client, the times of its recent requests, in a ``cachetools.TTLCache`` per kind:
    an entry expires one window after the client's last accepted request, and expired
    entries are dropped lazily, oldest first, as new ones are added. So a check costs the
    same whether ten clients are known or a million, and no thread ever walks them all (a
    storage that did spent most of a surge's time doing so). Memory is bounded too: past
    ``MAX_CLIENTS`` per kind the least recently seen client is forgotten first.

    Kept in this process's memory: with several web workers each counts on its own, so the
    effective limit is the setting times the number of workers.
    """

    MAX_CLIENTS = 1_000_000

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self._windows = {kind: MovingWindow(parse(setting), self.MAX_CLIENTS, clock)
                         for kind, setting in (("submit", settings.rate_submit),
                                               ("support", settings.rate_support),
                                               ("answer", settings.rate_answer),
                                               ("login", settings.rate_login),
                                               ("follow", settings.rate_follow))}

    def check(self, kind: str, client: str) -> None:
        """Count one request; raise 429 with Retry-After when the client is over its limit."""
        wait = self._windows[kind].hit(client)
        if wait <= 0:
            return
        seconds = max(1, math.ceil(wait))
        raise HTTPException(429, detail=f"Too many requests; try again in {seconds} seconds",
                            headers={"Retry-After": str(seconds)})

    def clients(self, kind: str) -> int:
        """How many clients the limit of ``kind`` remembers now."""
        return self._windows[kind].size()


class MovingWindow:
    """One limit: ``item.amount`` requests per ``item.get_expiry()`` seconds per client."""

    def __init__(self, item: RateLimitItem, max_clients: int,
                 clock: Callable[[], float]) -> None:
        self.amount = item.amount
        self.period = float(item.get_expiry())
        self.clock = clock
        self._recent: TTLCache[str, list[float]] = TTLCache(
            maxsize=max_clients, ttl=self.period, timer=clock)
        # Routes run in a thread pool: one lock, held for a few list operations.
        self._lock = threading.Lock()

    def hit(self, client: str) -> float:
        """Count a request now: 0 when it is within the limit (and counted), else the
        seconds until the client's oldest request in the window leaves it."""
        now = self.clock()
        with self._lock:
            times = self._recent.get(client)
            if times is None:
                times = []
            else:
                del times[:bisect.bisect_right(times, now - self.period)]
                if len(times) >= self.amount:
                    return times[0] + self.period - now
            times.append(now)
            self._recent[client] = times  # expires one window after this request
            return 0.0

    def size(self) -> int:
        with self._lock:
            self._recent.expire()
            return len(self._recent)
