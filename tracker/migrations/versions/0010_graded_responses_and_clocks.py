"""The Board's response graded, and on a clock, on each issue's status row.

``decision`` (commit, decline, refer) gives way to ``grade`` (accepted ... referred), with a
rejection's reason kept beside the summary (and aside with the other words while an issue is
hidden); the dates a referral was answered and a response became owed by support are kept
for the clocks. The issue status and timeline read models are then rebuilt from the events,
whose part-one responses read as grades.

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.migrations.reproject import reproject

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = {
    "issue_status": (
        sa.Column("grade", sa.String(length=30), nullable=True),
        sa.Column("response_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("referral_answered_on", sa.Date(), nullable=True),
        sa.Column("response_owed_on", sa.Date(), nullable=True),
    ),
    "issue_status_withheld": (
        sa.Column("response_reason", sa.Text(), nullable=False, server_default=""),
    ),
}


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    # A database made by create_all before migrations may have the columns already.
    for table, columns in _NEW.items():
        present = _columns(table)
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if column.name not in present:
                    batch.add_column(column)
            if "decision" in present:
                batch.drop_column("decision")
    reproject("issue_status", "timeline")


def downgrade() -> None:
    for table, columns in _NEW.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)
    with op.batch_alter_table("issue_status") as batch:
        batch.add_column(sa.Column("decision", sa.String(length=10), nullable=True))
