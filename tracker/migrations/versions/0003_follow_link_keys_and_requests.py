"""Follow links carry random keys; a wish to follow waits in a table of its own.

- ``follow_subscriptions.link_key``: 128 random bits per subscription, what unsubscribe and
  manage links now carry instead of the integer id (which SQLite reuses after an erasure).
  Every existing subscription is given one, so it keeps working: its next mail carries
  links in the new form. Links mailed before this revision no longer work.
- ``follow_requests``: a request waits there for its own confirmation and changes no
  subscription before it.
- A subscription row never confirmed was an open request; its link (by id) no longer works,
  so the row is deleted rather than kept as an address nobody confirmed. Rows once confirmed
  are kept, whatever their state.

Like 0001, every step checks what is there first: a database whose tables were made by
create_all from the current code already has them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "follow_requests",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        if_not_exists=True,
    )
    op.create_index("ix_follow_requests_email", "follow_requests", ["email"], unique=False,
                    if_not_exists=True)

    subscriptions = sa.table("follow_subscriptions", sa.column("id", sa.Integer),
                             sa.column("link_key", sa.String),
                             sa.column("confirmed_at", sa.DateTime))
    deliveries = sa.table("follow_deliveries", sa.column("subscription_id", sa.Integer))
    bind.execute(sa.delete(subscriptions).where(
        subscriptions.c.confirmed_at.is_(None),
        subscriptions.c.id.not_in(sa.select(deliveries.c.subscription_id))))

    columns = {c["name"] for c in sa.inspect(bind).get_columns("follow_subscriptions")}
    if "link_key" not in columns:
        op.add_column("follow_subscriptions",
                      sa.Column("link_key", sa.String(length=32), nullable=True))
    ids = bind.execute(sa.select(subscriptions.c.id).where(
        subscriptions.c.link_key.is_(None))).scalars().all()
    if ids:
        bind.execute(sa.update(subscriptions).where(
            subscriptions.c.id == sa.bindparam("sid")).values(link_key=sa.bindparam("key")),
            [{"sid": i, "key": secrets.token_urlsafe(16)} for i in ids])
    with op.batch_alter_table("follow_subscriptions") as batch:
        batch.alter_column("link_key", existing_type=sa.String(length=32), nullable=False)
    op.create_index("ix_follow_subscriptions_link_key", "follow_subscriptions", ["link_key"],
                    unique=True, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_follow_subscriptions_link_key", table_name="follow_subscriptions")
    with op.batch_alter_table("follow_subscriptions") as batch:
        batch.drop_column("link_key")
    op.drop_index("ix_follow_requests_email", table_name="follow_requests")
    op.drop_table("follow_requests")
