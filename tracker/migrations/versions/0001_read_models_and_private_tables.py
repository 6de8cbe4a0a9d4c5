"""Read models and private tables, as they stood when migrations began.

Every table and index is created only if it is missing: a database made before migrations
existed (by create_all at start-up) is brought under them by this revision unchanged.

Revision ID: 0001
Revises: -
Created: 2026-11-25 10:05:32.008149
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assemblies",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
        if_not_exists=True,
    )
    op.create_table(
        "commitment_status",
        sa.Column("issue_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("commitment", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("last_update_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("issue_number", "commitment"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_commitment_status_due", "commitment_status", ["due"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_commitment_status_owner",
        "commitment_status",
        ["owner"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_commitment_status_status",
        "commitment_status",
        ["status"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "issue_status",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("assembly", sa.String(length=80), nullable=True),
        sa.Column("presenter", sa.String(length=120), nullable=False),
        sa.Column("presented", sa.Boolean(), nullable=False),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("response_summary", sa.Text(), nullable=False),
        sa.Column("lead", sa.String(length=80), nullable=True),
        sa.Column("referred_to", sa.String(length=200), nullable=False),
        sa.Column("referral_answered", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("discussed_on", sa.Date(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("issue_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_issue_status_assembly", "issue_status", ["assembly"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_issue_status_lead", "issue_status", ["lead"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_issue_status_stage", "issue_status", ["stage"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_issue_status_topic", "issue_status", ["topic"], unique=False, if_not_exists=True
    )

    op.create_table(
        "owners",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
        if_not_exists=True,
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "timeline_context",
        sa.Column("issue_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("assembly", sa.String(length=80), nullable=True),
        sa.Column("lead", sa.String(length=80), nullable=True),
        sa.Column("owners", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("issue_id"),
        if_not_exists=True,
    )
    op.create_table(
        "timeline_entries",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("issue_title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("assembly", sa.String(length=80), nullable=True),
        sa.Column("commitment", sa.Integer(), nullable=True),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_timeline_entries_assembly",
        "timeline_entries",
        ["assembly"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_timeline_entries_issue_number",
        "timeline_entries",
        ["issue_number"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_timeline_entries_owner", "timeline_entries", ["owner"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_timeline_entries_recorded_at",
        "timeline_entries",
        ["recorded_at"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_timeline_entries_topic", "timeline_entries", ["topic"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_timeline_entries_type", "timeline_entries", ["type"], unique=False, if_not_exists=True
    )

    op.create_table(
        "topics",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
        if_not_exists=True,
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_api_tokens_account_id", "api_tokens", ["account_id"], unique=False, if_not_exists=True
    )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_contacts_email", "contacts", ["email"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_contacts_issue_number", "contacts", ["issue_number"], unique=False, if_not_exists=True
    )

    op.create_table(
        "follow_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_follow_confirmations_email",
        "follow_confirmations",
        ["email"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "follow_cursor",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "follow_deliveries",
        sa.Column("subscription_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("subscription_id", "position"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_follow_deliveries_state",
        "follow_deliveries",
        ["state"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "follow_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("start_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "kind", "target", name="uq_follow_target"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_follow_subscriptions_email",
        "follow_subscriptions",
        ["email"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_follow_target",
        "follow_subscriptions",
        ["kind", "target"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "staff_sessions",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_staff_sessions_account_id",
        "staff_sessions",
        ["account_id"],
        unique=False,
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_staff_sessions_account_id", table_name="staff_sessions")

    op.drop_table("staff_sessions")
    op.drop_index("ix_follow_target", table_name="follow_subscriptions")
    op.drop_index("ix_follow_subscriptions_email", table_name="follow_subscriptions")

    op.drop_table("follow_subscriptions")
    op.drop_index("ix_follow_deliveries_state", table_name="follow_deliveries")

    op.drop_table("follow_deliveries")
    op.drop_table("follow_cursor")
    op.drop_index("ix_follow_confirmations_email", table_name="follow_confirmations")

    op.drop_table("follow_confirmations")
    op.drop_index("ix_contacts_issue_number", table_name="contacts")
    op.drop_index("ix_contacts_email", table_name="contacts")

    op.drop_table("contacts")
    op.drop_index("ix_api_tokens_account_id", table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_table("accounts")
    op.drop_table("topics")
    op.drop_index("ix_timeline_entries_type", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_topic", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_recorded_at", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_owner", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_issue_number", table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_assembly", table_name="timeline_entries")

    op.drop_table("timeline_entries")
    op.drop_table("timeline_context")
    op.drop_table("projection_positions")
    op.drop_table("owners")
    op.drop_index("ix_issue_status_topic", table_name="issue_status")
    op.drop_index("ix_issue_status_stage", table_name="issue_status")
    op.drop_index("ix_issue_status_lead", table_name="issue_status")
    op.drop_index("ix_issue_status_assembly", table_name="issue_status")

    op.drop_table("issue_status")
    op.drop_index("ix_commitment_status_status", table_name="commitment_status")
    op.drop_index("ix_commitment_status_owner", table_name="commitment_status")
    op.drop_index("ix_commitment_status_due", table_name="commitment_status")

    op.drop_table("commitment_status")
    op.drop_table("assemblies")
