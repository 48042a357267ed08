"""Refusals reach API clients through one handler: a service's code and Chinese message, and the
policy engine's refusal codes unchanged, each with its status, all documented in OpenAPI."""

import pytest

from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.employer.models import FlexibleWorker
from yibao.identity import resident_id_check_char

NUMBER = "37070519800101125"
NUMBER += resident_id_check_char(NUMBER)


@pytest.fixture
def worker_client(client, db, settings):
    import datetime as dt

    settings.YIBAO_TODAY = dt.date(2024, 1, 15)
    FlexibleWorker.objects.create(id_number=NUMBER, name="赵灵活", region_id="370700")
    client.force_login(create_user(role=Role.INDIVIDUAL, username=NUMBER, password="Xx-123456789"))
    return client


def test_an_engine_refusal_keeps_its_code(worker_client):
    response = worker_client.post("/api/v1/employer/flexible-base", {"month": "2024-01", "base": "21208"},
                                  content_type="application/json")
    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "out_of_range" and "4242.00" in body["detail"] and body["message"] == body["detail"]
    assert body["explanation"]  # the engine's steps and citations come along


def test_a_service_refusal_has_a_code_and_fields(worker_client):
    response = worker_client.post("/api/v1/employer/flexible-base", {"month": "2024-01", "base": "abc"},
                                  content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input" and response.json()["fields"] == {"base": "“abc”不是有效的金额"}


def test_a_not_configured_year_answers_422_with_what_is_missing(worker_client):
    response = worker_client.post("/api/v1/employer/flexible-base", {"month": "2031-01", "base": "5000"},
                                  content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "not_configured" and response.json()["missing"]


def test_openapi_documents_the_refusals():
    from yibao.api import api

    schema = api.get_openapi_schema()
    submit = schema["paths"]["/api/v1/employer/declarations/{pk}/submit"]["post"]["responses"]
    assert {200, 400, 403, 404, 422} <= {int(code) for code in submit}
    error = schema["components"]["schemas"]["ErrorOut"]
    assert {"detail", "code", "missing", "fields"} <= set(error["properties"])
