"""Every command, declared once: what it runs, what it takes, who may run it, where it lives.

Made from this list: the permission table (tracker/permissions.py, and its copy in README),
the JSON write routes and their /openapi.json entries (tracker/web/routes/api_write.py),
and the staff forms (tracker/web/routes/staff_issues.py, staff.py). A command's name is its
application method's name. Adding one: docs/architecture.md, "Adding a command".
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from tracker.application import TrackerApplication as App
from tracker.commands import requests as rq
from tracker.commands.command import Choice, Command, Refused
from tracker.domain.values import Role

CITIZEN, SECRETARIAT, MODERATOR, ADMIN, SYSTEM, ASSESSOR = (
    Role.CITIZEN, Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN, Role.SYSTEM, Role.ASSESSOR)
# Citizens may raise and support issues; the secretariat logs the story; moderators keep it
# civil; admins may do anything the secretariat or moderators do (and manage accounts).
STAFF = frozenset({SECRETARIAT, ADMIN, SYSTEM})
ANYONE = frozenset({CITIZEN, SECRETARIAT, ADMIN, SYSTEM})
MODERATORS = frozenset({MODERATOR, ADMIN})
# An owner's account keeps its own commitments current: progress, a new due date, delivery.
# The application also checks that the commitment is the account's owner's.
STAFF_OR_OWNER = STAFF | {Role.OWNER}

ISSUE = "/issues/{number}"
UPDATES = f"{ISSUE}/commitments/{{commitment}}/updates"

# -- Gather: raised and supported by citizens (routes/api_write_citizens.py) -----------------

SUBMIT_ISSUE = Command(
    App.submit_issue, rq.SubmitIssue, ANYONE, "Raise an issue (public, rate limited)",
    "Raise an issue; the answer carries its public number at once.\n\nNo token needed. "
    "Contact details, if given, are kept private for replies and never published. Refused "
    "with 429 and Retry-After when a client sends too many.",
    "/issues", form=False, created=True, rate_limit="submit")
SUPPORT_ISSUE = Command(
    App.support_issue, rq.SupportIssue, ANYONE, "Support an issue (public, once per supporter)",
    "Say \"me too\", with the body `{}` sent as JSON. Each client counts once per issue "
    "(409 the second time).\n\nThe supporter is recorded by a pseudonymous id (an HMAC of "
    "the client's address under the server's secret), never by the address itself. A staff "
    "account counts as itself.",
    f"{ISSUE}/support", form=False, rate_limit="support")

# -- reference data ------------------------------------------------------------------------

CREATE_TOPIC = Command(
    App.create_topic, rq.CreateTopic, STAFF, "Create a topic",
    "A topic groups issues (Access to Services, Mental Health...). 409 if the slug exists.",
    "/topics", created=True)
CREATE_OWNER = Command(
    App.create_owner, rq.CreateOwner, STAFF, "Create an owner",
    "An owner is accountable: a Board member (`kind` board), a team, or an external body "
    "that issues are referred to (`kind` external: Healthwatch England, a local Healthwatch). "
    "A referral's `referred_to` may name an external owner by its slug.",
    "/owners", created=True, arguments={"kind": "owner_kind"})
CREATE_ASSEMBLY = Command(
    App.create_assembly, rq.CreateAssembly, STAFF, "Create an assembly",
    "An assembly is a meeting where issues are presented and discussed with the Board.",
    "/assemblies", created=True, arguments={"date": "held_on"})

# -- the assembly ----------------------------------------------------------------------------

ASSIGN_TOPIC = Command(
    App.assign_topic, rq.AssignTopic, STAFF, "Assign a topic",
    "Group the issue under an existing topic.", f"{ISSUE}/topic", pick={"topic": "topics"})
SCHEDULE_ISSUE = Command(
    App.schedule_issue, rq.Schedule, STAFF, "Schedule for an assembly",
    "Put the issue on an assembly's agenda, with the citizen who will present it.",
    f"{ISSUE}/schedule", pick={"assembly": "assemblies"})
RECORD_PRESENTATION = Command(
    App.record_presentation, rq.Presentation, STAFF, "Record the presentation",
    "Record that a citizen presented the issue at the assembly it is scheduled for.",
    f"{ISSUE}/presentation")
RECORD_DISCUSSION = Command(
    App.record_discussion, rq.Discussion, STAFF, "Record the discussion",
    "Record what was said: a summary, the key questions and the proposals.",
    f"{ISSUE}/discussion", pick={"assembly": "assemblies"})

# -- the Board -------------------------------------------------------------------------------

RECORD_RESPONSE = Command(
    App.record_response, rq.BoardResponse, STAFF, "Record the Board's response",
    "The response and its grade: `accepted` or `accepted_in_part` (with a lead owner; only "
    "these lead to commitments), `accepted_in_principle`, `noted` (nothing promised), "
    "`rejected` (with its `reason`) or `referred` (naming the body in `referred_to`). Part "
    "one's `decision` (commit, decline, refer) is still taken instead of `grade`.",
    f"{ISSUE}/response", pick={"lead": "owners"})
REQUEST_REVISED_RESPONSE = Command(
    App.request_revised_response, rq.RevisedResponseRequest, STAFF,
    "Request a revised response",
    "The Board's response does not answer what was asked: record why. The Board then owes "
    "a new response, and no new commitment is made until it comes. Refused (409, naming "
    "`reason`) when there is no Board response yet.",
    f"{ISSUE}/revised-response-request")
MAKE_COMMITMENT = Command(
    App.make_commitment, rq.NewCommitment, STAFF, "Record a commitment",
    "A promise: what, who is accountable, by when, and how success is measured. Needs a "
    "Board response graded accepted or accepted_in_part first. Answers the commitment's "
    "number.",
    f"{ISSUE}/commitments", created=True, pick={"owner": "owners"})
RECORD_PROGRESS = Command(
    App.record_progress, rq.RecordProgress, STAFF_OR_OWNER, "Record progress",
    "How a commitment is going: on track, at risk, delayed, or no public evidence.",
    UPDATES, form_as="progress", arguments={"evidence_url": "evidence"})
DELIVER_COMMITMENT = Command(
    App.deliver_commitment, rq.DeliverCommitment, STAFF_OR_OWNER, "Record delivery",
    "A delivery, with its evidence (a link or a document reference).",
    UPDATES, form_as="delivery", arguments={"evidence_url": "evidence"})
MOVE_DUE_DATE = Command(
    App.move_due_date, rq.MoveDueDate, STAFF_OR_OWNER, "Move the due date",
    "A new due date for a commitment, with a public reason.", UPDATES, form_as="due-date")
DROP_COMMITMENT = Command(
    App.drop_commitment, rq.DropCommitment, STAFF, "Drop the commitment",
    "A commitment that will not be delivered, with a public reason.", UPDATES,
    form_as="drop")
ANSWER_REFERRAL = Command(
    App.answer_referral, rq.ReferralAnswer, STAFF, "Record the referral's answer",
    "Record what the body the issue was referred to answered.", f"{ISSUE}/referral-answer")

# -- closing, reopening, merging, moderating, correcting ---------------------------------

CLOSE_ISSUE = Command(
    App.close_issue, rq.Close, STAFF, "Close with what changed",
    "Close the issue with its outcome, in a sentence a citizen understands.", f"{ISSUE}/close")
REOPEN_ISSUE = Command(
    App.reopen_issue, rq.Reopen, STAFF, "Reopen",
    "Reopen a closed or merged issue, with a public reason.", f"{ISSUE}/reopen")
# -- moderation ------------------------------------------------------------------------------

HIDE_ISSUE = Command(
    App.hide_issue, rq.HideIssue, MODERATORS, "Hide an issue",
    "Hide an abusive submission, with a public reason.", f"{ISSUE}/moderation", form=False)
RESTORE_ISSUE = Command(
    App.restore_issue, rq.RestoreIssue, MODERATORS, "Restore an issue",
    "Show a hidden issue again, with a public reason.", f"{ISSUE}/moderation", form=False)
MERGE_ISSUE = Command(
    App.merge_issue, rq.Merge, STAFF | {MODERATOR}, "Merge a duplicate",
    "Mark this issue as a duplicate of another, visible issue.", f"{ISSUE}/merge")

CORRECT_ENTRY = Command(
    App.correct_entry, rq.Correction, STAFF, "Correct an earlier entry, in public",
    "Append a correction of an earlier entry: which, why and what instead. Nothing is "
    "rewritten; the page shows both, marked.", f"{ISSUE}/corrections")

# -- someone other than the Board judges delivery --------------------------------------------

# Independent of the Board: the assessor's grades are its own, so no Board account may give
# them (the demo's system account records its illustrative ones).
ASSESSORS = frozenset({ASSESSOR, SYSTEM})

ANSWER_DELIVERY = Command(
    App.answer_delivery, rq.AnswerDelivery, ANYONE,
    "Answer \"was it delivered?\" (public, once per person)",
    "On a delivered or overdue commitment: `yes`, `partly` or `no`, with an optional reason "
    "(public). Each client counts once per commitment (409 the second time), by the same "
    "kind of pseudonymous id as a support. A `no` or `partly` with a reason is a challenge: "
    "numbered on the issue, and answered in public by the secretariat. Refused (409, naming "
    "`commitment`) on a commitment that is neither delivered nor overdue.",
    f"{ISSUE}/commitments/{{commitment}}/citizen-answers", form=False, rate_limit="answer")
ANSWER_CHALLENGE = Command(
    App.answer_challenge, rq.AnswerChallenge, STAFF, "Answer a challenge",
    "The secretariat's public answer to a citizen's challenge of a delivery; shown beside "
    "it. 409 when it is answered already.",
    f"{ISSUE}/challenges/{{challenge}}/answer", form=False)
ASSESS_COMMITMENT = Command(
    App.assess_commitment, rq.AssessCommitment, ASSESSORS, "Assess delivery",
    "An independent assessor's grades of a commitment: completion (no_evidence, "
    "not_started, limited, substantial, complete) and outcome (worsened, no_change, "
    "marginal, major, outstanding), with a reason and sources (links or document "
    "references). A later assessment supersedes an earlier one; both stay in the history.",
    f"{ISSUE}/commitments/{{commitment}}/assessments")
RECONVENE_ASSEMBLY = Command(
    App.reconvene_assembly, rq.ReconveneAssembly, STAFF, "Record a reconvened panel",
    "The assembly's panel met again to judge the Board's responses: a score from 0 to 10 "
    "for each issue's response, and its statement. Each scored issue must have a Board "
    "response (409 naming `scores`).",
    "/assemblies/{slug}/reconvened", form=False, arguments={"date": "held_on"})
# Its staff form, a score box for each of the assembly's responded issues, is on the meeting
# pages (tracker/web/routes/staff_meeting.py); each score is also an entry on its issue.
JUDGEMENTS = (ANSWER_DELIVERY, ANSWER_CHALLENGE, ASSESS_COMMITMENT, RECONVENE_ASSEMBLY)

# -- amendments: a commitment's terms changed, before and after kept ------------------------

AMEND_COMMITMENT = Command(
    App.amend_commitment, rq.AmendCommitment, STAFF, "Amend the commitment",
    "Change a commitment's text, owner, due date or measure, with a public reason. The "
    "entry keeps the value before and after; the original entry stays as it was, and every "
    "list, page, calendar and feed follows the new value.",
    f"{ISSUE}/commitments/{{commitment}}/amendments")

COMMANDS: tuple[Command, ...] = (
    SUBMIT_ISSUE, SUPPORT_ISSUE, CREATE_TOPIC, CREATE_OWNER, CREATE_ASSEMBLY, ASSIGN_TOPIC,
    SCHEDULE_ISSUE, RECORD_PRESENTATION, RECORD_DISCUSSION, RECORD_RESPONSE,
    REQUEST_REVISED_RESPONSE, MAKE_COMMITMENT, RECORD_PROGRESS, DELIVER_COMMITMENT,
    MOVE_DUE_DATE, DROP_COMMITMENT, ANSWER_REFERRAL, CLOSE_ISSUE, REOPEN_ISSUE, MERGE_ISSUE,
    HIDE_ISSUE, RESTORE_ISSUE, CORRECT_ENTRY, AMEND_COMMITMENT, *JUDGEMENTS,
)


# -- addresses that choose among commands by what is sent -------------------------------------

def choose_moderation(sent: rq.Moderation) -> tuple[Command, BaseModel]:
    chosen = HIDE_ISSUE if sent.action == "hide" else RESTORE_ISSUE
    return chosen, chosen.request(reason=sent.reason)


# What each kind of update is called in a refusal, and the field it cannot do without.
_UPDATES = {
    "progress": (RECORD_PROGRESS, "a progress update", "note", "Progress"),
    "delivered": (DELIVER_COMMITMENT, "status delivered", "evidence_url",
                  "Delivery (without evidence, send status no_public_evidence)"),
    "dropped": (DROP_COMMITMENT, "status dropped", "reason", "Dropping"),
    "new_due": (MOVE_DUE_DATE, "a new due date", "reason", "A new due date"),
}


def choose_update(sent: rq.CommitmentUpdate) -> tuple[Command, BaseModel]:
    """A new_due moves the due date; otherwise the status chooses. A field that does not
    belong to the update chosen is refused, never ignored."""
    if sent.new_due is not None:
        if sent.status is not None:
            raise Refused("status", "Send a status or a new due date, not both")
        kind = "new_due"
    elif sent.status is None:
        raise Refused("status", "Send a status, or new_due with a reason")
    else:
        kind = sent.status if sent.status in ("delivered", "dropped") else "progress"
    chosen, described, needed, who = _UPDATES[kind]
    takes = set(chosen.request.model_fields) | ({"status"} if sent.status else set())
    given = {name for name in sent.model_fields_set - {"occurred_on"}
             if getattr(sent, name) not in (None, "")}
    for stray in sorted(given - takes):
        raise Refused(stray, f"{stray} does not go with {described}")
    if not getattr(sent, needed):
        raise Refused(needed, f"{who} needs {needed}")
    values = {name: getattr(sent, name) for name in chosen.request.model_fields
              if getattr(sent, name) is not None}
    try:
        return chosen, chosen.request.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        raise Refused(str(first["loc"][0]), first["msg"]) from None


MODERATE_ISSUE = Choice(
    "moderate_issue", rq.Moderation, (HIDE_ISSUE, RESTORE_ISSUE), choose_moderation,
    "Hide or restore, with a public reason",
    "Hide an abusive submission, or restore it. The reason stays public; nothing is deleted "
    "from the record.")
UPDATE_COMMITMENT = Choice(
    "update_commitment", rq.CommitmentUpdate,
    (RECORD_PROGRESS, DELIVER_COMMITMENT, DROP_COMMITMENT, MOVE_DUE_DATE), choose_update,
    "Update a commitment: progress, delivery, dropping or a new due date",
    "Progress needs a note; delivery needs evidence (a link or a document reference); "
    "dropping and moving the due date need a public reason. Without evidence, record "
    "progress with status no_public_evidence: it is never counted as delivered.",
    form=False)  # each of its commands has a form of its own

CHOICES: tuple[Choice, ...] = (MODERATE_ISSUE, UPDATE_COMMITMENT)


def addresses() -> tuple[Command | Choice, ...]:
    """What each JSON write address runs: a command, or a choice among several."""
    chosen = {c.path for c in CHOICES}
    return (*(c for c in COMMANDS if c.path not in chosen), *CHOICES)


BY_NAME = {c.name: c for c in COMMANDS}
