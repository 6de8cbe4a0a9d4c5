"""Evidence files: documents and images attached to a commitment's progress or delivery.

A file is kept under its SHA-256 in the data directory (``files/sha256/<hex>``), written
once: the same bytes sent twice are one file, and a name is never taken from the sender, so
no upload can choose where it lands or what it overwrites. Only PDF, PNG and JPEG are taken,
and what a file is is read from its first bytes, never from the name or the type the sender
declares: HTML, SVG, scripts and anything unknown are refused, as is a file whose declared
type is not what its bytes say. Files are served with the type their bytes say, as a
download, under a sandboxing Content-Security-Policy (tracker/web/routes/files.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

# What may be stored, by the bytes it starts with: (content type, file name extension).
KINDS: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}
# Declared types taken as naming the same kind (browsers send some of these).
SAME = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf":
        "application/pdf"}
HEX = re.compile(r"[0-9a-f]{64}")


class FileRefused(Exception):
    """An upload that is not stored: ``status`` is the HTTP answer, ``message`` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    content_type: str
    extension: str
    size: int

    @property
    def path(self) -> str:
        """Its address on this site."""
        return f"/files/sha256/{self.sha256}"


def sniff(head: bytes) -> tuple[str, str] | None:
    """The kind of file its first bytes say it is, if one that is taken."""
    return next((kind for magic, kind in KINDS.items() if head.startswith(magic)), None)


class EvidenceFiles:
    """The store of evidence files in one directory."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def store(self, content: bytes, declared: str | None = None) -> StoredFile:
        """Keep the file (once), or raise FileRefused."""
        if not content:
            raise FileRefused(422, "The file is empty")
        if len(content) > self.max_bytes:
            raise FileRefused(413, f"The file is larger than {self.max_bytes} bytes")
        kind = sniff(content[:16])
        if kind is None:
            raise FileRefused(415, "Only PDF, PNG and JPEG files are taken, and this file "
                                   "is none of them")
        said = (declared or "").split(";")[0].strip().lower()
        said = SAME.get(said, said)
        if said and said != "application/octet-stream" and said != kind[0]:
            raise FileRefused(415, f"The file is not what its type says: it was sent as "
                                   f"{said[:100]}, but its content is {kind[0]}")
        digest = hashlib.sha256(content).hexdigest()
        target = self.root / digest
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            # Written beside its final name and moved there: a reader never sees half a file.
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return StoredFile(digest, kind[0], kind[1], len(content))

    def find(self, sha256: str) -> tuple[Path, StoredFile] | None:
        """The stored file with that hash; None for anything else (no path is ever built
        from what was asked for unless it is 64 hex digits)."""
        if not HEX.fullmatch(sha256):
            return None
        path = self.root / sha256
        if not path.is_file():
            return None
        with path.open("rb") as f:
            kind = sniff(f.read(16))
        if kind is None:  # pragma: no cover - only what sniffs is ever stored
            return None
        return path, StoredFile(sha256, kind[0], kind[1], path.stat().st_size)


def evidence_files(data_dir: Path, max_bytes: int) -> EvidenceFiles:
    return EvidenceFiles(data_dir / "files" / "sha256", max_bytes)
