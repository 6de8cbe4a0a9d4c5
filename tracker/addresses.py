"""The one stored form of an e-mail address, used where it is kept and where it is erased.

An address reaches us in many spellings of one mailbox: ``Zoe@XN--BCHER-KVA.de`` and
``zoe@bücher.de`` are the same. Both paths (storing, and ``erase-person``) go through
``normalise``, so an erasure always finds what was stored, however either was typed.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidAddress(ValueError):
    """Not an e-mail address; the message says why, in a sentence."""


def normalise(email: str) -> str:
    """The address as stored: domain in Unicode (IDNA decoded), NFC, all lower case.

    The same validation as the forms' (pydantic's EmailStr: no DNS lookup), so every
    address a form accepted has exactly one stored form."""
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidAddress(f"{email.strip()!r} is not an e-mail address: {error}") from None
    return valid.normalized.lower()
