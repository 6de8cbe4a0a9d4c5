"""The kinds of field a command's request is made of, with the limits the domain sets.

The limits repeat the domain's (tracker/domain/values.py and the aggregates), so a refusal
names the field before the command runs; the domain checks them again, as the last word.
Every text is typed with the domain's text rules: one line or several (``Line``,
``Lines``), and whether it must say something (``Said...``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from tracker.domain import values
from tracker.domain.errors import InvalidValue

MAX_NUMBER = 2_147_483_647  # the largest number every database's integer holds


def _text_rule(*, lines: bool, said: bool) -> AfterValidator:
    """A pydantic check applying the domain's text rules, reported under the field's name."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        field = info.field_name or "text"
        try:
            text = values.plain_text(value, field, lines=lines)
        except InvalidValue as error:
            raise PydanticCustomError("plain_text", error.message) from None
        if values.is_blank(text):
            if said:
                raise PydanticCustomError("plain_text", f"{field} must not be empty")
            return ""
        return text

    return AfterValidator(check)


# One line or several; "Said" when the text must say something (shows something).
Line = _text_rule(lines=False, said=False)
Lines = _text_rule(lines=True, said=False)
SaidLine = _text_rule(lines=False, said=True)
SaidLines = _text_rule(lines=True, said=True)

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80,
                            examples=["mental-health"])]
Short = Annotated[str, Field(min_length=1, max_length=values.MAX_SHORT), SaidLine]
Text = Annotated[str, Field(min_length=1, max_length=values.MAX_TEXT), SaidLines]
Name = Annotated[str | None, Field(max_length=120), Line]
OccurredOn = Annotated[date | None, Field(
    description="When it happened (YYYY-MM-DD), if not today; never in the future",
    examples=["2014-09-18"])]


def request(**example: Any) -> ConfigDict:
    """A request's settings: unknown fields refused (a misspelt optional field would
    otherwise vanish without the client ever knowing), spaces trimmed, one example."""
    return ConfigDict(extra="forbid", str_strip_whitespace=True,
                      json_schema_extra={"examples": [example]})
