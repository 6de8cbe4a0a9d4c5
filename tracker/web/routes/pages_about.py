"""Public pages: the glossary of stages and statuses."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.domain.glossary import (
    CITIZEN_ANSWERS,
    COMMITMENT_STATUSES,
    COMPLETION_GRADES,
    DERIVED,
    OUTCOME_GRADES,
    RESPONSE_GRADES,
    STAGES,
)
from tracker.web.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/about/reading", response_class=HTMLResponse)
def reading_page(request: Request) -> HTMLResponse:
    """How to read this site, for citizens."""
    return render(request, "reading.html", section="about")


@router.get("/about/statuses", response_class=HTMLResponse)
def statuses_page(request: Request) -> HTMLResponse:
    """What every stage, status and verdict means."""
    return render(request, "statuses.html", section="about", stages=STAGES,
                  statuses=COMMITMENT_STATUSES, derived=DERIVED, grades=RESPONSE_GRADES,
                  judgements=JUDGEMENTS)


# Who else judges delivery: each scale, its id prefix on the page, and its keys.
JUDGEMENTS = (
    ("Citizens say: was it delivered?", "answer", CITIZEN_ANSWERS),
    ("The assessor's completion grade", "completion", COMPLETION_GRADES),
    ("The assessor's outcome grade", "outcome", OUTCOME_GRADES),
)
