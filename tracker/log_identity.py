"""The verifiable log's identity: its origin (name), its signing key, and its entry salts.

The origin names the log in every checkpoint; by default it is the site's address without
its scheme, followed by ``/log`` (``tracker.example.org/log``). The Ed25519 key is given by
``TRACKER_LOG_KEY`` (a ``PRIVATE+KEY+...`` string, as several machines must share one), or
made once in the data directory as ``log.key``, mode 0600. The key is also what the salts of
the entries' word commitments are derived from (see tracker/projections/ledger.py): a
rebuild needs the same key to arrive at the same tree, and a new key is a new log.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from tracker.config import Settings, SettingsError
from tracker.ledger import KeyFileError, LedgerError, key_from_setting, load_or_create_key
from tracker.ledger.note import Signer, Verifier
from tracker.private_files import private_directory

KEY_FILE = "log.key"
_SALT_LABEL = b"tracker log entry salt v1\n"


def default_origin(base_url: str) -> str:
    """The site's address without scheme or trailing slash, and ``/log``."""
    parts = urlsplit(base_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}/log"


class LogIdentity:
    """The log's origin and key for one process; the key is read (or made) on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.origin = settings.log_origin or default_origin(settings.base_url)
        self._lock = threading.Lock()

    @cached_property
    def signer(self) -> Signer:
        """The log's signing key; SettingsError naming the setting if it is unusable."""
        with self._lock:
            try:
                if self.settings.log_key:
                    signer, _ = key_from_setting(self.settings.log_key)
                else:
                    path = Path(self.settings.data_dir) / KEY_FILE
                    private_directory(path.parent, tighten=False)
                    signer, _ = load_or_create_key(path, self.origin)
            except KeyFileError as error:
                raise SettingsError(f"TRACKER_DATA_DIR: {error}") from None
            except (LedgerError, OSError) as error:
                raise SettingsError(f"TRACKER_LOG_KEY: {error}") from None
            if signer.name != self.origin:
                raise SettingsError(f"TRACKER_LOG_KEY: the key is named {signer.name!r}, "
                                    f"but the log's origin is {self.origin!r}")
            return signer

    @property
    def verifier(self) -> Verifier:
        """The public key readers check checkpoints with."""
        return self.signer.verifier

    def key_id(self) -> int:
        """The key's id, stored with the tree: a process with another key may not append."""
        return self.signer.key_id

    @cached_property
    def _salt_key(self) -> bytes:
        return hmac.new(self.signer.private_key.private_bytes_raw(), _SALT_LABEL,
                        hashlib.sha256).digest()

    def salt(self, leaf_index: int) -> bytes:
        """The secret salt of one entry's word commitment: the same on every rebuild."""
        return hmac.digest(self._salt_key, leaf_index.to_bytes(8, "big"), "sha256")
