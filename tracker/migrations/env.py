"""Alembic's environment: run the migrations on the connection ``migrate`` hands over, or,
from the ``alembic`` command line, on the database the tracker's settings name."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tracker.migrations import ours, target_metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata(), include_name=ours,
        # SQLite alters a table by copying it; batch mode does that for every revision.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from tracker.bootstrap import read_model_engine
    from tracker.config import load_settings

    engine = read_model_engine(load_settings(), for_writes=True)
    with engine.begin() as connection:
        run(connection)
    engine.dispose()
