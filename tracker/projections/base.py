"""What every read model shares: the table registry, positions, and event dispatch.

A projection matches on event classes. The projector (``runner.py``) calls it inside the
transaction that also moves the projection's position, so a crash leaves both as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, Connection, DateTime, MetaData, String, Table

metadata = MetaData()

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
    # Set by a migration whose read model must be built again (tracker.migrations.reproject);
    # cleared when the rebuilt read models replace the live ones.
    Column("rebuild_requested_at", DateTime(timezone=True)),
)

Handler = Callable[[Any, Connection, Any, int], None]


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a projection method as the handler of these event classes."""

    def mark(method: Handler) -> Handler:
        method._handles = event_classes  # type: ignore[attr-defined]
        return method

    return mark


class Projection:
    """A read model: its tables, and handlers for the events it cares about.

    Events it has no handler for are skipped, but its position still moves past them.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    _dispatch: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._dispatch = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                for event_class in getattr(attribute, "_handles", ()):
                    cls._dispatch[event_class] = attribute

    def process(self, conn: Connection, event: Any, position: int) -> None:
        handler = self._dispatch.get(type(event))
        if handler is not None:
            handler(self, conn, event, position)

    def finish_batch(self, conn: Connection) -> None:
        """Write anything held back during the batch, in the batch's transaction."""

    def abandon_batch(self) -> None:
        """Forget anything held back: the batch's transaction was rolled back."""

    def clear(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(table.delete())
