"""The PostgreSQL event log, with ids that become visible in the order they are given out.

Readers of the log (the projector, the worker's subscription) move past the highest
notification id they have read. That is only safe if no lower id can still commit later.
eventsourcing's plain insert keeps that promise by taking the table's EXCLUSIVE lock
before it inserts (writers queue; readers are not blocked), so ids are drawn and committed
one transaction at a time. Its stored-function insert (``POSTGRES_ENABLE_DB_FUNCTIONS``,
one round trip per save instead of four) takes no lock, and under concurrent writers a
lower id can commit after a higher one has been read and passed over for good.

This recorder keeps the function and its single round trip, and gives it the lock: the
function's body locks the table, then notifies listeners and inserts, and the lock is held
until the statement's transaction commits. The function has a name of its own, so a
process of an older version starting up (which replaces eventsourcing's function with its
unlocked body) cannot take the lock away from this one.
"""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier

TOPIC = "tracker.event_log:OrderedPostgresRecorder"


class OrderedPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's application recorder, its insert function taking the table lock."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        name = f"tracker_insert_events_locked_{self.datastore.originator_id_type}"
        schema = Identifier(self.datastore.schema)
        self.pg_function_name_insert_events = name
        self.sql_invoke_pg_function_insert_events = SQL(
            "SELECT * FROM {schema}.{function}((%s))"
        ).format(schema=schema, function=Identifier(name))
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "  SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "  LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "  NOTIFY {channel}; "
            "  RETURN QUERY "
            "  INSERT INTO {schema}.{table} AS t "
            "  (originator_id, originator_version, topic, state) "
            "  SELECT originator_id, originator_version, topic, state FROM unnest(events) "
            "  RETURNING notification_id; "
            "END; $BODY$"
        ).format(
            schema=schema, function=Identifier(name),
            event=Identifier(self.stored_event_type_name),
            lock_timeout=self.datastore.lock_timeout,
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )
        self.sql_create_statements[self.create_insert_function_statement_index] = \
            self.sql_create_pg_function_insert_events
