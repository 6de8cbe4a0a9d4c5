"""For a revision that changes what a read model holds (its shape or its meaning)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def reproject(*names: str) -> None:
    """Ask for the read models ``names`` to be built again from the event log, in the
    revision's transaction. Nothing is deleted: the live read models keep being served,
    and kept current, while the next worker (or web process) to start builds every read
    model again beside them and switches to the new ones in one transaction once they
    have caught up (see tracker.projections.rebuild). Call it after the revision's schema
    changes:

        def upgrade() -> None:
            op.add_column("issue_status", sa.Column("region", sa.String(80)))
            reproject("issue_status")
    """
    for name in names:
        op.execute(sa.text("UPDATE projection_positions SET rebuild_requested_at = "
                           "CURRENT_TIMESTAMP WHERE name = :name").bindparams(name=name))
