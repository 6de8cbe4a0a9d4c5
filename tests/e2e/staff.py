"""A staff member in a browser-like client: logs in, opens a form, fills it in, sends it."""

from __future__ import annotations

import html as html_module
import itertools
import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker
from tracker.web.app import create_app

PASSWORD = "a long enough test password"
_unique = itertools.count(1)


def add_staff(tracker: Tracker, role: str) -> str:
    name = f"{role}-{next(_unique)}"
    tracker.accounts.add(name, role)
    tracker.accounts.set_password(name, PASSWORD)
    return name


def hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


def errors_shown(html: str) -> dict[str, str]:
    """Each field's message, as shown next to it."""
    return {m.group(1): html_module.unescape(m.group(2)).strip() for m in re.finditer(
        r'<span class="nhsuk-error-message" id="error-([a-z_]+)">'
        r'<span class="nhsuk-u-visually-hidden">Error:</span>(.*?)</span>', html, re.S)}


@dataclass
class Staff:
    client: TestClient
    tracker: Tracker

    def log_in(self, name: str, password: str = PASSWORD) -> Any:
        return self.client.post("/admin/login", data={"name": name, "password": password})

    def open(self, path: str) -> Any:
        page = self.client.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        return page

    def send(self, path: str, **fields: str) -> Any:
        """Open the form at ``path`` and send it, with its form token and version."""
        page = self.open(path)
        data = {"form_token": hidden(page.text, "form_token") or ""}
        version = hidden(page.text, "version")
        if version is not None:
            data["version"] = version
        return_to = hidden(page.text, "return_to")
        if return_to:
            data["return_to"] = return_to
        return self.client.post(path, data={**data, **fields})

    def position(self) -> int:
        return self.tracker.app.recorder.max_notification_id() or 0


def staff_client(tracker: Tracker, role: str) -> Staff:
    """A client of its own (its own cookie jar), logged in with a new account of ``role``."""
    client = TestClient(create_app(tracker, poll=False))
    client.__enter__()
    staff = Staff(client, tracker)
    answer = staff.log_in(add_staff(tracker, role))
    assert answer.status_code == 200 and str(answer.url).endswith("/admin"), answer.text[:300]
    return staff
