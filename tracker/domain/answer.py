"""The answer to "did anything come of it?" for one assembly, in words a patient would use.

Plain facts in (counts per outcome, as the read model works them out), sentences out. Every
issue raised is in exactly one outcome and every promise in exactly one state, so the numbers
in the sentence add up to the issues raised and the promises made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.domain.wording import count, duration, listing, long_date, number

# Outcome keys of an issue raised at an assembly (stable: the lists filter by them), in the
# order the answer names them, with the label of the breakdown's row.
OUTCOMES: dict[str, str] = {
    "promised": "The Board made promises",
    "agreed": "The Board agreed to act but has made no promise yet",
    "declined": "The Board declined",
    "referred": "The Board referred to another body",
    "noted": "The Board noted, or accepted in principle, but promised nothing",
    "closed": "Closed without a promise",
    "unanswered": "Discussed, no Board response yet",
    "not_discussed": "Not discussed yet",
    "merged": "Merged with another issue",
}

# Promise states (each commitment is in one), with their labels, in the answer's order.
PROMISE_STATES: dict[str, str] = {
    "kept": "Kept (delivered)",
    "dropped": "Dropped",
    "overdue": "Overdue",
    "open": "Open, not due yet",
}


@dataclass(frozen=True)
class Promises:
    kept: int = 0
    dropped: int = 0
    overdue: int = 0
    open: int = 0
    oldest_overdue_due: date | None = None

    @property
    def made(self) -> int:
        return self.kept + self.dropped + self.overdue + self.open

    def by_state(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in PROMISE_STATES}


@dataclass(frozen=True)
class OnTime:
    """Of the promises whose due date has passed, how many were delivered by it."""

    due: int = 0
    on_time: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class Judged:
    """What others than the Board said of an assembly's delivered promises and its Board
    responses: citizens' answers, the assessor's latest grades, the last reconvened panel."""

    delivered: int = 0  # promises the Board says it delivered
    citizens_confirmed: int = 0  # of those, more citizens answered yes than partly or no
    citizens_disputed: int = 0  # of those answered, the others
    assessed: int = 0  # of those, graded by the assessor
    assessor_confirmed: int = 0  # of those, graded substantial progress or complete
    panel_held_on: date | None = None  # the last reconvened panel, if any
    panel_scored: int = 0  # how many responses it scored
    panel_average: float | None = None  # its average score, 0 to 10

    def said(self) -> list[tuple[str, str]]:
        """(who, what they said) lines, in plain words; none when nobody judged anything."""
        lines = []
        n = self.delivered
        if n:
            them = "it" if n == 1 else "them"
            answered = self.citizens_confirmed + self.citizens_disputed
            if answered:
                waiting = n - answered
                rest = f"; {number(waiting)} not answered yet" if waiting else ""
                lines.append(("Citizens say", (
                    f"Of the {count(n, 'promise')} the Board says it delivered, citizens "
                    f"confirmed {number(self.citizens_confirmed)} and disputed "
                    f"{number(self.citizens_disputed)}{rest}")))
            else:
                lines.append(("Citizens say", (
                    f"No one has answered yet about the {count(n, 'promise')} the Board "
                    "says it delivered")))
            if self.assessed:
                short = self.assessed - self.assessor_confirmed
                lines.append(("The assessor says", (
                    f"It graded {number(self.assessed)} of {them}: "
                    f"{number(self.assessor_confirmed)} complete or with substantial "
                    f"progress, {number(short)} with less")))
            else:
                lines.append(("The assessor says", f"It has not graded {them} yet"))
        if self.panel_held_on is not None and self.panel_average is not None:
            average = f"{self.panel_average:.1f}".removesuffix(".0")
            responses = ("the Board's response" if self.panel_scored == 1 else
                         f"the Board's {number(self.panel_scored)} responses")
            lines.append(("The reconvened panel says", (
                f"On {long_date(self.panel_held_on)} it scored {responses} "
                f"{average} out of 10{'' if self.panel_scored == 1 else ' on average'}")))
        return lines


@dataclass(frozen=True)
class AssemblyAnswer:
    slug: str
    title: str
    place: str
    held_on: date
    outcomes: dict[str, int] = field(default_factory=dict)
    promises: Promises = Promises()
    on_time: OnTime = OnTime()
    topics: tuple[tuple[str, str], ...] = ()  # (slug, name) of the topics its issues are in
    judged: Judged = Judged()  # what others than the Board said

    @property
    def raised(self) -> int:
        return sum(self.outcomes.values())


# How the answer says each outcome other than "promised": (what the Board did, or None when
# the Board did nothing yet, and the words for 1 and for more).
_BOARD_DID = {
    "agreed": "agreed to act on {n} but has made no promise yet",
    "declined": "declined {n}",
    "referred": "referred {n} to {other}",
    "noted": "noted {n} but promised nothing",
    "closed": "closed {n} without a promise",
    "unanswered": "has not answered {n}",
}
_OTHERWISE = {
    "not_discussed": ("{n} has not been discussed yet", "{n} have not been discussed yet"),
    "merged": ("{n} was merged with another issue", "{n} were merged with other issues"),
}


def answer_sentence(answer: AssemblyAnswer, today: date) -> str:
    """e.g. "At the London assembly on 18 September 2014, citizens raised 12 issues. The
    Board made 9 promises on 6 of them: 4 kept, 1 dropped, 3 overdue (the oldest by over 11
    years) and 1 open. It declined 1, referred 2 to another body and has not answered 1. 1
    has not been discussed yet." """
    where = f"the {answer.place} assembly" if answer.place else "the assembly"
    when = long_date(answer.held_on)
    if answer.held_on > today:
        head = f"{where[0].upper()}{where[1:]} is on {when}"
        if not answer.raised:
            return head + "."
        verb = "is" if answer.raised == 1 else "are"
        return f"{head}; {count(answer.raised, 'issue')} {verb} on its agenda."
    if not answer.raised:
        return f"At {where} on {when}, no issues raised by citizens have been recorded yet."
    sentences = [f"At {where} on {when}, citizens raised {count(answer.raised, 'issue')}."]
    p = answer.promises
    promised = answer.outcomes.get("promised", 0)
    if p.made:
        on = "on it" if answer.raised == 1 else (
            "on all of them" if promised == answer.raised else f"on {number(promised)} of them")
        states = [f"{number(n)} {k}" for k, n in p.by_state().items() if n]
        if p.overdue and p.oldest_overdue_due is not None:
            oldest = duration(p.oldest_overdue_due, today)
            i = next(i for i, s in enumerate(states) if s.endswith(" overdue"))
            states[i] += f" ({'the oldest ' if p.overdue > 1 else ''}by {oldest})"
        sentences.append(f"The Board made {count(p.made, 'promise')} {on}: "
                         f"{listing(states)}.")
    elif answer.raised > sum(answer.outcomes.get(k, 0) for k in _OTHERWISE):
        sentences.append("The Board has made no promises yet.")
    did = [words.format(n=number(n), other="another body" if n == 1 else "other bodies")
           for k, words in _BOARD_DID.items() if (n := answer.outcomes.get(k, 0))]
    if did:
        subject = "It" if p.made else "The Board"
        sentences.append(f"{subject} {listing(did)}.")
    for key, (one, more) in _OTHERWISE.items():
        n = answer.outcomes.get(key, 0)
        if n:
            sentences.append((one if n == 1 else more).format(n=number(n)) + ".")
    return " ".join(sentences)


def on_time_sentence(on_time: OnTime) -> str:
    """e.g. "8 promises were due by today; 4 of them were delivered on time (50%).\""""
    if not on_time.due:
        return "No promise is due yet."
    share = round(100 * on_time.on_time / on_time.due)
    due = (f"{count(on_time.due, 'promise')} {'was' if on_time.due == 1 else 'were'} "
           "due by today")
    if on_time.due == 1:
        return f"{due}; it was {'' if on_time.on_time else 'not '}delivered on time."
    verb = "was" if on_time.on_time == 1 else "were"
    return f"{due}; {number(on_time.on_time)} of them {verb} delivered on time ({share}%)."
