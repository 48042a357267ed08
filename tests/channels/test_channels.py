"""One channel mechanism for both schemes: the administrator's page (a token shown once, the
schemes it may post to, revoking), ``yibao channels``, authentication for the scheme asked for,
and the throttled audit of refused tokens."""

import datetime as dt
import json

import pytest

from collection.factories import bearer
from factories import AdminFactory, AgencyClerkFactory, VillageAgentFactory, division, village
from resident.factories import DONGMING_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.channels.errors import TokenRefused
from yibao.channels.models import Channel, RefusedTokens
from yibao.channels.services import authenticate, create_channel, refusals, revoke_channel
from yibao.collection.models import Payment

pytestmark = pytest.mark.django_db

URL = "/api/v1/collection/payments"


def refused_entries(action="channels.token_refused"):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_the_administrator_makes_a_channel_for_a_scheme_sees_its_token_once_and_revokes_it(client):
    client.force_login(AdminFactory())
    made = client.post("/channels/", {"name": "电子税务局", "region": "371728", "schemes": ["employee"]})
    assert made.status_code == 200
    token = made.context["token"]
    assert token and token in made.content.decode()
    row = Channel.objects.get(name="电子税务局")
    assert row.schemes == "employee" and row.created_by_id is not None
    assert authenticate(token, scheme="employee") == row
    listing = client.get("/channels/").content.decode()
    assert "电子税务局" in listing and "职工医保" in listing and token not in listing and row.token_hint in listing
    client.post(f"/channels/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    both = client.post("/channels/", {"name": "农商银行柜面", "region": "371728", "schemes": ["resident", "employee"]})
    assert both.context["token"] and Channel.objects.get(name="农商银行柜面").schemes == "employee,resident"
    bad = client.post("/channels/", {"name": "", "region": "371728", "schemes": ["resident"]})
    assert "渠道名称不能为空" in bad.content.decode()
    none = client.post("/channels/", {"name": "无险种", "region": "371728"})
    assert "请选择渠道可缴的险种" in none.content.decode() and not Channel.objects.filter(name="无险种").exists()
    assert [e.action for e in AuditEntry.objects.filter(object_type="channel").order_by("id")] == [
        "channels.create", "channels.revoke", "channels.create"]


def test_only_the_administrator_reaches_the_channel_page(client):
    client.force_login(AgencyClerkFactory(division=division("371728")))
    assert client.get("/channels/").status_code == 403
    assert client.post(f"/channels/{create_channel('微信', region='371728')[0].pk}/revoke/").status_code == 403


def test_a_token_answers_only_for_the_schemes_of_its_channel(client, settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)
    enrolment = enrolled(1, maker=VillageAgentFactory(division=village(DONGMING_VILLAGE)))
    employee, token = create_channel("电子税务局", region="371728", schemes=["employee"])
    with pytest.raises(TokenRefused) as refused:
        authenticate(token, scheme="resident")
    assert refused.value.status == 401 and str(refused.value) == "渠道令牌无效。"  # said like an unknown token
    assert authenticate(token, scheme="employee") == employee
    body = {"transaction_id": "TAX-1", "id_number": enrolment.id_number, "region": "371728",
            "insurance_year": 2024, "amount": "380.00", "paid_at": "2023-11-19T08:00:00+08:00"}
    answer = client.post(URL, json.dumps(body), content_type="application/json", **bearer(token))
    assert answer.status_code == 401 and answer.json()["code"] == "unauthorized"
    assert answer.json()["message"] == "渠道令牌无效。"
    assert not Payment.objects.exists()
    entries = refused_entries()  # one window per address: the direct call's and the API's
    assert [(e.after["reason"], e.after["scheme"], e.after["ip"], e.object_id) for e in entries] == [
        ("wrong_scheme", "resident", "", str(employee.pk)), ("wrong_scheme", "resident", "127.0.0.1", str(employee.pk))]
    assert all(token not in json.dumps(e.after) for e in entries)
    _, both = create_channel("农商银行", region="371728", schemes=["resident", "employee"])
    assert client.post(URL, json.dumps(body), content_type="application/json", **bearer(both)).status_code == 201


def test_the_cli_creates_lists_and_revokes_for_either_scheme(capsys):
    from yibao.cli import main

    assert main(["channels", "create", "电子税务局", "--region", "371728", "--scheme", "employee"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    made = authenticate(token, scheme="employee")
    assert made.schemes == "employee"
    assert main(["channels", "create", "银行", "--region", "371728", "--scheme", "employee", "--scheme", "resident"]) == 0
    capsys.readouterr()
    assert main(["channels", "list", "--scheme", "resident"]) == 0
    listed = capsys.readouterr().out
    assert "银行\temployee,resident" in listed and "电子税务局" not in listed
    assert main(["channels", "revoke", str(made.pk)]) == 0
    with pytest.raises(TokenRefused, match="吊销"):
        authenticate(token, scheme="employee")
    assert main(["channels", "revoke", str(made.pk)]) == 2
    assert main(["channels", "create", "微信", "--region", "999999", "--scheme", "resident"]) == 2
    with pytest.raises(SystemExit):
        main(["channels", "create", "微信", "--region", "371728"])  # the scheme must be said
    # the collection's older names still work; a channel made there posts to the resident scheme
    assert main(["collection", "channel-token", "微信", "--region", "371728"]) == 0
    assert authenticate(capsys.readouterr().out.strip().splitlines()[-1], scheme="resident").schemes == "resident"


def test_a_flood_of_refused_tokens_is_audited_once_per_window_with_its_count(settings):
    settings.CHANNEL_REFUSAL_AUDIT = {"window_seconds": 60}
    made, token = create_channel("微信", region="371728")
    revoke_channel(made)
    for n in range(50):
        with pytest.raises(TokenRefused):
            authenticate(f"ybc_guess{n:03d}", scheme="resident", ip="10.0.0.9")
    for _ in range(3):
        with pytest.raises(TokenRefused):
            authenticate(token, scheme="resident", ip="10.0.0.9")
    with pytest.raises(TokenRefused):
        authenticate("ybc_guess", scheme="resident", ip="10.0.0.10")  # another address: its own window
    first = refused_entries()
    assert [(e.after["reason"], e.after["ip"]) for e in first] == [
        ("unknown", "10.0.0.9"), ("revoked", "10.0.0.9"), ("unknown", "10.0.0.10")]
    assert first[0].after["token_hint"] == "ybc_gu" and first[1].object_id == str(made.pk)
    assert not refused_entries("channels.token_refused_repeats")
    assert RefusedTokens.objects.get(key=refusals.key("unknown", "10.0.0.9", None)).count == 50

    # the windows end: the next refusal writes what was only counted, and opens a new window
    RefusedTokens.objects.update(window_ends=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(TokenRefused):
        authenticate("ybc_again", scheme="resident", ip="10.0.0.9")
    repeats = refused_entries("channels.token_refused_repeats")
    assert sorted((e.after["reason"], e.after["count"]) for e in repeats) == [("revoked", 2), ("unknown", 49)]
    assert [e.after["last_token_hint"] for e in repeats if e.after["reason"] == "unknown"] == ["ybc_gu"]
    assert len(refused_entries()) == 4   # the new window's first refusal
    assert RefusedTokens.objects.count() == 1


def test_a_counter_row_flushed_by_another_process_in_between_is_made_again(monkeypatch):
    """Between the insert (ON CONFLICT DO NOTHING) and the lock another process's flush may delete
    the key's row: the refusal is still counted and audited, never a server error."""
    insert = RefusedTokens.objects.bulk_create
    calls = []

    def insert_then_flushed(objs, **kwargs):
        made = insert(objs, **kwargs)
        if not calls:
            RefusedTokens.objects.filter(key=objs[0].key).delete()     # as a concurrent flush would
        calls.append(objs[0].key)
        return made

    monkeypatch.setattr(RefusedTokens.objects, "bulk_create", insert_then_flushed)
    refusals.note("unknown", ip="10.0.0.11", token_hint="ybc_xx")
    assert len(calls) == 2
    assert RefusedTokens.objects.get(key=refusals.key("unknown", "10.0.0.11", None)).count == 1
    assert [e.after["ip"] for e in refused_entries()] == ["10.0.0.11"]
