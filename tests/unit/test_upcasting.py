"""Old stored events still read: version 1 of Issue.Submitted had no description."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from tests.helpers import CITIZEN
from tracker.application import TrackerApplication
from tracker.domain.issue import Issue


def test_a_version_1_submission_reads_with_an_empty_description() -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    [event] = Issue.submit(3, "Old issue", "New field", CITIZEN, date(2014, 7, 1)) \
        .collect_events()
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["description"]
    old = replace(stored, state=json.dumps(state).encode())

    upcast = app.mapper.to_domain_event(old)

    assert isinstance(upcast, Issue.Submitted)
    assert (upcast.number, upcast.title, upcast.description) == (3, "Old issue", "")
    issue = upcast.mutate(None)
    assert issue.description == ""


def test_current_events_are_stored_with_their_class_version() -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    [event] = Issue.submit(1, "Title", "Text", CITIZEN, date(2014, 7, 1)).collect_events()
    assert json.loads(app.mapper.to_stored_event(event).state)["class_version"] == 2
