"""Registration through the pages, the JSON API and the command line: the same services, the
same refusals."""

import pytest

from factories import DONGMING, IndividualFactory, TownshipClerkFactory, VillageAgentFactory, village
from yibao.resident.models import Enrolment, Problem, Registration, RegistrationStatus

from .factories import DONGMING_OTHER_TOWNSHIP_VILLAGE, DONGMING_VILLAGE, resident_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def collection_season(settings):
    import datetime as dt

    settings.YIBAO_TODAY = dt.date(2023, 10, 9)  # in 东明's collection period for the 2024 insurance year


def _form(n, **extra):
    number = resident_number(n)
    return {"id_number": number, "name": f"居民{n}", "hukou_code": DONGMING_VILLAGE, "hk_id_number": number,
            "hk_name": f"居民{n}", "household_number": "HK0001", "phone": "138 0013 8000", **extra}


def test_an_agent_registers_a_family_on_the_page_and_a_clerk_approves(client):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    client.force_login(agent)
    page = client.get("/resident/register/")
    assert page.status_code == 200 and "雷庄村" in page.content.decode()
    answer = client.post("/resident/register/", {**_form(1), "next": "family"})
    assert answer.status_code == 302 and "household_number=HK0001" in answer["Location"]
    carried = client.get(answer["Location"]).content.decode()
    assert 'value="HK0001"' in carried
    client.post("/resident/register/", _form(2))
    forms = Registration.objects.order_by("id")
    assert [(r.insurance_year, r.status, r.phone) for r in forms] == [(2024, "pending", "13800138000")] * 2

    clerk = TownshipClerkFactory()
    client.force_login(clerk)
    queue = client.get("/resident/registrations/").content.decode()
    assert "居民1" in queue and "居民2" in queue
    for r in forms:
        assert client.post(f"/resident/registrations/{r.pk}/review/", {"decision": "approve"}).status_code == 302
    assert Enrolment.objects.filter(insurance_year=2024, status="registered").count() == 2


def test_the_page_shows_a_refusal_in_chinese_and_saves_nothing(client):
    client.force_login(VillageAgentFactory(division=village(DONGMING_VILLAGE)))
    answer = client.post("/resident/register/", _form(1, hukou_code=DONGMING_OTHER_TOWNSHIP_VILLAGE))
    assert answer.status_code == 400 and "不在您负责的区域内" in answer.content.decode()
    assert not Registration.objects.exists()


def test_a_mismatch_is_resolved_from_the_problem_queue_page(client):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    client.force_login(agent)
    client.post("/resident/register/", _form(1, hk_name="居民一"))
    problem = Problem.objects.get()
    clerk = TownshipClerkFactory()
    client.force_login(clerk)
    queue = client.get("/resident/problems/").content.decode()
    assert "两证信息不一致" in queue and "居民一" in queue
    client.post(f"/resident/problems/{problem.pk}/release/", {"hk_name": "居民1", "note": "核对户口簿原件"})
    problem.refresh_from_db()
    assert problem.status == "released"
    assert Registration.objects.get().status == RegistrationStatus.PENDING


def test_a_resident_registers_online_and_the_clerk_sees_it(client):
    number = resident_number(4)
    resident = IndividualFactory(id_number=number, username=number, issued_in=DONGMING)
    client.force_login(resident)
    page = client.get("/resident/me/register/")
    assert page.status_code == 200 and number in page.content.decode()
    answer = client.post("/resident/me/register/", {**_form(4), "id_number": resident_number(5)})
    assert answer.status_code == 302  # the number is always the resident's own
    registration = Registration.objects.get()
    assert registration.id_number == number and registration.channel == "online"


def test_the_api_registers_reviews_and_refuses_alike(client):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    client.force_login(agent)
    created = client.post("/api/v1/resident/registrations", _form(1), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["insurance_year"] == 2024 and body["division_name"] == "雷庄村村民委员会"
    refused = client.post("/api/v1/resident/registrations", _form(1), content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate_enrolment"
    own = client.post(f"/api/v1/resident/registrations/{body['id']}/review", {"approve": True},
                      content_type="application/json")
    assert own.status_code == 403  # an agent does not review
    client.force_login(TownshipClerkFactory())
    approved = client.post(f"/api/v1/resident/registrations/{body['id']}/review", {"approve": True},
                           content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    mismatch = client.post("/api/v1/resident/registrations", _form(2, hk_name="别名"), content_type="application/json")
    assert mismatch.json()["status"] == "problem" and mismatch.json()["mismatches"][0]["item"] == "姓名"
    problems = client.get("/api/v1/resident/problems").json()
    assert [p["code"] for p in problems] == ["two_certificates_mismatch"]
    bad = client.post("/api/v1/resident/registrations", _form(3, id_number="371728199001011234"),
                      content_type="application/json")
    assert bad.status_code == 400 and "身份证号码无效" in bad.json()["message"]


def test_the_command_line_registers_and_reviews(capsys):
    from yibao.cli import main

    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    clerk = TownshipClerkFactory()
    number = resident_number(1)
    assert main(["resident", "--as", agent.username, "register", "--id-number", number, "--name", "居民1",
                 "--hukou", DONGMING_VILLAGE, "--hk-id-number", number, "--hk-name", "居民1"]) == 0
    registration = Registration.objects.get()
    assert f"登记编号 {registration.pk}" in capsys.readouterr().out
    assert main(["resident", "--as", agent.username, "review", str(registration.pk), "--approve"]) == 2
    assert "无权" in capsys.readouterr().err
    assert main(["resident", "--as", clerk.username, "review", str(registration.pk), "--approve"]) == 0
    assert Enrolment.objects.filter(id_number=number).exists()
    assert main(["resident", "--as", agent.username, "register", "--id-number", number, "--name", "居民1",
                 "--hukou", DONGMING_VILLAGE]) == 2
    assert "不能重复登记" in capsys.readouterr().err
    assert main(["resident", "--as", clerk.username, "registrations", "--status", "approved"]) == 0
    assert "居民1" in capsys.readouterr().out
