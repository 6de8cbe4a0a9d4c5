"""Text that no page, feed, calendar, export or database can carry is refused at the edge.

Table-driven from the app itself, so a new field or parameter is covered without a new
test: every JSON write operation's every text field (from /openapi.json, the rest of the
body being the example the operation documents), every read route's every query parameter
(from the app's routes, pages included), every form's every text field. Each hostile
character must be a 4xx naming the field, with nothing stored and never a 500, on SQLite
and on PostgreSQL (which cannot store NUL: one such title once stopped every read model).
Bidirectional controls are dropped on the way in: a field of nothing else is empty (a 422
naming it), and none ever reaches the record.

On SQLite every C0 control goes to every field of every command, with a sample of the rest;
elsewhere one of each kind, as every refusal comes before any database is touched and one
function decides them all. Every code point meets that rule in
tests/unit/domain/test_text_rules.py.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tests.e2e.staff import errors_shown, staff_client
from tests.e2e.writes import Site, from_factory, open_site
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.web import forms
from tracker.web import routes as routes_package
from tracker.web.routes.staff import REFERENCE
from tracker.web.routes.staff_issues import ON_COMMITMENT, ON_ISSUE

# Never in any text: C0 controls but tab, newline and CR (below), DEL, C1 controls, unpaired
# surrogates (a JSON string may hold one as an escape) and noncharacters.
WIDE = ([chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
        + ["\x7f", "\x80", "\x85", "\x8d", "\x9b", "\x9f", "\ud800", "\udfff", "\ufdd0",
           "\ufffe", "\uffff"])
COMPACT = ["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"]
# Also refused in a text that is one line (in several lines, CR becomes LF).
NOT_IN_A_LINE = ["\t", "\n", "\r"]
BIDI = ["\u202e", "\u2067", "\u2069"]  # overrides and isolates; all nine in the unit test
FORM_CHARACTERS = ["\x00", "\x85", "\ufffe"]


def in_addresses(characters: list[str]) -> list[str]:
    """What a query string or a form can carry: no unpaired surrogates."""
    return [c for c in characters if not "\ud800" <= c <= "\udfff"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
         clock: Clock) -> Iterator[Site]:
    tracker = from_factory(make_tracker, clock, request.param)
    # High enough that only the characters are refused, never the number of tries.
    tracker.settings.rate_follow = tracker.settings.rate_login = "100000/minute"
    with open_site(tracker) as site:
        site.numbers = {"number": site.issue("committed")}  # type: ignore[attr-defined]
        site.hostile = WIDE if request.param == "sqlite" else COMPACT  # type: ignore[attr-defined]
        yield site


def text_fields(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], str, int]]:
    """(path, field, example body, kind "one" | "list", the field's maxLength) for every
    string field, or list of strings, of every command's body."""
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        if "requestBody" not in operations.get("post", {}):
            continue
        ref = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
        schema = schemas[ref["$ref"].rsplit("/", 1)[-1]]
        example = schema["examples"][0]
        for name, prop in schema.get("properties", {}).items():
            options = prop.get("anyOf", [prop])
            for option in options:
                if option.get("type") == "string":
                    yield path, name, example, "one", option.get("maxLength", 0)
                elif option.get("type") == "array" and option["items"].get("type") == "string":
                    yield path, name, example, "list", option["items"].get("maxLength", 0)


def post_json(site: Site, path: str, body: dict[str, Any]) -> Any:
    # ensure_ascii: an unpaired surrogate travels as the escape \\ud800, as JSON allows.
    public = path in ("/api/v1/issues", "/api/v1/issues/{number}/support",
                      "/api/v1/issues/{number}/commitments/{commitment}/citizen-answers")
    headers = {"Content-Type": "application/json",
               **({} if public else site.as_("admin"))}
    address = path.replace("{number}", str(site.numbers["number"]))  # type: ignore[attr-defined]
    address = address.replace("{commitment}", "1").replace("{challenge}", "1")
    address = address.replace("{slug}", "leeds")
    return site.client.post(address, content=json.dumps(body, ensure_ascii=True),
                            headers=headers)


def stored(site: Site) -> tuple[int, int]:
    """The event log's position and the number of private contact rows."""
    from sqlalchemy import func, select

    from tracker.contacts import contacts
    with site.tracker.write_engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(contacts)).scalar_one()
    return site.position(), int(rows)


def test_refuses_hostile_characters_in_every_text_field_of_every_command(site: Site) -> None:
    spec = site.client.get("/openapi.json").json()
    before = stored(site)
    failures, sent = [], 0
    for path, field, example, kind, max_length in text_fields(spec):
        one_line = max_length <= 300  # longer texts may hold several lines
        for character in site.hostile + (NOT_IN_A_LINE if one_line else []):  # type: ignore[attr-defined]
            value = f"a{character}b"
            body = {**example, field: [value] if kind == "list" else value}
            answer = post_json(site, path, body)
            sent += 1
            named = answer.json().get("field", "") if answer.headers.get(
                "content-type", "").startswith("application/json") else ""
            if not (400 <= answer.status_code < 500 and str(named).startswith(field)):
                failures.append(f"{path} {field} U+{ord(character):04X}: "
                                f"{answer.status_code} {answer.text[:120]}")
    assert not failures, "\n".join(failures[:40])
    assert sent > 40 * len(site.hostile)  # type: ignore[attr-defined]  # every field was tried
    assert stored(site) == before
    # And the read models follow the log as before.
    answer = site.post("/api/v1/issues", {"title": "After the storm"}, "anonymous")
    assert answer.status_code == 201
    number = answer.json()["number"]
    assert site.client.get(f"/api/v1/issues/{number}").json()["title"] == "After the storm"
    assert site.tracker.projector.position() == site.position()


def test_drops_direction_changing_characters_from_every_text_field(site: Site) -> None:
    spec = site.client.get("/openapi.json").json()
    failures = []
    before = site.position()
    for path, field, example, kind, _ in text_fields(spec):
        for character in BIDI:
            alone = {**example, field: [character] if kind == "list" else character}
            answer = post_json(site, path, alone)
            if answer.status_code >= 500:
                failures.append(f"{path} {field} alone: {answer.status_code}")
            mixed = {**example, field: [f"a{character}b"] if kind == "list"
                     else f"a{character}b"}
            if post_json(site, path, mixed).status_code >= 500:
                failures.append(f"{path} {field} mixed: 500")
    assert not failures, "\n".join(failures)
    # Whatever ran, the record holds none of them.
    log = b"".join(n.state for n in
                   site.tracker.app.recorder.select_notifications(1, 1_000_000))
    for character in BIDI:
        assert character.encode() not in log
        assert json.dumps(character).strip('"').encode() not in log
    assert site.position() > before  # some commands did run, with the characters dropped


def test_refuses_a_title_that_shows_nothing(site: Site) -> None:
    before = site.position()
    for title in ("\u202e", "\u2066\u2069", "\u200b", "\u200b\u200d\ufeff", " \u2800 ",
                  "\u3164"):
        answer = site.post("/api/v1/issues", {"title": title}, "anonymous")
        assert answer.status_code == 422 and answer.json()["field"] == "title", title
    assert site.position() == before


def test_keeps_a_title_without_its_direction_changes(site: Site) -> None:
    answer = site.post("/api/v1/issues", {"title": "Bus \u202eseton\u202c stops",
                                          "description": "Line one\r\nLine two"},
                       "anonymous")
    assert answer.status_code == 201
    issue = site.client.get(f"/api/v1/issues/{answer.json()['number']}").json()
    assert issue["title"] == "Bus seton stops"
    assert issue["description"] == "Line one\nLine two"


def get_routes(site: Site) -> Iterator[tuple[str, str]]:
    """(address, query parameter) for every GET route's every query parameter."""
    filled = {"number": str(site.numbers["number"]), "commitment": "1",  # type: ignore[attr-defined]
              "challenge": "1", "fmt": "rss", "key": "topic", "sha256": "0" * 64,
              "path:path": "0/000", "index": "0", "entry": "0", "position": "1",
              "assembly": "leeds"}
    slugs = {"topics": "access", "owners": "lead", "assemblies": "leeds"}
    for route in app_routes():
        if "GET" not in route.methods:
            continue
        address = route.path
        for name, value in filled.items():
            address = address.replace("{" + name + "}", value)
        first = address.strip("/").split("/")[0]
        address = address.replace("{slug}", slugs.get(first, "access"))
        address = address.replace("{kind}", "topics" if "reference" in address else "progress")
        assert "{" not in address, address
        for name in query_names(route.dependant):
            yield address, name


def app_routes() -> Iterator[APIRoute]:
    """Every route of every module in tracker.web.routes (each has one router)."""
    for module in pkgutil.iter_modules(routes_package.__path__):
        router = importlib.import_module(f"{routes_package.__name__}.{module.name}").router
        yield from (r for r in router.routes if isinstance(r, APIRoute))


def query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


def test_refuses_hostile_characters_in_every_query_parameter(site: Site) -> None:
    failures, sent = [], 0
    routes = list(get_routes(site))
    assert len({address for address, _ in routes}) >= 15
    for address, param in routes:
        for character in in_addresses(COMPACT) + NOT_IN_A_LINE:
            answer = site.client.get(address, params={param: f"a{character}b"})
            sent += 1
            wants_json = address.startswith("/api/") or "." in address.rsplit("/", 1)[-1]
            named = answer.json().get("field") if wants_json else param
            if not (400 <= answer.status_code < 500 and named == param):
                failures.append(f"{address}?{param} U+{ord(character):04X}: "
                                f"{answer.status_code} {answer.text[:100]}")
    assert not failures, "\n".join(failures[:40])
    assert sent > 15 * len(COMPACT)


def test_refuses_hostile_characters_in_every_path_parameter(site: Site) -> None:
    for template in ("/topics/{}", "/owners/{}", "/assemblies/{}", "/topics/{}/feed.rss",
                     "/owners/{}/feed.atom", "/owners/{}/calendar.ics", "/timeline.{}",
                     "/admin/reference/{}", "/api/v1/issues/{}"):
        for character in in_addresses(site.hostile):  # type: ignore[attr-defined]
            answer = site.client.get(template.format(quote(f"a{character}b", safe="")))
            assert 400 <= answer.status_code < 500, (template, hex(ord(character)))



def test_refuses_hostile_characters_in_every_field_of_the_public_forms(site: Site) -> None:
    site.tracker.settings.smtp_host = "mail.invalid"  # offers following; never reached
    before = stored(site)
    forms_sent = {
        "/submit": {"title": "A title", "description": "More", "contact_name": "Ada",
                    "contact_email": "ada@example.org"},
        "/follow": {"email": "ada@example.org", "kind": "topic", "target": "access",
                    "mode": "instant"},
        "/admin/login": {"name": "someone", "password": "a long enough password"},
    }
    for path, fields in forms_sent.items():
        for field in fields:
            if field == "password":
                continue  # only ever hashed: any character may be in one
            for character in FORM_CHARACTERS:
                answer = site.client.post(path, data={**fields,
                                                      field: f"a{character}b"})
                assert answer.status_code == 422, (path, field, answer.status_code)
                if path == "/submit":
                    assert field in errors_shown(answer.text), (field, answer.text[:500])
    assert stored(site) == before


def test_refuses_hostile_characters_in_every_field_of_the_staff_forms(site: Site) -> None:
    staff = staff_client(site.tracker, "admin")
    number = site.numbers["number"]  # type: ignore[attr-defined]
    before = site.position()
    pages: list[tuple[str, type[BaseModel], bool]] = [
        (f"/admin/issues/{number}/{key}", a.request, False) for key, a in ON_ISSUE.items()]
    pages += [(f"/admin/issues/{number}/commitments/1/{key}", c.request, True)
              for key, c in ON_COMMITMENT.items()]
    pages += [(f"/admin/reference/{kind}", c.request, False) for kind, c in REFERENCE.items()]
    tried = 0
    for path, model, on_commitment in pages:
        described = forms.describe(model)
        texts = [f.name for f in described if f.kind in ("text", "textarea", "lines")]
        # The commitment forms ask for their status and date before anything else.
        others = {"status": "on_track", "new_due": "2026-09-01"} if on_commitment else {}
        for character in FORM_CHARACTERS:
            answer = staff.send(path, **others, **dict.fromkeys(texts, f"a{character}b"))
            assert answer.status_code == 422, (path, answer.status_code)
            shown = errors_shown(answer.text)
            for name in texts:
                tried += 1
                assert name in shown, (path, name, hex(ord(character)), shown)
    assert tried > 100
    assert site.position() == before
