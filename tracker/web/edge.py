"""What the app accepts at its edge, checked before any route uses it.

- Text in a request body: the request models' fields are typed with the domain's text
  rules (tracker/commands/fields.py), so a refusal names the field before any command runs.
- Query parameters: none may hold what no text may (tracker.domain.values.plain_text), nor
  a line break: a 422 naming the parameter (pages answer with their 404 page). Path
  parameters likewise, as a 404: an address with a control character in it is none of ours.
- A slug in an address is checked by one typed dependency (``SlugInPath``) before anything
  uses it: not a slug, a 404.
- The public JSON commands (submit, support) are refused from another site's page, and
  unless sent as JSON: a browser must then ask first (a CORS preflight, which this site never
  grants), so no page elsewhere can make its visitors raise or support an issue.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError

from tracker.domain import values
from tracker.domain.errors import InvalidValue
from tracker.web.staff_session import from_another_site


async def plain_parameters(request: Request) -> None:
    """Every route's dependency: refuse a query or path parameter no text may hold."""
    for value in request.path_params.values():
        if isinstance(value, str) and _problem(value, "path"):
            raise HTTPException(404, detail="There is nothing at this address")
    for name, value in request.query_params.multi_items():
        if _problem(name, "name"):
            raise _invalid_query("query", "A parameter's name must be plain text")
        if problem := _problem(value, name):
            raise _invalid_query(name, problem)


def _problem(value: str, field: str) -> str:
    try:
        values.plain_text(value, field)
    except InvalidValue as error:
        return error.message
    return ""


def _invalid_query(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message,
                                    "type": "plain_text"}])


async def known_slug(slug: Annotated[str, Path(
        description="Lower-case letters, digits and single hyphens (at most 80)",
        examples=["mental-health"])]) -> str:
    """A slug in an address, checked before anything uses it; anything else is a 404."""
    try:
        return values.slug(slug)
    except InvalidValue:
        raise HTTPException(404, detail="There is nothing at this address") from None


SlugInPath = Annotated[str, Depends(known_slug)]


async def same_site_json(request: Request) -> None:
    """The public JSON commands: from this site or no browser at all, and sent as JSON."""
    if from_another_site(request):
        raise HTTPException(403, detail={
            "field": "Origin",
            "detail": "This request was sent from another site's page, so it was refused."})
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, detail={
            "field": "Content-Type",
            "detail": "Send the body as JSON with Content-Type: application/json "
                      "(the body {} when there is nothing to say)."})
