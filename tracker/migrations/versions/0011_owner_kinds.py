"""Owners have a kind: board, team, or external (a body issues are referred to).

Owners created before this revision were Board members or teams; they read as ``board``,
as their events do (``Owner.Created`` version 1), so no rebuild is needed.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by create_all before migrations may have the column already.
    if "kind" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("owners")}:
        return
    with op.batch_alter_table("owners") as table:
        table.add_column(sa.Column("kind", sa.String(length=20), nullable=False,
                                   server_default="board"))


def downgrade() -> None:
    with op.batch_alter_table("owners") as table:
        table.drop_column("kind")
