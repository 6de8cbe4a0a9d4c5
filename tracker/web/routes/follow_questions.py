"""The question mailed to followers, "was it delivered?", answered from the mail's link.

The link (signed, carrying the notice's random key: tracker.following.links) opens a page
with one button per answer; only the page's POST records the answer, so a mail scanner
that opens every link records nothing. The answer runs the same command as the issue
page's form and the API (``answer_delivery``), under the same rate limit, and is counted
once per person by the same kind of pseudonymous key: made from the address the question
was mailed to, so one address counts once per commitment however often it answers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tracker.following.links import Links
from tracker.following.notices import Notice, by_link
from tracker.following.questions import KINDS
from tracker.following.store import Follows
from tracker.projections import issues as issue_status
from tracker.web.citizens import answerer_id, client_key
from tracker.web.deps import (
    AppDep,
    ClockDep,
    FollowsDep,
    LinksDep,
    RateLimitsDep,
    ReadEngineDep,
    SecretDep,
    SettingsDep,
    ShowWrittenDep,
)
from tracker.web.rendering import render
from tracker.web.routes.pages_judgements import record_answer
from tracker.web.staff_session import check_origin

router = APIRouter(tags=["pages"], include_in_schema=False)

Token = Annotated[str, Query(max_length=500)]

BAD_LINK = ("This link is not valid any more",
            "It may have expired, or been cut short by your mail program. You can still "
            "answer on the issue's page.")


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _notice(links: Links, follows: Follows, token: str) -> Notice | None:
    key = links.read("question", token)
    notice = by_link(follows.engine, key) if key is not None else None
    return notice if notice is not None and notice.kind in KINDS else None


def _bad_link(request: Request) -> Response:
    heading, message = BAD_LINK
    return _private(render(request, "follow.html", 400, section="", heading=heading,
                           message=message))


@router.get("/question", response_class=HTMLResponse)
def question_page(request: Request, links: LinksDep, follows: FollowsDep,
                  read_engine: ReadEngineDep, clock: ClockDep, settings: SettingsDep,
                  token: Token = "") -> Response:
    """The question with one button per answer; opening it records nothing."""
    notice = _notice(links, follows, token)
    if notice is None:
        return _bad_link(request)
    with read_engine.connect() as conn:
        issue = issue_status.get_issue(conn, notice.issue_number, clock(),
                                       settings.silent_days)
    found = [c for c in issue.commitments if c.commitment == notice.commitment] \
        if issue is not None and issue.stage not in ("hidden", "merged") else []
    if issue is None or not found:
        return _private(render(request, "follow.html", 404, section="",
                               heading="This question cannot be answered now",
                               message="The issue is not shown any more."))
    return _private(render(request, "question.html", section="issues", issue=issue,
                           c=found[0], email=notice.email,
                           action=Links.path_of("question", token)))


@router.post("/question", response_class=HTMLResponse)
async def answer_question(request: Request, links: LinksDep, follows: FollowsDep,
                          limits: RateLimitsDep, secret: SecretDep, app: AppDep,
                          show_written: ShowWrittenDep, read_engine: ReadEngineDep,
                          token: Token = "") -> Response:
    check_origin(request)
    limits.check("answer", client_key(request))
    notice = _notice(links, follows, token)
    if notice is None:
        return _bad_link(request)
    number, commitment = notice.issue_number, notice.commitment
    form = await request.form()

    def refused(message: str, status: int) -> Response:
        return render(request, "problem.html", status,
                      heading="Your answer was not recorded", message=message,
                      back=Links.path_of("question", token),
                      back_text="Go back to the question")

    # The person is the address the question went to, by a pseudonymous key.
    answerer = answerer_id(secret, f"mail:{notice.email}", number, commitment)
    return _private(record_answer(request, form, app, read_engine, show_written, number,
                                  commitment, answerer, refused))
