"""Citizens write descriptions in Markdown; pages show them as safe HTML.

Two steps, each from a well-kept library: markdown-it-py turns the text into HTML with raw
HTML switched off, then nh3 (the Rust ammonia sanitiser) keeps only the tags and link
schemes listed here. Either alone would do today; both together mean a bug in one is not
enough to put script on a public page.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a",
        "h3", "h4", "hr"}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


@lru_cache(maxsize=2048)
def to_html(text: str) -> Markup:
    """Safe HTML for a description. Headings are demoted so a citizen's text can never
    outrank the page's own headings."""
    html = _parser.render(text)
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    for level in (5, 6):
        html = html.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                      link_rel="nofollow noopener ugc")
    return Markup(clean)
