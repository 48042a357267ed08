"""The access matrix, generated from the routes: every page of the URL resolver and every
operation of the OpenAPI document, for every role.

For each route and role: a role without the capability is refused with 403; a role with it is
served an object in its scope, and answered 404 alike for an object outside its scope and for one
that does not exist; a visitor who has not signed in is sent to sign in (pages) or answered 401
(API). The expectations are in ``routes.py``; a route without one fails here, by name."""

from __future__ import annotations

import pytest
from django.test import Client

from yibao.access.roles import Role, can

from .client import Answer, normalised, send
from .routes import OPERATIONS, PAGES, Route, all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()


def test_every_route_has_an_expectation():
    missing = [f"{r.kind} {r.key} ({r.path})" for r in ROUTES if r.expect is None]
    assert not missing, ("routes without an expectation in tests/gates/routes.py — say which capability each "
                         "needs and which objects its parameters name:\n  " + "\n  ".join(missing))


def test_every_expectation_names_a_route():
    pages = {r.key for r in ROUTES if r.kind == "page"}
    operations = {r.key for r in ROUTES if r.kind == "api"}
    stale = sorted(set(PAGES) - pages) + sorted(set(OPERATIONS) - operations)
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def test_every_parameter_has_a_kind():
    """A route parameter the table does not name could hold any object: the gate would not try
    one outside the scope."""
    unnamed = [f"{r.key}: {p}" for r in ROUTES if r.expect and not r.expect.public
               for p in r.path_params if p not in r.expect.params]
    assert not unnamed, f"path parameters without a kind of object in tests/gates/routes.py: {unnamed}"


def _allowed(role: str, route: Route) -> bool:
    return all(can(role, c) for c in route.expect.capabilities)


def _values(world, route: Route, role: str, variant: str = "in") -> dict | None:
    """Every parameter in the role's scope (``None`` where the role has no such object)."""
    values = {}
    for param, kind in route.expect.params.items():
        v = world.value(kind, role, variant)
        if v is None:
            return None
        values[param] = v
    return values


def _any_object(world, route: Route, role: str) -> dict:
    """Parameters naming objects that exist: the role's own where it has them, else any."""
    return _values(world, route, role) or _values(world, route, Role.ADMIN)


def _show(a: Answer) -> str:
    return f"{a.status} {a.location or a.text[:160]!r}"


def _channel_route(gate, route: Route, method: str, anonymous: Answer) -> list[str]:
    """A channel's operation: no one's session opens it, the channel's token does."""
    problems = [] if anonymous.status == 401 else [f"{method} anonymous: expected 401, got {_show(anonymous)}"]
    for role in Role.values:
        a = send(gate.clients[role], route, method, {}, route.expect.data)
        if a.status != 401:
            problems.append(f"{method} {role}'s session: expected 401, got {_show(a)}")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {gate.channel_token}")
    a = send(bearer, route, method, {}, route.expect.data)
    if a.status in (401, 403) or a.status >= 500:
        problems.append(f"{method} with the channel's token: got {_show(a)}")
    return problems


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_access(gate, route):
    expect = route.expect
    assert expect is not None, f"{route.kind} {route.key} has no expectation in tests/gates/routes.py"
    problems: list[str] = []
    anonymous = Client()
    for method in route.methods:
        # a visitor who has not signed in
        values = _any_object(gate, route, Role.ADMIN)
        a = send(anonymous, route, method, values, expect.data)
        if expect.public:
            if a.status >= 500:
                problems.append(f"{method} anonymous: {_show(a)}")
            continue
        if expect.channel:
            problems += _channel_route(gate, route, method, a)
            continue
        signed_out = a.status == 401 if route.kind == "api" else (a.status == 302 and "/login/" in a.location)
        if not signed_out:
            problems.append(f"{method} anonymous: expected {'401' if route.kind == 'api' else 'sign-in'}, got {_show(a)}")

        for role in Role.values:
            client = gate.clients[role]
            if not _allowed(role, route):
                a = send(client, route, method, _any_object(gate, route, role), expect.data)
                if a.status != 403:
                    problems.append(f"{method} {role} lacks {expect.capabilities}: expected 403, got {_show(a)}")
                continue
            inside = _values(gate, route, role)
            if inside is not None:
                a = send(client, route, method, inside, expect.data)
                if a.status in (403, 404) or a.status >= 500:
                    problems.append(f"{method} {role} in scope {inside}: got {_show(a)}")
            for param, kind in expect.params.items():
                base = inside if inside is not None else _any_object(gate, route, role)
                out_value = gate.value(kind, role, "out")
                missing_value = gate.value(kind, role, "missing")
                missing = send(client, route, method, {**base, param: missing_value}, expect.data)
                if param not in expect.filters and missing.status != 404:
                    problems.append(f"{method} {role} {param}={missing_value} (missing): expected 404, got {_show(missing)}")
                if out_value is None:
                    continue
                out = send(client, route, method, {**base, param: out_value}, expect.data)
                if normalised(out) != normalised(missing):
                    problems.append(f"{method} {role} {param}: out of scope ({out_value}) answers {_show(out)}, "
                                    f"missing ({missing_value}) answers {_show(missing)}")
    assert not problems, f"{route.kind} {route.key}:\n  " + "\n  ".join(problems)
