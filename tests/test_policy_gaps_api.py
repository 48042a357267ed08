"""What a region cannot answer yet, through the API: the same query as the page and
`yibao policy gaps`, for the administrator only."""

import pytest

from factories import AdminFactory, AgencyClerkFactory
from yibao.policy import get_engine
from yibao.policy.gaps import gaps

pytestmark = pytest.mark.django_db


def test_the_gaps_of_a_region_and_year(client):
    client.force_login(AdminFactory())
    answer = client.get("/api/v1/policy/gaps", {"region": "371500", "year": 2024})
    assert answer.status_code == 200
    body = answer.json()
    assert body["year"] == 2024 and body["region"] == "371500"
    found = {g["question"]: g for g in body["gaps"]}
    assert found["employee.self_inspection"]["missing"] == ["employee.self_inspection_threshold"]
    assert found["employee.self_inspection"]["region_name"] == "聊城市"
    # the very list the page and the command line show
    assert [(g["region"], g["question"]) for g in body["gaps"]] == \
        [(g.region, g.question) for g in gaps(get_engine(), 2024, "371500")]
    page = client.get("/policy/gaps/", {"region": "371500", "year": 2024}).content.decode()
    assert all(g["question"] in page for g in body["gaps"])


def test_every_region_by_default_and_refusals(client, settings):
    import datetime as dt

    settings.YIBAO_TODAY = dt.date(2024, 1, 15)
    client.force_login(AdminFactory())
    body = client.get("/api/v1/policy/gaps").json()
    assert body["year"] == 2024 and body["region"] is None
    assert {g["region"] for g in body["gaps"]} >= {"370700", "371500"}
    missing = client.get("/api/v1/policy/gaps", {"region": "999999"})
    assert missing.status_code == 404
    assert client.get("/api/v1/policy/gaps", {"year": 3000}).status_code == 422
    client.force_login(AgencyClerkFactory())
    assert client.get("/api/v1/policy/gaps").status_code == 403
