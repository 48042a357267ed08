"""家庭共济账户缴费 (晋城 三(三)): a clerk records that an employee-scheme member paid a family
member's resident premium from their account; the engine decides whether the region allows it
(东明's notice is silent: not_configured), the payer must be insured in the employee scheme that
year, and the payment is judged like any own part (window, premium, full amount, once). Pages,
API and command line; every refusal audited, nothing else written."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from employer.factories import FlexibleWorkerFactory
from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import DONGMING_VILLAGE, JINCHENG_VILLAGE, enrolled, hardship
from yibao.audit.models import AuditEntry
from yibao.cli import main
from yibao.collection.models import Payer, Payment
from yibao.collection.services import family
from yibao.employer.models import FlexibleBaseChoice
from yibao.errors import AppError
from yibao.months import Month
from yibao.resident.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/collection/family-payments"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory(division=division(JINCHENG))


@pytest.fixture
def member():
    """The family member: a 晋城 resident enrolled for 2024, not yet paid."""
    maker = VillageAgentFactory(division=village(JINCHENG_VILLAGE))
    checker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    return enrolled(1, maker=maker, checker=checker, region=JINCHENG, village=JINCHENG_VILLAGE)


@pytest.fixture
def employee():
    """The account holder: insured in the employee scheme for 2024 (a flexible worker's base)."""
    worker = FlexibleWorkerFactory()
    FlexibleBaseChoice.objects.create(worker=worker, year=2024, month_from=Month(2024, 1), base=Decimal("4000.00"))
    return worker


def payload(member, employee, **extra):
    body = {"id_number": member.id_number, "region": JINCHENG, "insurance_year": 2024, "amount": "380.00",
            "payer_id_number": employee.id_number, "payer_name": employee.name, "relationship": "子女",
            "paid_on": "2023-11-20"}
    body.update(extra)
    return body


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_a_family_account_pays_a_members_premium(client_for, clerk, member, employee):
    answer = post(client_for(clerk), payload(member, employee))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["amount"] == "380.00" and body["relationship"] == "子女" and body["payer_name"] == employee.name
    assert body["payer_id_number"] == employee.id_number[:6] + "********" + employee.id_number[-4:]
    p = Payment.objects.get()
    assert (p.payer, p.part, p.payer_id_number, p.relationship, p.paid_on) == (
        Payer.FAMILY, "own", employee.id_number, "子女", dt.date(2023, 11, 20))
    assert p.channel is None and p.actor_id == clerk.pk
    e = Enrolment.objects.get(pk=member.pk)
    assert (e.status, e.paid_on) == (EnrolmentStatus.PAID, dt.date(2023, 11, 20))
    entry = AuditEntry.objects.get(action="collection.payment.family")
    assert entry.object_id == str(p.pk) and entry.after["relationship"] == "子女"
    assert employee.id_number not in json.dumps(entry.after, ensure_ascii=False)
    # paying again is already_paid
    again = post(client_for(clerk), payload(member, employee))
    assert again.status_code == 422 and again.json()["code"] == "already_paid"
    assert Payment.objects.count() == 1


def test_a_subsidised_member_pays_the_payable_amount_only(client_for, clerk, member, employee):
    hardship(member.id_number, "低保对象", dt.date(2023, 1, 1), region=JINCHENG)
    client = client_for(clerk)
    refused = post(client, payload(member, employee))
    assert refused.status_code == 422 and refused.json()["code"] == "amount_mismatch"
    assert "76.00" in refused.json()["message"]
    answer = post(client, payload(member, employee, amount="76.00"))
    assert answer.status_code == 201
    assert answer.json()["premium"] == {"standard": "380.00", "subsidy": "304.00", "payable": "76.00"}


def test_dongming_answers_not_configured(client_for, employee):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    member = enrolled(2, maker=agent)
    answer = post(client_for(AgencyClerkFactory(division=division(DONGMING))),
                  payload(member, employee, region=DONGMING))
    assert answer.status_code == 422
    assert answer.json()["code"] == "not_configured" and answer.json()["missing"] == ["resident.family_mutual_aid"]
    assert not Payment.objects.exists()
    assert Enrolment.objects.get(pk=member.pk).status == EnrolmentStatus.REGISTERED
    refused = AuditEntry.objects.get(action="collection.payment.refuse")
    assert refused.after["code"] == "not_configured" and refused.after["payer"] == "family"


@pytest.mark.parametrize(("change", "code"), [
    ({"relationship": "邻居"}, "relationship_invalid"),
    ({"payer_id_number": "140502199001011235"}, "payer_invalid"),
    ({"payer_name": " "}, "payer_invalid"),
    ({"amount": "0"}, "invalid_amount"),
    ({"insurance_year": 2025}, "not_configured"),
    ({"paid_on": "2023-11-26"}, "outside_window"),
])
def test_refusals_carry_a_code_and_write_nothing(client_for, settings, clerk, member, employee, change, code):
    settings.YIBAO_TODAY = dt.date(2023, 11, 27)
    answer = post(client_for(clerk), payload(member, employee, **change))
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == code and answer.json()["message"]
    assert not Payment.objects.exists()
    assert AuditEntry.objects.filter(action="collection.payment.refuse", after__code=code).exists()


def test_the_payer_must_be_in_the_employee_scheme_and_not_the_member(client_for, clerk, member, employee):
    client = client_for(clerk)
    outsider = FlexibleWorkerFactory()  # a flexible worker without a base for 2024
    answer = post(client, payload(member, outsider))
    assert answer.status_code == 422 and answer.json()["code"] == "payer_not_employee"
    itself = post(client, payload(member, employee, payer_id_number=member.id_number))
    assert itself.status_code == 422 and itself.json()["code"] == "payer_invalid"
    assert not Payment.objects.exists()


def test_a_member_outside_the_clerks_area_is_as_if_not_registered(client_for, member, employee):
    other = TownshipClerkFactory(division=division("140502002"))
    with pytest.raises(AppError) as refused:
        family.record_family_payment(family.FamilyPaymentIn(**{**payload(member, employee), "amount": Decimal("380"),
                                                               "paid_on": dt.date(2023, 11, 20)}), actor=other)
    assert refused.value.code == "not_registered"
    answer = post(client_for(VillageAgentFactory(division=village(JINCHENG_VILLAGE))), payload(member, employee))
    assert answer.status_code == 403


def test_the_page_shows_the_payable_amount_then_records_the_payment(client_for, clerk, member, employee):
    hardship(member.id_number, "易返贫致贫人口", dt.date(2023, 1, 1), region=JINCHENG)
    client = client_for(clerk)
    page = client.get(reverse("collection_family"), {"region": JINCHENG, "insurance_year": "2024",
                                                     "id_number": member.id_number})
    text = page.content.decode()
    assert page.status_code == 200 and "个人应缴 100.00 元" in text and "易返贫致贫人口资助 280.00 元" in text
    form = {"region": JINCHENG, "insurance_year": "2024", "id_number": member.id_number, "amount": "100.00",
            "payer_id_number": employee.id_number, "payer_name": employee.name, "relationship": "配偶",
            "paid_on": "2023-11-20"}
    done = client.post(reverse("collection_family"), form, follow=True)
    text = done.content.decode()
    assert "已记录家庭共济账户缴费 100.00 元" in text and "配偶" in text
    assert Payment.objects.get().amount == Decimal("100.00")
    refused = client.post(reverse("collection_family"), form).content.decode()
    assert "已缴费" in refused and "already_paid" in refused
    dongming = client_for(AgencyClerkFactory(division=division(DONGMING))).get(reverse("collection_family"))
    assert "not_configured" not in dongming.content.decode() and "未规定家庭共济账户缴费" in dongming.content.decode()


def test_the_command_line_records_a_family_payment(clerk, member, employee, capsys):
    args = ["collection", "--as", clerk.username, "family-payment", member.id_number, "--region", JINCHENG,
            "--year", "2024", "--amount", "380", "--payer-id", employee.id_number, "--payer-name", employee.name,
            "--relationship", "父母", "--paid-on", "2023-11-20"]
    assert main(args) == 0
    assert "家庭共济账户人" in capsys.readouterr().out
    assert main(args) == 2
    assert "已缴费" in capsys.readouterr().err
    assert Payment.objects.get().relationship == "父母"
