"""Refunds (东明 二(三)): a clerk applies with the reason, the date and a scanned evidence; the
engine decides (no refund for a payment made on or after 2024-01-01; 晋城 not_configured); another
clerk reviews; approval records the negative payment to the original payer and the enrolment
becomes 已退费, never twice. Refusals carry codes and Chinese messages and are audited."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from employer import scans
from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import JINCHENG_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.collection.models import Payer, Payment, Refund, RefundStatus
from yibao.collection.services import refunds
from yibao.errors import AppError
from yibao.resident.models import Enrolment, EnrolmentStatus

from .factories import channel, pay

pytestmark = pytest.mark.django_db
EVIDENCE = refunds.Evidence("死亡证明.pdf", scans.pdf())


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 12, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory(division=division(DONGMING))


@pytest.fixture
def checker():
    return TaxClerkFactory()


@pytest.fixture
def paid():
    made, _ = channel("微信")
    agent = VillageAgentFactory()
    return [pay(made, enrolled(n, maker=agent)) for n in range(1, 3)]


def apply(payment, actor, *, reason="death", event=dt.date(2023, 12, 10), evidence=EVIDENCE):
    payments = list(Payment.objects.filter(id_number=payment.id_number, insurance_year=payment.insurance_year))
    return refunds.apply(payment.id_number, payment.insurance_year, payments, reason, event, evidence, actor=actor)


def test_a_refund_is_applied_for_reviewed_by_another_clerk_and_paid_back_to_the_channel(paid, clerk, checker):
    original = paid[0]
    refund = apply(original, clerk)
    assert refund.status == RefundStatus.PENDING and refund.evidence_name == "死亡证明.pdf"
    assert refund.evidence.read().startswith(b"%PDF-")
    with pytest.raises(AppError) as own:
        refunds.review(refund, approve=True, actor=clerk)
    assert own.value.code == "maker_is_checker" and "审核人不能是申请人" in own.value.message
    assert Refund.objects.get().status == RefundStatus.PENDING

    refund = refunds.review(refund, approve=True, note="材料齐全", actor=checker)
    negative = refund.refund_payment
    assert refund.status == RefundStatus.APPROVED and refund.checker_id == checker.pk
    assert negative.amount == -original.amount and negative.refund_of_id == original.pk
    assert (negative.payer, negative.channel_id) == (Payer.CHANNEL, original.channel_id)
    assert Enrolment.objects.get(pk=original.enrolment_id).status == EnrolmentStatus.REFUNDED
    assert AuditEntry.objects.filter(action="collection.refund.apply", object_id=str(refund.pk)).exists()
    approved = AuditEntry.objects.get(action="collection.refund.approve")
    assert approved.actor_id == checker.pk and approved.after["refund_payment"] == negative.pk
    refused = AuditEntry.objects.get(action="collection.refund.refuse")
    assert refused.after["code"] == "maker_is_checker"

    with pytest.raises(AppError) as again:
        apply(original, clerk)
    assert again.value.code == "already_refunded"
    with pytest.raises(AppError) as reviewed:
        refunds.review(refund, approve=True, actor=TaxClerkFactory())
    assert reviewed.value.code == "not_pending"
    assert Payment.objects.filter(refund_of=original).count() == 1


def test_never_paid_pending_and_the_engines_rules_are_refused_with_codes(paid, clerk, settings):
    agent = VillageAgentFactory()
    unpaid = enrolled(5, maker=agent)
    with pytest.raises(AppError) as never:
        refunds.apply(unpaid.id_number, 2024, [], "death", dt.date(2023, 12, 1), EVIDENCE, actor=clerk)
    assert never.value.code == "never_paid" and "没有缴费记录" in never.value.message
    # 东明: a death on 2024-01-01 is after the notice's limit (2023-12-31, 含)
    with pytest.raises(AppError) as future:
        apply(paid[0], clerk, event=dt.date(2023, 12, 21))
    assert future.value.code == "invalid_input"
    settings.YIBAO_TODAY = dt.date(2024, 1, 10)
    with pytest.raises(AppError) as late:
        apply(paid[0], clerk, event=dt.date(2024, 1, 1))
    assert late.value.code == "not_eligible" and "2023-12-31" in late.value.message
    with pytest.raises(AppError) as missing:
        apply(paid[0], clerk, evidence=None)
    assert missing.value.code == "evidence_missing"
    with pytest.raises(AppError) as not_a_scan:
        apply(paid[0], clerk, evidence=refunds.Evidence("a.pdf", b"<html><script>1</script>"))
    assert not_a_scan.value.code == "invalid_type"
    apply(paid[0], clerk, reason="employee_scheme", event=dt.date(2023, 12, 1))
    with pytest.raises(AppError) as pending:
        apply(paid[0], clerk)
    assert pending.value.code == "application_pending"
    assert Refund.objects.count() == 1
    codes = set(AuditEntry.objects.filter(action="collection.refund.refuse").values_list("after__code", flat=True))
    assert {"never_paid", "evidence_missing", "invalid_type", "application_pending"} <= codes


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_no_refund_for_a_payment_made_on_or_after_2024_01_01(clerk, settings):
    settings.YIBAO_TODAY = dt.date(2024, 1, 20)
    agent = VillageAgentFactory()
    made, _ = channel("支付宝")
    # a late payment recorded directly (the window rules are the channel contract's concern)
    original = pay(made, enrolled(8, maker=agent))
    Payment.objects.filter(pk=original.pk).update(paid_on=dt.date(2024, 1, 2))
    original.refresh_from_db()
    with pytest.raises(AppError) as refused:
        apply(original, clerk, event=dt.date(2023, 12, 30))
    assert refused.value.code == "not_eligible" and "2024-01-01" in refused.value.message
    assert refused.value.message.startswith("不符合退费条件") and "不办理退费" in refused.value.message
    assert "东政办字〔2023〕26号" in refused.value.message and "{" not in refused.value.message


def test_jincheng_answers_not_configured(clerk):
    agent = VillageAgentFactory(division=village(JINCHENG_VILLAGE))
    township = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    made, _ = channel("电子税务局", JINCHENG)
    original = pay(made, enrolled(1, maker=agent, checker=township, region=JINCHENG, village=JINCHENG_VILLAGE))
    with pytest.raises(AppError) as refused:
        apply(original, AgencyClerkFactory(division=division(JINCHENG)))
    assert refused.value.code == "not_configured" and refused.value.missing
    assert not Refund.objects.exists()


def test_the_database_refuses_a_second_refund_of_a_payment(paid, clerk, checker):
    refund = refunds.review(apply(paid[0], clerk), approve=True, actor=checker)
    copy = Payment.objects.get(pk=refund.refund_payment_id)
    copy.pk, copy.transaction_id = None, "refund-again"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_rejection_needs_a_note_and_allows_a_new_application(paid, clerk, checker):
    refund = apply(paid[1], clerk)
    with pytest.raises(AppError) as bare:
        refunds.review(refund, approve=False, actor=checker)
    assert bare.value.code == "note_required"
    refunds.review(refund, approve=False, note="死亡证明不清晰", actor=checker)
    assert Refund.objects.get().status == RefundStatus.REJECTED
    assert Enrolment.objects.get(pk=paid[1].enrolment_id).status == EnrolmentStatus.PAID
    assert apply(paid[1], clerk).status == RefundStatus.PENDING


def test_the_api_applies_and_reviews(client, paid, clerk, checker):
    client.force_login(clerk)
    answer = client.post("/api/v1/collection/refunds", {
        "id_number": paid[0].id_number, "insurance_year": 2024, "reason": "insured_elsewhere",
        "event_date": "2023-11-30", "evidence": SimpleUploadedFile("证明.pdf", scans.pdf())})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "pending" and "*" in body["id_number"] and body["amount"] == "380.00"
    own = client.post(f"/api/v1/collection/refunds/{body['id']}/review", {"approve": True},
                      content_type="application/json")
    assert own.status_code == 403 and own.json()["code"] == "maker_is_checker"
    client.force_login(checker)
    done = client.post(f"/api/v1/collection/refunds/{body['id']}/review", {"approve": True},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["refund_amount"] == "-380.00"
    never = client.post("/api/v1/collection/refunds", {
        "id_number": paid[0].id_number[:-1] + "0", "insurance_year": 2024, "reason": "death",
        "event_date": "2023-11-30", "evidence": SimpleUploadedFile("证明.pdf", scans.pdf())})
    assert never.status_code == 422 and never.json()["code"] == "never_paid"
    client.force_login(AgencyClerkFactory(division=division(JINCHENG)))
    assert client.get(f"/api/v1/collection/refunds/{body['id']}").status_code == 404


def test_the_refund_commands(capsys, tmp_path, paid, clerk, checker):
    from yibao.cli import main

    path = tmp_path / "证明.pdf"
    path.write_bytes(scans.pdf())
    assert main(["collection", "--as", clerk.username, "refund-apply", paid[0].id_number, "--year", "2024",
                 "--reason", "death", "--event-date", "2023-12-01", "--evidence", str(path)]) == 0
    refund = Refund.objects.get()
    assert main(["collection", "--as", clerk.username, "refund-review", str(refund.pk), "--approve"]) == 2
    assert "审核人不能是申请人" in capsys.readouterr().err
    assert main(["collection", "--as", checker.username, "refund-review", str(refund.pk), "--approve"]) == 0
    assert "-380.00 元退回缴费渠道" in capsys.readouterr().out
    assert main(["collection", "--as", clerk.username, "refund-apply", paid[0].id_number, "--year", "2024",
                 "--reason", "death", "--event-date", "2023-12-01", "--evidence", str(path)]) == 2
    assert "已退费" in capsys.readouterr().err


@pytest.mark.parametrize(("payer", "part", "extra"), [
    (Payer.FAMILY, "own", {"payer_id_number": "371728198001010019", "payer_name": "职工", "relationship": "配偶"}),
    (Payer.AGENT, "own", {"receipt_number": "DM-2024-000001"}),
    (Payer.FUND, "fund", {}),
], ids=["family", "agent", "fund"])
def test_the_refund_goes_back_to_the_original_payer(paid, clerk, checker, payer, part, extra):
    # the payment as another payer would have made it (their own flows record it so)
    Payment.objects.filter(pk=paid[0].pk).update(payer=payer, part=part, channel=None, transaction_id="", **extra)
    original = Payment.objects.get(pk=paid[0].pk)
    refund = refunds.review(apply(original, clerk), approve=True, actor=checker)
    negative = refund.refund_payment
    assert (negative.payer, negative.part, negative.channel_id, negative.transaction_id) == (payer, part, None, "")
    assert negative.amount == -original.amount and negative.refund_of_id == original.pk
    assert negative.payer_id_number == original.payer_id_number and negative.relationship == original.relationship
    assert negative.receipt_number == ""  # a receipt number is the original's own
    assert Enrolment.objects.get(pk=original.enrolment_id).status == EnrolmentStatus.REFUNDED


def test_the_evidence_scan_is_shown_only_to_reviewers_who_see_whole_numbers(client, paid, clerk, checker):
    refund = apply(paid[0], clerk)
    client.force_login(checker)  # a tax clerk: reviews, sees numbers masked
    page = client.get(f"/collection/refunds/{refund.pk}/").content.decode()
    assert f"/collection/refunds/{refund.pk}/evidence/" not in page and "由可查看完整号码的经办人员核看" in page
    assert client.get(f"/collection/refunds/{refund.pk}/evidence/").status_code == 403
    client.force_login(clerk)
    assert f"/collection/refunds/{refund.pk}/evidence/" in client.get(f"/collection/refunds/{refund.pk}/").content.decode()
    assert client.get(f"/collection/refunds/{refund.pk}/evidence/").status_code == 200


def test_the_evidence_is_served_as_the_type_its_bytes_were_checked_to_be(client, paid, clerk):
    refund = apply(paid[0], clerk)
    type(refund).objects.filter(pk=refund.pk).update(evidence_name="证明.html")
    client.force_login(clerk)
    answer = client.get(f"/collection/refunds/{refund.pk}/evidence/")
    assert answer.status_code == 200 and answer["Content-Type"] in ("application/pdf", "image/png", "image/jpeg")
    assert answer["X-Content-Type-Options"] == "nosniff"


def test_a_subsidised_persons_refund_returns_the_funds_part_to_the_fund_once(clerk, checker, settings):
    from decimal import Decimal

    from resident.factories import hardship, resident_number
    from yibao.collection.models import Part
    from yibao.collection.services import fund

    settings.YIBAO_TODAY = dt.date(2023, 11, 20)
    enrolment = enrolled(5, maker=VillageAgentFactory())
    hardship(resident_number(5), "低保对象", dt.date(2023, 1, 1))
    fund.start_generation(DONGMING, 2024, actor=clerk, in_process=True)
    made, _ = channel("微信")
    own = pay(made, enrolment, amount="266.00", transaction_id="SUB-5")
    settings.YIBAO_TODAY = dt.date(2023, 12, 20)
    refund = apply(own, clerk)
    assert refund.payment_id == own.pk
    refunds.review(refund, approve=True, actor=checker)
    rows = {(p.part, p.payer, p.amount, p.refund_of_id is not None) for p in Payment.objects.filter(enrolment=enrolment)}
    fund_part = Payment.objects.get(enrolment=enrolment, part=Part.FUND, refund_of__isnull=True)
    assert rows == {(Part.FUND, Payer.FUND, Decimal("114.00"), False), (Part.OWN, Payer.CHANNEL, Decimal("266.00"), False),
                    (Part.OWN, Payer.CHANNEL, Decimal("-266.00"), True), (Part.FUND, Payer.FUND, Decimal("-114.00"), True)}
    assert Payment.objects.get(refund_of=fund_part).amount == -fund_part.amount
    entry = AuditEntry.objects.get(action="collection.refund.approve")
    assert entry.after["fund_refund_payment"] == Payment.objects.get(refund_of=fund_part).pk
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REFUNDED
    with pytest.raises(AppError) as again:  # never twice: the person's payments are all returned
        apply(own, clerk)
    assert again.value.code == "already_refunded"
    assert Payment.objects.filter(enrolment=enrolment, refund_of__isnull=False).count() == 2
