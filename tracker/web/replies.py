"""Response models of the JSON write API, and the refusals each command documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Written(BaseModel):
    """What a write did: the issue (or slug), its new version, and the log position reached."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"number": 16, "version": 1, "position": 412,
         "url": "https://tracker.example.org/issues/16"}]})

    number: int | None = Field(default=None, description="The issue's public number")
    slug: str | None = Field(default=None, description="The topic, owner or assembly created")
    version: int = Field(description="The new version; send it back as If-Match to write again")
    position: int = Field(description="The event log position reached; reads show it at once")
    url: str | None = Field(default=None, description="The public page of what was written")
    commitment: int | None = Field(default=None,
                                   description="The new commitment's number within the issue")


class FieldProblem(BaseModel):
    field: str
    detail: str


class Problem(BaseModel):
    """Why a request was refused; ``field`` names the input at fault, when there is one."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": "InvalidValue", "detail": "title must be at most 200 characters",
         "field": "title"}]})

    detail: str
    field: str | None = None
    error: str | None = Field(default=None, description="The domain rule that refused it")
    errors: list[FieldProblem] | None = Field(default=None,
                                              description="Every invalid field (422 only)")
    current_version: int | None = Field(
        default=None, description="412 only: the issue's version now; read it and retry")


_MEANING = {
    400: "A malformed If-Match or Idempotency-Key header",
    401: "No bearer token, or an unknown or revoked one",
    403: "The token's role may not run this command (see the authorisation table), or a "
         "browser sent it from another site's page",
    404: "No such issue, commitment, topic, owner or assembly",
    409: "The issue's present state does not allow this command, or a request with the "
         "same Idempotency-Key is still running",
    412: "If-Match named a version that is no longer current; nothing was written",
    413: "The request body is larger than the limit",
    415: "The body was not sent as JSON (Content-Type: application/json)",
    422: "A field is missing, too long or malformed, or the Idempotency-Key was used for a "
         "different request; `field` names it",
    429: "Too many requests from this client; wait for Retry-After seconds",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals an endpoint can give."""
    return {code: {"model": Problem, "description": _MEANING[code]} for code in codes}


def body_in(*media_types: str, description: str = "The document",
            refusing: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for an answer that is not JSON (feeds, calendars, exports):
    the media types it comes in, a 304 for conditional requests, and its refusals."""
    content = {media: {"schema": {"type": "object" if media.endswith("json") else "string"}}
               for media in media_types}
    return {200: {"description": description, "content": content},
            304: {"description": "Not modified since the ETag or date sent"},
            **refusals(*refusing)}
