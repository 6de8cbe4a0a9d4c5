"""The mails: plain text and HTML from templates, with one-click unsubscribe (RFC 8058).

The templates' environment is made once, by the container (tracker.bootstrap), and given
to ``Mail`` with the settings: nothing here is built at import time.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.config import Settings

TEMPLATES = Path(__file__).parent / "templates"


def mail_environment(filters: Mapping[str, Callable[..., Any]]) -> Environment:
    """The mails' Jinja environment, with the filters their templates use."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(filters)
    return env


@dataclass(frozen=True)
class Mail:
    """Composing and sending mails: the settings (sender, SMTP) and the templates."""

    settings: Settings
    templates: Environment

    def compose(self, to: str, subject: str, template: str, unsubscribe_url: str | None,
                **context: Any) -> EmailMessage:
        """A message with a text part and an HTML alternative, rendered from ``template``."""
        settings = self.settings
        context = {"organisation": settings.organisation, "base_url": settings.base_url,
                   "unsubscribe_url": unsubscribe_url, **context}
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = to
        # Header injection is impossible: a subject is one line, whatever was typed.
        message["Subject"] = " ".join(subject.split())[:200]
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=urlsplit(settings.base_url).hostname or None)
        message["Auto-Submitted"] = "auto-generated"
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(self.templates.get_template(f"{template}.txt").render(context))
        message.add_alternative(
            self.templates.get_template(f"{template}.html").render(context), subtype="html")
        return message

    def connect(self) -> smtplib.SMTP:
        """A connection to the SMTP server, as the settings say now."""
        s = self.settings
        kind = smtplib.SMTP_SSL if s.smtp_tls else smtplib.SMTP
        connection = kind(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        if s.smtp_starttls and not s.smtp_tls:
            connection.starttls()
        if s.smtp_user:
            connection.login(s.smtp_user, s.smtp_password)
        return connection
