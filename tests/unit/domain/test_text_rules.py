"""The text rules every text obeys (tracker.domain.values), on every code point."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import CITIZEN
from tracker.domain.errors import InvalidValue
from tracker.domain.issue import Issue
from tracker.domain.values import (
    BIDI_CONTROLS,
    is_blank,
    optional_text,
    plain_text,
    required_text,
    slug,
)


def never_allowed(character: str, lines: bool) -> bool:
    """The rule, said from Unicode's own categories rather than the module's ranges."""
    if lines and character in "\t\n\r":
        return False
    code = ord(character)
    return (unicodedata.category(character) in ("Cc", "Cs")
            or 0xFDD0 <= code <= 0xFDEF or code in (0xFFFE, 0xFFFF))


def refused(text: str, lines: bool) -> bool:
    try:
        plain_text(text, "field", lines=lines)
    except InvalidValue as error:
        assert error.field == "field"
        return True
    return False


@pytest.mark.parametrize("lines", [False, True])
def test_refuses_exactly_the_characters_no_text_may_hold(lines: bool) -> None:
    wrong = [hex(code) for code in range(0x10000)
             if refused(f"a{chr(code)}b", lines) != never_allowed(chr(code), lines)]
    assert not wrong


@given(st.integers(min_value=0x10000, max_value=sys.maxunicode))
def test_accepts_what_lies_beyond_the_basic_plane(code: int) -> None:
    assert not refused(f"a{chr(code)}b", lines=False)


def test_refuses_a_control_character_even_at_either_end() -> None:
    # str.strip() would quietly take \x1f or \x85 away; they are refused instead.
    for text in ("\x1ftitle", "title\x85", "\x00"):
        with pytest.raises(InvalidValue):
            plain_text(text, "title")


def test_drops_every_bidirectional_override_and_isolate() -> None:
    assert len(BIDI_CONTROLS) == 9
    for control in BIDI_CONTROLS:
        assert plain_text(f"abc{control}def", "title") == "abcdef"
    assert plain_text("\u202e evil", "title") == "evil"


def test_keeps_the_marks_a_right_to_left_text_needs() -> None:
    # LRM/RLM and ZWJ/ZWNJ change no order of what is stored; scripts and emoji need them.
    text = ("\u05e9\u05dc\u05d5\u05dd\u200f \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 "
            "\U0001f469\u200d\U0001f4bb")
    assert plain_text(text, "title") == text


def test_a_text_of_several_lines_keeps_newlines_and_tabs_and_ends_lines_with_lf() -> None:
    assert plain_text("one\r\ntwo\rthree\n\tfour", "description", lines=True) == \
        "one\ntwo\nthree\n\tfour"
    with pytest.raises(InvalidValue, match="one line"):
        plain_text("one\ntwo", "title")


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "\u200b\u200c\u200d\u2060\ufeff",
                                  "\u00ad", "\u3164", "\u2800", "\u115f\u1160", "\u034f",
                                  "\u2028\u2029"])
def test_a_text_showing_nothing_is_blank(text: str) -> None:
    assert is_blank(text)
    with pytest.raises(InvalidValue, match="must not be empty"):
        required_text(text, "title", 200)
    assert optional_text(text, "description") == ""


@pytest.mark.parametrize("text", ["a", "\u0301", "\U0001f600", "\u05d0", "1", "-"])
def test_a_text_showing_something_is_not_blank(text: str) -> None:
    assert not is_blank(text)


def test_short_texts_are_one_line_and_long_ones_may_hold_several() -> None:
    with pytest.raises(InvalidValue):
        required_text("a\nb", "reason", 300)
    assert required_text("a\nb", "reason", 301) == "a\nb"
    assert required_text("a\nb", "title", 200, lines=True) == "a\nb"


def test_a_slug_with_a_trailing_newline_is_no_slug() -> None:
    # re's $ matches before a final newline; a slug is checked whole.
    with pytest.raises(InvalidValue):
        slug("access\n")


class TestSubmitIssue:
    """The domain refuses what the edge refuses, for every caller (command line, demo)."""

    def test_refuses_a_nul_in_the_title(self) -> None:
        with pytest.raises(InvalidValue) as refused_error:
            Issue.submit(1, "nul \x00 title", "", CITIZEN, date(2026, 1, 1))
        assert refused_error.value.field == "title"

    def test_refuses_a_title_of_a_right_to_left_override_alone(self) -> None:
        with pytest.raises(InvalidValue) as refused_error:
            Issue.submit(1, "\u202e", "", CITIZEN, date(2026, 1, 1))
        assert refused_error.value.field == "title"

    def test_stores_the_title_without_its_direction_changes(self) -> None:
        issue = Issue.submit(1, "\u2066Bus stops\u2069", "Line\r\nnext", CITIZEN,
                             date(2026, 1, 1))
        assert issue.title == "Bus stops" and issue.description == "Line\nnext"
