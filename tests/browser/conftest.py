"""A real server and Debian's Chromium, driven by Playwright.

The server is the real app under uvicorn on a free local port, on its own data directory
with the demo data and one account per staff role. The browser is never downloaded: it is
the system's /usr/bin/chromium. Where it (or Playwright) is missing these tests skip with
the reason, except under CI, where they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.demo import load_demo
from tracker.following.links import Links
from tracker.following.store import Follows

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "a browser test password"


def _missing() -> str | None:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {reason}")
        pytest.skip(reason)


@dataclass
class Server:
    url: str
    tracker: Tracker
    accounts: dict[str, str]  # role -> account name (password: PASSWORD)
    # "confirm", "manage" -> a signed link to that follow page (their keys are random)
    follow_links: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_browser()
    import uvicorn

    from tracker.web.app import create_app

    port = _free_port()
    settings = load_settings(data_dir=tmp_path_factory.mktemp("browser") / "data",
                             base_url=f"http://127.0.0.1:{port}", secret_key="browser-tests",
                             rate_submit="1000/minute", rate_support="1000/minute",
                             rate_login="1000/minute",
                             # Mail "on", so pages show the follow form; nothing is sent.
                             smtp_host="127.0.0.1", smtp_port=9)
    tracker = bootstrap(settings)
    load_demo(tracker)
    accounts = {}
    for role in ("secretariat", "moderator", "admin"):
        name = f"{role}-desk"
        tracker.accounts.add(name, role)
        tracker.accounts.set_password(name, PASSWORD)
        accounts[role] = name
    # An owner's account: it may update the National Medical Director's commitments only.
    tracker.accounts.add("owner-desk", "owner", owner="medical-director")
    tracker.accounts.set_password("owner-desk", PASSWORD)
    accounts["owner"] = "owner-desk"
    # An assembly whose two issues are owed a Board response, for the meeting page's audit.
    _owed_a_response(tracker, "sitting-axe")
    # One follow waiting to be confirmed and one confirmed, for the follow pages' audit.
    follows, links = Follows(tracker.write_engine), Links(b"browser-tests", "")
    waiting = follows.request("reader@example.org", "issue", "1", "daily")
    following = follows.confirm(
        follows.request("reader@example.org", "topic", "mental-health", "instant").key,
        tracker.projector.position())
    assert following is not None
    follow_links = {"confirm": links.path("confirm", waiting.key),
                    "manage": links.path("manage", following.link_key)}
    config = uvicorn.Config(create_app(tracker), host="127.0.0.1", port=port,
                            log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield Server(url, tracker, accounts, follow_links)
    web.should_exit = True
    thread.join(timeout=10)
    tracker.close()


def _owed_a_response(tracker: Tracker, slug: str) -> None:
    from datetime import date, timedelta

    from tracker.domain.values import Actor, Role

    setup, day = Actor("browser-setup", Role.ADMIN), date.today() - timedelta(days=30)
    app = tracker.app
    app.create_assembly(slug, "Assembly for the meeting page", day, "Leeds", setup)
    for title in ("Evening clinics for carers", "Step-free access at outpatients"):
        n = app.submit_issue(title, "", setup, day - timedelta(days=30)).number
        app.schedule_issue(n, slug, "A citizen", setup)
        app.record_discussion(n, slug, "Discussed at length", [], [], setup, day)
    tracker.refresh()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Any, server: Server, role: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("Account name").fill(server.accounts[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin")
