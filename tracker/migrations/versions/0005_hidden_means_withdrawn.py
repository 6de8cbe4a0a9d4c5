"""Hidden means withdrawn: the words of hidden issues kept aside from the public rows.

Adds the private tables that hold a hidden issue's words until a restore, a flag on each
timeline entry saying its words are withheld, and on each issue's timeline context whether
it is hidden. The issue status and timeline read models are then sent back to zero, so the
next projector rebuilds them with the words of issues hidden before this revision withheld.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.migrations.reproject import reproject

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _add_flag(table: str, column: str) -> None:
    # A database made by create_all before migrations may have the column already.
    if column not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}:
        op.add_column(table, sa.Column(column, sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def upgrade() -> None:
    op.create_table(
        "issue_status_withheld",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("presenter", sa.String(length=120), nullable=False),
        sa.Column("response_summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("commitments", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        if_not_exists=True,
    )
    op.create_table(
        "timeline_withheld",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("issue_title", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        if_not_exists=True,
    )
    _add_flag("timeline_entries", "withheld")
    _add_flag("timeline_context", "hidden")
    reproject("issue_status", "timeline")


def downgrade() -> None:
    op.drop_column("timeline_context", "hidden")
    op.drop_column("timeline_entries", "withheld")
    op.drop_table("timeline_withheld")
    op.drop_table("issue_status_withheld")
