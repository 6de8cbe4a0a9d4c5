"""The ledger's errors: each names what was wrong, never a stack of internals."""

from __future__ import annotations


class LedgerError(ValueError):
    """Something handed to the ledger is malformed or does not verify."""


class InvalidProof(LedgerError):
    """An inclusion or consistency proof does not lead to the expected root."""


class MalformedNote(LedgerError):
    """A signed note or checkpoint does not follow the signed-note format."""


class InvalidKey(LedgerError):
    """A signer or verifier key string is malformed or its key id does not match."""


class InvalidSignature(LedgerError):
    """A signature by a known key does not verify: the note was altered or forged."""

    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(f"invalid signature for key {name}+{key_id:08x}")
        self.name = name
        self.key_id = key_id


class UnverifiedNote(LedgerError):
    """A well-formed note carries no signature by any key the reader trusts."""


class TileError(LedgerError):
    """A tile or entry bundle is missing, has the wrong size, or its path is malformed."""


class KeyFileError(LedgerError):
    """The signing key file cannot be used safely (wrong mode, wrong name, unreadable)."""
