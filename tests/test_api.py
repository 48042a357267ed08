import pytest

from employer.factories import UnitOperatorFactory
from factories import PASSWORD, AdminFactory, AgencyClerkFactory, division

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client_for):
    client = client_for(AdminFactory())
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "医保 API"
    for path in ("/api/v1/me", "/api/v1/divisions", "/api/v1/audit", "/api/v1/policy/ask"):
        assert path in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/me").status_code == 401


def test_login_and_me(client):
    clerk = AgencyClerkFactory(division=division("371500"))
    bad = client.post("/api/v1/auth/login", {"username": clerk.username, "password": "x"},
                      content_type="application/json")
    assert bad.status_code == 401 and "账号或密码错误" in bad.json()["detail"]
    ok = client.post("/api/v1/auth/login", {"username": clerk.username, "password": PASSWORD},
                     content_type="application/json")
    assert ok.status_code == 200
    me = client.get("/api/v1/me").json()
    assert me["role"] == "agency_clerk" and me["division"] == "371500"


def test_divisions_are_scoped_and_outside_is_404(client_for):
    client = client_for(AgencyClerkFactory(division=division("371500")))
    keys = {d["key"] for d in client.get("/api/v1/divisions", {"parent": "371500"}).json()["items"]}
    assert "371502" in keys
    assert client.get("/api/v1/divisions", {"parent": "370700"}).json() == {"total": 0, "offset": 0, "limit": 1000,
                                                                          "items": []}
    outside = client.get("/api/v1/divisions/370705")
    missing = client.get("/api/v1/divisions/000000")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_divisions_come_a_page_at_a_time_with_the_total(client_for):
    """Every division in scope is reachable: no silent cap, pages walked with offset and limit."""
    from yibao.regions.models import Division

    client = client_for(AdminFactory())
    everything = Division.objects.count()
    assert everything > 5000  # more than the former cap
    first = client.get("/api/v1/divisions", {"limit": 5000}).json()
    assert first["total"] == everything and len(first["items"]) == 5000
    keys = [d["key"] for d in first["items"]]
    offset = 5000
    while offset < everything:
        page = client.get("/api/v1/divisions", {"offset": offset, "limit": 5000}).json()
        keys += [d["key"] for d in page["items"]]
        offset += 5000
    assert len(keys) == len(set(keys)) == everything
    regions = client.get("/api/v1/divisions", {"pooling_regions": "true", "limit": 2}).json()
    assert regions["total"] == Division.objects.filter(is_pooling_region=True).count() and len(regions["items"]) == 2
    for bad in ({"limit": 0}, {"limit": 5001}, {"offset": -1}):
        assert client.get("/api/v1/divisions", bad).status_code == 422


def test_identity_validation_messages(client_for):
    client = client_for(AdminFactory())
    bad = client.post("/api/v1/identity/resident-id", {"value": "11010519491231002"}, content_type="application/json")
    assert bad.status_code == 400 and "18" in bad.json()["detail"]
    good = client.post("/api/v1/identity/resident-id", {"value": "11010519491231002X"},
                       content_type="application/json")
    assert good.status_code == 200 and good.json()["birth_date"] == "1949-12-31"
    uscc = client.post("/api/v1/identity/uscc", {"value": "91350100M000100Y43"}, content_type="application/json")
    assert uscc.status_code == 200


def test_targets_and_agencies_are_public_reference(client_for):
    client = client_for(UnitOperatorFactory())
    targets = client.get("/api/v1/targets", {"region": "140500"}).json()
    assert sum(t["target"] for t in targets) == 1583685


# --- sign-in is protected against cross-site requests (login CSRF) ---------------------------
def _staff(username):
    from yibao.access.roles import Role
    from yibao.accounts.services import create_user
    from yibao.regions.models import Division

    return create_user(role=Role.AGENCY_CLERK, username=username, password="Csrf-pass-12", check_password=False,
                       division=Division.objects.get(key="370700"))


def test_cross_site_login_post_is_refused_and_signs_nobody_in():
    from django.test import Client

    _staff("csrf.clerk")
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post("/api/v1/auth/login", '{"username": "csrf.clerk", "password": "Csrf-pass-12"}',
                          content_type="text/plain", HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403
    assert "_auth_user_id" not in browser.session
    no_token = browser.post("/api/v1/auth/login", {"username": "csrf.clerk", "password": "Csrf-pass-12"},
                            content_type="application/json")
    assert no_token.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_login_with_the_csrf_token_signs_in():
    from django.test import Client

    _staff("csrf.clerk2")
    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert client.cookies["csrftoken"].value
    ok = client.post("/api/v1/auth/login", {"username": "csrf.clerk2", "password": "Csrf-pass-12"},
                     content_type="application/json", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="http://testserver")
    assert ok.status_code == 200, ok.content
    assert ok.json()["username"] == "csrf.clerk2"
    forged_origin = Client(enforce_csrf_checks=True)
    token = forged_origin.get("/api/v1/auth/csrf").json()["csrf_token"]
    refused = forged_origin.post("/api/v1/auth/login", {"username": "csrf.clerk2", "password": "Csrf-pass-12"},
                                 content_type="application/json", HTTP_X_CSRFTOKEN=token,
                                 HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403


def test_openapi_description_says_how_to_sign_in(client_for):
    schema = client_for(AdminFactory()).get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/csrf" in schema["paths"]
    assert "X-CSRFToken" in schema["info"]["description"]


def _schemas(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document keys schemas by class name: two schemas of one name (say, an app's
    job-started answer and the jobs API's job) would document one of them wrongly."""
    from ninja import Schema

    from yibao.api import api

    api.get_openapi_schema()  # every router is mounted and every schema imported
    seen: dict[str, str] = {}
    clashes = []
    for schema in set(_schemas(Schema)):
        if not schema.__module__.startswith("yibao."):
            continue
        where = f"{schema.__module__}.{schema.__qualname__}"
        if schema.__name__ in seen and seen[schema.__name__] != where:
            clashes.append(f"{seen[schema.__name__]} / {where}")
        seen.setdefault(schema.__name__, where)
    assert not clashes, clashes
