"""Turn read-model views into API models (shared by several routes)."""

from __future__ import annotations

from dataclasses import asdict

from tracker.projections.reference import ReferenceView
from tracker.projections.timeline import TimelineEntry
from tracker.site.schemas import EntryOut, FiguresOut, ReferenceOut


def entry_out(e: TimelineEntry) -> EntryOut:
    return EntryOut(position=e.position, issue=e.issue_number, entry=e.entry, type=e.type,
                    at=e.recorded_at, occurred_on=e.occurred_on, actor_role=e.actor_role,
                    sentence=e.sentence, corrects=e.corrects, fields=e.fields,
                    withheld=e.withheld)


def reference_out(v: ReferenceView) -> ReferenceOut:
    return ReferenceOut(slug=v.slug, name=v.name, detail=v.detail, held_on=v.held_on,
                        figures=FiguresOut(**asdict(v.figures)))
