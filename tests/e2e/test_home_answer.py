"""The home page answers "did anything come of it?" per assembly, on the demo data."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tracker.domain.answer import OUTCOMES

ASSEMBLY = "london-2014"
PROMISE_STATUS = {"kept": "delivered", "dropped": "dropped", "overdue": "overdue",
                  "open": "open"}


def _answer(page: str) -> str:
    found = re.search(r'data-answer="london-2014">([^<]*)<', page)
    assert found is not None
    return found.group(1)


def _links(page: str, attribute: str) -> dict[str, int]:
    return {key: int(n.replace(",", "")) for key, n in re.findall(
        rf'{attribute}="([a-z_]+)">([\d,]+) ', page)}


class TestHomeAnswer:
    def test_names_the_assembly_its_date_and_each_outcome(self, demo: TestClient) -> None:
        assert _answer(demo.get("/").text) == (
            "At the London assembly on 18 September 2014, citizens raised 15 issues. The "
            "Board made 9 promises on 6 of them: 4 kept, 1 dropped, 3 overdue (the oldest by "
            "over 10 years) and 1 open. It declined 1, referred 2 to other bodies, noted 2 but "
            "promised nothing, closed 1 without a promise and has not answered 2. 1 has not "
            "been discussed yet.")

    def test_every_issue_outcome_links_to_a_list_of_that_many(self, demo: TestClient) -> None:
        page = demo.get("/").text
        outcomes = _links(page, "data-outcome")
        assert sum(outcomes.values()) == 15
        for key, n in outcomes.items():
            assert key in OUTCOMES
            listed = demo.get(f"/issues?assembly={ASSEMBLY}&outcome={key}").text
            assert f"{n} {'issue' if n == 1 else 'issues'} found" in listed
            api = demo.get("/api/v1/issues", params={"assembly": ASSEMBLY, "outcome": key})
            assert api.json()["total"] == n

    def test_every_promise_state_links_to_a_list_of_that_many(self, demo: TestClient) -> None:
        page = demo.get("/").text
        states = _links(page, "data-promises")
        assert states == {"kept": 4, "dropped": 1, "overdue": 3, "open": 1}
        for key, n in states.items():
            status = PROMISE_STATUS[key]
            listed = demo.get(f"/commitments?assembly={ASSEMBLY}&status={status}").text
            assert f"{n} {'commitment' if n == 1 else 'commitments'}." in listed
            api = demo.get("/api/v1/commitments",
                           params={"assembly": ASSEMBLY, "status": status})
            assert api.json()["total"] == n

    def test_the_on_time_figure_counts_overdue_promises(self, demo: TestClient) -> None:
        # Due by 1 January 2026: 4 delivered on time, 3 overdue, 1 dropped.
        assert ("8 promises were due by today; 4 of them were delivered on time (50%)."
                in demo.get("/").text)

    def test_links_the_assembly_and_its_topics(self, demo: TestClient) -> None:
        page = demo.get("/").text
        assert 'href="/assemblies/london-2014"' in page
        for slug in ("access-to-services", "mental-health", "young-people",
                     "gender-identity", "self-care"):
            assert f'href="/topics/{slug}"' in page

    def test_does_not_pass_off_decade_old_events_as_recent(self, demo: TestClient) -> None:
        # The demo records its entries on their own days (2014 and 2015): on 1 January
        # 2026 none of them is recent, however recently the demo was loaded.
        page = demo.get("/").text
        assert "What changed recently" not in page
        assert "Nothing has happened in the last 3 months." in page


class TestIndexPages:
    def test_topics_owners_and_assemblies_have_index_pages(self, demo: TestClient) -> None:
        for kind, name in (("topics", "Mental Health"), ("owners", "Chief Executive"),
                           ("assemblies", "First test assembly with the Board")):
            page = demo.get(f"/{kind}")
            assert page.status_code == 200
            assert name in page.text
            for item in demo.get(f"/api/v1/{kind}").json():
                assert f'href="/{kind}/{item["slug"]}"' in page.text


def test_when_nothing_happened_lately_the_home_page_says_so_with_the_latest_date(
        tracker, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from tracker.demo import load_demo
    from tracker.web.app import create_app

    clock.today = date(2026, 1, 1)
    load_demo(tracker)
    clock.today = date(2026, 11, 30)
    with TestClient(create_app(tracker, poll=False)) as client:
        page = client.get("/").text
    assert "What changed recently" not in page
    assert "Nothing has happened in the last 3 months." in page
    # The demo happens on its own days: the last of them is its last change.
    assert "The last change happened on 20 November 2015." in re.sub(r"<[^>]+>", "", page)


class TestCommitmentCards:
    def test_an_overdue_card_says_its_dates_and_the_owners_latest_claim(
            self, demo: TestClient) -> None:
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", demo.get("/issues/4").text))
        assert "Commitment 1" in page
        assert ("Due 30 September 2015 (first promised 31 March 2015): over 10 years overdue"
                in page)
        assert "The owner's latest update, 5 October 2015: No public evidence." in page \
            or "The owner&#39;s latest update, 5 October 2015: No public evidence." in page

    def test_a_delivered_card_says_when_and_whether_on_time(self, demo: TestClient) -> None:
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", demo.get("/issues/1").text))
        assert "20 March 2015, on time (due 31 March 2015)" in page
        assert "The list is published. (on example.org)" in page

    def test_a_dropped_card_gives_the_reason(self, demo: TestClient) -> None:
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", demo.get("/issues/13").text))
        assert "1 August 2015: Funding went to local carer services instead." in page

    def test_a_silent_card_says_since_when(self, demo: TestClient) -> None:
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", demo.get("/issues/18").text))
        assert "On track no update since 20 November 2015. Due 31 March 2030" in page


class TestIssuePageLinks:
    def test_says_where_it_was_discussed_with_a_link(self, demo: TestClient) -> None:
        page = demo.get("/issues/2").text
        assert "Discussed at" in page and 'href="/assemblies/london-2014"' in page

    def test_merged_issues_link_both_ways(self, demo: TestClient) -> None:
        assert 'href="/issues/4"' in demo.get("/issues/10").text
        assert 'href="/issues/10"' in demo.get("/issues/4").text

    def test_a_corrected_entry_says_where_its_correction_is(self, demo: TestClient) -> None:
        page = re.sub(r"<[^>]+>", "", demo.get("/issues/1").text)
        assert re.search(r"Corrected by entry \d+", page)
        assert page.count("The discussion took place in the Access to Services group.") == 1

    def test_finished_issues_offer_no_me_too(self, demo: TestClient) -> None:
        assert "Me too" not in demo.get("/issues/1").text  # delivered
        assert "Me too" in demo.get("/issues/8").text  # discussed, no response yet

    def test_the_issue_list_shows_each_verdict(self, demo: TestClient) -> None:
        page = demo.get("/issues").text
        assert "Yes: 2 of 2 commitments delivered" in page
        assert "No Board response yet: discussed 18 September 2014" in page


class TestTimelinePage:
    def test_has_a_filter_form_that_takes_an_empty_issue_box(self, demo: TestClient) -> None:
        page = demo.get("/timeline?issue=&topic=mental-health&owner=&assembly=")
        assert page.status_code == 200
        assert '<form class="filters" method="get" action="/timeline">' in page.text
        assert "Showing changes for Mental Health" in page.text

    def test_links_the_feed_of_what_it_shows(self, demo: TestClient) -> None:
        assert 'href="/topics/mental-health/feed.rss"' in demo.get(
            "/timeline?topic=mental-health").text
        assert 'href="/timeline.atom">Atom feed</a>' in demo.get("/timeline").text


def test_the_logo_does_not_repeat_the_name_beside_it(demo: TestClient) -> None:
    assert 'class="nhsuk-header__organisation-logo" src="/static/logo.svg" width="280" alt=""' \
        in demo.get("/").text


def test_lists_say_how_long_overdue_in_words(demo: TestClient) -> None:
    page = demo.get("/commitments?status=overdue").text
    assert "Overdue by over 10 years" in page
    assert "days</span>" not in page


def test_the_statuses_page_explains_every_outcome_key(demo: TestClient) -> None:
    page = demo.get("/about/statuses").text
    for key, label in OUTCOMES.items():
        assert f'id="outcome-{key}"' in page and label.replace("'", "&#39;") in page


def test_says_per_assembly_what_others_than_the_board_judged(demo: TestClient) -> None:
    page = demo.get("/").text
    block = re.search(r'data-judged="london-2014">(.*?)</dl>', page, re.S)
    assert block is not None
    said = dict(re.findall(r'__key">([^<]*)</dt>\s*<dd class="nhsuk-summary-list__value">'
                           r'([^<]*)</dd>', block.group(1).replace("&#39;", "'")))
    assert said == {
        "Citizens say": "Of the 4 promises the Board says it delivered, citizens confirmed 1 "
                        "and disputed 1; 2 not answered yet.",
        "The assessor says": "It graded 3 of them: 2 complete or with substantial progress, "
                             "1 with less.",
        "The reconvened panel says": "On 20 November 2015 it scored the Board's 4 responses "
                                     "4.5 out of 10 on average."}
