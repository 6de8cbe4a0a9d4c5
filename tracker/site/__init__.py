"""The public site, rendered from the read models without the web framework.

Every public address (pages, feeds, calendars, JSON reads, evidence files) is a renderer
function: (a read connection, a SiteContext, its parameters) -> Answer. The web routes
parse and validate parameters and hand over to these through the HTTP cache
(tracker.web.http_cache); ``tracker publish`` calls them directly (tracker.site.addresses).
"""
