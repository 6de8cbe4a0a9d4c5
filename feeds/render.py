"""Render a feed page as RSS 2.0, Atom 1.0 (with feedgen) or JSON Feed 1.1."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.entry import FeedEntry, FeedPage

ATOM = "http://www.w3.org/2005/Atom"
# XML 1.0 forbids most control characters; strip them (and lone surrogates) from every text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _title(text: str) -> str:
    # Every format requires a title; one made only of control characters would be empty.
    return clean(text).strip() or "(untitled entry)"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def entry_html(entry: FeedEntry) -> str:
    """The entry's full text as minimal HTML; every piece of text is escaped."""
    parts = [f"<p>{html.escape(clean(p))}</p>" for p in entry.paragraphs]
    if entry.evidence:
        evidence = clean(entry.evidence)
        if evidence.startswith(("https://", "http://")):
            link = html.escape(evidence, quote=True)
            parts.append(f'<p>Evidence: <a href="{link}">{html.escape(evidence)}</a></p>')
        else:
            parts.append(f"<p>Evidence: {html.escape(evidence)}</p>")
    return "".join(parts)


def entry_text(entry: FeedEntry) -> str:
    lines = [clean(p) for p in entry.paragraphs]
    if entry.evidence:
        lines.append(f"Evidence: {clean(entry.evidence)}")
    return "\n\n".join(lines)


def _generator(page: FeedPage) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(page.id)
    fg.title(clean(page.title))
    fg.subtitle(clean(page.subtitle) or clean(page.title))
    fg.language(page.language)
    fg.updated(_utc(page.updated))
    fg.lastBuildDate(_utc(page.updated))
    fg.link(href=page.self_url, rel="self")
    if page.first_url:
        fg.link(href=page.first_url, rel="first")
    if page.next_url:
        fg.link(href=page.next_url, rel="next")
    fg.link(href=page.html_url, rel="alternate", type="text/html")  # last: RSS uses it
    for entry in reversed(page.entries):  # feedgen prepends: add oldest first
        fe = fg.add_entry()
        fe.id(entry.id)
        fe.guid(entry.id, permalink=False)
        fe.title(_title(entry.title))
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.content(entry_html(entry), type="html")
        fe.description(entry_html(entry))
        fe.updated(_utc(entry.recorded_at))
        fe.published(_utc(entry.recorded_at))
        if entry.author:
            fe.author(name=clean(entry.author))
        for category in entry.categories:
            fe.category(term=clean(category))
    return fg


def to_atom(page: FeedPage) -> bytes:
    result: bytes = _generator(page).atom_str(pretty=True)
    return result


def to_rss(page: FeedPage) -> bytes:
    document = _generator(page).rss_str(pretty=True)
    if not (page.next_url or page.first_url):
        return bytes(document)
    # feedgen writes only the self link into RSS; paging links go in the same atom:link form.
    root = etree.fromstring(document)
    channel = root.find("channel")
    for rel, href in (("first", page.first_url), ("next", page.next_url)):
        if href:
            etree.SubElement(channel, f"{{{ATOM}}}link", href=href, rel=rel)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def to_json_feed(page: FeedPage) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(page.title),
        "description": clean(page.subtitle),
        "home_page_url": page.html_url,
        "feed_url": page.self_url,
        "language": page.language,
        "items": [{
            "id": e.id,
            "url": e.link,
            "title": _title(e.title),
            "content_html": entry_html(e),
            "content_text": entry_text(e),
            "date_published": _utc(e.recorded_at).isoformat(),
            "date_modified": _utc(e.recorded_at).isoformat(),
            **({"tags": [clean(c) for c in e.categories]} if e.categories else {}),
            **({"authors": [{"name": clean(e.author)}]} if e.author else {}),
        } for e in page.entries],
    }
    if page.next_url:
        document["next_url"] = page.next_url
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
