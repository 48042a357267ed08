"""重复参保: a person with a live resident enrolment and insured in the employee scheme the same year
is listed with both records; a clerk resolves it: keeping the employee scheme cancels an unpaid
resident enrolment, or applies for the refund of a paid one through collection's refund service
(reviewed by another clerk). Two live resident enrolments of a person and year cannot exist."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from collection.factories import channel, pay
from employer import scans
from employer.factories import FlexibleWorkerFactory
from factories import (
    DONGMING,
    AgencyClerkFactory,
    TaxClerkFactory,
    TownshipClerkFactory,
    division,
    resident_id,
)
from resident.factories import DONGMING_OTHER_TOWNSHIP_VILLAGE, DONGMING_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.collection.models import Refund, RefundStatus
from yibao.collection.refunding import Evidence
from yibao.collection.services import refunds
from yibao.employer.models import FlexibleBaseChoice
from yibao.errors import AppError
from yibao.gaps import selectors, services
from yibao.gaps.models import Kept, Resolution
from yibao.months import Month
from yibao.resident.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 12, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory(division=division(DONGMING))


def duplicate(n: int, clerk, *, village=DONGMING_VILLAGE, paid=False) -> Enrolment:
    """Person ``n`` enrolled in the resident scheme, then insured as a flexible worker the same year."""
    no = resident_id("371728", n, series=8)
    enrolment = enrolled(n, maker=clerk, checker=AgencyClerkFactory(division=division(DONGMING)), village=village,
                         id_number=no, hk_id_number=no)
    if paid:
        made, _ = channel(f"渠道{n}")
        pay(made, enrolment)
        enrolment.refresh_from_db()
    worker = FlexibleWorkerFactory(id_number=no)
    FlexibleBaseChoice.objects.create(worker=worker, year=YEAR, month_from=Month(YEAR, 1), base=Decimal("4000.00"))
    return enrolment


def test_two_live_resident_enrolments_of_a_person_and_year_cannot_exist(clerk):
    first = enrolled(1, maker=clerk, checker=AgencyClerkFactory(division=division(DONGMING)))
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(region_id=first.region_id, person=first.person, id_number=first.id_number,
                                 insurance_year=YEAR, division_id=DONGMING_OTHER_TOWNSHIP_VILLAGE)


def test_duplicates_are_listed_with_both_records_and_only_in_the_readers_area(clerk):
    inside = duplicate(1, clerk)
    outside = duplicate(2, clerk, village=DONGMING_OTHER_TOWNSHIP_VILLAGE)
    enrolled(3, maker=clerk, checker=AgencyClerkFactory(division=division(DONGMING)))  # no employee scheme
    rows = {d.id_number: d for d in selectors.duplicates(clerk, YEAR)}
    assert set(rows) == {inside.id_number, outside.id_number}
    row = rows[inside.id_number]
    assert row.status == "已登记" and not row.paid and row.village == "雷庄村村民委员会"
    assert row.employee and "灵活就业" in row.employee[0]
    township = TownshipClerkFactory()   # 城关街道
    assert [d.id_number for d in selectors.duplicates(township, YEAR)] == [inside.id_number]
    with pytest.raises(AppError) as out_of_scope:
        services.resolve(outside.id_number, YEAR, kept=Kept.EMPLOYEE, actor=township)
    assert out_of_scope.value.status == 404
    assert Enrolment.objects.get(pk=outside.pk).status == EnrolmentStatus.REGISTERED


def test_keeping_the_employee_scheme_cancels_an_unpaid_enrolment(clerk):
    enrolment = duplicate(1, clerk)
    resolution = services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk)
    assert resolution.cancelled and resolution.refund_id is None
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.CANCELLED
    assert selectors.duplicates(clerk, YEAR) == []
    assert AuditEntry.objects.filter(action="gaps.duplicate.resolve", object_id=str(resolution.pk)).exists()
    assert AuditEntry.objects.filter(action="resident.enrolment.cancel", object_id=str(enrolment.pk)).exists()


def test_where_both_were_paid_a_refund_is_applied_for_and_reviewed_by_another_clerk(clerk):
    enrolment = duplicate(1, clerk, paid=True)
    assert enrolment.status == EnrolmentStatus.PAID
    [row] = selectors.duplicates(clerk, YEAR)
    assert row.paid
    with pytest.raises(AppError) as no_evidence:
        services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk, event_date=dt.date(2023, 12, 1))
    assert no_evidence.value.code == "evidence_missing"
    assert not Resolution.objects.exists() and not Refund.objects.exists()
    assert AuditEntry.objects.filter(action="gaps.duplicate.refuse").exists()

    resolution = services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk,
                                  event_date=dt.date(2023, 12, 1), evidence=Evidence("职工医保参保证明.pdf", scans.pdf()))
    refund = Refund.objects.get(pk=resolution.refund_id)
    assert refund.status == RefundStatus.PENDING and refund.reason == "employee_scheme"
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.PAID   # until the review
    refunds.review(refund, approve=True, note="材料齐全", actor=TaxClerkFactory())
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REFUNDED
    assert refund.payment.amount > 0 and Refund.objects.get().refund_payment.amount == -refund.payment.amount


def test_a_rejected_refund_lists_the_duplicate_again_and_it_may_be_resolved_anew(clerk):
    enrolment = duplicate(2, clerk, paid=True)
    evidence = Evidence("职工医保参保证明.pdf", scans.pdf())
    first = services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk,
                             event_date=dt.date(2023, 12, 1), evidence=evidence)
    assert selectors.duplicates(clerk, YEAR) == []   # pending: resolved for now
    with pytest.raises(AppError) as twice:
        services.resolve(enrolment.id_number, YEAR, kept=Kept.RESIDENT, actor=clerk, note="再处理")
    assert twice.value.code == "already_resolved"
    refunds.review(Refund.objects.get(pk=first.refund_id), approve=False, note="材料不符", actor=TaxClerkFactory())
    [row] = selectors.duplicates(clerk, YEAR)       # paid in both schemes again: listed again
    assert row.enrolment_id == enrolment.pk
    again = services.resolve(enrolment.id_number, YEAR, kept=Kept.RESIDENT, actor=clerk, note="单位办理减员")
    assert list(Resolution.objects.values_list("pk", flat=True)) == [again.pk] and selectors.duplicates(clerk, YEAR) == []
    entry = AuditEntry.objects.filter(action="gaps.duplicate.resolve").order_by("-id").first()
    assert entry.after["replaces"] == first.pk


def test_keeping_the_resident_scheme_needs_a_note_and_is_resolved_once(clerk):
    enrolment = duplicate(1, clerk)
    with pytest.raises(AppError) as no_note:
        services.resolve(enrolment.id_number, YEAR, kept=Kept.RESIDENT, actor=clerk)
    assert no_note.value.code == "note_required"
    services.resolve(enrolment.id_number, YEAR, kept=Kept.RESIDENT, note="单位办理减员", actor=clerk)
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REGISTERED
    with pytest.raises(AppError) as again:
        services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk)
    assert again.value.code == "already_resolved"


def test_someone_not_in_the_employee_scheme_is_not_a_duplicate(clerk):
    enrolment = enrolled(1, maker=clerk, checker=AgencyClerkFactory(division=division(DONGMING)))
    with pytest.raises(AppError) as refused:
        services.resolve(enrolment.id_number, YEAR, kept=Kept.EMPLOYEE, actor=clerk)
    assert refused.value.code == "not_duplicate" and refused.value.status == 409
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REGISTERED


def test_the_api_and_the_command_line_list_and_resolve(clerk, client_for, capsys):
    from yibao.cli import main

    first, second = duplicate(1, clerk), duplicate(2, clerk)
    client = client_for(clerk)
    listed = client.get(f"/api/v1/gaps/duplicates?year={YEAR}").json()
    assert {d["id_number"] for d in listed} == {first.id_number, second.id_number}
    answer = client.post(f"/api/v1/gaps/duplicates/{first.id_number}/resolve",
                         {"kept": "employee", "insurance_year": YEAR})
    assert answer.status_code == 200 and answer.json()["cancelled"] is True
    refused = client.post(f"/api/v1/gaps/duplicates/{first.id_number}/resolve", {"kept": "employee",
                                                                                 "insurance_year": YEAR})
    # the enrolment is cancelled: nothing live is left to resolve
    assert refused.status_code == 404 and "没有此人该年度的居民医保参保登记" in refused.json()["message"]

    assert main(["gaps", "--as", clerk.username, "duplicates", "--year", str(YEAR)]) == 0
    assert second.id_number in capsys.readouterr().out
    assert main(["gaps", "--as", clerk.username, "resolve", second.id_number, "--year", str(YEAR),
                 "--keep", "employee"]) == 0
    assert "已注销" in capsys.readouterr().out
    assert Enrolment.objects.get(pk=second.pk).status == EnrolmentStatus.CANCELLED
