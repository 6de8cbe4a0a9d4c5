"""An index of each issue's entries without its supports, in entry order.

An issue's history (its page, and the API a page at a time) leaves supports out; without this
index a page of it reads every support the issue has.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORY = sa.text("type != 'supported'")


def upgrade() -> None:
    op.create_index("ix_timeline_entries_story", "timeline_entries", ["issue_number", "entry"],
                    unique=False, if_not_exists=True, sqlite_where=STORY,
                    postgresql_where=STORY)


def downgrade() -> None:
    op.drop_index("ix_timeline_entries_story", table_name="timeline_entries", if_exists=True)
