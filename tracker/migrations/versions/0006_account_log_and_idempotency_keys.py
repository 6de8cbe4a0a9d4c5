"""The account log (who changed which account, when) and the keys of retried writes.

Both are new private tables; nothing existing changes. Created only if missing, as in 0001,
so a database whose tables were made by create_all is adopted as it is.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("by_kind", sa.String(length=10), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("by_account", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_account_changes_account_id", "account_changes", ["account_id"],
                    unique=False, if_not_exists=True)
    op.create_table(
        "idempotency_keys",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("marker", sa.String(length=32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("running_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("digest"),
        if_not_exists=True,
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"],
                    unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_account_changes_account_id", table_name="account_changes")
    op.drop_table("account_changes")
