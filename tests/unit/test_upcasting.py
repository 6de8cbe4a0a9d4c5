"""Old stored events still read: version 1 of Issue.Submitted had no description, and
version 1 of Issue.BoardResponded had part one's decision instead of a grade."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from tests.helpers import CITIZEN, SECRETARIAT
from tests.unit.domain.builders import discussed
from tracker.application import TrackerApplication
from tracker.domain.issue import Issue
from tracker.domain.reference import Assembly, Owner


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


def _stored_as_part_one(app: TrackerApplication, event: Issue.BoardResponded,
                        decision: str) -> Issue.BoardResponded:
    """The event as part one stored it: no class_version, a decision instead of a grade and
    no reason."""
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["grade"], state["reason"]
    state["decision"] = decision
    upcast = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    assert isinstance(upcast, Issue.BoardResponded)
    return upcast


@pytest.mark.parametrize("decision, grade, reason", [
    ("commit", "accepted", ""), ("decline", "rejected", "We will act"),
    ("refer", "referred", "")])
def test_a_part_one_response_reads_with_its_grade(decision: str, grade: str,
                                                   reason: str) -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    issue = discussed()
    issue.respond("accepted", "We will act", "chief-executive", None, SECRETARIAT,
                  date(2014, 11, 6))
    [event] = issue.collect_events()

    upcast = _stored_as_part_one(app, event, decision)

    assert (upcast.grade, upcast.summary, upcast.reason) == (grade, "We will act", reason)


def test_an_issue_replayed_from_part_one_events_takes_commitments_after_commit() -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    issue = discussed()
    issue.respond("accepted", "We will act", "chief-executive", None, SECRETARIAT,
                  date(2014, 11, 6))
    [event] = issue.collect_events()
    replayed = _stored_as_part_one(app, event, "commit").mutate(discussed())
    assert replayed is not None and replayed.grade == "accepted"
    assert replayed.make_commitment("Promise", "chief-executive", date(2015, 6, 30), "Done",
                                    SECRETARIAT, date(2014, 11, 6)) == 1


@pytest.mark.parametrize("decision, grade", [("commit", "accepted"), (None, None)])
def test_a_version_2_snapshot_reads_its_decision_as_a_grade(decision: str | None,
                                                            grade: str | None) -> None:
    state = {"decision": decision, "number": 1}
    Issue.upcast_v2_v3(state)
    assert state == {"grade": grade, "number": 1, "response_owed_on": None}


def test_a_version_1_owner_reads_as_a_board_owner() -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    [event] = Owner.create("ceo", "Chief Executive", "Board", SECRETARIAT,
                           "external").collect_events()
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["owner_kind"]
    upcast = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    owner = upcast.mutate(None)
    assert isinstance(owner, Owner)
    assert (owner.owner_kind, owner.is_external) == ("board", False)


def test_a_version_1_assembly_reads_with_no_response_date_of_its_own() -> None:
    app = TrackerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    [event] = Assembly.create("leeds", "Leeds", date(2015, 3, 1), "Leeds", SECRETARIAT,
                              date(2015, 9, 1)).collect_events()
    stored = app.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["response_due"]
    upcast = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    assembly = upcast.mutate(None)
    assert isinstance(assembly, Assembly)
    assert (assembly.held_on, assembly.response_due) == (date(2015, 3, 1), None)
