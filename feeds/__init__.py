"""Feeds: pure functions from timeline entries to RSS 2.0, Atom 1.0 and JSON Feed 1.1.

No web framework and no database here: the web routes and the static publisher both call
these with plain values and get bytes back.
"""

from feeds.entry import FeedEntry, FeedPage
from feeds.ids import tag_uri
from feeds.render import to_atom, to_json_feed, to_rss

__all__ = ["FeedEntry", "FeedPage", "tag_uri", "to_atom", "to_json_feed", "to_rss"]
