"""The log's signing key: made once, kept in a file only its owner can read.

Either a setting holds the signer key string (`PRIVATE+KEY+...`, e.g. from a secret
store), or a file does. A missing file is created with mode 0600 and a fresh key; two
processes starting together both end up with the same key, because the file is written
under a temporary name and linked into place only if nothing is there yet. A key file that
the group or others can read is refused, as ssh refuses a private key: the key's secrecy
is what the whole log's signature rests on.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from tracker.ledger.errors import InvalidKey, KeyFileError
from tracker.ledger.note import Signer, Verifier, generate_signer, parse_signer_key


def key_from_setting(skey: str) -> tuple[Signer, Verifier]:
    """The signer and verifier for a `PRIVATE+KEY+...` string."""
    signer = parse_signer_key(skey)
    return signer, signer.verifier


def load_or_create_key(path: Path, name: str) -> tuple[Signer, Verifier]:
    """The signer and verifier kept at `path`, made (mode 0600) if the file is missing.

    KeyFileError if the file is readable by others, unreadable, or holds a key under
    another name than `name`.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create(path, generate_signer(name))
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"{path} is open to other users (mode {stat.S_IMODE(mode):04o});"
                           " run chmod 600 on it")
    try:
        signer = parse_signer_key(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, InvalidKey) as error:
        raise KeyFileError(f"{path} does not hold a usable signer key: {error}") from error
    if signer.name != name:
        raise KeyFileError(f"{path} holds the key of {signer.name!r}, not {name!r}")
    return signer, signer.verifier


def _create(path: Path, signer: Signer) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(signer.skey + "\n")
            file.flush()
            os.fsync(file.fileno())
        # Linking fails if another process made the key first: then its key is the key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
