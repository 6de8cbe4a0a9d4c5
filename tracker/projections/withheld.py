"""Hidden means withdrawn: what of a hidden issue's record stays public, and in what words.

A moderator hides an issue because its text is abusive, defamatory or personal. From then
on its words appear nowhere public, while its number, the fact and date of hiding, and the
moderator's public reason stay; the events stay in the store, and a restore brings the
words back.

Where: the read models themselves hold the withheld rows. On ``hidden`` each projection
moves the issue's text into a private table of its own and leaves placeholders in the
public rows; on ``restored`` it moves the text back. Every page, list, search, feed, JSON
answer, export, calendar, mail and static file reads those public rows, so none of them
(nor any added later) can show the text, a search cannot match it, and no template needs
to know. Filtering at query time instead would have to be repeated in each of the dozen
queries that read titles and texts, and one forgotten query would leak. A rebuild replays
the same hide and restore events, so it gives the same rows.

What: any free text of a hidden issue's entries may quote the citizen. The title and the
description are their own words; a discussion summary, a Board response, a commitment or a
correction routinely restates them, and nothing in a field tells whether it does. So the
rule is an allowlist: only numbers, dates, roles, status keys, slugs, the body an issue
was referred to, and the moderator's reasons for hiding and restoring stay; every other
field of every entry of the issue is withheld while it is hidden. A field added to an
event later is therefore withheld until someone decides otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.glossary import grade_label, status_label
from tracker.domain.status import long_date
from tracker.projections.sentences import (
    imported_sentence,
    owed_sentence,
    response_sentence,
    scored_sentence,
)

WITHHELD_TITLE = "[Title withheld: this issue is hidden]"
WITHHELD_TEXT = "[withheld]"

# Public fields that stay on an entry of a hidden issue (see the module's docstring).
KEPT_FIELDS = frozenset({
    "number", "actor_role", "occurred_on", "supporters", "threshold", "into", "topic",
    "assembly", "grade", "lead", "referred_to", "body", "commitment", "owner", "due",
    "new_due", "status", "entry"})
# The moderator's public reason is the one text that stays.
KEPT_TEXT = {"hidden": frozenset({"reason"}), "restored": frozenset({"reason"}),
             # keys and numbers of judgements; their reasons and answers are withheld
             "citizen_answered": frozenset({"answer", "challenge"}),
             "challenge_answered": frozenset({"challenge"}),
             "commitment_assessed": frozenset({"assessment", "completion", "outcome"}),
             "response_scored": frozenset({"session", "score"}),
             # where an imported commitment came from: the file, row and the row's reference
             "action_imported": frozenset({"reference", "source", "row"})}


def withhold_fields(type_key: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An entry's public fields with the withheld ones set to null (the keys stay, so a
    reader sees what is withheld rather than a different kind of entry)."""
    kept = KEPT_FIELDS | KEPT_TEXT.get(type_key, frozenset())
    return {k: (v if k in kept else None) for k, v in fields.items()}


def withheld_sentence(type_key: str, fields: dict[str, Any], names: dict[str, str]) -> str:
    """The entry's sentence from its kept fields only."""
    f = fields

    def name(slug: Any) -> str:
        return names.get(str(slug), str(slug))

    def day(key: str) -> str:
        return long_date(date.fromisoformat(f[key]))

    match type_key:
        case "submitted":
            return f"Issue {f['number']} was raised"
        case "supported":
            return "Someone added their support"
        case "hidden":
            return f"A moderator hid this issue: {f['reason']}"
        case "restored":
            return f"A moderator restored this issue: {f['reason']}"
        case "merged":
            return f"Merged into issue {f['into']} as a duplicate"
        case "topic_assigned":
            return f"Grouped under the topic {name(f['topic'])}"
        case "scheduled":
            return f"Put on the agenda of {name(f['assembly'])}"
        case "presented":
            return f"Presented at {name(f['assembly'])}"
        case "discussed":
            return f"Discussed at {name(f['assembly'])}"
        case "board_responded":
            return response_sentence(f["grade"], name(f["lead"]), f["referred_to"])
        case "revised_response_requested":
            return "The Board was asked for a revised response"
        case "commitment_made":
            return f"New commitment by {name(f['owner'])}, due {day('due')}"
        case "progress_recorded" if f["status"] == "no_public_evidence":
            return f"Commitment {f['commitment']} has no public evidence"
        case "progress_recorded":
            return f"Commitment {f['commitment']} is {status_label(f['status']).lower()}"
        case "due_date_moved":
            return f"Commitment {f['commitment']} is now due {day('new_due')}"
        case "commitment_delivered":
            return f"Commitment {f['commitment']} was delivered"
        case "action_imported":
            return imported_sentence(f["commitment"], f["source"], f["row"], f["reference"])
        case "commitment_dropped":
            return f"Commitment {f['commitment']} was dropped"
        case "referral_answered":
            return f"{f['body']} answered"
        case "response_owed":
            return owed_sentence(f["supporters"])
        case "closed":
            return "Closed"
        case "reopened":
            return "Reopened"
        case "corrected":
            return f"Correction to entry {f['entry']}"
        case "citizen_answered" if f["challenge"]:
            return f"Challenge {f['challenge']} of commitment {f['commitment']}"
        case "citizen_answered":
            return f"Someone answered about commitment {f['commitment']}"
        case "challenge_answered":
            return f"The secretariat answered challenge {f['challenge']}"
        case "commitment_assessed":
            return (f"The assessor graded commitment {f['commitment']}: "
                    f"{grade_label(f['completion']).lower()}, outcome "
                    f"{grade_label(f['outcome']).lower()}")
        case "commitment_amended":
            return f"Commitment {f['commitment']} was amended"
        case "response_scored":
            return scored_sentence(name(f["assembly"]), f["score"])
    return "An entry whose text is withheld"
