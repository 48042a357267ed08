"""Daily reconciliation (对账): a channel's statement file against the payments it recorded that
day; differences listed and resolved with a note (audited); a statement with none open is
reconciled. 东明 and 晋城, through the service, the API and the command line."""

import datetime as dt

import pytest

from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import JINCHENG_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.collection.models import DifferenceKind, Statement, StatementDifference, StatementStatus
from yibao.collection.services import reconcile
from yibao.errors import AppError

from .factories import channel, pay

pytestmark = pytest.mark.django_db
DAY = dt.date(2023, 11, 20)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 21)


@pytest.fixture
def clerk():
    return AgencyClerkFactory(division=division(DONGMING))


@pytest.fixture
def paid():
    """Three people of 东明 paid through 微信 on the day; the channel returned."""
    made, _ = channel("微信")
    agent = VillageAgentFactory()
    people = [enrolled(n, maker=agent) for n in range(1, 4)]
    return made, [pay(made, e) for e in people]


def csv_of(rows, encoding="utf-8"):
    text = "transaction_id,id_number,amount,paid_at\n" + "".join(",".join(r) + "\n" for r in rows)
    return text.encode(encoding)


def line(p, amount=None):
    return (p.transaction_id, p.id_number, amount or f"{p.amount}", "2023-11-20T10:30:00+08:00")


def test_a_statement_that_agrees_is_reconciled_at_once(paid, clerk):
    made, payments = paid
    statement = reconcile.reconcile(made, DAY, csv_of([line(p) for p in payments]), "wx-20231120.csv", actor=clerk)
    assert statement.status == StatementStatus.RECONCILED
    assert (statement.lines, statement.recorded) == (3, 3)
    assert statement.amount == statement.recorded_amount == 1140
    assert not statement.differences.exists()
    entry = AuditEntry.objects.get(action="collection.statement.reconcile")
    assert entry.after["lines"] == 3 and entry.actor_id == clerk.pk


def test_differences_on_either_side_and_in_amount_are_listed_then_resolved(paid, clerk):
    made, payments = paid
    rows = [line(payments[0]), line(payments[1], "38.00"), ("WX-UNKNOWN", "371728199001010011", "380.00",
                                                           "2023-11-20T21:00:00+08:00")]
    statement = reconcile.reconcile(made, DAY, csv_of(rows, "gbk"), "微信.csv", actor=clerk)
    assert statement.status == StatementStatus.OPEN
    found = {d.kind: d for d in statement.differences.all()}
    assert set(found) == {DifferenceKind.MISSING_HERE, DifferenceKind.MISSING_THERE, DifferenceKind.AMOUNT}
    assert found[DifferenceKind.MISSING_HERE].transaction_id == "WX-UNKNOWN"
    assert found[DifferenceKind.MISSING_THERE].payment_id == payments[2].pk
    amount = found[DifferenceKind.AMOUNT]
    assert (amount.statement_amount, amount.recorded_amount, amount.payment_id) == (38, 380, payments[1].pk)

    with pytest.raises(AppError) as empty:
        reconcile.resolve(amount, "  ", actor=clerk)
    assert empty.value.code == "note_required"
    for n, d in enumerate(found.values()):
        reconcile.resolve(d, f"已与渠道核实 {n}", actor=clerk)
        statement.refresh_from_db()
        assert statement.status == (StatementStatus.RECONCILED if n == 2 else StatementStatus.OPEN)
    with pytest.raises(AppError) as twice:
        reconcile.resolve(amount, "再次处理", actor=clerk)
    assert twice.value.code == "already_resolved"
    assert AuditEntry.objects.filter(action="collection.statement.resolve").count() == 3


def test_a_day_is_reconciled_once_and_bad_files_are_refused_whole(paid, clerk):
    made, payments = paid
    bad = csv_of([line(payments[0], "abc"), line(payments[1]), line(payments[1])])
    with pytest.raises(AppError) as refused:
        reconcile.reconcile(made, DAY, bad, "bad.csv", actor=clerk)
    assert refused.value.code == "invalid_file"
    assert "第 2 行金额" in refused.value.message and "第 4 行交易流水号" in refused.value.message
    other_day = csv_of([(payments[0].transaction_id, payments[0].id_number, "380.00", "2023-11-19T10:00:00+08:00")])
    with pytest.raises(AppError, match="不是对账日期"):
        reconcile.reconcile(made, DAY, other_day, "d.csv", actor=clerk)
    with pytest.raises(AppError) as columns:
        reconcile.reconcile(made, DAY, b"a,b\n1,2\n", "c.csv", actor=clerk)
    assert columns.value.code == "columns_missing"
    assert not Statement.objects.exists()
    reconcile.reconcile(made, DAY, csv_of([line(p) for p in payments]), "ok.csv", actor=clerk)
    with pytest.raises(AppError) as again:
        reconcile.reconcile(made, DAY, csv_of([line(p) for p in payments]), "ok.csv", actor=clerk)
    assert again.value.code == "statement_exists"
    assert Statement.objects.count() == 1
    assert AuditEntry.objects.filter(action="collection.statement.refuse").count() == 4


def test_chinese_headers_and_a_jincheng_channel(clerk):
    agent = VillageAgentFactory(division=village(JINCHENG_VILLAGE))
    checker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    made, _ = channel("电子税务局", JINCHENG)
    p = pay(made, enrolled(1, maker=agent, checker=checker, region=JINCHENG, village=JINCHENG_VILLAGE))
    text = f"缴费时间,金额,身份证号码,交易流水号\n2023-11-20T10:30:00+08:00,{p.amount},{p.id_number},{p.transaction_id}\n"
    statement = reconcile.reconcile(made, DAY, text.encode("gbk"), "jc.csv",
                                    actor=AgencyClerkFactory(division=division(JINCHENG)))
    assert statement.status == StatementStatus.RECONCILED and statement.region_id == JINCHENG


def test_the_api_uploads_lists_and_resolves_in_scope(client, paid, clerk):
    made, payments = paid
    client.force_login(clerk)
    upload = client.post(f"/api/v1/collection/channels/{made.pk}/statements", {
        "day": "2023-11-20",
        "file": _file(csv_of([line(payments[0]), line(payments[1])]))})
    assert upload.status_code == 200, upload.content
    body = upload.json()
    assert body["status"] == "open" and body["open_differences"] == 1
    diff = body["differences"][0]
    assert diff["kind"] == "missing_there" and "*" in diff["id_number"]
    done = client.post(f"/api/v1/collection/statements/{body['id']}/differences/{diff['id']}/resolve",
                       {"note": "渠道漏报，已补对账单"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "reconciled"
    assert client.get("/api/v1/collection/statements").json()[0]["id"] == body["id"]
    other = AgencyClerkFactory(division=division(JINCHENG))
    client.force_login(other)
    assert client.get(f"/api/v1/collection/statements/{body['id']}").status_code == 404
    client.force_login(TownshipClerkFactory())
    assert client.get("/api/v1/collection/statements").status_code == 403


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("statement.csv", data, content_type="text/csv")


def test_the_reconcile_command(capsys, tmp_path, paid, clerk):
    from yibao.cli import main

    made, payments = paid
    path = tmp_path / "wx.csv"
    path.write_bytes(csv_of([line(p) for p in payments[:2]], "gbk"))
    code = main(["collection", "--as", clerk.username, "reconcile", "--channel", str(made.pk), "--day", "2023-11-20",
                 str(path)])
    out = capsys.readouterr().out
    assert code == 0 and "差异 1 笔" in out and "系统有、对账单无" in out
    difference = StatementDifference.objects.get()
    assert main(["collection", "--as", clerk.username, "resolve-difference", str(difference.pk),
                 "--note", "渠道已补报"]) == 0
    assert Statement.objects.get().status == StatementStatus.RECONCILED
    assert main(["collection", "--as", clerk.username, "reconcile", "--channel", str(made.pk), "--day",
                 "2023-11-20", str(path)]) == 2
    assert "已上传" in capsys.readouterr().err


def test_a_line_for_a_recorded_transaction_with_another_person_is_a_difference_of_its_own(paid, clerk, client):
    made, payments = paid
    other = "371728199001010038"
    rows = [line(payments[0]), (payments[1].transaction_id, other, f"{payments[1].amount}", "2023-11-20T10:30:00+08:00"),
            (payments[2].transaction_id, other, "38.00", "2023-11-20T10:30:00+08:00")]
    statement = reconcile.reconcile(made, DAY, csv_of(rows), "wx.csv", actor=clerk)
    assert statement.status == StatementStatus.OPEN
    found = sorted((d.kind, d.transaction_id) for d in statement.differences.all())
    assert found == sorted([(DifferenceKind.PERSON, payments[1].transaction_id),
                            (DifferenceKind.PERSON, payments[2].transaction_id),
                            (DifferenceKind.AMOUNT, payments[2].transaction_id)])
    person = statement.differences.get(kind=DifferenceKind.PERSON, transaction_id=payments[1].transaction_id)
    assert (person.id_number, person.statement_id_number, person.payment_id) == (
        payments[1].id_number, other, payments[1].pk)
    assert person.get_kind_display() == "身份证号码不一致"
    entry = AuditEntry.objects.get(action="collection.statement.reconcile")
    assert entry.after["differences"]["person"] == 2
