"""The bulk writer: rows a projection holds back within a batch, written at the batch's end.

Every projection writes what it can hold back through its ``bulk`` writer (``Projection``
has one), the same way: ``insert(table, key, row)`` holds a new row, ``update(statement,
key, params)`` holds the parameters of an UPDATE; either may be found again by its key
(``held``) and changed in place while the batch runs, so a support counted into an issue
submitted in the same batch, or a timeline entry written withheld because its issue was
hidden later in the batch, never costs a statement of its own. At the end of the batch the
projector calls ``write``: held inserts first (on PostgreSQL with ``COPY``, elsewhere one
executemany per table), then held updates (one executemany per statement), all in the
batch's transaction, which also moves the projection's position. A batch that fails is
rolled back and its held rows are forgotten (``clear``).

A handler about to read or change stored rows of something it holds rows for writes that
key's rows first (``settle(conn, key)``), so what it reads is what the events said.

Rows are plain dicts (no object per row) and statements are built once, by the caller: the
writer adds a dict lookup per row to what a projection would do by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Connection, Executable, Insert, Table


class BulkWriter:
    """One projection's held rows for the current batch (see the module's description)."""

    __slots__ = ("_inserts", "_updates")

    def __init__(self) -> None:
        self._inserts: dict[Table, dict[Hashable, dict[str, Any]]] = {}
        self._updates: dict[Executable, dict[Hashable, dict[str, Any]]] = {}

    def insert(self, table: Table, key: Hashable, row: dict[str, Any]) -> dict[str, Any]:
        """Hold a new row of ``table`` (every row of a table with the same columns);
        returns it, to be changed in place until the batch's end."""
        held = self._inserts.get(table)
        if held is None:
            held = self._inserts[table] = {}
        held[key] = row
        return row

    def update(self, statement: Executable, key: Hashable,
               params: dict[str, Any]) -> dict[str, Any]:
        """Hold the parameters of an UPDATE (replacing any held under ``key``); returns
        them, to be changed in place until the batch's end."""
        held = self._updates.get(statement)
        if held is None:
            held = self._updates[statement] = {}
        held[key] = params
        return params

    def held(self, target: Table | Executable, key: Hashable) -> dict[str, Any] | None:
        """The row (or parameters) held under ``key`` for a table (or statement), if any."""
        held = self._inserts.get(target) if isinstance(target, Table) else \
            self._updates.get(target)
        return None if held is None else held.get(key)

    def rows(self, table: Table) -> dict[Hashable, dict[str, Any]]:
        """Every new row held for ``table`` by key, in the order held; change it in place."""
        held = self._inserts.get(table)
        if held is None:
            held = self._inserts[table] = {}
        return held

    def discard(self, target: Table | Executable, key: Hashable) -> dict[str, Any] | None:
        """Take back what was held under ``key``; returns it (None if nothing was)."""
        held = self._inserts.get(target) if isinstance(target, Table) else \
            self._updates.get(target)
        return None if held is None else held.pop(key, None)

    def write(self, conn: Connection) -> None:
        """Write everything held, and forget it."""
        for table, rows in self._inserts.items():
            if rows:
                _insert(conn, table, list(rows.values()))
        for statement, params in self._updates.items():
            if params:
                conn.execute(statement, list(params.values()))
        self.clear()

    def settle(self, conn: Connection, key: Hashable) -> None:
        """Write now what is held under ``key`` (before a statement that reads or changes
        its stored rows), and forget it."""
        for table, rows in self._inserts.items():
            row = rows.pop(key, None)
            if row is not None:
                conn.execute(_insert_statement(table), row)
        for statement, params in self._updates.items():
            one = params.pop(key, None)
            if one is not None:
                conn.execute(statement, one)

    def clear(self) -> None:
        """Forget everything held: the batch was written, or rolled back."""
        self._inserts = {}
        self._updates = {}


@functools.cache
def _insert_statement(table: Table) -> Insert:
    return table.insert()


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        conn.execute(_insert_statement(table), rows)


def _copy(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: the rows in one COPY, in the batch's transaction. COPY moves rows without
    a statement per row; a timeline entry for every event is most of a rebuild's writing."""
    columns = tuple(rows[0])
    # Raw SQL: name the schema a rebuild's shadow maps the tables to, as SQLAlchemy would.
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(
        table.schema, table.schema)
    name = f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"COPY {name} ({names}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
