"""C2SP checkpoints (https://c2sp.org/tlog-checkpoint): a signed note naming a tree head.

The body is three lines, each ending in a newline: the log's origin, the tree size in
decimal, and the base64 root hash; optional extension lines follow (this log writes none).
The log signs with its Ed25519 key named after the origin; witnesses may add cosignatures.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.ledger.errors import MalformedNote, UnverifiedNote
from tracker.ledger.hashes import HASH_SIZE
from tracker.ledger.note import Signature, Signer, Verifier, open_note, sign_note


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log, how many leaves, and their root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lines = (self.origin, *self.extensions)
        if not all(lines) or any("\n" in line for line in lines):
            raise MalformedNote("a checkpoint's origin and extension lines are non-empty lines")
        if not 0 <= self.size < 1 << 64 or len(self.root) != HASH_SIZE:
            raise MalformedNote("a checkpoint has a size in [0, 2**64) and a 32-byte root")

    def body(self) -> str:
        """The note text: origin, size and base64 root, each line ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(),
                 *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """The checkpoint in a note's text; MalformedNote unless it is well formed."""
        if not body.endswith("\n"):
            raise MalformedNote("a checkpoint's text ends in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3 or not all(lines):
            raise MalformedNote("a checkpoint is an origin, a size and a root hash, non-empty")
        origin, size, root = lines[:3]
        if not re.fullmatch(r"0|[1-9][0-9]*", size) or int(size) >= 1 << 64:
            raise MalformedNote("a checkpoint's size is a decimal with no leading zeros")
        try:
            digest = base64.b64decode(root, validate=True)
        except (binascii.Error, ValueError) as error:
            raise MalformedNote("a checkpoint's root hash is base64") from error
        if len(digest) != HASH_SIZE:
            raise MalformedNote("a checkpoint's root hash is 32 bytes")
        return cls(origin, int(size), digest, tuple(lines[3:]))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose log signature verified, with the cosignatures that came with it."""

    checkpoint: Checkpoint
    signature: Signature
    cosignatures: tuple[Signature, ...]  # by other trusted keys (witnesses), verified
    unknown: tuple[Signature, ...]  # by keys the reader does not know, ignored


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed checkpoint note."""
    return sign_note(checkpoint.body(), signer)


def open_checkpoint(text: str | bytes, log: Verifier, witnesses: Iterable[Verifier] = (),
                    origin: str | None = None) -> SignedCheckpoint:
    """Parse a signed checkpoint and require the log's own signature.

    `origin` is the origin the reader expects (default: the log key's name), so a note
    signed for another log by the same key is refused. Cosignatures by `witnesses` are
    verified and reported; those by unknown keys are ignored, as the spec says.
    """
    note = open_note(text, [log, *witnesses])
    own = [s for s in note.signatures if (s.name, s.key_id) == (log.name, log.key_id)]
    if not own:
        raise UnverifiedNote(f"the checkpoint is not signed by {log.name}")
    checkpoint = Checkpoint.parse(note.text)
    expected = log.name if origin is None else origin
    if checkpoint.origin != expected:
        raise MalformedNote(f"the checkpoint is for {checkpoint.origin!r}, not {expected!r}")
    others = tuple(s for s in note.signatures if s is not own[0])
    return SignedCheckpoint(checkpoint, own[0], others, note.unverified)
