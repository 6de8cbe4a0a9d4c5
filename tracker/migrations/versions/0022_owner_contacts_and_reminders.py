"""Owners' private contact addresses, and the reminders claimed for them (one a day each).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owner_contacts",
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner"),
        if_not_exists=True,
    )
    op.create_index("ix_owner_contacts_email", "owner_contacts", ["email"], unique=False,
                    if_not_exists=True)
    op.create_table(
        "owner_reminders",
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("owner", "day"),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("owner_reminders")
    op.drop_index("ix_owner_contacts_email", table_name="owner_contacts")
    op.drop_table("owner_contacts")
