"""Shared by the write-API tests: a site with staff tokens, and issues set up at any stage."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import Clock
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import Settings, load_settings
from tracker.domain.errors import AlreadyExists
from tracker.domain.values import Actor, Role
from tracker.web.app import create_app

TODAY = date(2026, 1, 1)
STAFF = ("secretariat", "moderator", "admin", "assessor")
# Sets the scene through the application directly, so no role check of the API is involved.
SETUP = Actor("test-setup", Role.ADMIN)
_unique = itertools.count(1)


@dataclass
class Site:
    client: TestClient
    tracker: Tracker
    tokens: dict[str, str]

    def position(self) -> int:
        return self.tracker.app.recorder.max_notification_id() or 0

    def as_(self, role: str) -> dict[str, str]:
        """Request headers for a role; "anonymous" sends no token at all."""
        if role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def post(self, path: str, body: dict[str, Any] | None, role: str,
             **headers: str) -> Any:
        return self.client.post(path, json=body, headers={**self.as_(role), **headers})

    def issue(self, stage: str = "submitted") -> int:
        """A fresh issue brought to ``stage`` (see Stages), already shown by reads."""
        number = Stages(self.tracker).make(stage)
        self.tracker.refresh()
        return number


@contextmanager
def open_site(tracker: Tracker) -> Iterator[Site]:
    """A client on this tracker, with one account (and token) per staff role, and two owner
    accounts: "owner" (of the owner of every commitment set up) and "other-owner"."""
    Stages(tracker).reference_data()
    tokens = {role: tracker.accounts.add(f"{role}-desk-{next(_unique)}", role)[1]
              for role in STAFF}
    # An owner's account: of "lead" (who owns every commitment Stages makes), and of another.
    tokens["owner"] = tracker.accounts.add(f"lead-desk-{next(_unique)}", "owner",
                                           owner="lead")[1]
    tokens["other-owner"] = tracker.accounts.add(f"other-desk-{next(_unique)}", "owner",
                                                 owner="other")[1]
    with TestClient(create_app(tracker, poll=False)) as client:
        yield Site(client, tracker, tokens)


class Stages:
    """Brings a new issue to a stage of its story, one command at a time."""

    ORDER = ("submitted", "scheduled", "discussed", "responded", "committed")

    def __init__(self, tracker: Tracker) -> None:
        self.app = tracker.app

    def reference_data(self) -> None:
        with suppress(AlreadyExists):
            self.app.create_topic("access", "Access to Services", SETUP)
            self.app.create_owner("lead", "Lead Board member", "Board", SETUP)
            self.app.create_assembly("leeds", "Leeds Assembly", date(2015, 3, 1), "Leeds",
                                     SETUP)

    def make(self, stage: str) -> int:
        app = self.app
        n = app.submit_issue(f"Issue set up as {stage}", "", SETUP, date(2015, 1, 1)).number
        if stage == "hidden":
            app.hide_issue(n, "Set up hidden", SETUP)
        elif stage == "closed":
            app.close_issue(n, "Set up closed", SETUP)
        elif stage in ("delivered", "challenged"):
            self._to(n, "committed")
            app.deliver_commitment(n, 1, "Done", "Paper 15/06", SETUP)
            if stage == "challenged":
                app.answer_delivery(n, 1, "no", "Not in my borough", "someone", SETUP)
        elif stage == "referred":
            self._to(n, "discussed")
            app.record_response(n, "refer", "Theirs", None, "Healthwatch England", SETUP)
        elif stage != "submitted":
            self._to(n, stage)
        return n

    def _to(self, n: int, stage: str) -> None:
        app = self.app
        steps = {
            "scheduled": lambda: app.schedule_issue(n, "leeds", "A citizen", SETUP),
            "discussed": lambda: app.record_discussion(n, "leeds", "Talked", [], [], SETUP),
            "responded": lambda: app.record_response(n, "commit", "Yes", "lead", None, SETUP),
            "committed": lambda: app.make_commitment(n, "Do it", "lead", date(2026, 6, 1),
                                                     "Done", SETUP),
        }
        for step in self.ORDER[1:self.ORDER.index(stage) + 1]:
            steps[step]()


def write_settings(**overrides: Any) -> Settings:
    """Settings for write tests: limits high enough that only the rate-limit tests meet
    them, and a fixed secret so nothing is written outside the data directory."""
    values: dict[str, Any] = {"rate_submit": "10000/minute", "rate_support": "10000/minute",
                              "rate_answer": "10000/minute", "secret_key": "test-secret",
                              **overrides}
    return load_settings(**values)


def from_factory(make_tracker: Any, clock: Clock, backend: str) -> Tracker:
    """A tracker from the conftest factory (on "sqlite" or "postgres"), set up like
    write_settings, its clock the conftest's at TODAY."""
    clock.today = TODAY
    tracker: Tracker = make_tracker(backend)
    for name, value in write_settings().model_dump(
            include={"rate_submit", "rate_support", "rate_answer", "secret_key"}).items():
        setattr(tracker.settings, name, value)
    return tracker


def build(data_dir: Path, **overrides: Any) -> Tracker:
    """An embedded tracker for write tests, its clock at TODAY."""
    return bootstrap(write_settings(data_dir=data_dir, **overrides), clock=Clock(TODAY))
