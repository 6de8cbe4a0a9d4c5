"""Hostile text in every field that takes text comes out inert everywhere it is shown.

Every text field of every command gets a payload of script, markup, quotes and a
spreadsheet formula, through the real API. Then every page, feed, calendar and export that
could show it is read, each with a parser of its kind: no script or markup survives as
markup, no formula opens a CSV cell, no line break forges a calendar line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import icalendar
import pytest
from lxml import etree

from tests.e2e.staff import staff_client
from tests.e2e.writes import Site, build, open_site

SCRIPT = '<script>alert("x")</script>'
MARKUP = '<img src=x onerror=alert(1)><a href="javascript:alert(2)">y</a>'
FORMULA = '=HYPERLINK("http://evil.example","z")'
# A line break followed by a forged calendar property, for the multi-line fields.
ICS_BREAK = "\r\nX-FORGED:yes\r\nEND:VEVENT"
# Characters that make text read otherwise than it is: dropped on the way in.
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069")


def hostile(field: str, multiline: bool = False) -> str:
    tail = ICS_BREAK if multiline else ""
    return f"\u202e{FORMULA} {field}\u2066 {SCRIPT}{MARKUP}'&\u2069{tail}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("hostile") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        fill(site)
        yield site
    tracker.close()


def fill(site: Site) -> None:
    def post(path: str, body: dict[str, object], role: str = "secretariat") -> dict:
        answer = site.post(path, body, role)
        assert answer.status_code in (200, 201), (path, answer.text)
        return answer.json()  # type: ignore[no-any-return]

    short = hostile("short")[:190]
    post("/api/v1/topics", {"slug": "evil-topic", "name": hostile("topic")[:190]})
    post("/api/v1/owners", {"slug": "evil-owner", "name": hostile("owner")[:190],
                            "role": hostile("role")[:190]})
    post("/api/v1/assemblies", {"slug": "evil-assembly", "title": hostile("assembly")[:190],
                                "date": "2015-03-01", "place": hostile("place")[:190]})
    n = post("/api/v1/issues", {"title": hostile("title")[:190],
                                "description": hostile("description", True)},
             "anonymous")["number"]
    base = f"/api/v1/issues/{n}"
    post(f"{base}/topic", {"topic": "evil-topic"})
    post(f"{base}/schedule", {"assembly": "evil-assembly", "presenter": hostile("p")[:110]})
    post(f"{base}/presentation", {"presenter": hostile("presenter")[:110]})
    post(f"{base}/discussion", {"assembly": "evil-assembly",
                                "summary": hostile("summary", True),
                                "key_questions": [short], "proposals": [short]})
    post(f"{base}/response", {"decision": "commit", "summary": hostile("response", True),
                              "lead": "evil-owner"})
    for _ in range(3):
        post(f"{base}/commitments", {"text": hostile("commitment", True),
                                     "owner": "evil-owner", "due": "2026-03-31",
                                     "measure": hostile("measure", True)})
    post(f"{base}/commitments/1/updates", {"status": "delayed",
                                           "note": hostile("note", True),
                                           "evidence_url": hostile("evidence")[:190]})
    post(f"{base}/commitments/1/updates", {"new_due": "2026-04-30",
                                           "reason": hostile("due reason", True)})
    post(f"{base}/commitments/2/updates", {"status": "delivered",
                                           "evidence_url": hostile("delivered")[:190],
                                           "note": hostile("delivery note", True)})
    post(f"{base}/commitments/3/updates", {"status": "dropped",
                                           "reason": hostile("dropped", True)})
    post(f"{base}/corrections", {"entry": 2, "reason": hostile("why", True),
                                 "correction": hostile("instead", True)})
    m = post("/api/v1/issues", {"title": "A plain issue"}, "anonymous")["number"]
    post(f"/api/v1/issues/{m}/moderation", {"action": "hide", "reason": short}, "moderator")
    d = post("/api/v1/issues", {"title": "A duplicate"}, "anonymous")["number"]
    post(f"/api/v1/issues/{d}/merge", {"into": n, "reason": short})
    r = post("/api/v1/issues", {"title": "Referred"}, "anonymous")["number"]
    post(f"/api/v1/issues/{r}/schedule", {"assembly": "evil-assembly"})
    post(f"/api/v1/issues/{r}/discussion", {"assembly": "evil-assembly", "summary": "Talk"})
    post(f"/api/v1/issues/{r}/response", {"decision": "refer", "summary": "Not ours",
                                          "referred_to": hostile("referred")[:190]})
    post(f"/api/v1/issues/{r}/referral-answer", {"answer": hostile("answer", True)})
    post(f"/api/v1/issues/{r}/close", {"outcome": hostile("outcome", True)})
    post(f"/api/v1/issues/{r}/reopen", {"reason": short})
    site.tracker.clock.today = date(2026, 6, 1)  # type: ignore[attr-defined]  # overdue now
    site.numbers = (n, m, d, r)  # type: ignore[attr-defined]


def pages(site: Site) -> list[str]:
    n, m, d, r = site.numbers  # type: ignore[attr-defined]
    return ["/", "/issues", "/issues?q=script", "/commitments", "/timeline",
            "/about/statuses", "/topics/evil-topic", "/owners/evil-owner",
            "/assemblies/evil-assembly",
            *(f"/issues/{i}" for i in (n, m, d, r))]


def test_pages_escape_everything(site: Site) -> None:
    for path in pages(site):
        answer = site.client.get(path)
        assert answer.status_code == 200, path
        assert_inert_html(answer.text, path)
    # The payload really is on the pages, escaped (so the checks above checked something).
    issue = site.client.get(f"/issues/{site.numbers[0]}").text  # type: ignore[attr-defined]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in issue or \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in issue


def test_staff_pages_escape_everything(site: Site) -> None:
    staff = staff_client(site.tracker, "admin")
    n = site.numbers[0]  # type: ignore[attr-defined]
    for path in ("/admin", "/admin/moderation", f"/admin/issues/{n}",
                 f"/admin/issues/{n}/topic", f"/admin/issues/{n}/response",
                 f"/admin/issues/{n}/commitments/1/progress"):
        assert_inert_html(staff.open(path).text, path)


def assert_inert_html(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html and "onerror=alert" not in html.replace(
        "onerror=alert(1)&gt;", ""), where
    assert not re.search(r'<[a-z]+[^<>]*\shref="javascript:', html), where
    # No element the payload could have opened: every <script> is the site's own.
    for src in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in src, (where, src)


FEEDS = ("/timeline", "/issues/{n}/feed", "/topics/evil-topic/feed",
         "/owners/evil-owner/feed", "/commitments/overdue")


def test_rss_and_atom_carry_text_never_markup(site: Site) -> None:
    n = site.numbers[0]  # type: ignore[attr-defined]
    for feed in FEEDS:
        for suffix in (".rss", ".atom"):
            path = feed.format(n=n) + suffix
            answer = site.client.get(path)
            assert answer.status_code == 200, path
            root = etree.fromstring(answer.content)
            names = {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}
            assert not names & {"script", "img", "a", "iframe"}, (path, names)
            # Content declared as HTML is HTML once unescaped: it must hold no live markup.
            for e in root.iter():
                if not isinstance(e.tag, str):
                    continue
                local = etree.QName(e).localname
                if local in ("content", "description", "summary") and e.text:
                    assert_inert_html(e.text, path)


def test_json_feed_html_is_escaped(site: Site) -> None:
    n = site.numbers[0]  # type: ignore[attr-defined]
    seen = 0
    for feed in FEEDS:
        document = site.client.get(feed.format(n=n) + ".json").json()
        for item in document["items"]:
            assert_inert_html(item["content_html"], feed)
            seen += SCRIPT in item.get("content_text", "")
    assert seen > 0  # the text itself is carried, as text


def test_calendars_cannot_be_forged(site: Site) -> None:
    n = site.numbers[0]  # type: ignore[attr-defined]
    for path in ("/calendar.ics", f"/issues/{n}/calendar.ics",
                 "/owners/evil-owner/calendar.ics"):
        body = site.client.get(path).content
        assert b"\r\nX-FORGED" not in body, path
        calendar = icalendar.Calendar.from_ical(body)
        events = list(calendar.walk("VEVENT"))
        assert body.count(b"\r\nBEGIN:VEVENT") == len(events), path
        for event in events:
            assert "X-FORGED" not in event  # a property, only if a line break got through


def test_csv_cells_never_start_a_formula(site: Site) -> None:
    checked = 0
    for path in ("/export/issues.csv", "/export/commitments.csv"):
        rows = list(csv.reader(io.StringIO(site.client.get(path).text)))
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
                checked += "HYPERLINK" in cell
    assert checked > 0  # the payload is in the export, neutralised


def test_the_event_export_is_valid_json_lines(site: Site) -> None:
    lines = site.client.get("/export/events.jsonl").text.splitlines()
    events = [json.loads(line) for line in lines]

    def texts(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from texts(v)
        elif isinstance(value, list):
            for v in value:
                yield from texts(v)

    # Open data carries exactly what was written, as JSON strings: escaping is the reader's.
    assert any(SCRIPT in text for e in events for text in texts(e))


def test_names_that_look_like_placeholders_are_just_names(site: Site) -> None:
    # A slug such as "0" once reached str.format in a feed's title: a 500.
    site.post("/api/v1/topics", {"slug": "0", "name": "{0} {name} %s"}, "secretariat")
    for suffix in (".rss", ".atom", ".json"):
        answer = site.client.get(f"/topics/0/feed{suffix}")
        assert answer.status_code == 200, suffix
        assert "{0} {name} %s" in answer.text


def test_no_direction_changing_character_reaches_any_output(site: Site) -> None:
    n = site.numbers[0]  # type: ignore[attr-defined]
    outputs = [*pages(site), *(f.format(n=n) + suffix for f in FEEDS
                               for suffix in (".rss", ".atom", ".json")),
               "/calendar.ics", "/owners/evil-owner/calendar.ics", "/export/issues.csv",
               "/export/commitments.csv", "/export/events.jsonl", f"/api/v1/issues/{n}",
               f"/api/v1/issues/{n}/history"]
    for path in outputs:
        text = site.client.get(path).text
        assert not any(c in text for c in BIDI), path
        assert "\\u202e" not in text.lower() and "&#8238;" not in text, path
    # The rest of the text is all there.
    assert "HYPERLINK" in site.client.get(f"/issues/{n}").text
