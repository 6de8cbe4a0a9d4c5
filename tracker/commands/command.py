"""What declaring a command says, and how a declared command is run.

A ``Command`` names the application method it runs, by reference; the method's name is the
command's name everywhere (the permission table, the route's operation, the docs). A
``Choice`` is one address that runs one of several commands, chosen by what is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tracker.application import Outcome, Recorded, TrackerApplication
from tracker.domain.errors import DomainError
from tracker.domain.values import Actor, Role


@dataclass(frozen=True)
class Command:
    """One command: what it runs, what it takes, who may run it, and how it is shown."""

    method: Callable[..., Outcome | Recorded]  # TrackerApplication.<name>
    request: type[BaseModel]  # its fields are the method's arguments, by name
    roles: frozenset[Role]  # who may run it (tracker.permissions enforces it)
    title: str  # OpenAPI summary, staff form heading and link
    description: str  # OpenAPI description
    path: str  # its JSON address under /api/v1, as the spec fixes it
    form: bool = True  # it has a staff form of its own (tracker/web/routes/staff_issues.py)
    form_as: str = ""  # the last part of that form's address, when not the path's
    created: bool = False  # answers 201 Created
    # Request fields whose method parameter is named otherwise: field -> parameter.
    arguments: Mapping[str, str] = field(default_factory=dict)
    # Field names the domain reports under another name than the request's: domain -> request.
    reported: Mapping[str, str] = field(default_factory=dict)
    # Staff form fields chosen from reference data: field -> "topics" | "owners" | "assemblies".
    pick: Mapping[str, str] = field(default_factory=dict)
    # Open to citizens without a token: the name of its rate limit (tracker.web.citizens).
    rate_limit: str = ""

    @property
    def name(self) -> str:
        return self.method.__name__

    @property
    def form_key(self) -> str:
        """The last part of its staff form's address; "" when it has none."""
        return (self.form_as or self.path.rsplit("/", 1)[-1]) if self.form else ""

    def run(self, app: TrackerApplication, actor: Actor, sent: BaseModel,
            expected_version: int | None = None,
            **address: int | str) -> Outcome | Recorded:
        """Run it with the request's fields, by name, and the address's numbers (or an
        assembly's slug)."""
        values = {self.arguments.get(name, name): getattr(sent, name)
                  for name in type(sent).model_fields}
        if expected_version is not None:
            values["expected_version"] = expected_version
        try:
            return self.method(app, **address, **values, actor=actor)
        except DomainError as error:
            error.field = self._request_name(error.field)
            raise

    def _request_name(self, domain_name: str | None) -> str | None:
        if domain_name is None:
            return None
        parameters = {parameter: field for field, parameter in self.arguments.items()}
        return self.reported.get(domain_name) or parameters.get(domain_name, domain_name)


class Refused(Exception):
    """What was sent is none of the commands an address chooses among: ``field`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Choice:
    """One address that runs one of several commands, chosen by what is sent."""

    name: str  # the route's own name (its OpenAPI operation)
    request: type[BaseModel]
    commands: tuple[Command, ...]
    # The command to run and its request, from what was sent; raises Refused.
    choose: Callable[[Any], tuple[Command, BaseModel]]
    title: str
    description: str
    form: bool = True  # one staff form for them all, at the path's last part

    def __post_init__(self) -> None:
        if {c.path for c in self.commands} != {self.path}:
            raise ValueError(f"{self.name}: the commands it chooses among share one address")

    @property
    def path(self) -> str:
        return self.commands[0].path

    @property
    def form_key(self) -> str:
        return self.path.rsplit("/", 1)[-1] if self.form else ""

    @property
    def roles(self) -> frozenset[Role]:
        """Who may run at least one of its commands (each is authorised on its own)."""
        return frozenset().union(*(c.roles for c in self.commands))

    def run(self, app: TrackerApplication, actor: Actor, sent: BaseModel,
            expected_version: int | None = None, **address: int) -> Outcome | Recorded:
        chosen, request = self.choose(sent)
        return chosen.run(app, actor, request, expected_version, **address)
