"""Events the read models could not take (and those skipped), and rebuild requests.

``event_problems`` records each event projection stopped at, with its error, and the
operator's decision to skip it (``tracker skip-event``). ``projection_positions`` gains
``rebuild_requested_at``, set by a revision whose read model must be built again
(``reproject``): the rebuild runs beside the live read models and replaces them when done.
Like 0001 and 0002, it adds only what is missing.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_problems",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_rebuild", sa.Boolean(), nullable=False),
        sa.Column("skipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("position"),
        if_not_exists=True,
    )
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("projection_positions")}
    if "rebuild_requested_at" not in columns:
        op.add_column("projection_positions", sa.Column(
            "rebuild_requested_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projection_positions") as batch:
        batch.drop_column("rebuild_requested_at")
    op.drop_table("event_problems")
