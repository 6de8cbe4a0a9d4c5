"""An assembly's report card: each grade of Board response, responses on time, promises
kept; as a page, JSON and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from tracker.projections.report_card import ReportCard, report_card
from tracker.web.conditional import answer
from tracker.web.deps import TrackerDep
from tracker.web.edge import SlugInPath
from tracker.web.rendering import render
from tracker.web.replies import refusals

router = APIRouter(tags=["assemblies"])


def _card(conn: Connection, tracker: Any, slug: str) -> ReportCard | None:
    return report_card(conn, slug, tracker.clock(), tracker.settings.clocks)


@router.get("/api/v1/assemblies/{slug}/report-card", responses=refusals(404, 422))
async def read_report_card(slug: SlugInPath, request: Request,
                           tracker: TrackerDep) -> Response:
    """An assembly's report card: how many issues got each grade of Board response, how many
    responses came on time (and the median days to respond), how many promises were kept."""

    def build(conn: Connection) -> dict[str, Any]:
        card = _card(conn, tracker, slug)
        if card is None:
            raise HTTPException(404, detail=f"There is no assembly '{slug}'")
        return {**asdict(card), "grades": {str(k): v for k, v in card.grades.items()},
                "promised": card.promised}

    return await answer(request, tracker, "report-card-json", build)


@router.get("/assemblies/{slug}/report-card", response_class=HTMLResponse,
            include_in_schema=False)
async def report_card_page(slug: SlugInPath, request: Request,
                           tracker: TrackerDep) -> Response:
    """The report card as a page."""

    def build(conn: Connection) -> Response:
        card = _card(conn, tracker, slug)
        if card is None:
            return render(request, "not_found.html", 404,
                          message=f"There is no assembly called '{slug}'.")
        return render(request, "report_card.html", section="assemblies", card=card)

    return await answer(request, tracker, "report-card-page", build)


@router.get("/assemblies/{slug}/report-card.csv", response_class=Response,
            include_in_schema=False)
async def report_card_csv(slug: SlugInPath, request: Request, tracker: TrackerDep) -> Response:
    """The report card as CSV: one line per figure, with its stable key."""

    def build(conn: Connection) -> Response:
        card = _card(conn, tracker, slug)
        if card is None:
            raise HTTPException(404, detail=f"There is no assembly '{slug}'")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["assembly", "key", "figure", "count"])
        for key, label, count in card.rows():
            writer.writerow([slug, key, label, count])
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'inline; filename="{slug}-report-card.csv"'})

    return await answer(request, tracker, "report-card-csv", build)
