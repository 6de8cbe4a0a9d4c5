"""The admins' audit page: each public entry with the account that recorded it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.staff import staff_client
from tests.e2e.writes import Stages, build
from tracker.bootstrap import Tracker


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("audit") / "data"
    tracker = build(data, rate_login="1000/minute")
    Stages(tracker).reference_data()
    yield tracker
    tracker.close()


def test_the_audit_page_lists_each_account_s_entries_for_admins_only(
        tracker: Tracker) -> None:
    n = Stages(tracker).make("submitted")
    tracker.refresh()
    secretary = staff_client(tracker, "secretariat")
    answer = secretary.send(f"/admin/issues/{n}/topic", topic="access")
    assert answer.status_code == 200
    account = next(a for a in tracker.accounts.list() if a.name.startswith("secretariat-"))
    admin = staff_client(tracker, "admin")
    page = admin.open("/admin/audit").text
    assert f"Issue {n}, entry 2</a>: Grouped under the topic" in page
    assert f"(account {account.id})" in page
    only = admin.open(f"/admin/audit?account={account.id}").text
    assert f"Issue {n}, entry 2" in only and f"Issue {n}, entry 1<" not in only
    assert secretary.client.get("/admin/audit").status_code == 403
    # The public record still names the role only.
    public = secretary.client.get(f"/api/v1/issues/{n}/history").json()
    assert all("actor_id" not in e and "account" not in str(e["fields"]) for e in public)


def test_a_rebuild_gives_the_same_audit_rows(tracker: Tracker) -> None:
    from tests.integration.test_projector import snapshot_of_read_models
    from tracker.projections.audit import entry_actors

    before = snapshot_of_read_models(tracker, (entry_actors,))
    assert before["entry_actors"]
    tracker.projector.rebuild()
    assert snapshot_of_read_models(tracker, (entry_actors,)) == before
