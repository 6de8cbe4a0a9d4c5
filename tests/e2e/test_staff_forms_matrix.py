"""Every (staff form, role) pair gets what the authorisation table says, as in the API.

The scenarios are the API matrix's own (tests/e2e/test_api_write_matrix.py): each request
body is sent as the matching staff form instead, by an account of each staff role.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.staff import Staff, staff_client
from tests.e2e.test_api_write_matrix import SCENARIOS
from tests.e2e.writes import Site, build, open_site
from tracker.domain.values import Role
from tracker.permissions import PERMISSIONS

STAFF_ROLES = ("secretariat", "moderator", "admin", "assessor")
UPDATE_FORM = {"record_progress": "progress", "move_due_date": "due-date",
               "deliver_commitment": "delivery", "drop_commitment": "drop"}
REFERENCE_FORM = {"create_topic": "topics", "create_owner": "owners",
                  "create_assembly": "assemblies"}
# The public commands have their own forms (/submit, the support button, the answer
# buttons); a reconvened panel's scores have a form of their own on the meeting pages
# (tested in tests/e2e/test_judgements.py).
FORM_COMMANDS = sorted(set(PERMISSIONS) - {"submit_issue", "support_issue",
                                           "answer_delivery", "reconvene_assembly"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("form-matrix") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


@pytest.fixture(scope="module")
def browsers(site: Site) -> dict[str, Staff]:
    return {role: staff_client(site.tracker, role) for role in STAFF_ROLES}


def as_form(command: str, path: str, body: dict[str, Any], role: str) -> tuple[str, dict]:
    """The staff form address and form fields for an API scenario."""
    fields = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in body.items()}
    if command in REFERENCE_FORM:
        fields["slug"] = f"form-{fields['slug']}"
        return f"/admin/reference/{REFERENCE_FORM[command]}", fields
    form_path = path.replace("/api/v1/issues/", "/admin/issues/")
    if command in UPDATE_FORM:
        fields.pop("status", None) if command != "record_progress" else None
        form_path = form_path.replace("/updates", f"/{UPDATE_FORM[command]}")
    return form_path, fields


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("command", FORM_COMMANDS)
def test_each_role_gets_what_the_table_says(site: Site, browsers: dict[str, Staff],
                                            command: str, role: str) -> None:
    path, body = SCENARIOS[command](site, role)
    form_path, fields = as_form(command, path, body or {}, role)
    staff = browsers[role]
    before = site.position()
    answer = staff.send(form_path, **fields)
    if Role(role) in PERMISSIONS[command]:
        assert answer.status_code == 200, answer.text[:800]
        assert "Recorded" in answer.text
        assert site.position() > before
    else:
        assert answer.status_code == 403, answer.text[:800]
        assert "may not" in answer.text
        assert site.position() == before


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_role_is_offered_only_what_it_may_do(site: Site, browsers: dict[str, Staff],
                                                  role: str) -> None:
    from tracker.web.routes.staff_issues import ON_ISSUE

    n = site.issue("committed")
    page = browsers[role].open(f"/admin/issues/{n}").text
    for key, command in ON_ISSUE.items():
        offered = f'href="/admin/issues/{n}/{key}"' in page
        assert offered == (Role(role) in command.roles), key
