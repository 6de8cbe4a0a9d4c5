"""Descriptions in Markdown come out as safe HTML, whatever a citizen types."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tracker.site.markdown import TAGS, to_html


def test_markdown_is_rendered() -> None:
    html = to_html("Some *emphasis*, a [link](https://example.org)\n\n- one\n- two")
    assert "<em>emphasis</em>" in html and "<li>one</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener ugc">link</a>' in html


def test_raw_html_is_shown_as_text() -> None:
    html = to_html('<script>alert(1)</script><img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_links_lose_their_address() -> None:
    for href in ("javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
                 "JaVaScRiPt:alert(1)"):
        html = to_html(f"[click]({href})").lower()
        # Shown as text at most, never as an address a click would follow.
        assert not re.search(r'href="(javascript|data|vbscript):', html), html


def test_headings_never_outrank_the_page() -> None:
    assert to_html("# Big") == "<h3>Big</h3>\n"
    assert "<h1" not in to_html("Title\n=====")


ALLOWED = re.compile(r"</?([a-z0-9]+)")


@given(st.text(alphabet=st.sampled_from(list("<>\"'=&;:/ ()[]*_`#-!aehijlmnoprstvx\n")),
               max_size=200))
def test_only_allowed_tags_and_no_event_handlers_ever(text: str) -> None:
    html = to_html(text)
    assert {t for t in ALLOWED.findall(html)} <= TAGS
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.lower().startswith(("http:", "https:", "mailto:")) or ":" not in
               h.split("/")[0] for h in hrefs), hrefs
