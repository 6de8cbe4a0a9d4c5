"""accounts.password_hash, for databases made before staff could sign in with a password.

Revision 0001 creates the column with the table; a database whose accounts table predates
passwords (and was therefore left as it was by 0001) gains it here. Nullable: no rewrite.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("accounts")}
    if "password_hash" not in columns:
        op.add_column("accounts", sa.Column("password_hash", sa.String(length=200)))


def downgrade() -> None:
    pass  # 0001 creates the column too: dropping it here would break a database made by 0001
