"""Idempotency-Key on the write API: a repeat gets the first answer and writes nothing, on
SQLite and PostgreSQL; keys belong to their caller, expire, and survive a lost answer."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.e2e.writes import SETUP, Site
from tracker.application import KeyAlreadyUsed
from tracker.domain.keyed import KeyedWrite
from tracker.idempotency import LEASE, idempotency_keys

KEY = "Idempotency-Key"


def key() -> str:
    return str(uuid.uuid4())


def last_issue(site: Site) -> int:
    return site.tracker.app.last_issue_number()


def raise_issue(site: Site, sent: str, title: str = "Lost in the post",
                client: TestClient | None = None) -> Any:
    return (client or site.client).post("/api/v1/issues", json={"title": title},
                                        headers={KEY: sent})


def test_a_repeated_submission_gets_the_first_answer_and_raises_one_issue(site: Site) -> None:
    before = last_issue(site)
    sent = key()
    first = raise_issue(site, sent)
    again = raise_issue(site, sent)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.json()["number"] == before + 1
    for header in ("etag", "location", "content-type"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert last_issue(site) == before + 1
    # A new key is a new submission.
    assert raise_issue(site, key()).json()["number"] == before + 2
    # The markers in the event log are passed over by the read models, live and rebuilt.
    assert site.tracker.projector.position() == site.position()
    assert site.client.get(f"/api/v1/issues/{before + 1}").json()["title"] == "Lost in the post"
    assert site.tracker.projector.rebuild() == site.position()


WRITES: dict[str, tuple[str, Callable[[int], str], dict[str, Any], int]] = {
    # name: (role, address for a fresh issue's number, body, status)
    "support": ("anonymous", lambda n: f"/api/v1/issues/{n}/support", {}, 200),
    "topic": ("secretariat", lambda n: f"/api/v1/issues/{n}/topic", {"topic": "access"}, 200),
    "commitment": ("secretariat", lambda n: f"/api/v1/issues/{n}/commitments",
                   {"text": "Do it", "owner": "lead", "due": "2026-06-01",
                    "measure": "Done"}, 201),
    "progress": ("secretariat", lambda n: f"/api/v1/issues/{n}/commitments/1/updates",
                 {"status": "on_track", "note": "Going well"}, 200),
    "topic created": ("admin", lambda n: "/api/v1/topics",
                      {"slug": f"topic-{uuid.uuid4().hex[:8]}", "name": "New"}, 201),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_kind_of_write_is_answered_once_and_written_once(site: Site, write: str) -> None:
    role, address, body, status = WRITES[write]
    n = site.issue("responded" if write == "commitment" else "committed")
    sent = key()
    first = site.post(address(n), body, role, **{KEY: sent})
    position = site.position()
    again = site.post(address(n), body, role, **{KEY: sent})
    assert first.status_code == again.status_code == status, first.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert site.position() == position  # nothing more in the event log


def test_refuses_the_same_key_with_a_different_request(site: Site) -> None:
    sent = key()
    raise_issue(site, sent, "The first")
    before = last_issue(site)
    other = raise_issue(site, sent, "Something else")
    assert other.status_code == 422
    assert other.json()["field"] == KEY and "different request" in other.json()["detail"]
    elsewhere = site.post(f"/api/v1/issues/{before}/support", None, "anonymous",
                          **{KEY: sent})
    assert elsewhere.status_code == 422
    assert last_issue(site) == before


def test_the_same_json_sent_with_other_spacing_is_the_same_request(site: Site) -> None:
    sent = key()
    first = site.client.post("/api/v1/issues", content=b'{"title": "Spaced", "description": ""}',
                             headers={KEY: sent, "Content-Type": "application/json"})
    again = site.client.post("/api/v1/issues", content=b'{"description":"","title":"Spaced"}',
                             headers={KEY: f'"{sent}"', "Content-Type": "application/json"})
    assert again.status_code == 201 and again.json() == first.json()


@pytest.mark.parametrize("sent", ["", " ", "x" * 256, "caf\u00e9"],
                         ids=["empty", "blank", "too long", "not ASCII"])
def test_refuses_a_malformed_key_with_400_naming_the_header(site: Site, sent: str) -> None:
    before = last_issue(site)
    answer = site.client.post("/api/v1/issues", json={"title": "Malformed key"},
                              headers=[(KEY.encode(), sent.encode())])
    assert answer.status_code == 400 and answer.json()["field"] == KEY
    assert last_issue(site) == before


def test_keys_belong_to_their_caller(site: Site) -> None:
    sent = key()
    citizen_a = TestClient(site.client.app, client=("198.51.100.7", 4000))
    citizen_b = TestClient(site.client.app, client=("203.0.113.9", 4000))
    a = raise_issue(site, sent, "Same words", client=citizen_a)
    b = raise_issue(site, sent, "Same words", client=citizen_b)
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]
    assert "idempotent-replayed" not in b.headers
    # A staff account's key is its own too, whatever token of the account sends it.
    n = site.issue("submitted")
    staff = site.post(f"/api/v1/issues/{n}/support", {}, "secretariat", **{KEY: sent})
    other_staff = site.post(f"/api/v1/issues/{n}/support", {}, "admin", **{KEY: sent})
    assert staff.status_code == other_staff.status_code == 200
    assert other_staff.json()["version"] == staff.json()["version"] + 1
    second_token = site.tracker.accounts.new_token(_name_of(site, "secretariat"))
    repeat = site.client.post(f"/api/v1/issues/{n}/support", json={}, headers={
        KEY: sent, "Authorization": f"Bearer {second_token}"})
    assert repeat.headers["idempotent-replayed"] == "true"
    assert repeat.json() == staff.json()


def _name_of(site: Site, role: str) -> str:
    account = site.tracker.accounts.authenticate(site.tokens[role])
    assert account is not None
    return account.name


def test_a_refusal_is_not_kept_and_a_repeat_runs_again(site: Site) -> None:
    n = site.issue("discussed")
    body = {"text": "Do it", "owner": "lead", "due": "2026-06-01", "measure": "Done"}
    sent = key()
    early = site.post(f"/api/v1/issues/{n}/commitments", body, "secretariat", **{KEY: sent})
    assert early.status_code == 409  # no Board response yet
    site.tracker.app.record_response(n, "commit", "Yes", "lead", None, SETUP)
    later = site.post(f"/api/v1/issues/{n}/commitments", body, "secretariat", **{KEY: sent})
    assert later.status_code == 201 and "idempotent-replayed" not in later.headers
    again = site.post(f"/api/v1/issues/{n}/commitments", body, "secretariat", **{KEY: sent})
    assert again.json() == later.json() and again.headers["idempotent-replayed"] == "true"


def test_the_same_key_sent_at_once_raises_one_issue(site: Site) -> None:
    before = last_issue(site)
    sent = key()
    start = threading.Barrier(6)

    def send(_: int) -> Any:
        client = TestClient(site.client.app)  # one client per thread, as separate retries
        start.wait()
        return raise_issue(site, sent, "Sent six times at once", client=client)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    codes = sorted(a.status_code for a in answers)
    assert set(codes) <= {201, 409} and 201 in codes, codes
    assert all(a.headers["retry-after"] for a in answers if a.status_code == 409)
    assert {a.json()["number"] for a in answers if a.status_code == 201} == {before + 1}
    assert last_issue(site) == before + 1
    # Once the first has answered, every repeat gets its answer.
    assert raise_issue(site, sent, "Sent six times at once").json()["number"] == before + 1


def _rows(site: Site) -> list[Any]:
    with site.tracker.engine.connect() as conn:
        return list(conn.execute(select(idempotency_keys)))


def _set(site: Site, **values: Any) -> None:
    with site.tracker.write_engine.begin() as conn:
        conn.execute(update(idempotency_keys).values(**values))


def test_a_write_whose_answer_was_lost_is_answered_from_the_event_store(site: Site) -> None:
    sent = key()
    first = raise_issue(site, sent)
    # As a process killed between the event store's commit and keeping the answer leaves it.
    _set(site, status=None, headers=None, body=None, running_since=datetime.now(UTC))
    again = raise_issue(site, sent)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert last_issue(site) == first.json()["number"]
    assert _rows(site)[0].status == 201  # kept now


def test_a_repeat_while_the_first_runs_is_told_to_wait_and_past_its_lease_takes_over(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first attempt hangs before writing (as one that died would look); a repeat is
    told 409 until the lease runs out, then runs; when the first wakes, its write is
    refused by the event store and it answers what the repeat wrote."""
    before = last_issue(site)
    sent = key()
    entered, wake = threading.Event(), threading.Event()
    submit = site.tracker.app.submit_issue
    calls = itertools.count()

    def hanging_first(*args: Any, **kwargs: Any) -> Any:
        if next(calls) == 0:
            entered.set()
            wake.wait(30)
        return submit(*args, **kwargs)

    monkeypatch.setattr(site.tracker.app, "submit_issue", hanging_first)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(raise_issue, site, sent, "Lost in the post",
                            TestClient(site.client.app))
        assert entered.wait(30)
        busy = raise_issue(site, sent)
        assert busy.status_code == 409 and busy.json()["field"] == KEY
        assert busy.headers["retry-after"] == "1" and last_issue(site) == before
        _set(site, running_since=datetime.now(UTC) - LEASE - timedelta(seconds=1))
        taken = raise_issue(site, sent)
        assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers
        wake.set()
        woken = first.result(timeout=60)
    assert woken.status_code == 201 and woken.json() == taken.json()
    assert last_issue(site) == before + 1 == taken.json()["number"]
    # Numbers stay dense: the refused attempt's number goes to the next issue.
    assert raise_issue(site, key()).json()["number"] == before + 2


def test_an_attempt_whose_marker_exists_writes_nothing(site: Site) -> None:
    app = site.tracker.app
    before = last_issue(site)
    marker = uuid.uuid4()
    with app.keyed(marker) as first:
        app.submit_issue("Once", "", SETUP)
    assert first.saved
    with pytest.raises(KeyAlreadyUsed), app.keyed(marker):
        app.submit_issue("Once", "", SETUP)
    assert last_issue(site) == before + 1
    found = app.keyed_write(marker, 0)
    assert found is not None and isinstance(found[0], KeyedWrite)
    assert found[0].number == before + 1 and found[1] == site.position()


def test_keys_are_kept_for_their_time_then_pruned(site: Site) -> None:
    sent = key()
    first = raise_issue(site, sent)
    _set(site, created_at=datetime.now(UTC) - timedelta(hours=24, seconds=1))
    later = raise_issue(site, sent)  # pruned first, so a new submission
    assert later.status_code == 201 and later.json()["number"] == first.json()["number"] + 1
    assert len(_rows(site)) == 1


def test_the_openapi_document_names_the_header_on_every_write(site: Site) -> None:
    spec = site.client.get("/openapi.json").json()
    writes = [(path, ops["post"]) for path, ops in spec["paths"].items() if "post" in ops]
    assert len(writes) >= 17
    for path, operation in writes:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert KEY in headers, path
        assert "Idempotent-Replayed" in headers[KEY]["description"], path
        assert {"400", "409", "422"} <= set(operation["responses"]), path
