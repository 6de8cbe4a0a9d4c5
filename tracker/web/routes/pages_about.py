"""Public pages: the glossary of stages and statuses (rendered by tracker.site.pages)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from tracker.site import pages
from tracker.web.http_cache import SiteDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _sent(site: SiteDep, renderer: pages.Renderless) -> Response:
    answer = renderer(None, site.site.context, pages.NOTHING)
    return Response(answer.body, answer.status, media_type=answer.media_type)


@router.get("/about/reading", response_class=HTMLResponse)
def reading_page(site: SiteDep) -> Response:
    """How to read this site, for citizens."""
    return _sent(site, pages.reading_page)


@router.get("/about/statuses", response_class=HTMLResponse)
def statuses_page(site: SiteDep) -> Response:
    """What every stage, status and verdict means."""
    return _sent(site, pages.statuses_page)
