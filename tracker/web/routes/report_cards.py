"""An assembly's report card: each grade of Board response, responses on time, promises
kept; as a page, JSON and CSV (rendered by tracker.site)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from tracker.site import api, pages
from tracker.site.addresses import Read
from tracker.web.edge import SlugInPath
from tracker.web.http_cache import SiteDep
from tracker.web.replies import refusals

router = APIRouter(tags=["assemblies"])


@router.get("/api/v1/assemblies/{slug}/report-card", responses=refusals(404, 422))
async def read_report_card(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """An assembly's report card: how many issues got each grade of Board response, how many
    responses came on time (and the median days to respond), how many promises were kept."""
    return await site.answer(request, Read("report-card-json", api.report_card_json, slug))


@router.get("/assemblies/{slug}/report-card", response_class=HTMLResponse,
            include_in_schema=False)
async def report_card_page(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """The report card as a page."""
    return await site.answer(request, Read("report-card-page", pages.report_card_page, slug))


@router.get("/assemblies/{slug}/report-card.csv", response_class=Response,
            include_in_schema=False)
async def report_card_csv(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """The report card as CSV: one line per figure, with its stable key."""
    return await site.answer(request, Read("report-card-csv", api.report_card_csv, slug))
