"""What an account name and a new password must be, and how a stored name is shown.

Names are typed on a command line and read in terminals and pages, so they keep to a small
ASCII alphabet: no escape sequences, line breaks, tabs, invisible characters, or letters of
other scripts that look like Latin ones ("admin" with a Cyrillic "a", U+0430). Accounts made
before this rule keep working; wherever such a name is printed it is escaped (``shown``).

Passwords: long enough (NIST SP 800-63B's one useful rule), not blank, and not easy to guess.
"Easy to guess" is judged by zxcvbn (the Python port of Dropbox's estimator, MIT licence):
it knows the commonly used passwords of public breach lists, dictionary words, names,
keyboard walks, repeats and dates, and estimates how many guesses an attacker would need.
A bare top-N list catches only exact matches ("password1234" but not "passw0rd1234").
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from tracker.domain.errors import InvalidValue

NAME_RULE = ("An account name is 1 to 64 characters: ASCII letters, digits, '.', '-' and "
             "'_', starting with a letter or a digit")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

MIN_PASSWORD = 12
MAX_PASSWORD = 1_024
# zxcvbn's own limit (its cost grows with the length); a password whose first 72
# characters are hard to guess is no easier as a whole.
_JUDGED = 72
# zxcvbn scores 0 to 4; 3 is "safely unguessable": about 10^10 guesses or more.
MIN_SCORE = 3
# Words anyone attacking this site would try first, besides the account's own name.
_SITE_WORDS = ("tracker", "citizens", "assembly", "board", "admin", "staff")


def check_name(name: str) -> str:
    """The name, if it keeps to the alphabet; else InvalidValue naming the field."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise InvalidValue(f"{NAME_RULE}; {shown(name)} is not", field="name")
    return name


def is_plain(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def shown(name: object) -> str:
    """A stored name as it may safely be printed: as it is when it keeps to the alphabet,
    otherwise quoted with every character outside printable ASCII escaped (``'\\x1b[31m'``,
    ``'adm\\u0456n'``), so no name can pass for another or act on a terminal."""
    text = str(name)
    return text if is_plain(text) else ascii(text)


def printable(text: str) -> str:
    """Free text (an operating-system user name, say) with everything outside printable
    ASCII escaped, spaces kept."""
    return "".join(c if " " <= c <= "~" and c != "\\" else ascii(c)[1:-1] for c in text)


def check_new_password(password: str, name: str = "") -> None:
    """Refuse a password that is too short or long, blank, or easy to guess."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValue(f"A password must be {MIN_PASSWORD} to {MAX_PASSWORD} "
                           "characters long", field="password")
    if not password.strip():
        raise InvalidValue("A password cannot be only spaces", field="password")
    judged = zxcvbn(password[:_JUDGED], user_inputs=[name, *_SITE_WORDS])
    if int(judged["score"]) < MIN_SCORE:
        why = judged["feedback"].get("warning") or "It follows a common pattern."
        raise InvalidValue(f"That password is too easy to guess: {why.rstrip('.')}. Choose "
                           "another, for example four or five unrelated words",
                           field="password")
