"""Who recorded each entry (the account id each event carries), for the admins' audit page.

A new read-model table, filled by its projection from the start of the event log (its
position starts at 0 like any new projection's). Created only if missing, as in 0001.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entry_actors",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        if_not_exists=True,
    )
    op.create_index("ix_entry_actors_actor_id", "entry_actors", ["actor_id"], unique=False,
                    if_not_exists=True)
    op.create_index("ix_entry_actors_issue_id", "entry_actors", ["issue_id"], unique=False,
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_entry_actors_issue_id", table_name="entry_actors")
    op.drop_index("ix_entry_actors_actor_id", table_name="entry_actors")
    op.drop_table("entry_actors")
