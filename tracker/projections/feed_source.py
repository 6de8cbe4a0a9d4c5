"""Feed entries for a view: its timeline entries plus derived "overdue" entries.

Overdue Board responses and referral answers are derived the same way: one entry per
response owed and past its due date, with an id built from the issue and that date.

Overdue entries are derived, not recorded: one per open commitment whose due date has
passed, dated at the start of the day after the due date (the moment it became overdue),
with an id built from the issue, commitment and due date. However often anything runs, a
commitment crossing its due date yields exactly one such entry, the same in every format,
after every rebuild; pages and feeds agree whether or not any job has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, and_, select

from feeds import FeedEntry
from feeds.ids import entry_id, overdue_id, tag_uri
from tracker.domain.status import Clocks, long_date
from tracker.projections.headlines import headline
from tracker.projections.issues import commitments, issues, overdue_clause, overdue_responses
from tracker.projections.timeline import (
    TimelineEntry,
    TimelineFilter,
    entries,
    to_entry,
    what_changed_query,
)

ROLE_NAMES = {"citizen": "A citizen", "secretariat": "Board secretariat",
              "moderator": "Moderator", "admin": "Administrator", "system": "The tracker"}


@dataclass(frozen=True)
class Cursor:
    """Where a page of a feed ends: the last entry's time and sort key."""

    at: datetime
    key: str

    def encode(self) -> str:
        # No "+" (a query string would read it as a space): UTC with a Z.
        return f"{self.at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}~{self.key}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        at, _, key = text.partition("~")
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            return None
        if moment.tzinfo is None or not key:
            return None
        return cls(moment, key)


def _timeline_entry(e: TimelineEntry, base_url: str, names: dict[str, str],
                    promise: str = "") -> FeedEntry:
    f = e.fields
    paragraphs = [e.sentence, f"Issue {e.issue_number}: {e.issue_title}"]
    if promise and not f.get("text"):
        paragraphs.append(f"The commitment: {promise}")
    if f.get("text") and f.get("due"):  # a commitment (its text is null when withheld)
        paragraphs.append(f"What was promised: {f['text']}")
        paragraphs.append(f"Who is accountable: {names.get(f['owner'], f['owner'])}")
        paragraphs.append(f"Due: {long_date(date.fromisoformat(f['due']))}")
        if f.get("measure"):
            paragraphs.append(f"How success is measured: {f['measure']}")
    if e.corrects:
        paragraphs.append(f"This corrects entry {e.corrects} of the issue.")
    happened = f"Happened on {long_date(e.occurred_on)}"
    if e.recorded_at.date() != e.occurred_on:
        happened += f"; recorded on {long_date(e.recorded_at.date())}"
    paragraphs.append(happened + ".")
    return FeedEntry(
        id=entry_id(base_url, e.issue_number, e.entry),
        title=headline(e.issue_number, e.issue_title, e.type, f, names, promise),
        paragraphs=tuple(paragraphs),
        link=f"{base_url}/issues/{e.issue_number}#entry-{e.entry}",
        recorded_at=e.recorded_at, occurred_on=e.occurred_on,
        evidence=str(f.get("evidence") or ""),
        categories=(names.get(e.topic, e.topic),) if e.topic else (),
        author=ROLE_NAMES.get(e.actor_role, e.actor_role))


def _overdue(conn: Connection, where: TimelineFilter, today: date, base_url: str,
             names: dict[str, str]) -> list[tuple[str, FeedEntry]]:
    query = select(commitments, issues.c.title, issues.c.topic).join(
        issues, issues.c.number == commitments.c.issue_number).where(
        and_(overdue_clause(today), issues.c.hidden_reason.is_(None)))
    if where.issue is not None:
        query = query.where(commitments.c.issue_number == where.issue)
    if where.owner:
        query = query.where(commitments.c.owner == where.owner)
    if where.topic:
        query = query.where(issues.c.topic == where.topic)
    if where.assembly:
        query = query.where(issues.c.assembly == where.assembly)
    found = []
    for r in conn.execute(query).mappings():
        became = datetime.combine(r["due"] + timedelta(days=1), time(), tzinfo=UTC)
        owner = names.get(r["owner"], r["owner"])
        said = (f"Commitment {r['commitment']} of issue {r['issue_number']} is overdue: "
                f"it was due {long_date(r['due'])}")
        entry = FeedEntry(
            id=overdue_id(base_url, r["issue_number"], r["commitment"], r["due"].isoformat()),
            title=headline(r["issue_number"], r["title"], "overdue",
                           {"due": r["due"].isoformat()}, names, r["text"]),
            paragraphs=(said, f"Issue {r['issue_number']}: {r['title']}",
                        f"What was promised: {r['text']}", f"Who is accountable: {owner}",
                        f"Last reported status: {r['status'].replace('_', ' ')}"),
            link=f"{base_url}/issues/{r['issue_number']}#commitment-{r['commitment']}",
            recorded_at=became, occurred_on=r["due"] + timedelta(days=1),
            categories=(names.get(r["topic"], r["topic"]),) if r["topic"] else (),
            author=ROLE_NAMES["system"])
        found.append((f"o{r['issue_number']:09d}-{r['commitment']:05d}", entry))
    return found


def _overdue_responses(conn: Connection, where: TimelineFilter, today: date, base_url: str,
                       names: dict[str, str], clocks: Clocks) -> list[tuple[str, FeedEntry]]:
    """One entry per overdue Board response or referral answer, dated the day after it was
    due; its id names the due date, so a response owed again later is a new entry."""
    found = []
    for r in overdue_responses(conn, today, clocks, where.issue):
        if (where.topic and r.topic != where.topic) or (
                where.assembly and r.assembly != where.assembly) or (
                where.owner and r.lead != where.owner):
            continue
        became = datetime.combine(r.due + timedelta(days=1), time(), tzinfo=UTC)
        whose = "Board response" if r.owed_by == "the Board" else f"answer of {r.owed_by}"
        said = f"The {whose} to issue {r.number} is overdue: it was due {long_date(r.due)}"
        title = (f"Issue {r.number}, {r.title}: the {whose} is overdue "
                 f"(due {long_date(r.due)})")
        entry = FeedEntry(
            id=tag_uri(base_url, f"issues/{r.number}/response/overdue/{r.due.isoformat()}"),
            title=title, paragraphs=(said, f"Issue {r.number}: {r.title}"),
            link=f"{base_url}/issues/{r.number}#board-response",
            recorded_at=became, occurred_on=r.due + timedelta(days=1),
            categories=(names.get(r.topic, r.topic),) if r.topic else (),
            author=ROLE_NAMES["system"])
        found.append((f"r{r.number:09d}", entry))
    return found


def _promises(conn: Connection, numbers: set[int]) -> dict[tuple[int, int], str]:
    """The commitments' texts of these issues, as the public rows hold them."""
    if not numbers:
        return {}
    return {(n, c): text for n, c, text in conn.execute(
        select(commitments.c.issue_number, commitments.c.commitment, commitments.c.text)
        .where(commitments.c.issue_number.in_(numbers)))}


def feed_entries(conn: Connection, where: TimelineFilter, today: date, base_url: str,
                 names: dict[str, str], before: Cursor | None, limit: int = 50,
                 overdue_only: bool = False,
                 clocks: Clocks | None = None) -> tuple[list[FeedEntry], Cursor | None]:
    """One page of a feed, newest first, and the cursor of the next page (if any)."""
    keyed: list[tuple[datetime, str, FeedEntry]] = []
    if not overdue_only:
        query = what_changed_query(where)
        if before is not None:
            query = query.where(entries.c.recorded_at <= before.at)
        rows = conn.execute(query.order_by(entries.c.recorded_at.desc(),
                                           entries.c.position.desc()).limit(limit + 1))
        found = [to_entry(row) for row in rows.mappings()]
        promises = _promises(conn, {e.issue_number for e in found if e.commitment})
        for e in found:
            promise = promises.get((e.issue_number, e.commitment or 0), "")
            keyed.append((e.recorded_at, f"e{e.position:012d}",
                          _timeline_entry(e, base_url, names, promise)))
    for key, entry in [*_overdue(conn, where, today, base_url, names),
                       *_overdue_responses(conn, where, today, base_url, names,
                                           clocks or Clocks())]:
        keyed.append((entry.recorded_at, key, entry))
    if before is not None:
        keyed = [k for k in keyed if (k[0], k[1]) < (before.at, before.key)]
    keyed.sort(key=lambda k: (k[0], k[1]), reverse=True)
    page = keyed[:limit]
    more = len(keyed) > limit
    cursor = Cursor(page[-1][0], page[-1][1]) if more and page else None
    return [k[2] for k in page], cursor
