"""How an app holds the container: one state attribute, read through typed accessors."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.datastructures import State

from tracker.bootstrap import Tracker
from tracker.site.addresses import Site
from tracker.web.http_cache import HttpCache

if TYPE_CHECKING:
    from jinja2 import Environment

    from tracker.web.citizens import RateLimits


class Mounted(State):
    """``app.state``: the container as its one attribute, and what belongs to this app alone.

    The HTTP cache (validators and the answers kept in memory) belongs to the app it
    serves, so each mount has its own. The properties let code that
    reads ``app.state.<part>`` by name (the public read routes, the templates' renderer)
    keep working; routes take parts through tracker.web.deps instead.
    """

    _http_cache: HttpCache

    def __init__(self, container: Tracker) -> None:
        super().__init__({"container": container})
        # Plain attributes of this object, outside the state's one entry.
        site = Site(container.engine, replace(container.site.context, live=True))
        object.__setattr__(self, "_http_cache", HttpCache(
            site, container.projector, container.settings.page_cache_bytes,
            container.as_of_stores))

    @property
    def container(self) -> Tracker:
        found: Tracker = self._state["container"]
        return found

    @property
    def http_cache(self) -> HttpCache:
        return self._http_cache

    @property
    def tracker(self) -> Tracker:
        return self.container

    @property
    def templates(self) -> Environment:
        return self.container.templates

    @property
    def rate_limits(self) -> RateLimits:
        return self.container.rate_limits

    @property
    def secret(self) -> bytes:
        return self.container.secret


def mount(app: FastAPI, container: Tracker) -> None:
    """Make the container the app's one state attribute."""
    app.state = Mounted(container)


def mounted(app: Any) -> Mounted:
    """The app's state, typed (Starlette types ``request.app`` as Any)."""
    state: Mounted = app.state
    return state


def container_of(request: Request) -> Tracker:
    return mounted(request.app).container
