"""Account names keep to a safe alphabet, old names outside it are printed escaped, and a new
password must not be blank or easy to guess: through the real command line (as a process,
and, for the many cases, its ``main`` in this process, which is the same code quicker)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.e2e.staff import staff_client
from tests.e2e.test_cli import tracker as run
from tracker.accounts import accounts
from tracker.bootstrap import bootstrap
from tracker.cli import main
from tracker.config import load_settings

HOSTILE = {
    "an escape sequence": "\x1b[2J\x1b[31madmin",
    "a newline and a fake row": "sam\nadmin\tadmin\t1 live tokens",
    "a tab": "sam\tadmin",
    "a zero-width space": "ad\u200bmin",
    "a Cyrillic look-alike": "\u0430dmin",
    "a space": "Sam Jones",
    "a leading dot": ".admin",
    "nothing": "",
    "65 characters": "a" * 65,
}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> Any:
    """``tracker ARGS`` in this process, on tmp_path: (exit code, stdout, stderr)."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))

    def call(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)

    return call


def _names(data: Path) -> list[str]:
    instance = bootstrap(load_settings(data_dir=data))
    try:
        with instance.engine.connect() as conn:
            return list(conn.execute(select(accounts.c.name)).scalars())
    finally:
        instance.close()


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_refuses_an_account_name_outside_the_safe_alphabet(tmp_path: Path, cli: Any,
                                                           name: str) -> None:
    result = cli("users", "add", name, "--role", "admin")
    _refused_cleanly(result, tmp_path)


def test_refuses_an_escape_sequence_name_from_a_real_process(tmp_path: Path) -> None:
    result = run(tmp_path, "users", "add", HOSTILE["an escape sequence"], "--role", "admin")
    _refused_cleanly(result, tmp_path)


def _refused_cleanly(result: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ASCII letters, digits" in lines[0]
    assert "\x1b" not in result.stderr and "\u200b" not in result.stderr
    assert "\u0430" not in result.stderr and "\t" not in result.stderr
    assert _names(tmp_path) == []


def test_accepts_names_of_letters_digits_dots_hyphens_and_underscores(tmp_path: Path,
                                                                      cli: Any) -> None:
    for name in ("sam", "Sam.Jones-2", "desk_7", "a" * 64):
        result = cli("users", "add", name, "--role", "secretariat")
        assert result.returncode == 0, result.stderr
    assert len(_names(tmp_path)) == 4


def test_refuses_a_name_that_differs_from_another_only_in_case(tmp_path: Path,
                                                              cli: Any) -> None:
    assert cli("users", "add", "sam", "--role", "admin").returncode == 0
    twin = cli("users", "add", "SAM", "--role", "admin")
    assert twin.returncode == 1 and "account named sam already exists" in twin.stderr
    assert _names(tmp_path) == ["sam"]


def _legacy_accounts(data: Path) -> None:
    """Accounts made before names kept to an alphabet, straight into the table."""
    instance = bootstrap(load_settings(data_dir=data))
    try:
        with instance.write_engine.begin() as conn:
            for name in HOSTILE.values():
                if name:
                    conn.execute(accounts.insert().values(
                        name=name, role="secretariat", created_at=datetime.now(UTC)))
    finally:
        instance.close()


def test_lists_old_names_outside_the_alphabet_escaped_one_line_each(tmp_path: Path) -> None:
    assert run(tmp_path, "users", "add", "admin", "--role", "admin").returncode == 0
    _legacy_accounts(tmp_path)
    listing = run(tmp_path, "users", "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == len([n for n in HOSTILE.values() if n]) + 1
    assert all(line.count("\t") == 4 for line in lines), lines
    assert not any(c in listing.stdout for c in "\x1b\u200b\u0430\r")
    names = [line.split("\t")[0] for line in lines]
    # Only the real admin is shown as a bare "admin"; look-alikes are quoted and escaped.
    assert names.count("admin") == 1
    assert "'\\u0430dmin'" in names and "'ad\\u200bmin'" in names
    assert "'\\x1b[2J\\x1b[31madmin'" in names
    assert "'sam\\nadmin\\tadmin\\t1 live tokens'" in names


def test_an_old_name_outside_the_alphabet_still_works_and_is_echoed_escaped(
        tmp_path: Path, cli: Any) -> None:
    _legacy_accounts(tmp_path)
    name = HOSTILE["a Cyrillic look-alike"]
    revoked = cli("users", "revoke", name)
    assert revoked.returncode == 0, revoked.stderr
    assert "'\\u0430dmin'" in revoked.stdout and "\u0430" not in revoked.stdout
    missing = cli("users", "revoke", "\x1b[31mnobody")
    assert missing.returncode == 1 and "\x1b" not in missing.stderr
    assert "'\\x1b[31mnobody'" in missing.stderr


def test_the_accounts_page_shows_old_names_escaped(tmp_path: Path) -> None:
    _legacy_accounts(tmp_path)
    instance = bootstrap(load_settings(data_dir=tmp_path))
    try:
        admin = staff_client(instance, "admin")
        page = admin.open("/admin/accounts").text
        assert "\u0430dmin" not in page and "\u200b" not in page and "\x1b" not in page
        assert "&#39;\\u0430dmin&#39;" in page
    finally:
        instance.close()


COMMON = {
    "twelve spaces": " " * 12,
    "a common password": "password1234",
    "a keyboard walk": "qwertyuiopas",
    "a repeat": "aaaaaaaaaaaa",
    "the account's own name": "deskdeskdesk",
    "common with a digit swapped": "passw0rd1234",
}


@pytest.mark.parametrize("password", COMMON.values(), ids=COMMON.keys())
def test_refuses_a_blank_or_common_password_and_adds_nothing(tmp_path: Path, cli: Any,
                                                             password: str) -> None:
    added = cli("users", "add", "desk", "--role", "secretariat", "--password",
                stdin=password + "\n")
    assert added.returncode == 1, added.stdout
    assert "password" in added.stderr and len(added.stderr.strip().splitlines()) == 1
    assert _names(tmp_path) == []


@pytest.mark.parametrize("password", COMMON.values(), ids=COMMON.keys())
def test_refuses_to_change_a_password_to_a_blank_or_common_one(tmp_path: Path, cli: Any,
                                                               password: str) -> None:
    good = "moss kettle violin harbour"
    assert cli("users", "add", "desk", "--role", "admin", "--password",
               stdin=good + "\n").returncode == 0
    changed = cli("users", "password", "desk", stdin=password + "\n")
    assert changed.returncode == 1 and "password" in changed.stderr
    instance = bootstrap(load_settings(data_dir=tmp_path))
    try:
        assert instance.accounts.check_password("desk", good) is not None
        assert instance.accounts.check_password("desk", password) is None
        with instance.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 1
    finally:
        instance.close()


def test_refuses_twelve_spaces_from_a_real_process(tmp_path: Path) -> None:
    added = run(tmp_path, "users", "add", "desk", "--role", "secretariat", "--password",
                stdin=" " * 12 + "\n")
    assert added.returncode == 1 and "only spaces" in added.stderr
    assert _names(tmp_path) == []


def test_accepts_a_long_uncommon_password(tmp_path: Path, cli: Any) -> None:
    added = cli("users", "add", "desk", "--role", "secretariat", "--password",
                stdin="moss kettle violin harbour\n")
    assert added.returncode == 0, added.stderr
