"""What a staff form on a commitment fills in, so that nothing known is typed again: the
commitment's status as it stands, a choice of new due dates counted from the current one
(the nearest chosen to start with),
and, for a change of owner, the term chosen by the link followed and the owners to pick from.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain.wording import add_months, count, long_date
from tracker.projections import reference
from tracker.projections.issues import CommitmentView
from tracker.web.deps import Reads
from tracker.web.forms import FormField

LATER_MONTHS = (1, 2, 3, 6, 12)


def prefill_commitment_form(reads: Reads, fields: list[FormField], key: str,
                            commitment: CommitmentView, query: Mapping[str, str]) -> None:
    """Fill in the form ``key`` (progress, due-date, amendments...) for ``commitment``."""
    by_name = {f.name: f for f in fields}
    status = by_name.get("status")
    if key == "progress" and status is not None and commitment.status in status.options:
        status.value = commitment.status
    new_due = by_name.get("new_due")
    if key == "due-date" and new_due is not None:
        new_due.options = {
            add_months(commitment.due, n).isoformat():
                f"{count(n, 'month')} later: {long_date(add_months(commitment.due, n))}"
            for n in LATER_MONTHS}
        # The nearest is chosen to start with: shown, and changed in one choice.
        new_due.value = add_months(commitment.due, LATER_MONTHS[0]).isoformat()
        new_due.hint = (f"It is due {long_date(commitment.due)} now. Set to "
                        f"{count(LATER_MONTHS[0], 'month')} later: choose another, or type "
                        f"a date.")
    term, value = by_name.get("field"), by_name.get("value")
    if key == "amendments" and term is not None and value is not None:
        chosen = query.get("field", "")
        if chosen in term.options:
            term.value = chosen
        if chosen == "owner":
            with reads.engine.connect() as conn:
                owners = {o.slug: o.name for o in reference.list_owners(conn, reads.clock())}
            value.kind, value.label = "select", "New owner"
            value.options = {slug: name for slug, name in owners.items()
                             if slug != commitment.owner}
            value.hint = f"The owner now is {owners.get(commitment.owner, commitment.owner)}."
