"""Value types and the checks that every aggregate shares."""

from __future__ import annotations

import re
import unicodedata
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
    # An independent body (a local Healthwatch, a university) that grades delivery.
    ASSESSOR = "assessor"
    # Whoever is accountable for commitments (an owner's account): updates its own only.
    OWNER = "owner"


@dataclass(frozen=True)
class Actor:
    """The account behind a command: an opaque id and a role, never personal data."""

    account_id: str
    role: Role
    # For the owner role: the slug of the owner whose commitments the account may update.
    # Never stored in events (they carry the account id and role only).
    owner: str | None = None

    def __post_init__(self) -> None:
        if not self.account_id or len(self.account_id) > 100:
            raise InvalidValue("An actor needs an account id of 1 to 100 characters",
                               field="actor")
        object.__setattr__(self, "role", Role(self.role))


# The text rules, in one place: the domain applies them to every command, the web applies
# the same functions to every field and parameter before anything runs (tracker/web/edge.py).
#
# Never accepted: controls (C0, DEL, C1), which XML feeds cannot carry, which break lines in
# calendars, CSV and logs, and of which NUL cannot be stored by PostgreSQL at all; unpaired
# surrogates, which cannot be encoded; and the noncharacters U+FFFE, U+FFFF, U+FDD0-U+FDEF.
# A text that may hold several lines keeps newlines and tabs; its CR LF and CR become LF.
_NEVER = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
FORBIDDEN_IN_LINES = re.compile(f"[{_NEVER}]")
FORBIDDEN_IN_A_LINE = re.compile(f"[\t\n{_NEVER}]")
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make text
# read differently from what it holds ("Trojan Source"); they are dropped, never stored.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Shown as nothing, yet not whitespace to str.strip(): a text of only these is empty.
_FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def allows_lines(limit: int) -> bool:
    """A text longer than a short one may hold several lines (forms show it as a text area)."""
    return limit > MAX_SHORT


def plain_text(value: object, field: str, *, lines: bool = False) -> str:
    """Text as the record may hold it: bidirectional controls dropped, line endings as LF,
    ends stripped. Refused, naming ``field``, if it holds a character that no page, feed,
    calendar, export or database can carry, or a line break or tab where it is one line."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text", field=field)
    text = _BIDI.sub("", value)
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = (FORBIDDEN_IN_LINES if lines else FORBIDDEN_IN_A_LINE).search(text)
    if found is not None:
        raise InvalidValue(f"{field} must not contain {_described(found.group())}",
                           field=field)
    return text.strip()


def is_blank(text: str) -> bool:
    """Whether nothing of the text would be seen: only spaces and invisible characters
    (zero-width spaces and joiners, format characters, fillers)."""
    return all(c in _FILLERS or unicodedata.category(c) in _UNSEEN_CATEGORIES for c in text)


def _described(character: str) -> str:
    code = f"U+{ord(character):04X}"
    if character in "\t\n\r":
        return f"a line break or tab ({code}): it is one line"
    if "\ud800" <= character <= "\udfff":
        return f"an unpaired surrogate ({code})"
    if unicodedata.category(character) == "Cc":
        return f"a control character ({code})"
    return f"a noncharacter ({code})"


def required_text(value: str, field: str, limit: int = MAX_TEXT, *,
                  lines: bool | None = None) -> str:
    """A text that must say something (see plain_text), of at most ``limit`` characters."""
    text = plain_text(value, field, lines=allows_lines(limit) if lines is None else lines)
    if is_blank(text):
        raise InvalidValue(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters", field=field)
    return text


def optional_text(value: str | None, field: str, limit: int = MAX_TEXT, *,
                  lines: bool | None = None) -> str:
    """An optional text (see plain_text); absent or blank becomes the empty string."""
    if value is None:
        return ""
    text = plain_text(value, field, lines=allows_lines(limit) if lines is None else lines)
    if len(text) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters", field=field)
    return "" if is_blank(text) else text


def slug(value: str, field: str = "slug") -> str:
    """A lower-case, hyphenated address part such as ``mental-health``."""
    # fullmatch: ``$`` would let a trailing newline through.
    if not isinstance(value, str) or len(value) > 80 or not SLUG_PATTERN.fullmatch(value):
        raise InvalidValue(
            f"{field} must be lower-case letters, digits and single hyphens (at most 80)",
            field=field,
        )
    return value


def evidence_link(value: str | None, field: str = "evidence") -> str:
    """An evidence reference: an http(s) link or a document reference such as 'Paper 14/07'."""
    text = optional_text(value, field, MAX_URL, lines=False)
    if text.lower().startswith(("javascript:", "data:", "vbscript:")):
        raise InvalidValue(f"{field} must be a web link or a document reference", field=field)
    return text


def a_date(value: object, field: str) -> date:
    """Insist on a real calendar date (not a datetime, not a string)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    raise InvalidValue(f"{field} must be a calendar date (YYYY-MM-DD)", field=field)
