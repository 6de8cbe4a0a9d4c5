"""The command declarations hold together: each runs its method with its request's fields,
and every address runs one command or one declared choice among several."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest

from tracker.commands import BY_NAME, CHOICES, COMMANDS, addresses
from tracker.commands.command import Command


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_request_field_is_a_parameter_of_its_method(command: Command) -> None:
    parameters = inspect.signature(command.method).parameters
    for field in command.request.model_fields:
        if command.rate_limit and field not in parameters:
            continue  # the public commands' web-only fields (honeypot, contact details)
        assert command.arguments.get(field, field) in parameters, (command.name, field)
    assert "actor" in parameters


def test_commands_sharing_an_address_are_chosen_among_by_one_choice() -> None:
    shared = {path for path, n in Counter(c.path for c in COMMANDS).items() if n > 1}
    assert shared == {choice.path for choice in CHOICES}
    paths = [a.path for a in addresses()]
    assert len(paths) == len(set(paths))


def test_each_command_and_each_staff_form_is_named_once() -> None:
    assert len(BY_NAME) == len(COMMANDS)
    forms = [(a.path.count("{"), a.form_key) for a in (*COMMANDS, *CHOICES) if a.form_key]
    assert len(forms) == len(set(forms))
