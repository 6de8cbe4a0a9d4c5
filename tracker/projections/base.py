"""What every read model shares: the table registry, positions, and event dispatch.

A projection has one handler per event class it cares about (``@handles``), and every event
of that class goes to it: nothing in between decides otherwise. What a handler can hold back
to the batch's end (new rows, counters, repeated updates of one row) it gives to the
projection's bulk writer (``bulk.py``), which the projector writes at the end of the batch.
The projector (``runner.py``) calls both inside the transaction that also moves the
projection's position, so a crash leaves rows and position as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, Connection, DateTime, MetaData, String, Table

from tracker.projections.bulk import BulkWriter

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
    """A read model: its tables, and one handler for each event class it cares about.

    Events it has no handler for are skipped, but its position still moves past them. A
    subclass may replace a handler its base class has for an event class, but no class may
    name two handlers for one event class.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    _dispatch: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._dispatch = {}
        for klass in reversed(cls.__mro__):
            own: dict[type, str] = {}
            for name, attribute in vars(klass).items():
                for event_class in getattr(attribute, "_handles", ()):
                    if event_class in own:
                        raise TypeError(f"{klass.__name__} handles {event_class.__name__} "
                                        f"twice: {own[event_class]} and {name}")
                    own[event_class] = name
                    cls._dispatch[event_class] = attribute

    bulk: BulkWriter

    def __new__(cls, *args: Any, **kwargs: Any) -> Projection:
        # Here rather than in __init__, so that a subclass's __init__ cannot leave it out.
        self = super().__new__(cls)
        self.bulk = BulkWriter()
        return self

    def process(self, conn: Connection, event: Any, position: int) -> None:
        handler = self._dispatch.get(type(event))
        if handler is not None:
            handler(self, conn, event, position)

    def finish_batch(self, conn: Connection) -> None:
        """Write what the handlers held back during the batch, in the batch's transaction."""
        self.bulk.write(conn)
        self.end_batch()

    def abandon_batch(self) -> None:
        """Forget what was held back: the batch's transaction was rolled back."""
        self.bulk.clear()
        self.end_batch()

    def end_batch(self) -> None:
        """Forget what this projection kept for one batch only (another process may project
        the next): after the batch was written, or rolled back."""

    def clear(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(table.delete())
