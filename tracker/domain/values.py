"""Value types and the checks that every aggregate shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.errors import InvalidValue

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_SHORT = 300
MAX_URL = 2_000


class Role(StrEnum):
    """Who did something. Keys are stable; the public sees them in every entry."""

    CITIZEN = "citizen"
    SECRETARIAT = "secretariat"
    MODERATOR = "moderator"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The account behind a command: an opaque id and a role, never personal data."""

    account_id: str
    role: Role

    def __post_init__(self) -> None:
        if not self.account_id or len(self.account_id) > 100:
            raise InvalidValue("An actor needs an account id of 1 to 100 characters",
                               field="actor")
        object.__setattr__(self, "role", Role(self.role))


def required_text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    """Strip a text and insist it is present and not too long."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text", field=field)
    stripped = value.strip()
    if not stripped:
        raise InvalidValue(f"{field} must not be empty", field=field)
    if len(stripped) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters", field=field)
    return stripped


def optional_text(value: str | None, field: str, limit: int = MAX_TEXT) -> str:
    """Strip an optional text; absent becomes the empty string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text", field=field)
    stripped = value.strip()
    if len(stripped) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters", field=field)
    return stripped


def slug(value: str, field: str = "slug") -> str:
    """A lower-case, hyphenated address part such as ``mental-health``."""
    if not isinstance(value, str) or not SLUG_PATTERN.match(value) or len(value) > 80:
        raise InvalidValue(
            f"{field} must be lower-case letters, digits and single hyphens (at most 80)",
            field=field,
        )
    return value


def evidence_link(value: str | None, field: str = "evidence") -> str:
    """An evidence reference: an http(s) link or a document reference such as 'Paper 14/07'."""
    text = optional_text(value, field, MAX_URL)
    if text.lower().startswith(("javascript:", "data:", "vbscript:")):
        raise InvalidValue(f"{field} must be a web link or a document reference", field=field)
    return text


def a_date(value: object, field: str) -> date:
    """Insist on a real calendar date (not a datetime, not a string)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    raise InvalidValue(f"{field} must be a calendar date (YYYY-MM-DD)", field=field)
