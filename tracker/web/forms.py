"""HTML forms made from the write API's request models, so a form and its JSON twin check
exactly the same limits and report problems under the same field names.

A form is described (fields, labels, kinds) from the pydantic model, read back from the
posted form data into that model, and, when something is wrong, shown again with what was
typed and a message next to each field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tracker.domain.glossary import COMPLETION_GRADES, OUTCOME_GRADES
from tracker.domain.response import Grade

# Labels a person reads; the field names stay those of the JSON API.
LABELS = {
    "title": "Title", "description": "Description", "contact_name": "Your name (optional)",
    "contact_email": "Your e-mail address (optional)", "slug": "Short name for addresses",
    "name": "Name", "role": "Role", "date": "Date", "place": "Place", "topic": "Topic",
    "assembly": "Assembly", "presenter": "Presented by", "summary": "Summary",
    "key_questions": "Key questions (one per line)", "proposals": "Proposals (one per line)",
    "grade": "Grade", "lead": "Lead owner (when accepted, or accepted in part)",
    "referred_to": "Referred to (when referring)", "text": "What is promised",
    "owner": "Owner", "due": "Due date", "measure": "How success is measured",
    "status": "Status", "note": "Note", "evidence_url": "Evidence (a link or a document reference)",
    "new_due": "New due date", "reason": "Reason (shown in public)", "answer": "Answer",
    "outcome": "What changed", "into": "Duplicate of issue number",
    "action": "Action", "entry": "Entry number to correct", "correction": "What is right",
    "occurred_on": "When it happened (leave empty for today)",
    "field": "What to change", "value": "New value",
}

CHOICES = {
    "grade": {g.value: g.label for g in Grade},
    "action": {"hide": "Hide", "restore": "Restore"},
    "field": {"text": "What is promised", "owner": "Owner", "due": "Due date",
              "measure": "How success is measured"},
    "status": {"on_track": "On track", "at_risk": "At risk", "delayed": "Delayed",
               "no_public_evidence": "No public evidence", "delivered": "Delivered",
               "dropped": "Dropped"},
}

# Judgements by others than the Board (labels from the glossary's scales).
LABELS.update({"completion": "Completion", "sources": "Sources: links or document "
               "references (one per line)", "statement": "The panel's statement"})
CHOICES.update({
    "completion": {k: label for k, (label, _) in COMPLETION_GRADES.items()},
    "outcome": {k: label for k, (label, _) in OUTCOME_GRADES.items()},
})

LONG_TEXT = 300  # a text field allowing more than this many characters is a text area


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # text, textarea, lines, date, number, select, email
    required: bool
    hint: str = ""
    options: dict[str, str] = field(default_factory=dict)
    max_length: int | None = None
    value: str = ""
    error: str = ""
    # A date or text field with ``options`` offers them as suggestions to choose from, and a
    # box named ``<name>_other`` for any other value, typed: what it holds.
    other: str = ""

    @property
    def suggests(self) -> bool:
        return bool(self.options) and self.kind in ("date", "text")


def _plain(annotation: Any) -> tuple[Any, bool]:
    """The annotation without None, and whether None was allowed."""
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def _max_length(metadata: list[Any]) -> int | None:
    return next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)


def describe(model: type[BaseModel], only: tuple[str, ...] | None = None,
             choices: dict[str, dict[str, str]] | None = None) -> list[FormField]:
    """The form's fields, in the model's order (or ``only``'s), empty."""
    fields = []
    for name in only or tuple(model.model_fields):
        info = model.model_fields[name]
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(
                "deprecated") and only is None:
            continue  # still taken from JSON (part one's clients); never offered on a form
        base, _ = _plain(info.annotation)
        length = _max_length(info.metadata)
        options = (choices or {}).get(name) or {}
        if options:
            kind = "select"
        elif get_origin(base) is Literal:
            kind, options = "select", {
                v: CHOICES.get(name, {}).get(v, str(v).replace("_", " ").capitalize())
                for v in get_args(base)}
        elif get_origin(base) is list:
            kind = "lines"
        elif base is date:
            kind = "date"
        elif base is int:
            kind = "number"
        elif name.endswith("email"):
            kind = "email"
        else:
            kind = "textarea" if length is None or length > LONG_TEXT else "text"
        fields.append(FormField(name=name, label=LABELS.get(name, name.replace("_", " ")),
                                kind=kind, required=info.is_required(),
                                hint=info.description or "", options=options,
                                max_length=length))
    return fields


# A posted form (Starlette's FormData) or the values a page stands for.
Posted = Mapping[str, object]


def read(model: type[BaseModel], fields: list[FormField], form: Posted
         ) -> dict[str, str | list[str]]:
    """Posted values for the model: empty optional fields left out, lines split."""
    values: dict[str, str | list[str]] = {}
    for f in fields:
        raw = str(form.get(f.name, "")).replace("\r\n", "\n")
        f.value = raw
        if f.kind == "date" or f.suggests:  # a date typed wins over the one chosen, which
            f.other = str(form.get(f.name + "_other", ""))  # may be the form's preset
            if f.other.strip():
                raw = f.value = f.other
        if f.kind == "lines":
            lines = [line.strip() for line in raw.split("\n") if line.strip()]
            if lines:
                values[f.name] = lines
        elif raw.strip() or f.required:
            values[f.name] = raw
    return values


def validate(model: type[BaseModel], fields: list[FormField], form: Posted,
             fixed: Mapping[str, object] | None = None) -> BaseModel | None:
    """The command, or None with a message set on each field at fault. ``fixed`` holds
    values the form itself stands for (a delivery form means status "delivered")."""
    try:
        return model.model_validate({**read(model, fields, form), **(fixed or {})})
    except ValidationError as error:
        by_name = {f.name: f for f in fields}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            target = by_name.get(name)
            if target is not None and not target.error:
                target.error = _message(problem, target)
        return None


def _message(problem: ErrorDetails, target: FormField) -> str:
    kind = problem.get("type", "")
    if kind in ("missing", "string_too_short"):
        return f"Enter {target.label.split(' (')[0].lower()}"
    if kind == "string_too_long":
        return f"{target.label.split(' (')[0]} must be {target.max_length} characters or fewer"
    if kind.startswith("date"):
        return "Enter a real date, as YYYY-MM-DD"
    if kind == "plain_text":  # the text rules (tracker.web.edge) speak of the field's name
        text: str = problem.get("msg", "")
        if text.endswith("must not be empty"):  # it showed nothing
            return f"Enter {target.label.split(' (')[0].lower()}"
        return text.replace(target.name, target.label.split(" (")[0], 1)
    if kind == "string_pattern_mismatch":
        return "Use lower-case letters, digits and single hyphens, e.g. mental-health"
    msg: str = problem.get("msg", "This value is not valid")
    return msg.removeprefix("Value error, ")


def place_error(fields: list[FormField], name: str | None, message: str) -> str:
    """Put a domain error next to its field; returns it when no field of the form has it."""
    for f in fields:
        if f.name == name:
            f.error = message
            return ""
    return message
