"""Each history entry of an issue page links its inclusion proof; the static copy, which
has no API, leaves those links out rather than break them."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker
from tracker.publish import Publisher

PROOF = re.compile(r'href="(/api/v1/log/positions/(\d+)/proof)"')


def test_every_entry_of_an_issue_page_links_a_proof_that_verifies(demo: TestClient) -> None:
    page = demo.get("/issues/1").text
    history = demo.get("/api/v1/issues/1/history").json()
    links = PROOF.findall(page)
    assert len(links) == len(history) > 3
    for address, _position in links[:3]:
        proof = demo.get(address)
        assert proof.status_code == 200, address
        assert proof.json()
    as_of = demo.get("/issues/1", params={"as_of": "2014-11-06"}).text
    assert 0 < len(PROOF.findall(as_of)) < len(links)


def test_the_static_copy_has_no_proof_links(demo_tracker: Tracker, tmp_path: Path) -> None:
    publisher = Publisher(demo_tracker, tmp_path / "site")
    try:
        publisher.publish_all()
    finally:
        publisher.close()
    page = (tmp_path / "site/issues/1/index.html").read_text()
    assert "Happened" in page and "log/positions" not in page
