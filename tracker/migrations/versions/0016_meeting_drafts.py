"""Meeting drafts: a private table of what the secretariat typed on a meeting page.

A new private table; nothing existing changes. Created only if missing, as in 0001.

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_drafts",
        sa.Column("assembly", sa.String(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("assembly"),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("meeting_drafts")
