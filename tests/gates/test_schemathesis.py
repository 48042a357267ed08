"""Property-based tests of the JSON API from its OpenAPI document (schemathesis), signed in as each
role: no answer is a server error, every status an operation answers with is documented, and
every answer conforms to its documented schema and content type.

The suite runs a bounded number of examples with a fixed seed; ``make fuzz`` runs the same gate
with many more (``scripts/fuzz.sh``; environment variables ``FUZZ_EXAMPLES``, ``FUZZ_SEED``)."""

from __future__ import annotations

import os
import secrets

import pytest
from django.db import transaction

from yibao.access.roles import Role

from .routes import OPERATIONS, api_routes

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("FUZZ_SEED", "20240115"))
SHRINK = os.environ.get("FUZZ_SHRINK") == "1"  # the long run shrinks a failure to its smallest example
ANONYMOUS = "anonymous"
# Operations that need no sign-in are fuzzed once, without a session; every other one as each role.
# An operation without any input (GET /api/v1/auth/csrf) gives the fuzzer nothing to vary: the
# access matrix covers it.
NO_INPUT = {"GET /api/v1/auth/csrf"}
CHANNEL = "channel"  # a payment channel with its bearer token
CASES = [(route, role) for route in api_routes() if route.key not in NO_INPUT
         for role in ((ANONYMOUS,) if OPERATIONS[route.key].public else
                      (CHANNEL,) if OPERATIONS[route.key].channel else Role.values)]

@pytest.fixture(scope="module")
def api_schema(world):
    """The OpenAPI document as the running application serves it to a signed-in reader (it needs
    sign-in), called in-process (WSGI)."""
    import schemathesis
    from django.test import Client

    from yibao.wsgi import application

    reader = Client()
    reader.force_login(world.users[Role.ADMIN])
    document = reader.get("/api/v1/openapi.json")
    assert document.status_code == 200, document.status_code
    schema = schemathesis.openapi.from_dict(document.json())
    schema.app = application
    return schema


class _same_connection:
    """Requests reach the application through WSGI, not the test client: keep Django from closing
    the test's database connection at the start and end of each request, as the test client does."""

    def __enter__(self):
        from django.core import signals
        from django.db import close_old_connections

        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc):
        from django.core import signals
        from django.db import close_old_connections

        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance,
            response_headers_conformance, response_schema_conformance]


def _credentials(gate, role: str) -> tuple[dict, dict]:
    """The role's session cookie, and a CSRF cookie with its token in the header unsafe methods need."""
    from django.conf import settings

    if role == CHANNEL:
        return {}, {"Authorization": f"Bearer {gate.channel_token}"}
    token = secrets.token_hex(16)
    cookies = {settings.CSRF_COOKIE_NAME: token}
    if role != ANONYMOUS:
        cookies[settings.SESSION_COOKIE_NAME] = gate.clients[role].cookies[settings.SESSION_COOKIE_NAME].value
    return cookies, {"X-CSRFToken": token}


def _own_objects(gate, route, role: str) -> dict[str, object]:
    """The role's own objects for the route's parameters (its declaration, line, material, job…):
    random ids almost never name a real object, so half the examples name one the role reaches,
    and the operation is fuzzed past its lookups into its real work."""
    values = {}
    for param, kind in route.expect.params.items():
        value = gate.value(kind, role, "in") if role not in (ANONYMOUS, CHANNEL) else None
        if value is not None:
            values[param] = value
    return values


def _aim(case, own: dict[str, object]) -> None:
    for name, value in own.items():
        if case.path_parameters is not None and name in case.path_parameters:
            case.path_parameters[name] = value
        elif case.query is not None and name in case.query:
            case.query[name] = value


def fuzz(api_schema, gate, role: str, route, *, examples: int, seed: int) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    method, path = route.key.split(" ", 1)
    operation = api_schema[path][method.upper()]
    own = _own_objects(gate, route, role)
    cookies, headers = _credentials(gate, role)
    checks = _checks()

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @fixed_seed(seed)
        @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                  phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), aimed=st.booleans())
        def run(case, aimed):
            if aimed:
                _aim(case, own)
            with transaction.atomic():  # every example from the same data
                response = case.call(headers=headers, cookies=cookies)
                transaction.set_rollback(True)
            case.validate_response(response, checks=checks, headers=headers)

        with _same_connection():
            run()


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{route}-{role}" for route, role in CASES])
def test_api_conforms_to_its_schema(gate, api_schema, route, role):
    fuzz(api_schema, gate, role, route, examples=EXAMPLES, seed=SEED)
