"""For a revision that changes what a read model holds (its shape or its meaning)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def reproject(name: str, *tables: str) -> None:
    """Empty the read model ``name`` (its ``tables``) and set its position to 0, in the
    revision's transaction. The next projector to run (the worker, or a web process) then
    builds it again from the event log, while every other read model stays as it is and
    keeps its position. Call it after the revision's schema changes:

        def upgrade() -> None:
            op.add_column("issue_status", sa.Column("region", sa.String(80)))
            reproject("issue_status", "commitment_status", "issue_status_withheld",
                      "issue_status")
    """
    for table in tables:
        op.execute(sa.text(f'DELETE FROM "{table}"'))
    op.execute(sa.text("UPDATE projection_positions SET position = 0 WHERE name = :name")
               .bindparams(name=name))
