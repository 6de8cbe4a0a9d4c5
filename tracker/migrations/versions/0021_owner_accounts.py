"""accounts.owner: an owner account's owner (a slug), the commitments it may update.

Nullable, so no rewrite: every account made before has a staff role and no owner.

Revision ID: 0021
Revises: 0017
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("accounts")}
    if "owner" not in columns:
        op.add_column("accounts", sa.Column("owner", sa.String(length=100)))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("owner")
