"""Signed links in mails: confirm a request, leave a subscription, manage an address's follows,
answer the question "was it delivered?".

Signed (itsdangerous, keyed by the server's secret), so a link cannot be made up; each kind
of link has its own salt, so one cannot stand in for another. What a link carries is a
random key drawn once for its request or subscription (see ``store``), never a row id and
never the address: a token is only base64, and links end up in logs and browser histories.

The salts name the key-carrying format: links of the earlier format, which carried row ids
and the address, fail the signature and get the "not valid any more" page.
"""

from __future__ import annotations

from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer

from tracker.following.store import CONFIRM_DAYS

MANAGE_DAYS = 90
QUESTION_DAYS = 120  # "was it delivered?" can be answered from the mail for this long
PURPOSES = ("confirm", "unsubscribe", "manage", "question")


class Links:
    def __init__(self, secret: bytes, base_url: str) -> None:
        self._base = base_url
        self._signers = {purpose: URLSafeTimedSerializer(secret, salt=f"follow-{purpose}-key")
                         for purpose in PURPOSES}

    def path(self, purpose: str, key: str) -> str:
        """The link's path and query, for pages of this site."""
        return self.path_of(purpose, str(self._signers[purpose].dumps(key)))

    @staticmethod
    def path_of(purpose: str, token: str) -> str:
        """The path of a link with this token, as it is (a page's form posts the token it
        was opened with: signing a fresh one would restart the link's time)."""
        return f"/follow/{purpose}?token={quote(token)}"

    def _url(self, purpose: str, key: str) -> str:
        return self._base + self.path(purpose, key)

    def confirm(self, request_key: str) -> str:
        return self._url("confirm", request_key)

    def unsubscribe(self, link_key: str) -> str:
        return self._url("unsubscribe", link_key)

    def manage(self, link_key: str) -> str:
        return self._url("manage", link_key)

    def question(self, notice_key: str) -> str:
        return self._url("question", notice_key)

    def read(self, purpose: str, token: str) -> str | None:
        """The key behind a link, or None when it is forged, mangled or expired.
        Unsubscribe links never expire: leaving must always work."""
        max_age = {"confirm": CONFIRM_DAYS, "manage": MANAGE_DAYS,
                   "question": QUESTION_DAYS}.get(purpose)
        try:
            value: object = self._signers[purpose].loads(
                token, max_age=max_age * 86_400 if max_age else None)
        except (BadSignature, KeyError):
            return None
        return value if isinstance(value, str) else None
