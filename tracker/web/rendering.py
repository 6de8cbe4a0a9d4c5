"""Render a page template into an HTML response."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse


def render(request: Request, template: str, status_code: int = 200, *,
           section: str = "", **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(template).render(
        request=request, section=section, **context)
    return HTMLResponse(html, status_code=status_code)
