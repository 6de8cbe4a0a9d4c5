"""Writers at the same moment: none loses another's event, and If-Match lets one win."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.e2e.writes import Site

WRITERS = 6


def at_once(site: Site, path: str, bodies: list[dict[str, str]],
            headers: dict[str, str]) -> list[int]:
    def send(body: dict[str, str]) -> int:
        # A client per thread, as separate browsers or scripts would be.
        client = TestClient(site.client.app)
        return client.post(path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(send, bodies))


def test_concurrent_writers_without_if_match_all_get_their_event_in(site: Site) -> None:
    n = site.issue("committed")
    start = site.client.get(f"/api/v1/issues/{n}").json()["version"]
    bodies = [{"status": "on_track", "note": f"Update {i}"} for i in range(WRITERS)]
    codes = at_once(site, f"/api/v1/issues/{n}/commitments/1/updates", bodies,
                    site.as_("secretariat"))
    assert codes == [200] * WRITERS
    site.tracker.refresh()
    assert site.client.get(f"/api/v1/issues/{n}").json()["version"] == start + WRITERS
    history = site.client.get(f"/api/v1/issues/{n}/history").json()
    notes = {e["fields"].get("note") for e in history}
    assert {b["note"] for b in bodies} <= notes


def test_concurrent_writers_with_the_same_if_match_exactly_one_wins(site: Site) -> None:
    n = site.issue("committed")
    version = site.client.get(f"/api/v1/issues/{n}").json()["version"]
    bodies = [{"status": "at_risk", "note": f"Racer {i}"} for i in range(WRITERS)]
    codes = at_once(site, f"/api/v1/issues/{n}/commitments/1/updates", bodies,
                    {**site.as_("secretariat"), "If-Match": f'"{version}"'})
    assert sorted(codes) == [200] + [412] * (WRITERS - 1)
    site.tracker.refresh()
    assert site.client.get(f"/api/v1/issues/{n}").json()["version"] == version + 1
