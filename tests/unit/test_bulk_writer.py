"""The bulk writer holds rows to the batch's end; projections name one handler per event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    select,
    update,
)

from tracker.projections.base import Projection, handles
from tracker.projections.bulk import BulkWriter

metadata = MetaData()
counts = Table("counts", metadata, Column("key", Integer, primary_key=True),
               Column("n", Integer, nullable=False))
_ADD = update(counts).where(counts.c.key == bindparam("k")).values(
    n=counts.c.n + bindparam("add"))


def _rows(conn: Connection) -> list[tuple[int, int]]:
    return [tuple(r) for r in conn.execute(select(counts).order_by(counts.c.key))]


def test_held_rows_are_written_once_at_the_end_as_last_changed() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    bulk = BulkWriter()
    with engine.begin() as conn:
        conn.execute(counts.insert(), {"key": 1, "n": 10})
        row = bulk.insert(counts, 2, {"key": 2, "n": 0})
        row["n"] += 5  # changed in place while the batch runs
        added = bulk.update(_ADD, 1, {"k": 1, "add": 0})
        added["add"] += 3
        assert bulk.held(counts, 2) is row and bulk.held(_ADD, 1) is added
        assert _rows(conn) == [(1, 10)]  # nothing written yet
        bulk.write(conn)
        assert _rows(conn) == [(1, 13), (2, 5)]
        assert bulk.held(counts, 2) is None  # forgotten once written


def test_settle_writes_one_key_now_and_clear_forgets_the_rest() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    bulk = BulkWriter()
    with engine.begin() as conn:
        bulk.insert(counts, 1, {"key": 1, "n": 1})
        bulk.insert(counts, 2, {"key": 2, "n": 2})
        bulk.settle(conn, 1)
        assert _rows(conn) == [(1, 1)]
        assert bulk.discard(counts, 2) == {"key": 2, "n": 2}
        bulk.insert(counts, 3, {"key": 3, "n": 3})
        bulk.clear()
        bulk.write(conn)
        assert _rows(conn) == [(1, 1)]


class _Happened:
    pass


def test_a_projection_naming_two_handlers_for_one_event_class_is_refused() -> None:
    with pytest.raises(TypeError, match="handles _Happened twice"):
        class Twice(Projection):
            name = "twice"
            tables = ()

            @handles(_Happened)
            def _one(self, conn: Connection, e: Any, position: int) -> None: ...

            @handles(_Happened)
            def _two(self, conn: Connection, e: Any, position: int) -> None: ...


def test_every_event_of_a_class_reaches_its_handler() -> None:
    class Counting(Projection):
        name = "counting"
        tables = ()

        def __init__(self) -> None:  # no super().__init__(): the writer is there anyway
            self.seen: list[int] = []

        @handles(_Happened)
        def _happened(self, conn: Connection, e: Any, position: int) -> None:
            self.seen.append(position)

    projection = Counting()
    for position in (1, 2, 3):
        projection.process(None, _Happened(), position)  # type: ignore[arg-type]
    projection.process(None, object(), 4)  # type: ignore[arg-type]
    assert projection.seen == [1, 2, 3]
    assert isinstance(projection.bulk, BulkWriter)
