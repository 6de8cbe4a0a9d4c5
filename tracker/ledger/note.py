"""C2SP signed notes (https://c2sp.org/signed-note), as Go's golang.org/x/mod/sumdb/note.

A note is UTF-8 text ending in a newline, a blank line, and signature lines
`— <key name> <base64(4-byte key id || signature)>`. Keys are written as strings:
a verifier key `<name>+<hex key id>+<base64(type || public key)>` and a signer key
`PRIVATE+KEY+<name>+<hex key id>+<base64(type || private seed)>`, with the key id the first
four bytes of SHA-256(name || 0x0A || type || public key). Two signature types are read:
0x01, Ed25519 over the text (what the log signs with), and 0x04, a witness's timestamped
Ed25519 cosignature (https://c2sp.org/tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256

from cryptography.exceptions import InvalidSignature as _BadEd25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tracker.ledger.errors import InvalidKey, InvalidSignature, MalformedNote, UnverifiedNote

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100  # the spec asks for at least 16; Go's reader stops at 100
_DASH = "\u2014 "
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def valid_name(name: str) -> bool:
    """A key name is non-empty, with no Unicode space and no plus sign."""
    return bool(name) and not any(c.isspace() for c in name) and "+" not in name


def key_id(name: str, typed_public_key: bytes) -> int:
    """The 32-bit key id: SHA-256(name || 0x0A || type || public key), first 4 bytes."""
    return int.from_bytes(sha256(name.encode() + b"\n" + typed_public_key).digest()[:4], "big")


@dataclass(frozen=True)
class Signature:
    """One signature line; `timestamp` is set for a verified witness cosignature."""

    name: str
    key_id: int
    base64: str
    timestamp: int | None = None

    @property
    def line(self) -> str:
        """The signature line, with its newline."""
        return f"{_DASH}{self.name} {self.base64}\n"


@dataclass(frozen=True)
class Verifier:
    """A public key that checks one kind of signature by one named signer."""

    name: str
    key_id: int
    type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The verifier key string, `<name>+<hex id>+<base64(type || key)>`."""
        data = base64.b64encode(bytes([self.type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{data}"

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Check a signature (without its key id); return its timestamp (0 if none).

        Returns None when the signature does not verify.
        """
        key = Ed25519PublicKey.from_public_bytes(self.public_key)
        timestamp = 0
        if self.type == COSIGNATURE_V1:
            if len(signature) != 8 + 64:
                return None
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp >= 1 << 63:
                return None
            text = b"cosignature/v1\ntime %d\n" % timestamp + text
            signature = signature[8:]
        try:
            key.verify(signature, text)
        except _BadEd25519:
            return None
        return timestamp


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key under a name: signs notes and checkpoints."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        """The matching verifier."""
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, self.key_id, ED25519, public)

    @property
    def skey(self) -> str:
        """The signer key string, `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`: secret."""
        seed = self.private_key.private_bytes_raw()
        data = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{data}"

    def sign(self, text: bytes) -> bytes:
        """The raw Ed25519 signature of `text`."""
        return self.private_key.sign(text)


@dataclass(frozen=True)
class Note:
    """A note's text, its verified signatures, and those by keys the reader does not know."""

    text: str
    signatures: tuple[Signature, ...]
    unverified: tuple[Signature, ...] = ()


def generate_signer(name: str) -> Signer:
    """A new random Ed25519 signer under `name`."""
    if not valid_name(name):
        raise InvalidKey(f"key name {name!r} is empty or has a space or a plus sign")
    return _signer(name, Ed25519PrivateKey.generate())


def parse_signer_key(skey: str) -> Signer:
    """The signer in a `PRIVATE+KEY+...` string; InvalidKey if malformed or inconsistent."""
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise InvalidKey("a signer key starts with PRIVATE+KEY+ and has five parts")
    name, hex_id, data = parts[2], parts[3], _decode(parts[4], InvalidKey)
    if not valid_name(name) or not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise InvalidKey("malformed signer key name or key id")
    if len(data) != 33 or data[0] != ED25519:
        raise InvalidKey("a signer key holds type 0x01 and a 32-byte Ed25519 seed")
    signer = _signer(name, Ed25519PrivateKey.from_private_bytes(data[1:]))
    if signer.key_id != int(hex_id, 16):
        raise InvalidKey("the signer key's id does not match its public key")
    return signer


def parse_verifier_key(vkey: str) -> Verifier:
    """The verifier in a `<name>+<hex id>+<base64>` string; InvalidKey if malformed."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3 or not valid_name(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise InvalidKey("a verifier key is <name>+<8 hex digits>+<base64 key>")
    name, data = parts[0], _decode(parts[2], InvalidKey)
    if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE_V1):
        raise InvalidKey("a verifier key holds type 0x01 or 0x04 and a 32-byte Ed25519 key")
    if key_id(name, data) != int(parts[1], 16):
        raise InvalidKey("the verifier key's id does not match its key")
    return Verifier(name, int(parts[1], 16), data[0], data[1:])


def sign_note(text: str, *signers: Signer, keep: Iterable[Signature] = ()) -> str:
    """The signed note: `text`, then the kept signatures (minus re-signed keys), then new ones."""
    if not text.endswith("\n") or _CONTROL.search(text) or (not signers and not keep):
        raise MalformedNote("a note's text ends in a newline, has no control characters"
                            " and gets at least one signature")
    body = text.encode()
    fresh = {(s.name, s.key_id) for s in signers}
    lines = [s.line for s in keep if (s.name, s.key_id) not in fresh]
    for signer in signers:
        raw = signer.key_id.to_bytes(4, "big") + signer.sign(body)
        lines.append(Signature(signer.name, signer.key_id, base64.b64encode(raw).decode()).line)
    return text + "\n" + "".join(lines)


def open_note(message: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse a signed note and check every signature by a known key.

    A signature by an unknown (name, key id) is kept in `unverified`, as the spec requires;
    one by a known key that fails raises InvalidSignature; a note with no verified
    signature raises UnverifiedNote; a malformed one raises MalformedNote.
    """
    text, lines = _split(message)
    known: dict[tuple[str, int], Verifier] = {}
    for v in verifiers:
        if known.setdefault((v.name, v.key_id), v) != v:
            raise InvalidKey(f"two different keys named {v.name}+{v.key_id:08x}")
    body = text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for line in lines:
        name, _, b64 = line[len(_DASH):].partition(" ")
        raw = _decode(b64, MalformedNote)
        if not valid_name(name) or len(raw) < 5:
            raise MalformedNote("malformed signature line")
        ident = (name, int.from_bytes(raw[:4], "big"))
        signature = Signature(name, ident[1], b64)
        verifier = known.get(ident)
        if verifier is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if ident in seen:
            continue
        seen.add(ident)
        timestamp = verifier.verify(body, raw[4:])
        if timestamp is None:
            raise InvalidSignature(name, ident[1])
        stamp = timestamp if verifier.type == COSIGNATURE_V1 else None
        verified.append(Signature(name, ident[1], b64, stamp))
    if not verified:
        raise UnverifiedNote("the note has no signature by a trusted key")
    return Note(text, tuple(verified), tuple(unverified))


def _split(message: str | bytes) -> tuple[str, list[str]]:
    try:
        text = message.decode() if isinstance(message, bytes) else message
        text.encode()  # a str may still hold lone surrogates
    except UnicodeError as error:
        raise MalformedNote("a signed note is UTF-8") from error
    if _CONTROL.search(text):
        raise MalformedNote("a signed note has no control characters but newlines")
    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n") or split + 2 == len(text):
        raise MalformedNote("a signed note is text, a blank line and signature lines")
    lines = text[split + 2:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    if not all(line.startswith(_DASH) for line in lines):
        raise MalformedNote("every line after the blank line is a signature")
    return text[:split + 1], lines


def _decode(data: str, error: type[Exception]) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error("malformed base64") from exc


def _signer(name: str, private_key: Ed25519PrivateKey) -> Signer:
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Signer(name, key_id(name, bytes([ED25519]) + public), private_key)
