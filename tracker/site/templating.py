"""The Jinja2 environment for pages and mails: our templates first, then the NHS.UK
frontend macros. Nothing here needs the web framework."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from tracker.config import Settings
from tracker.credentials import shown
from tracker.domain.answer import OUTCOMES, PROMISE_STATES, answer_sentence, on_time_sentence
from tracker.domain.glossary import grade_label, stage_label, status_label
from tracker.domain.status import long_date
from tracker.domain.wording import days_in_words, duration
from tracker.site.markdown import to_html

WEB_DIR = Path(__file__).parent.parent / "web"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor" / "nhsuk"


def human_date(value: date | datetime | None) -> str:
    """6 November 2014 (UK style, no leading zero)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return long_date(value)


def overdue_for(due: date, days: int) -> str:
    """How long a commitment due on ``due`` has been overdue, in words ('over 3 months')."""
    return duration(due, due + timedelta(days=days))


def iso(value: date | datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def build_environment(settings: Settings) -> Environment:
    """One environment per app: globals carry the organisation's name, logo and styles."""
    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(TEMPLATES_DIR),
            PackageLoader("nhsuk_frontend_jinja"),
        ]),
        # The NHS.UK macros read optional parameters in chains (params.a.b).
        undefined=ChainableUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_date"] = human_date
    env.filters["iso"] = iso
    env.filters["days_in_words"] = days_in_words
    env.filters["shown"] = shown  # an account name, escaped if outside its alphabet
    env.filters["markdown"] = to_html
    env.globals["stage_label"] = stage_label
    env.globals["status_label"] = status_label
    env.globals["grade_label"] = grade_label
    env.globals["overdue_for"] = overdue_for
    env.globals["answer_sentence"] = answer_sentence
    env.globals["on_time_sentence"] = on_time_sentence
    env.globals["OUTCOMES"] = OUTCOMES
    env.globals["PROMISE_STATES"] = PROMISE_STATES
    has_vendor = (VENDOR_DIR / "nhsuk-frontend.min.css").exists()
    site: dict[str, Any] = {
        "organisation": settings.organisation,
        "logo_url": settings.logo_url or "/static/logo.svg",
        "base_url": settings.base_url,
        "mail_enabled": settings.mail_enabled,
        "stylesheets": (["/static/vendor/nhsuk/nhsuk-frontend.min.css"] if has_vendor else [])
        + ["/static/tracker.css"],
        "scripts": ["/static/init.js"] if has_vendor else [],
    }
    env.globals["site"] = site
    return env
