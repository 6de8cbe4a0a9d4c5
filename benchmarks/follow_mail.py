"""Following by e-mail at scale: one issue with N followers gets one new entry.

Measured, in one run, against a local SMTP server (aiosmtpd on 127.0.0.1 that accepts and
drops every message):

- fan-out: turning the entry into N pending deliveries (one INSERT ... SELECT);
- sending: the sender's whole run (claim, compose text + HTML, send, record each);
- the baseline: the same number of ready-made messages of the same size sent with plain
  smtplib over one connection, nothing composed, nothing recorded. The ratio says what
  composing and at-most-once bookkeeping cost on top of SMTP itself.

    python benchmarks/follow_mail.py --followers 10000 [--json]
"""

from __future__ import annotations

import argparse
import email.policy
import json
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role
from tracker.following.sender import sender_for
from tracker.following.store import new_key, subscriptions

STAFF = Actor("bench", Role.ADMIN)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(followers: int) -> dict[str, Any]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tracker = bootstrap(load_settings(
                data_dir=Path(tmp) / "data", smtp_host="127.0.0.1", smtp_port=port,
                secret_key="bench", base_url="https://tracker.example.org"))
            try:
                number = tracker.app.submit_issue("A popular issue", "", STAFF).number
                tracker.refresh()
                now, confirmed_at = datetime.now(UTC), tracker.projector.position()
                with tracker.write_engine.begin() as conn:
                    conn.execute(insert(subscriptions), [
                        {"email": f"follower{i}@example.org", "link_key": new_key(),
                         "kind": "issue",
                         "target": str(number), "mode": "instant", "created_at": now,
                         "confirmed_at": now, "start_position": confirmed_at}
                        for i in range(followers)])
                tracker.app.close_issue(number, "Closed: the popular outcome", STAFF)
                tracker.refresh()
                sender = sender_for(tracker)

                from tracker.following.fanout import fan_out

                started = time.perf_counter()
                made = fan_out(tracker.write_engine)
                fan_out_seconds = time.perf_counter() - started

                started = time.perf_counter()
                report = sender.run()
                send_seconds = time.perf_counter() - started
                assert report.sent == made == followers, report
                sample = bytes(sender_sample(tracker, number))
            finally:
                tracker.close()

        before = sink.count
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for i in range(followers):
                smtp.sendmail("tracker@localhost", [f"follower{i}@example.org"], sample)
        raw_seconds = time.perf_counter() - started
        assert sink.count - before == followers
    finally:
        controller.stop()
    return {
        "followers": followers,
        "fan_out_seconds": round(fan_out_seconds, 3),
        "fan_out_per_second": round(followers / fan_out_seconds),
        "send_seconds": round(send_seconds, 2),
        "mails_per_second": round(followers / send_seconds),
        "raw_smtp_mails_per_second": round(followers / raw_seconds),
        "ratio": round(raw_seconds / send_seconds, 2),
        "message_bytes": len(sample),
    }


def sender_sample(tracker: Any, number: int) -> bytes:
    """One real alert's bytes, for the baseline."""
    message = tracker.mail.compose(
        "follower0@example.org", f"Issue {number}", "alert",
        "https://tracker.example.org/follow/unsubscribe?token=x",
        entry=_Entry(number), verdict="No: closed without a commitment.",
        what=f"issue {number}", path=f"/issues/{number}",
        manage_url="https://tracker.example.org/follow/manage?token=y")
    return message.as_bytes(policy=email.policy.SMTP)


class _Entry:
    def __init__(self, number: int) -> None:
        self.issue_number, self.issue_title, self.entry = number, "A popular issue", 2
        self.sentence = "Closed: the popular outcome"
        self.occurred_on = datetime.now(UTC).date()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.followers)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
