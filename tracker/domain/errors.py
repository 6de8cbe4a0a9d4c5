"""Domain errors: every rule the aggregates enforce raises one of these.

They live in one module, rather than at the bottom of each aggregate's module, because the
web layer and the command line map them to responses by class, and several aggregates share
them. Each carries the name of the input ``field`` it is about, when there is one, so an API
can say which field was wrong.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidValue(DomainError):
    """An input value is missing, too long or malformed."""


class NothingPromised(InvalidValue):
    """Commitments follow only a response graded accepted or accepted_in_part; the issue's
    grade is what makes the request wrong, so the answer names it."""

    field = "grade"


class NotFound(DomainError):
    """The command names something that does not exist."""


class IssueNotFound(NotFound):
    """No issue has that number."""


class TopicNotFound(NotFound):
    """No topic has that slug."""

    field = "topic"


class OwnerNotFound(NotFound):
    """No owner has that slug."""

    field = "owner"


class AssemblyNotFound(NotFound):
    """No assembly has that slug."""

    field = "assembly"


class CommitmentNotFound(NotFound):
    """The issue has no commitment with that number."""

    field = "commitment"


class EntryNotFound(NotFound):
    """A correction names an entry the issue does not have."""

    field = "entry"


class AlreadyExists(DomainError):
    """Reference data with that slug already exists."""

    field = "slug"


class RuleViolation(DomainError):
    """The command is not allowed in the issue's present state."""


class IssueHidden(RuleViolation):
    """A hidden issue takes no support or commitments until a moderator restores it."""


class IssueMerged(RuleViolation):
    """A merged issue takes nothing more until it is reopened."""


class IssueClosed(RuleViolation):
    """A closed issue takes nothing more until it is reopened."""


class AlreadySupported(RuleViolation):
    """A supporter counts once."""

    field = "supporter"


class CommitmentSettled(RuleViolation):
    """A delivered or dropped commitment takes no more updates."""

    field = "commitment"


class StaleVersion(DomainError):
    """The caller's expected version is not the issue's current version."""

    field = "version"

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class NotPermitted(DomainError):
    """The actor's role may not run this command."""


# -- someone other than the Board judges delivery (tracker/domain/judgement.py) -------------


class AlreadyAnswered(RuleViolation):
    """A person answers "was it delivered?" once per commitment."""

    field = "answer"


class ChallengeNotFound(NotFound):
    """The issue has no challenge with that number."""

    field = "challenge"


class NoBoardResponse(RuleViolation):
    """A reconvened panel scores only issues the Board has responded to."""

    field = "scores"
