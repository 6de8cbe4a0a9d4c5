"""Owners have a kind: board, team, or external (a body issues are referred to); an
assembly may have a response due date of its own.

Owners created before this revision were Board members or teams; they read as ``board``,
as their events do (``Owner.Created`` version 1); assemblies created before have no date of
their own (``Assembly.Created`` version 1), so no rebuild is needed.

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


def _has(table: str, column: str) -> bool:
    # A database made by create_all before migrations may have the column already.
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if not _has("owners", "kind"):
        with op.batch_alter_table("owners") as table:
            table.add_column(sa.Column("kind", sa.String(length=20), nullable=False,
                                       server_default="board"))
    if not _has("assemblies", "response_due"):
        with op.batch_alter_table("assemblies") as table:
            table.add_column(sa.Column("response_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assemblies") as table:
        table.drop_column("response_due")
    with op.batch_alter_table("owners") as table:
        table.drop_column("kind")
