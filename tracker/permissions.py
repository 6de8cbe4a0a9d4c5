"""Who may run which command: the table made from the commands' declarations
(tracker/commands/__init__.py), enforced by the application on every command.

``python -m tracker.permissions`` prints the table as README.md shows it.
"""

from __future__ import annotations

from tracker.commands import COMMANDS
from tracker.domain.errors import NotPermitted
from tracker.domain.values import Actor, Role

PERMISSIONS: dict[str, frozenset[Role]] = {c.name: c.roles for c in COMMANDS}
COLUMNS = (Role.CITIZEN, Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN, Role.ASSESSOR,
           Role.OWNER)


def authorise(actor: Actor, command: str) -> None:
    """Raise NotPermitted unless the actor's role may run the command."""
    allowed = PERMISSIONS.get(command)
    if allowed is None or actor.role not in allowed:
        raise NotPermitted(f"The {actor.role} role may not {command.replace('_', ' ')}")


def authorise_on_commitment(actor: Actor, command: str, number: int, commitment: int,
                            owner: str) -> None:
    """Raise NotPermitted when an owner's account would update a commitment that another
    owner is accountable for (``owner`` is the commitment's). Other roles pass."""
    authorise(actor, command)
    if actor.role == Role.OWNER and (not actor.owner or actor.owner != owner):
        raise NotPermitted(
            f"An account of owner '{actor.owner}' may update that owner's commitments only; "
            f"commitment {commitment} of issue {number} is the commitment of owner '{owner}'")


def markdown_table() -> str:
    """The table as README.md shows it (the owner column: on its own commitments only)."""
    lines = [f"| command | {' | '.join(str(role) for role in COLUMNS)} |",
             "|---|" + "---|" * len(COLUMNS)]
    for name, allowed in PERMISSIONS.items():
        cells = " | ".join("yes" if role in allowed else "\u2013" for role in COLUMNS)
        lines.append(f"| `{name}` | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
