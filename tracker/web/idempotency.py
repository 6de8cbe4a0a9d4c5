"""The Idempotency-Key header on the write API (every POST under /api/v1).

A client that sends a write and gets no answer (a dropped connection, a server killed
between saving and answering) cannot know whether it was written. With a key it may simply
send the same request again: a repeat is answered with the first success, and never runs
twice (the IETF httpapi draft "The Idempotency-Key HTTP Header Field"). How the key store
and the event store make that hold through crashes: tracker.idempotency.

Keys belong to the caller: a token's account, or a client without a token (as its address,
keyed under the server's secret: no address is stored). One caller cannot meet another's
key, nor read its answer. Pure ASGI, inside the body limit, so the body it reads is bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.application import Outcome, Recorded
from tracker.bootstrap import Tracker
from tracker.domain.keyed import KeyedWrite
from tracker.idempotency import Answer, IdempotencyKeys, Key
from tracker.web.citizens import client_key
from tracker.web.errors import RETRY_AFTER, UNAVAILABLE, UNAVAILABLE_MESSAGE
from tracker.web.writing import answer

log = logging.getLogger(__name__)

FIELD = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# What a repeat gets back besides the body; the security headers are added outside.
KEPT_HEADERS = ("content-type", "etag", "location")
MAX_KEY = 255


@dataclass(frozen=True)
class _Run:
    """Run the request, its write carrying the key's marker."""

    key: Key


class IdempotentWrites:
    def __init__(self, app: ASGIApp, tracker: Tracker) -> None:
        self.app = app
        self.tracker = tracker
        self.keys = IdempotencyKeys(tracker.write_engine,
                                    timedelta(hours=tracker.settings.idempotency_hours))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if sent is None or scope["method"] != "POST" or \
                not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        key = _parsed(sent)
        if key is None:
            await _problem(400, f"{FIELD} must be 1 to {MAX_KEY} printable ASCII characters "
                                "(a UUID, say)")(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = _replaying(body, receive)
        try:
            caller = await run_in_threadpool(self._caller, Request(scope))
            if caller is None:  # a token that is no token: the route answers 401
                await self.app(scope, replay, send)
                return
            digest = hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()
            decided = await run_in_threadpool(self._decide, digest, _fingerprint(scope, body))
        except UNAVAILABLE as error:
            log.error("idempotency keys unavailable: %s", error)
            await _problem(503, UNAVAILABLE_MESSAGE, {"Retry-After": RETRY_AFTER})(
                scope, receive, send)
            return
        if isinstance(decided, _Run):
            await self._run(scope, replay, send, digest, decided.key)
        else:
            await decided(scope, receive, send)

    def _caller(self, request: Request) -> str | None:
        authorization = request.headers.get("authorization")
        if authorization is None:
            client = hmac.new(self.tracker.secret, client_key(request).encode(),
                              hashlib.sha256).hexdigest()
            return f"client {client}"
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        account = self.tracker.accounts.owner_of(token.strip())
        return None if account is None else f"account {account}"

    def _decide(self, digest: str, fingerprint: str) -> _Run | Response:
        """Run the request (with this marker), or answer it here without running it."""
        position = self.tracker.app.recorder.max_notification_id() or 0
        key = self.keys.begin(digest, fingerprint, position)
        if key.state == "new":
            return _Run(key)
        if key.state == "answered":
            assert key.answer is not None
            return _replayed(key.answer)
        if key.state == "different":
            return _problem(422, f"This {FIELD} was used for a different request; send a "
                                 "new key with a new request")
        # Unfinished: it may have been written by an attempt that died before answering.
        found = self._from_marker(digest, key)
        if found is not None:
            return _replayed(found)
        if key.busy(datetime.now(UTC)) or not self.keys.take_over(digest, key):
            return _problem(409, f"A request with this {FIELD} is still running; send it "
                                 "again in a moment", {"Retry-After": "1"})
        return _Run(key)

    async def _run(self, scope: Scope, receive: Receive, send: Send, digest: str,
                   key: Key) -> None:
        captured = _Captured()
        with self.tracker.app.keyed(key.marker) as keyed:
            try:
                await self.app(scope, receive, captured.send)
            except Exception:
                # Another attempt's write went in first (KeyAlreadyUsed), or this one failed
                # after its write: either way the marker tells what was written.
                found = await run_in_threadpool(self._settle, digest, None, key)
                if found is None:
                    raise
                await _replayed(found)(scope, receive, send)
                return
        if 200 <= captured.status < 300 and keyed.saved:
            await run_in_threadpool(self._settle, digest, captured.kept(), key)
            await captured.forward(send)
            return
        # A refusal, or a failure: look for a write all the same (another attempt's, or
        # this one's before it failed), and answer that.
        found = await run_in_threadpool(self._settle, digest, None, key)
        if found is None:
            await captured.forward(send)
        else:
            await _replayed(found)(scope, receive, send)

    def _settle(self, digest: str, done: Answer | None, key: Key) -> Answer | None:
        """Keep the answer of a write that went in; find one in the event store when the
        attempt did not end in one (None: nothing was written, and a repeat may run)."""
        try:
            if done is not None:
                self.keys.answer(digest, done)
                return done
            found = self._from_marker(digest, key)
            if found is None:
                self.keys.stop(digest)
            return found
        except UNAVAILABLE as error:
            # The key stays "running"; a repeat after its lease looks for the marker again.
            log.error("idempotency key not settled: %s", error)
            return done

    def _from_marker(self, digest: str, key: Key) -> Answer | None:
        found = self.tracker.app.keyed_write(key.marker, key.position)
        if found is None:
            return None
        done = _answer_of(self.tracker.settings.base_url, *found)
        self.keys.answer(digest, done)
        return done


def _answer_of(base: str, marker: KeyedWrite, position: int) -> Answer:
    """The answer the write of this marker gave, or would have given had it lived."""
    status = 201 if marker.created else 200
    if marker.kind == "issues":
        response = answer(base, Outcome(marker.number, marker.at_version, position,
                                        marker.commitment or None), status)
    else:
        response = answer(base, Recorded(marker.slug, marker.at_version, position), status,
                          marker.kind)
    return _kept(response.status_code, response.raw_headers, bytes(response.body))


def _kept(status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw_headers
               if name.decode("latin-1").lower() in KEPT_HEADERS}
    return Answer(status, headers, body)


class _Captured:
    """The downstream answer, held back until it is known whether to send it."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def kept(self) -> Answer:
        return _kept(self.status, self.headers, self.body)

    async def forward(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status,
                    "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def _replayed(done: Answer) -> Response:
    return Response(done.body, status_code=done.status,
                    headers={**done.headers, REPLAYED: "true"})


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail, "field": FIELD}, status_code=status,
                        headers=headers)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def _parsed(sent: bytes) -> str | None:
    """The key, or None when malformed. The draft sends it as a structured-field string
    ("..."); a bare value is taken as it is."""
    text = sent.decode("latin-1").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not 1 <= len(text) <= MAX_KEY or not all(" " <= c <= "~" for c in text):
        return None
    return text


def _fingerprint(scope: Scope, body: bytes) -> str:
    """What makes two requests the same: method, address, If-Match and body (JSON compared
    as data, so a client that re-encodes it with other spacing or key order still matches)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(),
                 scope.get("query_string", b""), _header(scope, b"if-match") or b""):
        digest.update(part + b"\0")
    digest.update(canonical)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the app the body already read, then waits as the real one."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
