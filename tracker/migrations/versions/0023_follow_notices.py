"""Follow notices: the mails about a moment rather than an entry ("was it delivered?" at a
commitment's due date and three months after delivery; a Board response or a referral's
answer becoming overdue), one row per address and occasion.

A new private table; nothing existing changes. Created only if missing, as in 0001.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(length=20), nullable=False),
        sa.Column("occasion", sa.Date(), nullable=False),
        sa.Column("link_key", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "kind", "issue_number", "commitment", "about",
                            name="uq_follow_notice"),
        if_not_exists=True,
    )
    op.create_index("ix_follow_notices_email", "follow_notices", ["email"], unique=False,
                    if_not_exists=True)
    op.create_index("ix_follow_notices_state", "follow_notices", ["state"], unique=False,
                    if_not_exists=True)
    op.create_index("ix_follow_notices_link_key", "follow_notices", ["link_key"], unique=True,
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_follow_notices_link_key", table_name="follow_notices")
    op.drop_index("ix_follow_notices_state", table_name="follow_notices")
    op.drop_index("ix_follow_notices_email", table_name="follow_notices")
    op.drop_table("follow_notices")
