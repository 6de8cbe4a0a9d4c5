"""Small questions the site asks of the read models: does this issue, topic or owner
exist, what is an issue called, and when was the newest projected event recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from tracker.projections.issues import issues
from tracker.projections.reference import owners, topics
from tracker.projections.timeline import entries


def issue_exists(conn: Connection, number: int) -> bool:
    return conn.execute(select(issues.c.number).where(
        issues.c.number == number)).first() is not None


def issue_title(conn: Connection, number: int) -> str:
    return str(conn.execute(select(issues.c.title).where(
        issues.c.number == number)).scalar_one())


def topic_exists(conn: Connection, slug: str) -> bool:
    return conn.execute(select(topics.c.slug).where(topics.c.slug == slug)).first() is not None


def owner_exists(conn: Connection, slug: str) -> bool:
    return conn.execute(select(owners.c.slug).where(owners.c.slug == slug)).first() is not None


def newest_recorded_at(conn: Connection, position: int) -> datetime | None:
    """When the newest event projected up to ``position`` was recorded (Last-Modified)."""
    value: datetime | None = conn.execute(
        select(entries.c.recorded_at).where(entries.c.position <= position)
        .order_by(entries.c.position.desc()).limit(1)).scalar()
    return value
