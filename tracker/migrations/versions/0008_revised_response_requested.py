"""When the Board was last asked for a revised response, on each issue's status row.

A revised response request leaves the Board owing a new response; the verdict says so, from
the date kept here until the next response clears it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database adopted from before migrations has its tables made by the code: the column
    # is there already. Rows projected before this revision have no such event: null is right.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("issue_status")}
    if "revision_requested_on" in columns:
        return
    with op.batch_alter_table("issue_status") as table:
        table.add_column(sa.Column("revision_requested_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issue_status") as table:
        table.drop_column("revision_requested_on")
