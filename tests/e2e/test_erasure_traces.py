"""What an erasure must not leave behind, and where an address must never show: in another
spelling of it, in the database files' free space and write-ahead log, in a link's token, in
the access log, or in files other users of the machine can read.

Through the real app, the real SMTP server (aiosmtpd) and the real ``tracker`` command.
"""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.mailbox import free_port, text_of
from tests.e2e.test_follow_links import (  # noqa: F401 (mailbox and site are fixtures)
    Site,
    erase_person,
    follows_now,
    mailbox,
    site,
)


def tokens_of(message_text: str) -> list[str]:
    return [parse_qs(urlsplit(url).query)["token"][0]
            for url in re.findall(r"http://testserver/follow/\S+", message_text)]


def test_erasure_finds_an_address_however_its_domain_was_written(
        site: Site, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    number = site.issue()
    raised = site.client.post("/api/v1/issues", json={
        "title": "Library hours", "contact_email": "ZOE@bücher.de"})
    assert raised.status_code == 201
    assert site.ask("Zoe@XN--BCHER-KVA.de", "issue", str(number)).status_code == 200
    site.confirm_last_mail(site.box.messages[-1]["To"])
    out = erase_person(site, "Zoe@XN--BCHER-KVA.de", monkeypatch, capsys)
    assert "Erased 1 stored contact records and 1 e-mail follows" in out
    assert not follows_now(site, site.box.messages[0]["To"], number)


def test_erasure_leaves_no_copy_of_the_address_in_the_sqlite_files(
        site: Site, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    # PostgreSQL keeps dead rows until VACUUM, and its WAL as configured: docs/security.md.
    number = site.issue()
    site.client.post("/api/v1/issues", json={"title": "Benches",
                                             "contact_email": "gone@example.org"})
    site.follow("gone@example.org", "issue", str(number))
    site.follow("stays@example.org", "issue", str(number))
    assert follows_now(site, "gone@example.org", number)
    erase_person(site, "gone@example.org", monkeypatch, capsys)
    files = sorted(site.tracker.settings.data_dir.glob("events*"))
    assert any(f.name.endswith("-read.db") for f in files)
    for file in files:
        assert b"gone@example.org" not in file.read_bytes(), file.name
    assert follows_now(site, "stays@example.org", number)


def test_no_link_in_a_mail_carries_the_address(site: Site) -> None:  # noqa: F811
    number = site.issue()
    site.follow("eve.long.address@example.org", "issue", str(number))
    assert follows_now(site, "eve.long.address@example.org", number)
    mails = " ".join(text_of(m) for m in site.box.to("eve.long.address@example.org"))
    tokens = tokens_of(mails)
    assert {"confirm", "unsubscribe", "manage"} <= set(re.findall(r"/follow/(\w+)", mails))
    for token in tokens:
        for part in token.split("."):
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            assert b"eve.long" not in decoded, token


# -- the server's files and log, as the ``tracker`` command leaves them ----------------------

def _tracker(data: Path, *args: str) -> subprocess.Popen[bytes]:
    log = (data.parent / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", *args],
        env={**os.environ, "TRACKER_DATA_DIR": str(data), "TRACKER_SMTP_HOST": "127.0.0.1",
             "TRACKER_SMTP_PORT": "9"},
        stdout=log, stderr=subprocess.STDOUT,
        # The usual umask: what a deployment gets unless it sets its own.
        preexec_fn=lambda: os.umask(0o022))


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_link_tokens_never_reach_the_access_log(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    server = _tracker(data, "serve", "--access-log", "--port", str(port))
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        for purpose in ("manage", "unsubscribe", "confirm"):
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/follow/{purpose}?token=Zm9v.SECRET-{purpose}",
                    timeout=5)
            except urllib.error.HTTPError as refused:
                assert refused.code == 400
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = (tmp_path / "server.log").read_text()
    assert "GET /follow/manage?token=[hidden]" in log
    assert "SECRET" not in log


def test_the_data_directory_and_every_database_file_are_private_to_their_owner(
        tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    server = _tracker(data, "serve", "--port", str(port))
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        files = sorted(data.iterdir())
        # While it runs: the databases, their write-ahead logs and shared memory, the key.
        assert {"events-read.db", "events-read.db-wal", "secret.key"} <= {
            f.name for f in files}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert _mode(data) == 0o700
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_files_an_earlier_version_left_readable_are_made_private_at_start(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _tracker(data, "users", "list").wait(timeout=60) == 0
    data.chmod(0o755)
    for file in data.iterdir():
        file.chmod(0o644)
    assert _tracker(data, "users", "list").wait(timeout=60) == 0
    assert _mode(data) == 0o700
    assert {f.name: _mode(f) for f in data.iterdir()} == {
        f.name: 0o600 for f in data.iterdir()}
