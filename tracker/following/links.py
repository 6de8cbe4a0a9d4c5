"""Signed links in mails: confirm a subscription, leave it, manage an address's follows.

Signed (itsdangerous, keyed by the server's secret), so a link cannot be made up for
someone else's subscription or address; each kind of link has its own salt, so one cannot
stand in for another.
"""

from __future__ import annotations

from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer

CONFIRM_DAYS = 3
MANAGE_DAYS = 90


class Links:
    def __init__(self, secret: bytes, base_url: str) -> None:
        self._base = base_url
        self._signers = {purpose: URLSafeTimedSerializer(secret, salt=f"follow-{purpose}")
                         for purpose in ("confirm", "unsubscribe", "manage")}

    def path(self, purpose: str, value: object) -> str:
        """The link's path and query, for pages of this site."""
        token = self._signers[purpose].dumps(value)
        return f"/follow/{purpose}?token={quote(str(token))}"

    def _url(self, purpose: str, value: object) -> str:
        return self._base + self.path(purpose, value)

    def confirm(self, subscription_id: int) -> str:
        return self._url("confirm", subscription_id)

    def unsubscribe(self, subscription_id: int) -> str:
        return self._url("unsubscribe", subscription_id)

    def manage(self, email: str) -> str:
        return self._url("manage", email)

    def read(self, purpose: str, token: str) -> object | None:
        """The value behind a link, or None when it is forged, mangled or expired.
        Unsubscribe links never expire: leaving must always work."""
        max_age = {"confirm": CONFIRM_DAYS, "manage": MANAGE_DAYS}.get(purpose)
        try:
            value: object = self._signers[purpose].loads(
                token, max_age=max_age * 86_400 if max_age else None)
            return value
        except (BadSignature, KeyError):
            return None
