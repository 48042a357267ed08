"""Out-of-range numbers in query strings answer 4xx, never 500."""

import pytest
from django.test import Client

from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.employer.models import Unit
from yibao.employer.services import create_unit_operator
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
PASSWORD = "Bounds-pass-1"


@pytest.fixture
def clerk():
    user = create_user(role=Role.AGENCY_CLERK, username="bounds.clerk", password=PASSWORD, check_password=False,
                       division=Division.objects.get(key="370700"))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def unit_client():
    weifang = Division.objects.get(key="370700")
    unit = Unit.objects.create(unit_number="37070599901", name="边界测试单位", region=weifang,
                               division=Division.objects.get(key="370705"))
    user = create_unit_operator(unit, password=PASSWORD, check_password=False)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("params", [
    {"offset": HUGE}, {"limit": HUGE}, {"offset": "-1"}, {"limit": "0"}, {"year": HUGE}, {"offset": "1e30"},
])
def test_declaration_list_bounds_answer_4xx(clerk, params):
    response = clerk.get("/api/v1/employer/declarations", params)
    assert response.status_code in (400, 422), response.content[:300]


def test_declaration_list_in_range_still_answers(clerk):
    assert clerk.get("/api/v1/employer/declarations", {"offset": "0", "limit": "500"}).status_code == 200


@pytest.mark.parametrize("params", [{"offset": HUGE}, {"limit": HUGE}, {"offset": "-5"}])
def test_declaration_lines_bounds_answer_4xx(unit_client, params):
    opened = unit_client.post("/api/v1/employer/declarations", {"year": 2024}, content_type="application/json")
    assert opened.status_code == 200, opened.content[:300]
    response = unit_client.get(f"/api/v1/employer/declarations/{opened.json()['id']}/lines", params)
    assert response.status_code in (400, 422), response.content[:300]


@pytest.mark.parametrize("path,params", [
    ("/api/v1/targets", {"year": HUGE}),
    ("/api/v1/audit", {"page": HUGE}),
    (f"/api/v1/employer/declarations/{HUGE}", {}),
    (f"/api/v1/employer/declarations/{HUGE}/lines", {}),
])
def test_other_api_numbers_never_500(clerk, path, params):
    assert clerk.get(path, params).status_code < 500


@pytest.mark.parametrize("year", ["²", "٣", "2024²", HUGE, "-1", "0"])
def test_review_queue_year_that_is_not_a_plain_number_is_ignored(clerk, year):
    response = clerk.get("/employer/review/", {"year": year})
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["²", "٢٠٢٤", HUGE])
def test_unit_home_year_that_is_not_a_plain_number_is_refused_politely(unit_client, year):
    response = unit_client.get("/employer/", {"year": year})
    assert response.status_code == 302
    assert response["Location"] == "/"
