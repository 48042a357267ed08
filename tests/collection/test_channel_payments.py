"""The channels' contract: one payment and batches, idempotent on channel + transaction id by a
unique constraint, every answer the contract names (201, 200 replay, 409 conflict, 401, 422 with
its code) for 东明 and 晋城, the enrolment moved to 已缴费, refusals audited and nothing written."""

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from factories import DONGMING, JINCHENG, TownshipClerkFactory, VillageAgentFactory, division, village
from resident.factories import (
    DONGMING_VILLAGE,
    JINCHENG_VILLAGE,
    enrolled,
    hardship,
    resident_number,
)
from yibao.audit.models import AuditEntry
from yibao.channels.services import channels
from yibao.collection.models import Payment
from yibao.resident.models import Enrolment, EnrolmentStatus

from .factories import bearer, channel

pytestmark = pytest.mark.django_db

URL = "/api/v1/collection/payments"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)  # in both regions' 2024 collection period


@pytest.fixture
def dongming():
    maker = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    return [enrolled(n, maker=maker) for n in range(1, 4)]


@pytest.fixture
def jincheng():
    maker = VillageAgentFactory(division=village(JINCHENG_VILLAGE))
    checker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    return [enrolled(n, maker=maker, checker=checker, region=JINCHENG, village=JINCHENG_VILLAGE)
            for n in range(1, 3)]


def body(enrolment, **extra):
    out = {"transaction_id": f"T{enrolment.pk:06d}", "id_number": enrolment.id_number, "region": enrolment.region_id,
           "insurance_year": 2024, "amount": "380.00", "paid_at": "2023-11-20T10:30:00+08:00"}
    out.update(extra)
    return out


def post(client, token, payload, url=URL):
    return client.post(url, json.dumps(payload), content_type="application/json", **bearer(token))


def test_a_payment_is_recorded_replayed_and_a_changed_replay_conflicts(client, dongming):
    _, token = channel()
    first = post(client, token, body(dongming[0]))
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["status"] == "recorded" and answer["amount"] == "380.00"
    assert answer["premium"] == {"standard": "380.00", "subsidy": "0.00", "payable": "380.00"}
    assert answer["person"]["id_number"] == dongming[0].id_number[:6] + "********" + dongming[0].id_number[-4:]
    assert answer["person"]["name"].startswith("居") and "*" in answer["person"]["name"]
    enrolment = Enrolment.objects.get(pk=dongming[0].pk)
    assert enrolment.status == EnrolmentStatus.PAID and enrolment.paid_on == dt.date(2023, 11, 20)

    again = post(client, token, body(dongming[0]))
    assert again.status_code == 200 and again.json() == answer
    changed = post(client, token, body(dongming[0], amount="381.00"))
    assert changed.status_code == 409 and changed.json()["code"] == "conflict"
    assert Payment.objects.count() == 1 and Payment.objects.get().amount == 380
    refused = AuditEntry.objects.filter(action="collection.payment.refuse").get()
    assert refused.after["attempts"][0]["status"] == 409 and refused.after["attempts"][0]["code"] == "conflict"
    recorded = AuditEntry.objects.filter(action="collection.payment.record").get()
    assert recorded.after["payments"][0]["payment"] == answer["payment_id"] and recorded.division_path


def test_a_transaction_id_reused_for_another_person_conflicts(client, dongming):
    _, token = channel()
    first = post(client, token, body(dongming[0]))
    assert first.status_code == 201
    reused = post(client, token, body(dongming[1], transaction_id=first.json()["transaction_id"]))
    assert reused.status_code == 409 and reused.json()["code"] == "conflict"
    assert Enrolment.objects.get(pk=dongming[1].pk).status == EnrolmentStatus.REGISTERED
    assert Payment.objects.count() == 1


def test_the_same_transaction_id_from_another_channel_is_another_payment_attempt(client, dongming):
    _, wechat = channel("微信")
    _, alipay = channel("支付宝")
    assert post(client, wechat, body(dongming[0])).status_code == 201
    other = post(client, alipay, body(dongming[0]))
    assert other.status_code == 422 and other.json()["code"] == "already_paid"


def test_tokens_missing_wrong_or_revoked_answer_401(client, dongming):
    made, token = channel()
    payload = json.dumps(body(dongming[0]))
    assert client.post(URL, payload, content_type="application/json").status_code == 401
    wrong = post(client, token + "x", body(dongming[0]))
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
    channels.revoke_channel(made)
    revoked = post(client, token, body(dongming[0]))
    assert revoked.status_code == 401 and "吊销" in revoked.json()["message"]
    assert not Payment.objects.exists()
    refused = AuditEntry.objects.filter(action="channels.token_refused").order_by("id")
    assert [e.after["reason"] for e in refused] == ["missing", "unknown", "revoked"]
    assert all(token not in json.dumps(e.after) for e in refused)


def test_only_the_digest_of_a_token_is_kept(dongming):
    made, token = channel()
    assert token.startswith("ybc_") and len(token) > 40
    assert made.token_digest == channels.digest(token) and token not in made.token_digest


@pytest.mark.parametrize(("change", "code"), [
    ({"id_number": resident_number(99)}, "not_registered"),
    ({"region": JINCHENG}, "wrong_region"),
    ({"insurance_year": 2025}, "wrong_year"),
    ({"amount": "379.00"}, "amount_mismatch"),
    ({"amount": "0"}, "invalid_amount"),
    ({"amount": "-380"}, "invalid_amount"),
    ({"amount": "380.001"}, "invalid_amount"),
    ({"amount": "1e30"}, "invalid_amount"),
    ({"paid_at": "2023-08-31T23:00:00+08:00"}, "outside_window"),
    ({"paid_at": "2023-11-21T10:00:00+08:00"}, "invalid_input"),   # after today
    ({"paid_at": "2023-11-20T10:00:00"}, "invalid_input"),         # no offset
])
def test_refusals_carry_the_contracts_codes_and_write_nothing(client, dongming, change, code):
    _, token = channel()
    answer = post(client, token, body(dongming[0], **change))
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == code and answer.json()["message"]
    assert not Payment.objects.exists()
    assert Enrolment.objects.get(pk=dongming[0].pk).status == EnrolmentStatus.REGISTERED
    entry = AuditEntry.objects.filter(action="collection.payment.refuse").get()
    assert [a["code"] for a in entry.after["attempts"]] == [code]


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_paying_twice_is_already_paid_and_a_cancelled_enrolment_is_closed(client, dongming):
    _, token = channel()
    assert post(client, token, body(dongming[0])).status_code == 201
    twice = post(client, token, body(dongming[0], transaction_id="ANOTHER"))
    assert twice.status_code == 422 and twice.json()["code"] == "already_paid"
    Enrolment.objects.filter(pk=dongming[1].pk).update(status=EnrolmentStatus.CANCELLED)
    closed = post(client, token, body(dongming[1]))
    assert closed.status_code == 422 and closed.json()["code"] == "enrolment_closed"


def test_dongming_after_the_collection_period_is_not_configured(client, dongming, settings):
    settings.YIBAO_TODAY = dt.date(2024, 2, 1)
    _, token = channel()
    late = post(client, token, body(dongming[0], paid_at="2024-01-20T09:00:00+08:00"))
    assert late.status_code == 422 and late.json()["code"] == "not_configured"
    assert late.json()["missing"] == ["resident.benefit_after_collection_period"]


def test_jincheng_pays_on_days_1_to_25_of_each_month(client, jincheng, settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 30)
    _, token = channel("电子税务局", JINCHENG)
    on_26 = post(client, token, body(jincheng[0], paid_at="2023-11-26T09:00:00+08:00"))
    assert on_26.status_code == 422 and on_26.json()["code"] == "outside_window"
    on_25 = post(client, token, body(jincheng[0], paid_at="2023-11-25T23:59:00+08:00"))
    assert on_25.status_code == 201, on_25.content
    # the day is the day in China: 16:30 UTC on the 25th is the 26th in 晋城
    late = post(client, token, body(jincheng[1], paid_at="2023-11-25T16:30:00+00:00"))
    assert late.status_code == 422 and late.json()["code"] == "outside_window"


def test_the_payable_amount_follows_the_hardship_category(client, dongming):
    hardship(dongming[0].id_number, "特困人员", dt.date(2023, 1, 1))
    _, token = channel()
    full = post(client, token, body(dongming[0]))
    assert full.status_code == 422 and full.json()["code"] == "amount_mismatch"
    assert "0 元" in full.json()["message"] or "0.00" in full.json()["message"]


def test_a_batch_answers_each_payment_and_repeats_inside_it_are_replays(client, dongming, jincheng):
    _, token = channel()
    items = [body(dongming[0]), body(dongming[1], amount="1"), body(dongming[0]),
             body(dongming[2], transaction_id=f"T{dongming[0].pk:06d}"), body(jincheng[0])]
    answer = post(client, token, {"payments": items}, URL + "/batch")
    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert [r["status"] for r in out["results"]] == [201, 422, 200, 409, 422]
    assert out["results"][1]["error"]["code"] == "amount_mismatch"
    assert out["results"][4]["error"]["code"] == "wrong_region"
    assert out["results"][2]["payment"] == out["results"][0]["payment"]
    assert (out["recorded"], out["replayed"], out["refused"]) == (1, 1, 3)
    assert Payment.objects.count() == 1
    again = post(client, token, {"payments": items[:1]}, URL + "/batch").json()
    assert again["results"][0]["status"] == 200 and again["replayed"] == 1


def test_a_batch_over_the_limit_is_refused_whole(client, dongming):
    _, token = channel()
    items = [body(dongming[0], transaction_id=f"X{n}") for n in range(1001)]
    answer = post(client, token, {"payments": items}, URL + "/batch")
    assert answer.status_code == 422 and not Payment.objects.exists()


def test_the_database_refuses_a_second_row_for_a_transaction_id(client, dongming):
    _, token = channel()
    assert post(client, token, body(dongming[0])).status_code == 201
    first = Payment.objects.get()
    copy = Payment.objects.get(pk=first.pk)
    copy.pk = None
    copy.enrolment_id = dongming[1].pk
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_the_channel_token_command_prints_the_token_once(capsys, dongming):
    from yibao.cli import main

    assert main(["collection", "channel-token", "建设银行柜面", "--region", DONGMING]) == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    made = channels.authenticate(token, scheme="resident")
    assert made.name == "建设银行柜面" and made.region_id == DONGMING
    assert main(["collection", "channels", "--region", DONGMING]) == 0
    assert "建设银行柜面" in capsys.readouterr().out and token not in out.splitlines()[0]
    assert main(["collection", "revoke-token", str(made.pk)]) == 0
    with pytest.raises(Exception, match="吊销"):
        channels.authenticate(token, scheme="resident")
    assert main(["collection", "channel-token", "微信", "--region", "999999"]) == 2


def test_a_payment_that_keeps_losing_races_is_answered_busy_never_a_server_error(client, dongming, monkeypatch):
    from yibao.channels import batches
    from yibao.collection.services import payments

    tries = []

    insert = payments.insert_payments

    def always_taken(rows):
        # as when a concurrent request paid the same part first: the database's own unique
        # constraint refuses the second row
        tries.append(len(rows))
        insert(rows)
        for row in rows:
            row.pk = None
        insert(rows)

    monkeypatch.setattr(payments, "insert_payments", always_taken)
    _, token = channel()
    answer = post(client, token, body(dongming[0]))
    assert answer.status_code == 409 and answer.json()["code"] == "busy" and "稍后" in answer.json()["message"]
    assert len(tries) == 1 + batches.RETRIES
    assert not Payment.objects.exists()
    assert Enrolment.objects.get(pk=dongming[0].pk).status == EnrolmentStatus.REGISTERED
    refused = AuditEntry.objects.get(action="collection.payment.refuse")
    assert refused.after["attempts"][0]["code"] == "busy"


def test_a_fault_while_writing_is_raised_not_tried_again_as_a_lost_race(client, dongming, monkeypatch):
    from yibao.collection.services import payments

    tries = []
    insert = payments.insert_payments

    def broken(rows):
        # a NOT NULL column left empty: the database refuses it, and no retry can mend it
        tries.append(len(rows))
        for row in rows:
            row.name = None
        insert(rows)

    monkeypatch.setattr(payments, "insert_payments", broken)
    _, token = channel()
    with pytest.raises(IntegrityError):
        post(client, token, body(dongming[0]))
    assert tries == [1]
    assert not Payment.objects.exists()
    assert Enrolment.objects.get(pk=dongming[0].pk).status == EnrolmentStatus.REGISTERED
