"""Refusals over the API are documented and take one shape (``yibao.http.ErrorOut``), whoever
raises them: a service, django-ninja's validation, the sign-in check."""

import pytest

from yibao.access.roles import Role

from .routes import OPERATIONS, api_routes

pytestmark = pytest.mark.django_db

REFUSALS = {"400", "401", "403", "404", "422"}


def test_every_operation_documents_its_refusals():
    from yibao.api import api

    schema = api.get_openapi_schema()
    undocumented = []
    for route in api_routes():
        method, path = route.key.split(" ", 1)
        responses = schema["paths"][path][method.lower()]["responses"]
        missing = REFUSALS - {str(code) for code in responses}
        if OPERATIONS[route.key].channel:  # a channel is its token: no role, no scope, no form of its own
            missing -= {"400", "403", "404"}
        if missing and not OPERATIONS[route.key].public:
            undocumented.append(f"{route.key}: {sorted(missing)}")
        if not {"200", "201", "202"} & {str(code) for code in responses}:
            undocumented.append(f"{route.key}: no success documented")
    assert not undocumented, "operations that do not document their refusals (yibao.http.responds):\n  " + \
        "\n  ".join(undocumented)


def _error_shape(body):
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body.get("code", "refused"), str)


def test_a_request_the_schema_refuses_answers_in_the_error_shape(gate):
    manager = gate.clients[Role.BUREAU_MANAGER]
    answer = manager.get("/api/v1/employer/declarations", {"year": "明年"})
    assert answer.status_code == 422
    body = answer.json()
    _error_shape(body)
    assert body["code"] == "invalid_input" and "query.year" in body["fields"]


def test_a_visitor_not_signed_in_is_told_in_chinese():
    from django.test import Client

    answer = Client().get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["detail"] == "请先登录。"


@pytest.mark.parametrize("year", [-1, 1024, 10_000, 19_049_165_213])
def test_a_declaration_for_an_impossible_year_is_refused_not_a_server_error(gate, year):
    unit = gate.clients[Role.UNIT_OPERATOR]
    answer = unit.post("/api/v1/employer/declarations", {"year": year}, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid_input" and "申报年度无效" in answer.json()["detail"]
    page = unit.get("/employer/", {"year": str(year)})
    assert page.status_code == 302


def test_the_policy_api_needs_its_capability(gate, monkeypatch):
    from yibao.access import roles

    monkeypatch.setitem(roles.CAPABILITIES, "policy.ask", set(roles.CAPABILITIES["policy.ask"]) - {Role.TAX_CLERK})
    tax = gate.clients[Role.TAX_CLERK]
    assert tax.get("/api/v1/policy/questions").status_code == 403
    assert tax.post("/api/v1/policy/ask", {"region": "370700", "question": "employee.bounds", "input": {}},
                    content_type="application/json").status_code == 403
