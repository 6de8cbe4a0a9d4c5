"""Every account change is in the account log (who, when, what), readable by admins only,
on the command line and on /admin/accounts; no password or token ever is."""

from __future__ import annotations

import io
import os
import pwd
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.staff import PASSWORD, Staff, staff_client
from tests.e2e.test_cli import tracker as run
from tracker.bootstrap import Tracker
from tracker.cli import main

OPERATOR = f"the operator (OS user {pwd.getpwuid(os.getuid()).pw_name})"
NEW_PASSWORD = "moss kettle violin harbour"


def _log(data: Path, *args: str) -> list[list[str]]:
    result = run(data, "users", "log", *args)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_records_each_command_line_change_with_the_operator_and_never_a_secret(
        tmp_path: Path) -> None:
    added = run(tmp_path, "users", "add", "sam", "--role", "secretariat", "--password",
                stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    first_token = added.stdout.strip().splitlines()[-1]
    second_token = run(tmp_path, "users", "token", "sam").stdout.strip().splitlines()[-1]
    assert run(tmp_path, "users", "password", "sam",
               stdin=NEW_PASSWORD + "\n").returncode == 0
    assert run(tmp_path, "users", "revoke", "sam").returncode == 0

    entries = _log(tmp_path)
    # Newest first: when, account, what, by, detail.
    assert [(e[1], e[2], e[3]) for e in entries] == [
        ("sam (account 1)", "revoked", f"by {OPERATOR}"),
        ("sam (account 1)", "password set", f"by {OPERATOR}"),
        ("sam (account 1)", "token issued", f"by {OPERATOR}"),
        ("sam (account 1)", "password set", f"by {OPERATOR}"),
        ("sam (account 1)", "added", f"by {OPERATOR}"),
    ]
    assert entries[0][4] == "2 tokens revoked, 0 sessions ended, password cleared"
    assert entries[-1][4] == "role secretariat; its first token issued"
    assert all(e[0].startswith("20") and "T" in e[0] for e in entries)

    # Neither tokens nor passwords are anywhere in the files, in the clear.
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for secret in (first_token, second_token, PASSWORD, NEW_PASSWORD):
        assert secret.encode() not in stored


def test_users_log_shows_one_account_and_limits(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for name in ("sam", "kim"):
        assert main(["users", "add", name, "--role", "moderator"]) == 0
        assert main(["users", "token", name]) == 0
    capsys.readouterr()
    assert main(["users", "log", "kim"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[2] for line in lines] == ["token issued", "added"]
    assert all("kim (account 2)" in line for line in lines)
    assert main(["users", "log", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["users", "log", "nobody"]) == 1
    assert "no account named nobody" in capsys.readouterr().err


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker]) -> Tracker:
    return make_tracker(request.param)


def test_records_staff_logins_and_logouts_by_their_own_account(site: Tracker) -> None:
    staff = staff_client(site, "moderator")
    token = staff.open("/admin").text.split('name="form_token" value="')[1].split('"')[0]
    assert staff.client.post("/admin/logout", data={"form_token": token}).status_code == 200
    changes = site.accounts.log()
    name = changes[0].account_name
    assert [(c.action, c.by.kind, c.by.name, c.by.account_id) for c in changes[:2]] == [
        ("logged out", "account", name, changes[0].account_id),
        ("logged in", "account", name, changes[0].account_id),
    ]
    assert changes[2].action == "password set" and changes[2].by.kind == "operator"


def test_a_failed_change_records_nothing(site: Tracker) -> None:
    site.accounts.add("sam", "admin")
    before = len(site.accounts.log())
    for attempt in (lambda: site.accounts.add("sam", "admin"),
                    lambda: site.accounts.set_password("sam", "password1234"),
                    lambda: site.accounts.revoke("nobody")):
        with pytest.raises(Exception, match=r"account|password"):
            attempt()
    assert len(site.accounts.log()) == before


def _as(tracker: Tracker, role: str) -> Staff:
    return staff_client(tracker, role)


def test_the_accounts_page_is_for_admins_only_and_never_cached(site: Tracker) -> None:
    for role in ("secretariat", "moderator"):
        refused = _as(site, role).client.get("/admin/accounts")
        assert refused.status_code == 403 and "For admins only" in refused.text
        assert refused.headers["cache-control"] == "no-store"
    admin = _as(site, "admin")
    shown = admin.open("/admin/accounts")
    assert shown.headers["cache-control"] == "no-store"
    assert 'href="/admin/accounts"' in shown.text  # the admin's staff bar links to it
    for name in ("secretariat-", "moderator-", "admin-"):
        assert name in shown.text
    assert "logged in" in shown.text and "the operator (OS user" in shown.text
    assert PASSWORD not in shown.text
    anonymous = admin.client.__class__(admin.client.app)  # no session: sent to log in
    assert str(anonymous.get("/admin/accounts").url).endswith("/admin/login")


def test_the_accounts_page_pages_through_a_long_log(site: Tracker) -> None:
    site.accounts.add("sam", "secretariat")
    for _ in range(120):
        site.accounts.new_token("sam")
    admin = _as(site, "admin")
    # 124 entries: sam added, 120 tokens, and the admin's added, password set, logged in.
    first = admin.open("/admin/accounts").text
    assert first.count("<td>token issued</td>") == 97
    older = first.split('href="/admin/accounts?before=')[1].split("#")[0]
    rest = admin.open(f"/admin/accounts?before={older}").text
    assert "Newest entries" in rest
    assert rest.count("<td>token issued</td>") == 23 and "<td>added: role secretariat" in rest
