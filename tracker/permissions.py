"""Who may run which command: the one authorisation table, enforced by the application."""

from __future__ import annotations

from tracker.domain.errors import NotPermitted
from tracker.domain.values import Actor, Role

CITIZEN, SECRETARIAT, MODERATOR, ADMIN, SYSTEM = (
    Role.CITIZEN, Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN, Role.SYSTEM)

STAFF = frozenset({SECRETARIAT, ADMIN, SYSTEM})

# Citizens may raise and support issues; the secretariat logs the story; moderators keep it
# civil; admins may do anything the secretariat or moderators do (and manage accounts).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "submit_issue": frozenset({CITIZEN, SECRETARIAT, ADMIN, SYSTEM}),
    "support_issue": frozenset({CITIZEN, SECRETARIAT, ADMIN, SYSTEM}),
    "hide_issue": frozenset({MODERATOR, ADMIN}),
    "restore_issue": frozenset({MODERATOR, ADMIN}),
    "merge_issue": STAFF | {MODERATOR},
    "assign_topic": STAFF,
    "schedule_issue": STAFF,
    "record_presentation": STAFF,
    "record_discussion": STAFF,
    "record_response": STAFF,
    "make_commitment": STAFF,
    "record_progress": STAFF,
    "move_due_date": STAFF,
    "deliver_commitment": STAFF,
    "drop_commitment": STAFF,
    "answer_referral": STAFF,
    "close_issue": STAFF,
    "reopen_issue": STAFF,
    "correct_entry": STAFF,
    "create_topic": STAFF,
    "create_owner": STAFF,
    "create_assembly": STAFF,
}


def authorise(actor: Actor, command: str) -> None:
    """Raise NotPermitted unless the actor's role may run the command."""
    allowed = PERMISSIONS.get(command)
    if allowed is None or actor.role not in allowed:
        raise NotPermitted(f"The {actor.role} role may not {command.replace('_', ' ')}")
