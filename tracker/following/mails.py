"""The mails: plain text and HTML from templates, with one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.config import Settings
from tracker.site.templating import human_date

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                   autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)
_env.filters["human_date"] = human_date


def compose(settings: Settings, to: str, subject: str, template: str,
            unsubscribe_url: str | None, **context: Any) -> EmailMessage:
    """A message with a text part and an HTML alternative, rendered from ``template``."""
    from datetime import UTC, datetime

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
    message.set_content(_env.get_template(f"{template}.txt").render(context))
    message.add_alternative(_env.get_template(f"{template}.html").render(context),
                            subtype="html")
    return message
