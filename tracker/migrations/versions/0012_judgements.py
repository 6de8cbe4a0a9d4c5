"""Someone other than the Board judges delivery: the judgements read model.

Counts of citizens' "was it delivered?" answers per commitment, their challenges with the
secretariat's answers, independent assessments, and reconvened panels' scores. A new read
model: its projection starts at position 0 and catches up by itself.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judged_issues",
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("issue_id"),
        sa.UniqueConstraint("number"),
        if_not_exists=True,
    )
    op.create_table(
        "citizen_answer_counts",
        sa.Column("issue_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("commitment", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("yes", sa.Integer(), nullable=False),
        sa.Column("partly", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("issue_number", "commitment"),
        if_not_exists=True,
    )
    op.create_table(
        "challenges",
        sa.Column("issue_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("challenge", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("commitment", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("withheld", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("issue_number", "challenge"),
        if_not_exists=True,
    )
    op.create_table(
        "assessments",
        sa.Column("issue_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("assessment", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("commitment", sa.Integer(), nullable=False),
        sa.Column("completion", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("withheld", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("issue_number", "assessment"),
        if_not_exists=True,
    )
    op.create_table(
        "panel_sessions",
        sa.Column("assembly", sa.String(length=80), nullable=False),
        sa.Column("session", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("assembly", "session"),
        if_not_exists=True,
    )
    op.create_table(
        "panel_scores",
        sa.Column("assembly", sa.String(length=80), nullable=False),
        sa.Column("session", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issue_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("assembly", "session", "issue_number"),
        if_not_exists=True,
    )
    op.create_index("ix_panel_scores_issue_number", "panel_scores", ["issue_number"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_panel_scores_issue_number", table_name="panel_scores")
    for table in ("panel_scores", "panel_sessions", "assessments", "challenges",
                  "citizen_answer_counts", "judged_issues"):
        op.drop_table(table)
