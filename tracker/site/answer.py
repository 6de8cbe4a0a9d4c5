"""What a renderer returns, and what it reads besides its parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment
from pydantic_core import to_jsonable_python

from tracker.config import Settings
from tracker.log_identity import LogIdentity

HTML = "text/html; charset=utf-8"
JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """A rendered answer: status, content type, bytes, and headers of its own (a ``Link``
    to the next page, a ``Content-Disposition``) that belong to the answer, not the moment."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AsOf:
    """The past day a read is rendered as of (tracker.site.time_travel), and the address
    of today's version of it."""

    day: date
    today_address: str


@dataclass(frozen=True)
class SiteContext:
    """What renderers read besides the database: today's date, settings, templates, and
    the verifiable log's identity."""

    clock: Callable[[], date]
    settings: Settings
    env: Environment = field(compare=False)
    log: LogIdentity | None = None  # the verifiable log's origin and key
    as_of: AsOf | None = None  # rendering a past day's version (``?as_of=``)
    # Served by the web app, where the API answers (an entry links its inclusion proof);
    # a static copy has no API, so its pages leave those links out.
    live: bool = False


def page(ctx: SiteContext, template: str, status_code: int = 200, *, section: str = "",
         **context: Any) -> Answer:
    html = ctx.env.get_template(template).render(section=section, as_of=ctx.as_of,
                                                      live=ctx.live, **context)
    return Answer(status_code, HTML, html.encode("utf-8"))


def not_found_page(ctx: SiteContext, message: str) -> Answer:
    return page(ctx, "not_found.html", 404, message=message)


def json_body(content: Any) -> bytes:
    """JSON as the web framework writes it (compact, UTF-8), so both give the same bytes."""
    return json.dumps(to_jsonable_python(content), ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def json_answer(content: Any, status: int = 200,
                headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer(status, JSON, json_body(content), headers)


def problem(status: int, detail: str, field_name: str | None = None) -> Answer:
    """A refusal for programs, shaped as the web app's error handler shapes its own."""
    return json_answer({"detail": detail, "field": field_name}, status)
