"""The tracker command as a user runs it: a separate process, real files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def tracker(data: Path, *args: str, stdin: str = "",
            **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True,
                          text=True, timeout=120, input=stdin,
                          env={**os.environ, "TRACKER_DATA_DIR": str(data), **env})


def test_demo_loads_once_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    first = tracker(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "18 issues added" in first.stdout
    assert "Its dates are illustrative" in first.stdout
    second = tracker(tmp_path, "demo")
    assert second.returncode == 0
    assert "0 issues added, 18 already there" in second.stdout


def test_users_add_prints_the_token_as_its_last_line(tmp_path: Path) -> None:
    result = tracker(tmp_path, "users", "add", "Desk", "--role", "secretariat")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token


def test_users_add_ties_an_owner_account_to_an_existing_owner(tmp_path: Path) -> None:
    assert tracker(tmp_path, "demo").returncode == 0
    unknown = tracker(tmp_path, "users", "add", "nobody", "--role", "owner", "--owner", "nope")
    assert unknown.returncode == 1 and "nope" in unknown.stderr
    missing = tracker(tmp_path, "users", "add", "nobody", "--role", "owner")
    assert missing.returncode == 1 and "owner" in missing.stderr
    added = tracker(tmp_path, "users", "add", "ce-desk", "--role", "owner",
                    "--owner", "chief-executive")
    assert added.returncode == 0, added.stderr
    assert "(owner of chief-executive)" in added.stdout
    listed = tracker(tmp_path, "users", "list").stdout
    assert "owner of chief-executive" in listed and "nobody" not in listed


def test_owners_contact_keeps_an_address_for_an_existing_owner(tmp_path: Path) -> None:
    assert tracker(tmp_path, "demo").returncode == 0
    kept = tracker(tmp_path, "owners", "contact", "chief-executive", "ce@example.org")
    assert kept.returncode == 0, kept.stderr
    unknown = tracker(tmp_path, "owners", "contact", "nobody", "ce@example.org")
    assert unknown.returncode == 1 and "nobody" in unknown.stderr
    bad = tracker(tmp_path, "owners", "contact", "chief-executive", "not an address")
    assert bad.returncode == 2 and "nothing was kept" in bad.stderr
    erased = tracker(tmp_path, "erase-person", "CE@example.org")
    assert erased.returncode == 0 and "Erased 1 stored contact records" in erased.stdout


SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "action-log.csv"
SAMPLE_MAP = "reference=Ref,owner=Lead,due=Target date,made=Agreed"


def test_import_actions_imports_the_sample_log_once(tmp_path: Path) -> None:
    assert tracker(tmp_path, "demo").returncode == 0
    dry = tracker(tmp_path, "import", "actions", str(SAMPLE), "--map", SAMPLE_MAP, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "row 2 (A14/01): create: commitment 3 on issue 1, due 2015-03-31" in dry.stdout
    done = tracker(tmp_path, "import", "actions", str(SAMPLE), "--map", SAMPLE_MAP)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("8 to create, 0 to update, 0 unchanged; imported")
    assert "Importing action-log.csv: 8 of 8 rows" in done.stderr  # one line off a terminal
    again = tracker(tmp_path, "import", "actions", str(SAMPLE), "--map", SAMPLE_MAP)
    assert "0 to create, 0 to update, 8 unchanged" in again.stdout


def test_import_actions_names_the_row_and_column_it_refuses(tmp_path: Path) -> None:
    assert tracker(tmp_path, "demo").returncode == 0
    bad = tmp_path / "log.csv"
    bad.write_text(SAMPLE.read_text().replace("31/03/2015", "soon"))
    refused = tracker(tmp_path, "import", "actions", str(bad), "--map", SAMPLE_MAP)
    assert refused.returncode == 1
    assert "row 2, column 'Target date' (A14/01): refused: 'soon' is not a date" in \
        refused.stderr
    assert "nothing was imported" in refused.stdout
    missing = tracker(tmp_path, "import", "actions", str(SAMPLE))
    assert missing.returncode == 1
    assert "column 'Reference' (reference) is missing" in missing.stderr
    assert "Traceback" not in missing.stderr + refused.stderr


@pytest.mark.parametrize(("args", "env", "names"), [
    (("users", "add", "Desk", "--role", "boss"), {}, "role"),
    (("users", "add", "Desk\x01", "--role", "admin"), {}, "An account name is"),
    (("users", "add", "\u202e", "--role", "admin"), {}, "An account name is"),
    (("demo",), {"TRACKER_BASE_URL": "nonsense"}, "TRACKER_BASE_URL"),
    (("demo",), {"TRACKER_DATABASE_URL": "mysql://x/y"}, "TRACKER_DATABASE_URL"),
    (("demo",), {"TRACKER_SILENT_DAYS": "-3"}, "TRACKER_SILENT_DAYS"),
    (("demo",), {"TRACKER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
     "TRACKER_DATABASE_URL"),
])
def test_a_wrong_input_or_setting_is_one_clear_line(tmp_path: Path, args: tuple[str, ...],
                                                    env: dict[str, str], names: str) -> None:
    result = tracker(tmp_path, *args, **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert names in lines[0]
    assert "Traceback" not in result.stderr


def test_rebuild_reports_the_position_reached(tmp_path: Path) -> None:
    tracker(tmp_path, "demo")
    result = tracker(tmp_path, "rebuild")
    assert result.returncode == 0
    assert "Rebuilt every read model up to event" in result.stdout
    # Not on a terminal: no bar, one line of progress with the rate.
    assert result.stderr.startswith("rebuild: "), result.stderr
    assert "events/s" in result.stderr and len(result.stderr.splitlines()) == 1


def test_publish_off_a_terminal_says_in_one_line_how_many_pages_and_how_fast(
        tmp_path: Path) -> None:
    tracker(tmp_path, "demo")
    result = tracker(tmp_path, "publish", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("publish: ")]
    assert len(progress) == 1 and "pages/s" in progress[0], result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_health_and_an_issue(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--demo", "--port", str(port)],
        env={**{k: v for k, v in os.environ.items() if k != "TRACKER_BASE_URL"},
             "TRACKER_DATA_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert health["status"] == "ok" and health["position"] > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/issues/1",
                                    timeout=5) as r:
            issue = json.load(r)
        assert issue["number"] == 1 and issue["verdict"]
        # Without TRACKER_BASE_URL, feed links point at the server itself.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/timeline.atom", timeout=5) as r:
            feed = r.read().decode()
        assert f'href="http://127.0.0.1:{port}/timeline.atom"' in feed
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_users_list_revoke_and_new_token(tmp_path: Path) -> None:
    token = tracker(tmp_path, "users", "add", "Desk", "--role", "moderator") \
        .stdout.strip().splitlines()[-1]
    listing = tracker(tmp_path, "users", "list").stdout
    assert "Desk\tmoderator\t1 live tokens\tlast used never" in listing
    assert token not in listing
    assert "Revoked 1 tokens" in tracker(tmp_path, "users", "revoke", "Desk").stdout
    assert "0 live tokens" in tracker(tmp_path, "users", "list").stdout
    fresh = tracker(tmp_path, "users", "token", "Desk").stdout.strip().splitlines()[-1]
    assert fresh != token and "1 live tokens" in tracker(tmp_path, "users", "list").stdout
    missing = tracker(tmp_path, "users", "revoke", "Nobody")
    assert missing.returncode == 1 and "no account named" in missing.stderr


def test_a_revoked_token_is_refused(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tracker.bootstrap import bootstrap
    from tracker.config import load_settings
    from tracker.web.app import create_app

    instance = bootstrap(load_settings(data_dir=tmp_path / "data"))
    try:
        _, token = instance.accounts.add("Desk", "secretariat")
        with TestClient(create_app(instance, poll=False)) as client:
            auth = {"Authorization": f"Bearer {token}"}
            ok = client.post("/api/v1/topics", json={"slug": "a", "name": "A"}, headers=auth)
            assert ok.status_code == 201
            instance.accounts.revoke("Desk")
            refused = client.post("/api/v1/topics", json={"slug": "b", "name": "B"},
                                  headers=auth)
            assert refused.status_code == 401
    finally:
        instance.close()


def test_erase_person_removes_contact_details_and_keeps_the_issue(tmp_path: Path) -> None:
    from tracker.bootstrap import bootstrap
    from tracker.config import load_settings
    from tracker.domain.values import Actor, Role

    instance = bootstrap(load_settings(data_dir=tmp_path))
    try:
        number = instance.app.submit_issue("Kept", "", Actor("public", Role.CITIZEN)).number
        instance.contacts.add(number, "Ada", "Ada@Example.org")
    finally:
        instance.close()
    result = tracker(tmp_path, "erase-person", "ada@example.org")
    assert result.returncode == 0 and "Erased 1 stored contact" in result.stdout
    instance = bootstrap(load_settings(data_dir=tmp_path))
    try:
        assert instance.contacts.count_for("ada@example.org") == 0
        assert instance.app.load_issue(number).title == "Kept"
    finally:
        instance.close()


@pytest.mark.parametrize("command", [("publish", "{site}"), ("worker", "--once")])
def test_publishing_refuses_a_directory_with_links_where_the_site_writes(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (outside / "victim.txt").write_text("not the tracker's")
    (site / "index.html").symlink_to(outside / "victim.txt")
    (site / "issues").symlink_to(outside, target_is_directory=True)
    result = tracker(tmp_path / "data", *(a.format(site=site) for a in command),
                     TRACKER_PUBLISH_DIR=str(site))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "is a symbolic link" in lines[0] and "Traceback" not in result.stderr
    assert (outside / "victim.txt").read_text() == "not the tracker's"
    assert sorted(os.listdir(outside)) == ["victim.txt"]


def test_export_writes_the_open_data_files(tmp_path: Path) -> None:
    assert tracker(tmp_path, "demo").returncode == 0
    out = tmp_path / "open-data"
    done = tracker(tmp_path, "export", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["commitments.csv", "events.jsonl",
                                                     "issues.csv"]
    issues_csv = (out / "issues.csv").read_text().splitlines()
    assert issues_csv[0].startswith("number,title,stage,verdict")
    assert len(issues_csv) == 1 + 17  # every visible demo issue
    first = json.loads((out / "events.jsonl").read_text().splitlines()[0])
    assert first["type"] == "submitted"
    assert "Abusive post" not in (out / "events.jsonl").read_text()
