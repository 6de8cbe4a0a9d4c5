"""Evidence files by their SHA-256, as stored (tracker/evidence_files.py)."""

from __future__ import annotations

from sqlalchemy import Connection

from tracker.evidence_files import evidence_files
from tracker.site.answer import Answer, SiteContext, problem

# A stored file never changes (its address is its hash); it is never shown in the page
# that links it, never run, and never taken for another type.
SERVED = (
    ("cache-control", "public, max-age=31536000, immutable"),
    ("x-content-type-options", "nosniff"),
    ("content-security-policy", "default-src 'none'; sandbox"),
    ("cross-origin-resource-policy", "same-origin"),
)


def evidence_file(_conn: Connection | None, ctx: SiteContext, sha256: str) -> Answer:
    found = evidence_files(ctx.settings.data_dir, ctx.settings.max_file_bytes).find(sha256)
    if found is None:
        return problem(404, "There is no such file")
    path, stored = found
    return Answer(200, stored.content_type, path.read_bytes(), (*SERVED, (
        "content-disposition",
        f'attachment; filename="evidence-{stored.sha256[:12]}.{stored.extension}"')))
