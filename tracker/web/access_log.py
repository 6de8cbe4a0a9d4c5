"""Signed link tokens never reach the access log: they are capabilities (a follow's manage
link works for 90 days, its unsubscribe link for ever), and a log is read by more people and
kept longer than a mailbox. uvicorn logs each request's path with its query string."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"([?&]token=)[^&\s\"]*")


class HideTokens(logging.Filter):
    """Replaces the value of any ``token=`` query parameter in a log record's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN.sub(r"\1[hidden]", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


_filter = HideTokens()


def hide_tokens_in_access_log() -> None:
    """Idempotent: a logger keeps one copy of a filter however often it is added."""
    logging.getLogger("uvicorn.access").addFilter(_filter)
