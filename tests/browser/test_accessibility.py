"""axe-core on every public and staff page type (WCAG 2.2 A and AA, target-size on), and
every page usable at 320 px wide without scrolling sideways."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import Server, log_in

AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}

pytestmark = pytest.mark.browser


def _post_empty_form(page: Any) -> None:
    page.get_by_role("button", name="Raise the issue").click()


def _bad_login(page: Any) -> None:
    page.get_by_label("Account name").fill("nobody")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()


def _bad_meeting(page: Any) -> None:
    page.locator("select[name$='-grade']").first.select_option("accepted")
    page.locator("input[name$='-c1-due']").first.fill("31/2/2030")
    page.get_by_role("button", name="Publish all").click()


def _bad_commitment(page: Any) -> None:
    page.get_by_role("button", name="Save").click()


# name -> (address, staff role or None, what to do on the page before the audit)
PublicPage = tuple[str, str | None, Callable[[Any], None] | None]
PAGES: dict[str, PublicPage] = {
    "home": ("/", None, None),
    "issue list": ("/issues?q=health", None, None),
    "issue (delivered)": ("/issues/1", None, None),
    "issue (overdue)": ("/issues/2", None, None),
    "issue (hidden)": ("/issues/14", None, None),
    "commitments": ("/commitments", None, None),
    "timeline": ("/timeline", None, None),
    "topic": ("/topics/mental-health", None, None),
    "owner": ("/owners/chief-executive", None, None),
    "assembly": ("/assemblies/london-2014", None, None),
    "topics index": ("/topics", None, None),
    "owners index": ("/owners", None, None),
    "assemblies index": ("/assemblies", None, None),
    "timeline filtered": ("/timeline?topic=mental-health", None, None),
    "issues by outcome": ("/issues?assembly=london-2014&outcome=declined", None, None),
    "commitments by assembly": ("/commitments?assembly=london-2014&status=overdue", None, None),
    "statuses": ("/about/statuses", None, None),
    "submit form": ("/submit", None, None),
    "submit form with errors": ("/submit", None, _post_empty_form),
    "issue raised": ("/submit/thanks?issue=3", None, None),
    "not found": ("/issues/99999", None, None),
    # Signed links made by the server fixture (Server.follow_links).
    "follow: confirm": ("confirm", None, None),
    "follow: manage": ("manage", None, None),
    "follow: link not valid": ("/follow/confirm?token=forged", None, None),
    "staff login": ("/admin/login", None, None),
    "staff login refused": ("/admin/login", None, _bad_login),
    "staff home": ("/admin", "admin", None),
    "staff home of an owner": ("/admin", "owner", None),
    "staff issue": ("/admin/issues/2", "admin", None),
    "staff form": ("/admin/issues/5/response", "admin", None),
    "staff form with errors": ("/admin/issues/5/commitments", "admin", _bad_commitment),
    "commitment update form": ("/admin/issues/2/commitments/1/progress", "admin", None),
    "moderation queue": ("/admin/moderation", "moderator", None),
    "reference data": ("/admin/reference", "secretariat", None),
    "reference form": ("/admin/reference/assemblies", "secretariat", None),
    "accounts and their log": ("/admin/accounts", "admin", None),
    "worklist, one kind": ("/admin?show=overdue", "secretariat", None),
    "meetings": ("/admin/meetings", "secretariat", None),
    "meeting page": ("/admin/meetings/sitting-axe", "secretariat", None),
    "meeting page with errors": ("/admin/meetings/sitting-axe", "secretariat", _bad_meeting),
    "amendment form": ("/admin/issues/2/commitments/1/amendments", "admin", None),
    "change of owner": ("/admin/issues/2/commitments/1/amendments?field=owner", "admin", None),
    "due date form with choices": ("/admin/issues/2/commitments/1/due-date", "admin", None),
    "reconvened panel form": ("/admin/meetings/london-2014/panel", "secretariat", None),
    "delivery form with a file": ("/admin/issues/2/commitments/1/delivery", "admin", None),
    "evidence upload": ("/admin/files", "secretariat", None),
    "audit": ("/admin/audit", "admin", None),
}


def _open(browser: Any, server: Server, name: str, width: int) -> tuple[Any, Any]:
    path, role, action = PAGES[name]
    path = server.follow_links.get(path, path)
    context = browser.new_context(base_url=server.url,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    if role:
        log_in(page, server, role)
    page.goto(path)
    if action:
        action(page)
        page.wait_for_load_state()
    return context, page


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(browser: Any, server: Server, name: str) -> None:
    context, page = _open(browser, server, name, 1280)
    try:
        results = Axe().run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        summary = [{"rule": v["id"], "impact": v["impact"],
                    "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations]
        assert violations == [], json.dumps(summary, indent=1)
    finally:
        context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scrolling_at_320_px(browser: Any, server: Server, name: str) -> None:
    context, page = _open(browser, server, name, 320)
    try:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: {overflow}px wider than a 320 px screen"
    finally:
        context.close()


# Pages made for the secretariat's sittings are audited at 320 px too.
NARROW = ("staff home", "staff home of an owner", "worklist, one kind", "meetings", "meeting page",
          "meeting page with errors", "amendment form", "delivery form with a file",
          "change of owner", "due date form with choices", "reconvened panel form",
          "evidence upload", "audit")


@pytest.mark.parametrize("name", NARROW)
def test_axe_finds_no_violations_at_320_px(browser: Any, server: Server, name: str) -> None:
    context, page = _open(browser, server, name, 320)
    try:
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert violations == [], json.dumps([v["id"] for v in violations])
    finally:
        context.close()
