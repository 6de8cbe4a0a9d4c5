"""Demo data for judgements by others than the Board: an assessor (a local Healthwatch),
citizens' answers with a disagreement, a challenge answered and one waiting, and the
assembly's panel reconvened. Every text is illustrative, and says so.

Run by tracker.demo for the issues it has just added, so loading twice adds nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date

from tracker.application import TrackerApplication
from tracker.domain.errors import DomainError
from tracker.domain.values import Actor, Role

ASSESSOR = Actor("demo-assessor-local-healthwatch", Role.ASSESSOR)
SECRETARIAT = Actor("demo-secretariat", Role.SECRETARIAT)
CITIZEN = Actor("demo-citizen", Role.CITIZEN)

SHIFT_WORKERS = "Shift workers cannot get a GP appointment they can attend"
CRISIS_CARE = "Crisis mental health care is hard to reach at night"
GENDER_CLINICS = "Waiting times for gender identity clinics are far too long"
PERSONAL_BUDGETS = ("Personal health budgets should be offered to everyone with a long-term "
                    "condition")


def _answers(app: TrackerApplication, n: int, c: int, said: dict[str, int], on: date,
             tag: str) -> None:
    person = 0
    for answer, count in said.items():
        for _ in range(count):
            person += 1
            app.answer_delivery(n, c, answer, None, f"demo-{tag}-{person}", CITIZEN, on)


def load_judgements(app: TrackerApplication, added: dict[str, int], assembly: str) -> None:
    """Add the demo's judgements to the issues just added (by title)."""
    if SHIFT_WORKERS in added:
        n = added[SHIFT_WORKERS]
        app.assess_commitment(
            n, 1, "limited", "marginal",
            "Illustrative assessment by a local Healthwatch: the published list covers only "
            "a third of practices, and few offer evening slots.",
            ["https://example.org/demo/healthwatch-extended-access-review"], ASSESSOR,
            date(2015, 6, 1))
        _answers(app, n, 1, {"yes": 1, "partly": 1, "no": 11}, date(2015, 6, 5), "shift")
        app.answer_delivery(n, 1, "no", "Illustrative: no practice near me opens in the "
                            "evening.", "demo-shift-challenge-1", CITIZEN, date(2015, 6, 8))
        app.answer_delivery(n, 1, "partly", "Illustrative: the list is out of date for my "
                            "area.", "demo-shift-challenge-2", CITIZEN, date(2015, 6, 9))
        app.answer_challenge(n, 1, "Illustrative: the list now names two practices in your "
                             "area with evening appointments; see the June update.",
                             SECRETARIAT, date(2015, 6, 20))
        app.assess_commitment(
            n, 2, "complete", "no_change",
            "Illustrative assessment by a local Healthwatch: the paper was presented, but "
            "uptake of extended hours has not changed.", ["Board paper 15/112 (demo)"],
            ASSESSOR, date(2015, 10, 15))
    if CRISIS_CARE in added:
        n = added[CRISIS_CARE]
        app.assess_commitment(
            n, 1, "complete", "major",
            "Illustrative assessment by a local Healthwatch: every area has a published "
            "declaration and local action plans.",
            ["https://example.org/demo/concordat-map"], ASSESSOR, date(2015, 5, 1))
        _answers(app, n, 1, {"yes": 8, "partly": 2, "no": 1}, date(2015, 5, 10), "crisis")
    if GENDER_CLINICS in added:
        _answers(app, added[GENDER_CLINICS], 1, {"partly": 1, "no": 9}, date(2015, 11, 1),
                 "gender")
    scored = [(added[t], s) for t, s in ((SHIFT_WORKERS, 5), (CRISIS_CARE, 8),
                                         (GENDER_CLINICS, 3), (PERSONAL_BUDGETS, 2))
              if t in added]
    if scored:
        with contextlib.suppress(DomainError):
            app.reconvene_assembly(
                assembly, date(2015, 11, 20),
                "Illustrative: the panel met again a year on. Crisis care moved furthest; "
                "gender clinic waits and personal budgets were answered with promises that "
                "changed little.", scored, SECRETARIAT)
