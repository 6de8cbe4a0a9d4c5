"""Public labels and definitions of every stage and status key (the /about/statuses page).

Keys never change; labels and wording may.
"""

from __future__ import annotations

STAGES: dict[str, tuple[str, str]] = {
    "submitted": ("Submitted", "A citizen raised the issue; nothing has happened to it yet."),
    "under_consideration": ("Under consideration",
                            "The issue has a topic or is on an assembly's agenda."),
    "discussed": ("Discussed", "Citizens and Board members discussed it at an assembly; the "
                  "Board has not responded yet."),
    "responded": ("Responded", "The Board responded: it accepted the issue but has not "
                  "recorded a commitment yet, accepted it in principle or noted it (both "
                  "promise nothing), or referred it to another body."),
    "in_progress": ("In progress", "The Board made commitments and at least one is still open."),
    "delivered": ("Delivered", "Every commitment was delivered, with evidence."),
    "partly_delivered": ("Partly delivered",
                         "Every commitment is settled: some delivered, some dropped."),
    "not_taken_forward": ("Not taken forward",
                          "The Board rejected it, with a reason, or dropped every commitment."),
    "closed": ("Closed", "The secretariat closed the issue and said what changed."),
    "merged": ("Merged", "The issue duplicates another one; follow that one instead."),
    "hidden": ("Hidden", "A moderator hid the submission; the public reason stays visible."),
}

COMMITMENT_STATUSES: dict[str, tuple[str, str]] = {
    "on_track": ("On track", "The owner says the work is going to plan."),
    "at_risk": ("At risk", "The owner says the due date may be missed."),
    "delayed": ("Delayed", "The owner says the work is behind."),
    "no_public_evidence": ("No public evidence", "The Board says it is done, but nothing "
                           "public shows it. Never counted as delivered."),
    "delivered": ("Delivered", "Done, with evidence: a link or a document reference."),
    "dropped": ("Dropped", "It will not be delivered; the reason is public."),
}

RESPONSE_GRADES: dict[str, tuple[str, str]] = {
    "accepted": ("Accepted", "The Board will do what was asked; commitments follow."),
    "accepted_in_part": ("Accepted in part", "The Board will do some of what was asked; "
                         "commitments follow for that part."),
    "accepted_in_principle": ("Accepted in principle", "The Board agrees with the idea but "
                              "promised nothing. Never counted as a promise."),
    "noted": ("Noted", "The Board acknowledged the issue and promised nothing. Never counted "
              "as a promise."),
    "rejected": ("Rejected", "The Board will not act on it; its reason is public."),
    "referred": ("Referred", "The Board passed the issue to another body (Healthwatch England, "
                 "a local Healthwatch...), which then owes its own answer."),
}

DERIVED: dict[str, tuple[str, str]] = {
    "overdue": ("Overdue", "The due date has passed and the commitment is neither delivered "
                "nor dropped. Worked out every time a page is shown."),
    "silent": ("Silent", "The commitment is open and nobody has recorded an update for a "
               "while (60 days unless this site says otherwise)."),
    "response_overdue": ("Response overdue", "The Board owes a response and its due date has "
                         "passed: 90 days (unless this site says otherwise) after the assembly "
                         "that discussed the issue, after a revised response was asked for, or "
                         "after its supporters reached the response threshold."),
    "referral_overdue": ("Referral answer overdue", "The body an issue was referred to has "
                         "not answered within 60 days (unless this site says otherwise)."),
}


def stage_label(key: str) -> str:
    return STAGES.get(key, (key.replace("_", " ").capitalize(), ""))[0]


def status_label(key: str) -> str:
    return COMMITMENT_STATUSES.get(key, (key.replace("_", " ").capitalize(), ""))[0]


# -- someone other than the Board judges delivery -----------------------------------------

CITIZEN_ANSWERS: dict[str, tuple[str, str]] = {
    "yes": ("Yes", "The person says the commitment was delivered."),
    "partly": ("Partly", "The person says it was delivered in part."),
    "no": ("No", "The person says it was not delivered. With a reason, a no or a partly is a "
           "challenge, which the secretariat answers in public."),
}

COMPLETION_GRADES: dict[str, tuple[str, str]] = {
    "no_evidence": ("No evidence", "The assessor found nothing to show what was done."),
    "not_started": ("Not started", "The assessor found the work has not begun."),
    "limited": ("Limited progress", "Some work, but well short of what was promised."),
    "substantial": ("Substantial progress", "Most of what was promised is done."),
    "complete": ("Complete", "Everything promised is done."),
}

OUTCOME_GRADES: dict[str, tuple[str, str]] = {
    "worsened": ("Worsened", "Things are worse than before."),
    "no_change": ("No change", "Nothing changed for the people it was meant to help."),
    "marginal": ("Marginal", "A small change."),
    "major": ("Major", "A large change."),
    "outstanding": ("Outstanding", "A change beyond what was promised."),
}


def grade_label(key: str) -> str:
    """The label of a completion or outcome grade, or of a citizen's answer."""
    for table in (COMPLETION_GRADES, OUTCOME_GRADES, CITIZEN_ANSWERS):
        if key in table:
            return table[key][0]
    return key
