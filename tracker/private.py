"""The collection of private tables: kept beside the read models, never published, and not
rebuilt from events (accounts, sessions, contacts, follows, the account log, retry keys)."""

from __future__ import annotations

from sqlalchemy import MetaData

private_metadata = MetaData()
