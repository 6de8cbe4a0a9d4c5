"""Journeys as people make them, in a real browser against the real server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, log_in

pytestmark = pytest.mark.browser


def test_a_citizen_finds_an_issue_reads_the_verdict_and_follows_it(page: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="Issues", exact=True).first.click()
    page.get_by_label(re.compile("Search", re.I)).fill("crisis")
    page.get_by_role("button", name=re.compile("Search|Show|Apply", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"q=crisis"))
    page.get_by_role("link", name=re.compile("Crisis mental health care")).click()
    verdict = page.locator(".verdict__sentence")
    expect(verdict).to_be_visible()
    assert verdict.inner_text().strip()  # a sentence, whatever the stage
    follow = page.get_by_role("complementary", name=re.compile("Follow"))
    href = follow.get_by_role("link", name="Atom feed").get_attribute("href")
    feed = page.request.get(href)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert "Crisis mental health care" in feed.text()


def test_a_citizen_raises_an_issue_with_the_keyboard_alone(page: Any) -> None:
    page.goto("/submit")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} cannot be reached with Tab")

    tab_to("#field-title")
    page.keyboard.type("Hospital car park charges for carers")
    tab_to("#field-description")
    page.keyboard.type("Carers visiting every day pay *full* charges.")
    tab_to("button[type=submit]")
    # The honeypot is never reached on the way: it is out of the tab order.
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Your issue is number \d+"))
    number = re.search(r"\d+", heading.inner_text()).group(0)  # type: ignore[union-attr]
    tab_to(f'a[href="/issues/{number}"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hospital car park charges for carers")
    expect(page.locator(".description em")).to_have_text("full")


def test_the_secretariat_records_a_commitment_and_its_delivery(page: Any,
                                                               server: Server) -> None:
    # A fresh issue, raised through the public form.
    page.goto("/submit")
    page.get_by_label("Your issue").fill("Step-free access at the outpatients entrance")
    page.get_by_role("button", name="Raise the issue").click()
    number = re.search(r"number (\d+)", page.content()).group(1)  # type: ignore[union-attr]

    log_in(page, server, "secretariat")
    page.get_by_label("Go to issue number").fill(number)
    page.get_by_role("button", name="Go").click()

    def step(link: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
        page.get_by_role("link", name=link, exact=True).click()
        for label, value in (selects or {}).items():
            page.get_by_label(re.compile("^" + re.escape(label))).select_option(value)
        for label, value in fields.items():
            page.get_by_label(re.compile("^" + re.escape(label))).fill(value)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Recorded")

    step("Schedule for an assembly", {}, {"Assembly": "london-2014"})
    step("Record the discussion", {"Summary": "The entrance has three steps and no ramp."},
         {"Assembly": "london-2014"})
    step("Record the Board's response", {"Summary": "We will fit a ramp."},
         {"Grade": "accepted",
          "Lead owner (when accepted, or accepted in part)": "chief-executive"})
    step("Record a commitment", {"What is promised": "Fit a ramp at the outpatients entrance",
                                 "Due date": "2030-06-30",
                                 "How success is measured": "Ramp in use"},
         {"Owner": "chief-executive"})
    page.get_by_role("link", name=re.compile("^Record delivery")).click()
    page.get_by_label(re.compile("^Evidence")).fill("https://example.org/ramp-photo")
    page.get_by_label(re.compile("^Note")).fill("The ramp opened today.")
    page.get_by_role("button", name="Save").click()
    confirmation = page.get_by_role("status")
    expect(confirmation).to_contain_text("Recorded")
    confirmation.get_by_role("link").click()

    expect(page).to_have_url(re.compile(rf"/issues/{number}#entry-\d+$"))
    commitments = page.locator(".commitments")
    expect(commitments).to_contain_text("Fit a ramp at the outpatients entrance")
    expect(commitments).to_contain_text("Delivered")
    expect(commitments.locator('a[href="https://example.org/ramp-photo"]')).to_be_visible()
    expect(page.locator(".verdict__sentence")).to_contain_text(re.compile("deliver", re.I))


def test_an_owner_logs_in_and_delivers_its_own_commitment_with_evidence(
        page: Any, server: Server) -> None:
    from datetime import date, timedelta

    from tracker.domain.values import Actor, Role

    setup, app = Actor("browser-setup", Role.ADMIN), server.tracker.app
    day = date.today() - timedelta(days=10)
    n = app.submit_issue("Crisis cafés open at weekends", "", setup, day).number
    app.schedule_issue(n, "london-2014", "A citizen", setup)
    app.record_discussion(n, "london-2014", "Discussed", [], [], setup, day)
    app.record_response(n, "accepted", "We will", "medical-director", None, setup, day)
    app.make_commitment(n, "Open crisis cafés on Saturdays", "medical-director",
                        date.today() + timedelta(days=90), "Cafés open", setup, day)
    app.make_commitment(n, "Train café staff", "chief-nursing-officer",
                        date.today() + timedelta(days=90), "Staff trained", setup, day)
    server.tracker.refresh()

    log_in(page, server, "owner")
    page.goto(f"/admin/issues/{n}/commitments/1/delivery")
    page.get_by_label(re.compile("^Evidence")).fill("https://example.org/cafe-rota")
    page.get_by_label(re.compile("^Note")).fill("Open every Saturday since May.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded")
    page.goto(f"/issues/{n}")
    expect(page.locator(".commitments")).to_contain_text("Delivered")
    expect(page.get_by_text("by the owner").first).to_be_visible()

    page.goto(f"/admin/issues/{n}/commitments/2/delivery")
    page.get_by_label(re.compile("^Evidence")).fill("https://example.org/training")
    page.get_by_label(re.compile("^Note")).fill("Not mine to say.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("chief-nursing-officer")
    assert app.load_issue(n).commitment(2).status == "on_track"


def test_a_moderator_hides_a_submission_with_a_reason(page: Any, server: Server) -> None:
    page.goto("/submit")
    page.get_by_label("Your issue").fill("BUY CHEAP PILLS online now")
    page.get_by_role("button", name="Raise the issue").click()
    number = re.search(r"number (\d+)", page.content()).group(1)  # type: ignore[union-attr]

    log_in(page, server, "moderator")
    page.get_by_role("link", name="Moderation queue").first.click()
    row = page.get_by_role("row").filter(has_text="BUY CHEAP PILLS")
    row.get_by_role("link", name=re.compile("^Hide")).click()
    expect(page.get_by_label("Action")).to_have_value("hide")
    page.get_by_label("Reason (shown in public)").fill("Advertising, not an issue")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"issue {number}")

    page.goto(f"/issues/{number}")
    expect(page.locator("body")).to_contain_text("Advertising, not an issue")
    page.goto("/issues")
    expect(page.locator(".issue-list")).not_to_contain_text("BUY CHEAP PILLS")


def test_the_home_page_answers_with_counts_the_api_agrees_with(page: Any,
                                                               server: Server) -> None:
    page.goto("/")
    answer = page.locator('[data-answer="london-2014"]')
    expect(answer).to_be_visible()
    sentence = answer.inner_text()
    assert sentence.startswith("At the London assembly on 18 September 2014, citizens raised ")
    raised = int(re.search(r"citizens raised (\d+) issues", sentence).group(1))  # type: ignore[union-attr]
    outcomes = {link.get_attribute("data-outcome"): int((link.text_content() or "").split()[0])
                for link in page.locator("[data-outcome]").all()}
    assert sum(outcomes.values()) == raised
    for key, n in outcomes.items():
        api = page.request.get(f"/api/v1/issues?assembly=london-2014&outcome={key}").json()
        assert api["total"] == n, key
        assert str(n) in sentence
    promises = {link.get_attribute("data-promises"): int((link.text_content() or "").split()[0])
                for link in page.locator("[data-promises]").all()}
    made = int(re.search(r"The Board made (\d+) promises", sentence).group(1))  # type: ignore[union-attr]
    assert sum(promises.values()) == made
    status = {"kept": "delivered", "dropped": "dropped", "overdue": "overdue", "open": "open"}
    for key, n in promises.items():
        api = page.request.get(
            f"/api/v1/commitments?assembly=london-2014&status={status[key]}").json()
        assert api["total"] == n, key
        assert f"{n} {key}" in sentence
def test_a_citizen_disputes_a_delivery_and_sees_the_count_change(page: Any) -> None:
    page.goto("/issues")
    page.get_by_role("link", name=re.compile("Shift workers cannot get a GP")).click()
    card = page.locator("#judgements-1")
    expect(card.locator(".citizens-count")).to_contain_text("12 no")
    card.get_by_label(re.compile("Why")).fill("No practice near me opens in the evening.")
    card.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your answer is counted")
    expect(page.locator("main")).to_contain_text("challenge 3")
    page.get_by_role("link", name=re.compile("Go back to issue")).click()
    page.reload()  # pages may be kept by the browser for a minute (Cache-Control)
    expect(page.locator("#judgements-1 .citizens-count")).to_contain_text("13 no")
    expect(page.locator("#challenge-3")).to_contain_text("Waiting for the secretariat")
