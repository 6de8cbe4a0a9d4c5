"""The JSON read API and the open-data exports, through the real app on the demo data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient


class TestIssues:
    def test_one_issue_has_the_fields_the_spec_promises(self, demo: TestClient) -> None:
        body = demo.get("/api/v1/issues/2").json()
        assert {"number", "title", "stage", "verdict", "topic", "version",
                "commitments"} <= set(body)
        assert body["verdict"].startswith("Partly: 1 of 2 commitments delivered; 1 overdue, due "
                                          "31 December 2015 (overdue by")
        commitment = body["commitments"][1]
        assert {"commitment", "text", "owner", "due", "status", "overdue"} <= set(commitment)
        assert commitment["overdue"] is True

    def test_an_unknown_issue_is_a_json_404(self, demo: TestClient) -> None:
        response = demo.get("/api/v1/issues/999")
        assert response.status_code == 404
        assert "999" in response.json()["detail"]

    def test_a_malformed_number_is_a_422_naming_the_field(self, demo: TestClient) -> None:
        response = demo.get("/api/v1/issues/two")
        assert response.status_code == 422
        assert response.json()["field"] == "number"

    @pytest.mark.parametrize(("query", "expected"), [
        ("stage=delivered", {1}),
        ("stage=merged", {10}),
        ("topic=mental-health", {2, 7}),
        ("owner=medical-director", {2}),
        ("overdue=true", {2, 3, 4}),
        ("q=GP", {1, 12, 14, 18}),
        ("q=%25", set()),
        ("assembly=london-2014&stage=discussed", {8, 16}),
    ])
    def test_the_list_filters(self, demo: TestClient, query: str, expected: set[int]) -> None:
        body = demo.get(f"/api/v1/issues?{query}").json()
        assert {i["number"] for i in body["issues"]} == expected
        assert body["total"] == len(expected)

    def test_the_list_leaves_hidden_issues_out(self, demo: TestClient) -> None:
        numbers = {i["number"] for i in demo.get("/api/v1/issues?limit=200").json()["issues"]}
        assert 11 not in numbers and len(numbers) == 17

    @pytest.mark.parametrize("query", ["stage=bogus", "limit=0", "limit=9999", "offset=-1",
                                       "topic=Not A Slug", "overdue=perhaps"])
    def test_bad_filters_are_422s_naming_the_field(self, demo: TestClient, query: str) -> None:
        response = demo.get(f"/api/v1/issues?{query}")
        assert response.status_code == 422
        assert response.json()["field"] == query.split("=")[0]

    def test_history_is_oldest_first_with_both_dates(self, demo: TestClient) -> None:
        history = demo.get("/api/v1/issues/1/history").json()
        assert history[0]["type"] == "submitted"
        assert [e["position"] for e in history] == sorted(e["position"] for e in history)
        assert all(e["at"].endswith("Z") or "+00:00" in e["at"] for e in history)
        correction = next(e for e in history if e["type"] == "corrected")
        assert correction["corrects"] == 46
        assert "supporter" not in json.dumps([e["fields"] for e in history])


class TestLists:
    def test_the_timeline_pages_newest_first(self, demo: TestClient) -> None:
        first = demo.get("/api/v1/timeline?limit=5").json()
        positions = [e["position"] for e in first["entries"]]
        assert positions == sorted(positions, reverse=True)
        second = demo.get(f"/api/v1/timeline?limit=5&before={first['next_before']}").json()
        assert max(e["position"] for e in second["entries"]) < min(positions)

    def test_the_timeline_filters_by_owner_and_leaves_support_out(
            self, demo: TestClient) -> None:
        entries = demo.get("/api/v1/timeline?owner=medical-director&limit=200").json()["entries"]
        assert entries and all(e["issue"] == 2 for e in entries)
        everything = demo.get("/api/v1/timeline?limit=200").json()["entries"]
        assert all(e["type"] != "supported" for e in everything)

    def test_commitments_come_overdue_first(self, demo: TestClient) -> None:
        listed = demo.get("/api/v1/commitments").json()["commitments"]
        flags = [c["overdue"] for c in listed]
        assert flags == sorted(flags, reverse=True) and flags[0]

    def test_reference_data_with_figures(self, demo: TestClient) -> None:
        topics = {t["slug"]: t for t in demo.get("/api/v1/topics").json()}
        assert len(topics) == 5
        assert topics["mental-health"]["figures"]["overdue"] == 1
        assert len(demo.get("/api/v1/owners").json()) == 7  # two external bodies
        [assembly] = demo.get("/api/v1/assemblies").json()
        assert assembly["held_on"] == "2014-09-18"


class TestConditionalRequests:
    @pytest.mark.parametrize("address", ["/api/v1/issues/1", "/api/v1/issues",
                                         "/api/v1/timeline", "/export/issues.csv"])
    def test_a_current_copy_gets_a_304(self, demo: TestClient, address: str) -> None:
        first = demo.get(address)
        assert first.headers["etag"] and first.headers["last-modified"]
        again = demo.get(address, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        since = demo.get(address, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert since.status_code == 304

    def test_a_stale_copy_gets_the_body(self, demo: TestClient) -> None:
        response = demo.get("/api/v1/issues/1", headers={"If-None-Match": '"0-2000-01-01"'})
        assert response.status_code == 200


class TestExports:
    def test_events_are_one_json_object_per_line(self, demo: TestClient) -> None:
        lines = demo.get("/export/events.jsonl").text.splitlines()
        events = [json.loads(line) for line in lines]
        assert events[0]["type"] == "submitted"
        assert len({e["position"] for e in events}) == len(events)
        assert not any("supporter" in e["fields"] for e in events)

    def test_csv_tables(self, demo: TestClient) -> None:
        issues = list(csv.DictReader(io.StringIO(demo.get("/export/issues.csv").text)))
        assert len(issues) == 17 and issues[0]["verdict"]
        commitments = list(csv.DictReader(io.StringIO(
            demo.get("/export/commitments.csv").text)))
        assert {c["overdue"] for c in commitments} == {"yes", "no"}
        judged = [c for c in commitments if c["assessor_completion"] == "limited"]
        assert [(c["citizens_yes"], c["citizens_partly"], c["citizens_no"])
                for c in judged] == [("1", "2", "12")]


def test_a_formula_in_a_cell_is_neutralised() -> None:
    from tracker.site.exports import safe_cell

    for hostile in ("=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\t=1"):
        assert safe_cell(hostile).startswith("'")
    assert safe_cell("Plain text") == "Plain text"
    assert safe_cell(12) == 12
