"""Feed entry titles that read on their own: the issue, then what happened to it.

A feed reader shows an entry's title out of context, among other feeds' entries, so each
names its issue and, for a commitment, the promise itself (not "Commitment 1"):
"Issue 13, Carers should get a health check of their own: commitment dropped (run a national
carers' health campaign)". Worked out when a feed is read from the stored entry, so every
entry recorded so far reads this way. Uses only fields that stay public while an issue is
hidden (withheld.py), plus the issue's title and the commitment's text as the public rows
hold them (placeholders while hidden).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.glossary import status_label
from tracker.domain.wording import long_date

# Longest promise text quoted in a title; the entry's content has it in full.
PROMISE_IN_TITLE = 80


def _short(text: str) -> str:
    text = " ".join(text.split())
    if text.startswith("Illustrative: "):  # the demo's marker stays in the content
        text = text[len("Illustrative: "):]
    if len(text) <= PROMISE_IN_TITLE:
        return text
    return text[:PROMISE_IN_TITLE].rsplit(" ", 1)[0] + "…"


def what_happened(type_key: str, fields: dict[str, Any], names: dict[str, str],
                  promise: str = "") -> str:
    """A short phrase for the entry, in lower case after the issue's name."""
    f = fields

    def name(key: str) -> str:
        return names.get(str(f.get(key)), str(f.get(key)))

    def day(key: str) -> str:
        try:
            return long_date(date.fromisoformat(str(f.get(key))))
        except ValueError:
            return str(f.get(key))

    about = f" ({_short(promise)})" if promise else ""
    match type_key:
        case "submitted":
            return "raised by a citizen"
        case "supported":
            return "someone added their support"
        case "hidden":
            return "hidden by a moderator"
        case "restored":
            return "restored by a moderator"
        case "merged":
            return f"merged into issue {f.get('into')}"
        case "topic_assigned":
            return f"grouped under {name('topic')}"
        case "scheduled":
            return f"on the agenda of {name('assembly')}"
        case "presented":
            return f"presented at {name('assembly')}"
        case "discussed":
            return f"discussed at {name('assembly')}"
        case "board_responded" if f.get("grade") in ("accepted", "accepted_in_part"):
            return "the Board agreed to act"
        case "board_responded" if f.get("grade") == "accepted_in_principle":
            return "the Board accepted it in principle but promised nothing"
        case "board_responded" if f.get("grade") == "noted":
            return "the Board noted it but promised nothing"
        case "board_responded" if f.get("grade") == "rejected":
            return "the Board rejected it"
        case "board_responded" if f.get("grade") == "referred":
            return f"referred to {f.get('referred_to')}"
        case "board_responded":
            return "the Board responded"
        case "revised_response_requested":
            return "a revised Board response was asked for"
        case "commitment_made":
            return f"new commitment, due {day('due')}{about}"
        case "progress_recorded" if f.get("status") == "no_public_evidence":
            return f"commitment has no public evidence{about}"
        case "progress_recorded":
            return f"commitment {status_label(str(f.get('status'))).lower()}{about}"
        case "due_date_moved":
            return f"commitment now due {day('new_due')}{about}"
        case "commitment_delivered":
            return f"commitment delivered{about}"
        case "action_imported":
            return f"commitment imported from the action log{about}"
        case "commitment_dropped":
            return f"commitment dropped{about}"
        case "referral_answered":
            return f"{f.get('body')} answered"
        case "closed":
            return "closed"
        case "reopened":
            return "reopened"
        case "corrected":
            return f"entry {f.get('entry')} corrected"
        case "response_scored":
            return (f"the Board's response scored {f.get('score')} out of 10 by the "
                    f"panel of {name('assembly')}")
        case "overdue":
            return f"commitment overdue, due {day('due')}{about}"
    return "updated"


def headline(number: int, issue_title: str, type_key: str, fields: dict[str, Any],
             names: dict[str, str], promise: str = "") -> str:
    """'Issue 13, Carers should get a health check of their own: commitment dropped (...)'"""
    return f"Issue {number}, {issue_title}: {what_happened(type_key, fields, names, promise)}"
