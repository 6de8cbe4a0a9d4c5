"""Reference data the issues point at: topics, owners and assemblies.

Each is a small aggregate of its own, with an id derived from its slug, rather than one
shared reference-data aggregate: a shared one would make every new topic conflict with every
new owner, grow without bound, and turn a slug's uniqueness into a rule we check by hand. With
derived ids the event store's uniqueness of (id, version 1) makes a slug unique for free.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import errors
from tracker.domain.errors import InvalidValue
from tracker.domain.values import (
    MAX_SHORT,
    MAX_TEXT,
    Actor,
    a_date,
    optional_text,
    required_text,
    slug,
)


class ReferenceData(Aggregate):
    """Common shape: a slug, who recorded it, and the slug-derived id."""

    kind = "reference"

    @classmethod
    def id_for(cls, slug_value: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/{cls.kind}/{slug_value}")


class Topic(ReferenceData):
    """A group of issues, e.g. Mental Health."""

    kind = "topics"

    class Created(Aggregate.Created):
        slug: str
        name: str
        actor_id: str
        actor_role: str

    def __init__(self, slug: str, name: str, actor_id: str, actor_role: str) -> None:
        self.slug = slug
        self.name = name

    @classmethod
    def create(cls, slug_value: str, name: str, actor: Actor) -> Topic:
        slug_value = slug(slug_value)
        return cls._create(cls.Created, id=cls.id_for(slug_value), slug=slug_value,
                           name=required_text(name, "name", MAX_SHORT),
                           actor_id=actor.account_id, actor_role=str(actor.role))


# What an owner is: a Board member or role, a team, or a body outside the Board that issues
# are referred to (Healthwatch England, a local Healthwatch), which then owes its own answer.
OWNER_KINDS = ("board", "team", "external")


class Owner(ReferenceData):
    """Who is accountable: a Board role, a team, or an external body an issue is referred
    to; never a private person."""

    kind = "owners"

    class Created(Aggregate.Created):
        """Version 2 added ``owner_kind``; owners created before read as ``board``."""

        slug: str
        name: str
        role: str
        owner_kind: str
        actor_id: str
        actor_role: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["owner_kind"] = "board"

    def __init__(self, slug: str, name: str, role: str, owner_kind: str, actor_id: str,
                 actor_role: str) -> None:
        self.slug = slug
        self.name = name
        self.role = role
        self.owner_kind = owner_kind

    @property
    def is_external(self) -> bool:
        return self.owner_kind == "external"

    @classmethod
    def create(cls, slug_value: str, name: str, role: str, actor: Actor,
               owner_kind: str = "board") -> Owner:
        slug_value = slug(slug_value)
        if owner_kind not in OWNER_KINDS:
            raise errors.InvalidValue("kind must be board, team or external", field="kind")
        return cls._create(cls.Created, id=cls.id_for(slug_value), slug=slug_value,
                           name=required_text(name, "name", MAX_SHORT),
                           role=optional_text(role, "role", MAX_SHORT),
                           owner_kind=owner_kind,
                           actor_id=actor.account_id, actor_role=str(actor.role))


class Assembly(ReferenceData):
    """A meeting where issues are presented and discussed with the Board."""

    kind = "assemblies"

    class Created(Aggregate.Created):
        """Version 2 added ``response_due``, the day the Board's responses to the issues it
        discussed are due when not the default; version 1 events read with none."""

        slug: str
        title: str
        held_on: date
        place: str
        response_due: date | None
        actor_id: str
        actor_role: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["response_due"] = None

    def __init__(self, slug: str, title: str, held_on: date, place: str,
                 response_due: date | None, actor_id: str, actor_role: str) -> None:
        self.slug = slug
        self.title = title
        self.held_on = held_on
        self.place = place
        self.response_due = response_due

    @classmethod
    def create(cls, slug_value: str, title: str, held_on: date, place: str,
               actor: Actor, response_due: date | None = None) -> Assembly:
        slug_value = slug(slug_value)
        held_on = a_date(held_on, "date")
        if response_due is not None and a_date(response_due, "response_due") <= held_on:
            raise errors.InvalidValue("Responses fall due after the assembly is held",
                                      field="response_due")
        return cls._create(cls.Created, id=cls.id_for(slug_value), slug=slug_value,
                           title=required_text(title, "title", MAX_SHORT),
                           held_on=held_on,
                           place=optional_text(place, "place", MAX_SHORT),
                           response_due=response_due,
                           actor_id=actor.account_id, actor_role=str(actor.role))

    # -- reconvened: the panel judges the Board's responses (issue 16) -------------------

    # How many times it was reconvened; a class default, as assemblies created before
    # reconvening existed have none.
    reconvenings: int = 0

    class Reconvened(Aggregate.Event):
        """The assembly's panel met again, scored Board responses (0 to 10) and said why:
        ``issues`` and ``scores`` pair up, in order."""

        slug: str
        session: int
        held_on: date
        statement: str
        issues: tuple[int, ...]
        scores: tuple[int, ...]
        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            aggregate.reconvenings = self.session

    def reconvene(self, held_on: date, statement: str, scores: list[tuple[int, int]],
                  actor: Actor) -> int:
        """Record a reconvened panel's scores of Board responses and its statement."""
        held_on = a_date(held_on, "date")
        statement = required_text(statement, "statement", MAX_TEXT)
        if not scores:
            raise InvalidValue("A reconvened panel scores at least one response",
                               field="scores")
        numbers = [number for number, _ in scores]
        if len(set(numbers)) != len(numbers):
            raise InvalidValue("Each issue is scored once", field="scores")
        for number, score in scores:
            if not isinstance(number, int) or number < 1:
                raise InvalidValue("Each score names an issue number", field="scores")
            if not isinstance(score, int) or not 0 <= score <= 10:
                raise InvalidValue("A score is a whole number from 0 to 10", field="scores")
        if held_on < self.held_on:
            raise InvalidValue("A panel is reconvened after the assembly was held",
                               field="date")
        self.trigger_event(self.Reconvened, slug=self.slug, session=self.reconvenings + 1,
                           held_on=held_on, statement=statement, issues=tuple(numbers),
                           scores=tuple(score for _, score in scores),
                           actor_id=actor.account_id, actor_role=str(actor.role))
        return self.reconvenings
