"""Every event of an issue that the timeline shows has a handler in the issue status read
model, so that the issue's version and position move with it (If-Match, ETags and the staff
forms' expected version read them there)."""

from __future__ import annotations

from tracker.domain.issue import Issue
from tracker.projections.issues import IssueStatusProjection
from tracker.projections.sentences import TYPE_KEYS


def test_each_issue_event_with_a_sentence_has_a_status_handler() -> None:
    shown = {kind for kind in TYPE_KEYS if issubclass(kind, Issue.Event)}
    assert shown, "the timeline's event classes were not found"
    missing = sorted(kind.__qualname__ for kind in shown
                     if kind not in IssueStatusProjection._dispatch)
    assert missing == []
