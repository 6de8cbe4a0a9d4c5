"""Commitment cards on an issue page: each promise's state said with its dates.

Built from the issue's status row and its public history (which the page reads anyway), so
a card can say when the promise was first due, when it was delivered and whether on time,
why it was dropped, and the owner's own latest claim beside "overdue".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from tracker.domain.glossary import status_label
from tracker.domain.wording import duration, long_date
from tracker.projections.issues import CommitmentView
from tracker.projections.timeline import TimelineEntry


@dataclass(frozen=True)
class Card:
    commitment: CommitmentView
    tag: str  # a status key, or "overdue"
    tag_label: str
    state: str  # said after the tag: "Due 30 September 2015 (first promised ...): ..."
    latest_claim: str  # the owner's latest word, when the card is overdue
    evidence_text: str  # what the evidence link says
    evidence_host: str  # where it points ("" for a document reference)


def commitment_cards(commitments: tuple[CommitmentView, ...], history: list[TimelineEntry],
                     today: date, silent_days: int) -> list[Card]:
    return [_card(c, [e for e in history if e.commitment == c.commitment], today,
                  silent_days) for c in commitments]


def _card(c: CommitmentView, story: list[TimelineEntry], today: date,
          silent_days: int) -> Card:
    made = next((e for e in story if e.type == "commitment_made"), None)
    first_due = _date(made.fields.get("due")) if made else None
    due = f"Due {long_date(c.due)}"
    if first_due and first_due != c.due:
        due += f" (first promised {long_date(first_due)})"
    updates = [e for e in story if e.type in ("progress_recorded", "commitment_delivered",
                                                "commitment_dropped", "due_date_moved")]
    last = updates[-1] if updates else None
    claim = ""
    evidence_text = evidence_host = ""
    if c.status == "delivered":
        delivered = next((e for e in reversed(story) if e.type == "commitment_delivered"), None)
        on = delivered.occurred_on if delivered else (c.last_update_on or c.made_on)
        late = "on time" if on <= c.due else f"{duration(c.due, on)} late"
        state = f"{long_date(on)}, {late} (due {long_date(c.due)})"
        note = str(delivered.fields.get("note", "")) if delivered else ""
        evidence_text = note or "Evidence of delivery"
    elif c.status == "dropped":
        dropped = next((e for e in reversed(story) if e.type == "commitment_dropped"), None)
        on = dropped.occurred_on if dropped else (c.last_update_on or c.made_on)
        reason = str(dropped.fields.get("reason", "")) if dropped else ""
        state = long_date(on) + (f": {reason}" if reason else "")
    elif c.overdue:
        state = f"{due}: {duration(c.due, today)} overdue"
        progress = next((e for e in reversed(story) if e.type == "progress_recorded"), None)
        if progress is not None:
            claim = (f"The owner's latest update, {long_date(progress.occurred_on)}: "
                     f"{status_label(str(progress.fields.get('status', '')))}. "
                     f"{progress.fields.get('note', '')}").strip()
        else:
            claim = f"No update from the owner since it was promised on {long_date(c.made_on)}."
    else:
        since = last.occurred_on if last else c.made_on
        silent = (today - since).days >= silent_days
        if last:
            said = f"{'no update since' if silent else 'last update'} {long_date(since)}"
        else:
            said = f"promised {long_date(c.made_on)}{', no update since' if silent else ''}"
        state = f"{said}. {due}"
    if c.evidence:
        evidence_host = urlsplit(c.evidence).hostname or "" if _is_link(c.evidence) else ""
        evidence_text = evidence_text or ("Evidence" if evidence_host else c.evidence)
    tag = "overdue" if c.overdue else c.status
    return Card(commitment=c, tag=tag,
                tag_label="Overdue" if c.overdue else status_label(c.status),
                state=state, latest_claim=claim, evidence_text=evidence_text,
                evidence_host=evidence_host)


def _is_link(text: str) -> bool:
    return text.startswith("http://") or text.startswith("https://")


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
