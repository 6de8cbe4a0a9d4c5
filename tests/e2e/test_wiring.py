"""One wiring point: the app holds the container alone, and routes take narrow parts of it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker
from tracker.following.sender import sender_for
from tracker.web.app import create_app
from tracker.web.mounting import mounted

ROUTES = Path(__file__).parents[2] / "tracker" / "web" / "routes"
# Every route module takes narrow parts of the container, never the whole.
ROUTE_MODULES = sorted(p.stem for p in ROUTES.glob("*.py") if p.stem != "__init__")


def test_every_route_module_is_checked() -> None:
    assert len(ROUTE_MODULES) >= 24
    assert {"pages_judgements", "api_issues", "files", "staff"} <= set(ROUTE_MODULES)


def test_create_app_sets_exactly_one_state_attribute(tracker: Tracker) -> None:
    app = create_app(tracker, poll=False)
    assert vars(app.state)["_state"] == {"container": tracker}


def test_the_state_stays_one_attribute_after_serving(tracker: Tracker) -> None:
    app = create_app(tracker, poll=False)
    with TestClient(app) as client:
        for path in ("/", "/healthz", "/submit", "/admin/login"):
            assert client.get(path).status_code == 200
    assert list(vars(app.state)["_state"]) == ["container"]


def test_each_part_is_built_once_and_shared(tracker: Tracker) -> None:
    first, second = create_app(tracker, poll=False), create_app(tracker, poll=False)
    assert mounted(first).secret is mounted(second).secret is tracker.secret
    assert mounted(first).rate_limits is tracker.rate_limits
    assert sender_for(tracker).links is tracker.links
    assert sender_for(tracker).mail is tracker.mail
    # The page cache keys routes by identity, so each app keeps its own.
    assert mounted(first).http_cache is not mounted(second).http_cache


def _annotations(tree: ast.Module) -> list[ast.expr]:
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            found.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
    return found


def _names(expr: ast.expr) -> set[str]:
    return {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(expr)
            if isinstance(n, (ast.Name, ast.Attribute))}


@pytest.mark.parametrize("module", ROUTE_MODULES)
def test_a_route_module_annotates_nothing_as_any(module: str) -> None:
    tree = ast.parse((ROUTES / f"{module}.py").read_text())
    for annotation in _annotations(tree):
        assert "Any" not in _names(annotation), \
            f"{module}.py line {annotation.lineno}: {ast.unparse(annotation)}"
        # String annotations (from __future__) are parsed too.
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            assert "Any" not in _names(ast.parse(annotation.value, mode="eval").body)


@pytest.mark.parametrize("module", ROUTE_MODULES)
def test_a_route_module_never_takes_the_whole_container(module: str) -> None:
    source = (ROUTES / f"{module}.py").read_text()
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
        for alias in n.names}
    assert not names & {"TrackerDep", "Tracker", "Any"}
    assert "app.state" not in source
