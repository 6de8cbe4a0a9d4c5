"""Write path through HTTP: commands per second sent to the JSON API, in process.

Each round walks one new issue through eight commands, each its own POST with a bearer
token: submit, topic, schedule, discussion, response (commit), commitment, a progress
update and a delivery. Every answer is checked (200/201), and each write is projected
before it answers (read-your-writes), as in production. The client is FastAPI's
TestClient, so what is measured is the app (routing, validation, the command, the save,
the projection), not a network.

    python benchmarks/write_http.py --rounds 200 [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role
from tracker.web.app import create_app

SETUP = Actor("bench", Role.ADMIN)
STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("topic", {"topic": "access"}),
    ("schedule", {"assembly": "leeds"}),
    ("discussion", {"assembly": "leeds", "summary": "Talked it through"}),
    ("response", {"decision": "commit", "summary": "We will act", "lead": "lead"}),
    ("commitments", {"text": "Act", "owner": "lead", "due": "2030-12-31", "measure": "Seen"}),
    ("commitments/1/updates", {"status": "on_track", "note": "Going well"}),
    ("commitments/1/updates", {"status": "delivered", "evidence_url": "Paper 15/06"}),
)
COMMANDS_PER_ROUND = 1 + len(STEPS)


def http_writes(rounds: int, workdir: Path) -> float:
    """Commands per second of the eight-command round through the JSON API."""
    tracker = bootstrap(load_settings(data_dir=workdir / "data", secret_key="bench"))
    try:
        app = tracker.app
        app.create_topic("access", "Access to Services", SETUP)
        app.create_owner("lead", "Lead Board member", "Board", SETUP)
        app.create_assembly("leeds", "Leeds Assembly", date(2015, 3, 1), "Leeds", SETUP)
        _, token = tracker.accounts.add("bench-desk", "admin")
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(tracker, poll=False)) as client:
            started = time.perf_counter()
            for i in range(rounds):
                answer = client.post("/api/v1/issues", json={"title": f"Issue {i}"},
                                     headers=headers)
                assert answer.status_code == 201, answer.text
                number = answer.json()["number"]
                for tail, body in STEPS:
                    answer = client.post(f"/api/v1/issues/{number}/{tail}", json=body,
                                         headers=headers)
                    assert answer.status_code in (200, 201), answer.text
            elapsed = time.perf_counter() - started
    finally:
        tracker.close()
    return rounds * COMMANDS_PER_ROUND / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200,
                        help=f"issues walked through ({COMMANDS_PER_ROUND} commands each)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate = http_writes(args.rounds, Path(tmp))
    result = {"commands": args.rounds * COMMANDS_PER_ROUND, "commands_per_s": round(rate)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['commands']} commands through HTTP: {result['commands_per_s']} "
              "commands/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
