"""Stable entry and feed ids: RFC 4151 tag URIs.

Built only from the public host name, a fixed date and the identity of what they name (an
issue number and entry number, or a derived key), so they are the same after a rebuild, on
another machine, and in every format.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# The date in a tag URI says when the authority owned the name; it must never change.
TAG_DATE = "2014"


def authority(base_url: str) -> str:
    host = urlsplit(base_url).hostname
    if not host:
        raise ValueError(f"not an absolute address: {base_url!r}")
    return host.lower()


def tag_uri(base_url: str, specific: str) -> str:
    """``tag:tracker.example.org,2014:issues/12/entries/7``"""
    return f"tag:{authority(base_url)},{TAG_DATE}:{specific.strip('/')}"


def entry_id(base_url: str, issue: int, entry: int) -> str:
    return tag_uri(base_url, f"issues/{issue}/entries/{entry}")


def overdue_id(base_url: str, issue: int, commitment: int, due: str) -> str:
    # The due date is part of the id: a commitment that is moved and then missed again is a
    # second, different overdue entry.
    return tag_uri(base_url, f"issues/{issue}/commitments/{commitment}/overdue/{due}")
