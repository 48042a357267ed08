"""Units registered here (单位参保登记): the 单位编号 rule, the checks, account opening with a
once-shown password, maker-checker changes, suspension and closure, counter service and the
online-service notice, through the services, the API, the pages and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factories import AgencyClerkFactory, division
from yibao.audit.models import AuditEntry
from yibao.employer import services
from yibao.employer.models import ChangeStatus, Declaration, Unit, UnitStatus
from yibao.identity import IdentityError, normalise_phone, uscc_check_char

from .factories import PDF, EmployeeFactory, filled, upload_all_materials, xlsx_bytes


def uscc(serial: int, region: str = "370705") -> str:
    first17 = f"91{region}MA3{serial:06d}"
    return first17 + uscc_check_char(first17)


def form(**over) -> dict:
    values = {"name": "潍坊新登记测试有限公司", "uscc": uscc(700001), "division": "370705", "nature": "企业",
              "address": "潍坊市奎文区测试路 8 号", "postcode": "261031", "contact_name": "刘经办",
              "contact_phone": "+86 138 0536 1234", "civil_servant_subsidy": False}
    return {**values, **over}


@pytest.fixture
def clerks(people):
    return people.weifang_clerk, AgencyClerkFactory(division=division("370700"))


# --- the pure core: phones ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, phone", [("+86 138 0536 1234", "13805361234"), ("８６13805361234", "13805361234"),
                                        ("0536-8102708", "0536-8102708"), ("（0536）8102708", "05368102708"),
                                        ("", "")])
def test_phones_are_normalised(raw, phone):
    assert normalise_phone(raw) == phone


@pytest.mark.parametrize("raw", ["12345", "23805361234", "0536-81", "tel:13805361234", "138-0536-1234-5"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(IdentityError, match="联系电话"):
        normalise_phone(raw)


# --- registration --------------------------------------------------------------------------------

def test_a_clerk_registers_a_unit_numbered_by_its_region(clerks, business_date):
    clerk, _ = clerks
    unit = services.register_unit(actor=clerk, **form())
    second = services.register_unit(actor=clerk, **form(name="第二家", uscc=uscc(700002), division="370700"))
    assert (unit.unit_number, second.unit_number) == ("370700000001", "370700000002")
    assert unit.region_id == "370700" and unit.contact_phone == "13805361234" and unit.status == UnitStatus.NORMAL
    assert unit.registered_by == clerk and unit.agency is not None
    entry = AuditEntry.objects.get(action="unit.register", object_id=str(unit.pk))
    assert entry.actor_id == clerk.pk and entry.after["unit_number"] == "370700000001"


def test_a_number_already_held_is_skipped(clerks, business_date):
    from .factories import UnitFactory

    UnitFactory(unit_number="370700000001")
    assert services.register_unit(actor=clerks[0], **form()).unit_number == "370700000002"


@pytest.mark.parametrize("over, code, field", [
    ({"uscc": uscc(700001)[:17] + ("0" if uscc(700001)[17] != "0" else "1")}, "uscc_invalid", "uscc"),
    ({"postcode": "26103"}, "invalid_input", "postcode"),
    ({"contact_phone": "12345"}, "phone_invalid", "contact_phone"),
    ({"nature": "公司"}, "invalid_input", "nature"),
    ({"name": "  "}, "invalid_input", "name"),
    ({"division": "999999"}, "division_unknown", "division"),
    ({"division": "371502"}, "outside_area", "division"),          # 聊城: outside the 潍坊 clerk's area
    ({"division": "371728"}, "division_outside_region", "division"),  # 东明: no employee scheme here
])
def test_bad_registrations_are_refused_and_write_nothing(clerks, business_date, over, code, field):
    with pytest.raises(services.AppError) as refused:
        services.register_unit(actor=clerks[0], **form(**over))
    assert refused.value.code == code and field in refused.value.fields
    assert not Unit.objects.filter(name=form(**over)["name"]).exists()
    assert not AuditEntry.objects.filter(action="unit.register").exists()


def test_a_credit_code_registered_twice_in_a_region_is_refused(clerks, business_date):
    first = services.register_unit(actor=clerks[0], **form())
    with pytest.raises(services.AppError, match=f"已在本统筹区登记：{first.name}") as refused:
        services.register_unit(actor=clerks[1], **form(name="另一家"))
    assert refused.value.code == "uscc_taken" and refused.value.status == 409
    assert Unit.objects.filter(uscc=first.uscc).count() == 1


# --- account opening --------------------------------------------------------------------------

def test_opening_the_account_gives_a_password_that_signs_in_once_shown(client, clerks, business_date):
    unit = services.register_unit(actor=clerks[0], **form())
    opened = services.open_account(unit, actor=clerks[0])
    assert opened.user.username == unit.unit_number and len(opened.password) == 12
    assert opened.password not in str(AuditEntry.objects.filter(action__startswith="unit").values())
    assert client.login(username=unit.unit_number, password=opened.password)
    with pytest.raises(services.AppError, match="已开户"):
        services.open_account(unit, actor=clerks[1])


# --- changes: maker-checker --------------------------------------------------------------------

def test_a_change_is_approved_by_another_clerk_and_keeps_the_old_values(clerks, business_date):
    maker, checker = clerks
    unit = services.register_unit(actor=maker, **form())
    change = services.file_change(unit, {"address": "新地址 1 号", "contact_phone": "0536 8102708",
                                         "name": unit.name}, actor=maker, reason="搬迁")
    assert change.changes == {"address": "新地址 1 号", "contact_phone": "05368102708"}  # the name is unchanged
    assert change.before["address"] == "潍坊市奎文区测试路 8 号"
    unit.refresh_from_db()
    assert unit.address == "潍坊市奎文区测试路 8 号"  # nothing changes before review
    with pytest.raises(services.AppError, match="已有一份待审核"):
        services.file_change(unit, {"postcode": "261000"}, actor=maker)
    with pytest.raises(services.AppError, match="申请人不能审核自己的申请"):
        services.review_change(change, actor=maker, approve=True)
    services.review_change(change, actor=checker, approve=True)
    unit.refresh_from_db()
    change.refresh_from_db()
    assert unit.address == "新地址 1 号" and change.status == ChangeStatus.APPROVED
    assert change.before["address"] == "潍坊市奎文区测试路 8 号" and change.reviewed_by == checker
    assert AuditEntry.objects.filter(action="unit.change.approve", actor_id=checker.pk).exists()


def test_a_rejection_needs_a_reason_and_changes_nothing(clerks, business_date):
    maker, checker = clerks
    unit = services.register_unit(actor=maker, **form())
    change = services.file_change(unit, {"nature": "事业单位"}, actor=maker)
    with pytest.raises(services.AppError, match="审核意见"):
        services.review_change(change, actor=checker, approve=False)
    services.review_change(change, actor=checker, approve=False, note="证明材料不全")
    unit.refresh_from_db()
    assert unit.nature == "企业"
    with pytest.raises(services.AppError, match="没有任何变更"):
        services.file_change(unit, {"nature": "企业"}, actor=maker)
    with pytest.raises(services.AppError, match="不能通过变更申请修改"):
        services.file_change(unit, {"unit_number": "1"}, actor=maker)


# --- status -----------------------------------------------------------------------------------------

def test_a_suspended_or_closed_unit_opens_no_declaration(people, clerks, business_date):
    clerk = clerks[0]
    unit = people.weifang_unit
    with pytest.raises(services.AppError, match="不能晚于今天"):
        services.set_status(unit, "suspended", effective_on="2024-02-01", reason="停业", actor=clerk)
    services.set_status(unit, "suspended", effective_on="2024-01-10", reason="停业整顿", actor=clerk)
    with pytest.raises(services.AppError, match="自 2024-01-10 起已暂停（停业整顿），不能新开缴费基数申报") as refused:
        services.open_declaration(unit, 2024, actor=clerk, counter=True)
    assert refused.value.code == "unit_inactive" and not Declaration.objects.filter(unit=unit).exists()
    services.set_status(unit, "normal", effective_on="2024-01-12", reason="恢复经营", actor=clerk)
    assert services.open_declaration(unit, 2024, actor=clerk, counter=True).pk
    services.set_status(unit, "closed", effective_on="2024-01-15", reason="注销登记", actor=clerk)
    with pytest.raises(services.AppError, match="不能改为"):
        services.set_status(unit, "normal", effective_on="2024-01-15", reason="x", actor=clerk)
    assert [h.status for h in unit.status_changes.order_by("id")] == ["suspended", "normal", "closed"]


# --- counter service ------------------------------------------------------------------------------

def test_counter_steps_are_recorded_as_done_at_the_counter_by_the_clerk(client, people, business_date):
    clerk, unit = people.weifang_clerk, people.weifang_unit
    client.force_login(clerk)
    r = client.post(reverse("unit_counter", args=[unit.pk]))
    d = Declaration.objects.get(unit=unit)
    assert r.status_code == 302 and r["Location"] == reverse("declaration", args=[d.pk])
    page = client.get(reverse("declaration", args=[d.pk])).content.decode()
    assert 'data-testid="counter-banner"' in page and reverse("counter_upload", args=[d.pk]) in page
    client.post(reverse("counter_upload", args=[d.pk]),
                {"file": SimpleUploadedFile("f.xlsx", xlsx_bytes(filled(d)))})
    for m in services.missing_materials(d):
        client.post(reverse("counter_material", args=[d.pk]), {"code": m["code"], "file": SimpleUploadedFile(
            "s.pdf", PDF)})
    # at the counter the online-service notice does not apply
    client.post(reverse("counter_submit", args=[d.pk]))
    d.refresh_from_db()
    assert d.status == "submitted"
    steps = AuditEntry.objects.filter(object_type="declaration", object_id=str(d.pk),
                                      action__startswith="declaration.").order_by("id")
    assert [(e.action, e.actor_id, (e.after or {}).get("counter")) for e in steps] == [
        ("declaration.open", clerk.pk, True), ("declaration.import", clerk.pk, True),
        *[("declaration.material.upload", clerk.pk, True)] * len(services.required_materials(d)),
        ("declaration.submit", clerk.pk, True)]
    timeline = client.get(f"/api/v1/employer/declarations/{d.pk}/timeline").json()
    assert all(t["counter"] and t["actor"] == clerk.username for t in timeline) and len(timeline) == steps.count()
    assert page.count('data-testid="counter-step"') >= 1


def test_a_unit_operator_may_not_use_the_counter(client, people, business_date):
    client.force_login(people.weifang_operator)
    assert client.post(reverse("unit_counter", args=[people.weifang_unit.pk])).status_code == 403
    assert client.post(f"/api/v1/employer/units/{people.weifang_unit.pk}/counter/declarations",
                       {}, content_type="application/json").status_code == 403


# --- the API and the pages ------------------------------------------------------------------------

def test_registration_account_change_and_status_over_the_api(client, clerks, business_date):
    maker, checker = clerks
    client.force_login(maker)
    r = client.post("/api/v1/employer/units", form(), content_type="application/json")
    assert r.status_code == 201, r.content
    unit = r.json()
    assert unit["unit_number"] == "370700000001" and unit["has_account"] is False
    dup = client.post("/api/v1/employer/units", form(name="重复"), content_type="application/json")
    assert dup.status_code == 409 and dup.json()["code"] == "uscc_taken"
    bad = client.post("/api/v1/employer/units", form(uscc="91370705MA3000001X", name="坏码"),
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "uscc_invalid"
    account = client.post(f"/api/v1/employer/units/{unit['id']}/account", {}, content_type="application/json")
    assert account.status_code == 201 and account.json()["username"] == "370700000001"
    change = client.post(f"/api/v1/employer/units/{unit['id']}/changes", {"changes": {"postcode": "261000"}},
                         content_type="application/json").json()
    own = client.post(f"/api/v1/employer/unit-changes/{change['id']}/review", {"approve": True},
                      content_type="application/json")
    assert own.status_code == 400 and own.json()["code"] == "same_clerk"
    client.force_login(checker)
    ok = client.post(f"/api/v1/employer/unit-changes/{change['id']}/review", {"approve": True},
                     content_type="application/json")
    assert ok.json()["status"] == "approved" and ok.json()["before"] == {"postcode": "261031"}
    closed = client.post(f"/api/v1/employer/units/{unit['id']}/status",
                         {"status": "closed", "effective_on": "2024-01-15", "reason": "注销"},
                         content_type="application/json").json()
    assert closed["status"] == "closed" and closed["status_from"] == "2024-01-15"


def test_units_out_of_scope_answer_404(client, people, business_date):
    client.force_login(people.liaocheng_clerk)
    assert client.get(reverse("unit", args=[people.weifang_unit.pk])).status_code == 404
    assert client.get(f"/api/v1/employer/units/{people.weifang_unit.pk}").status_code == 404


def test_the_clerk_registers_and_opens_the_account_on_the_pages(client, clerks, business_date):
    client.force_login(clerks[0])
    assert "单位参保登记" in client.get(reverse("units")).content.decode()
    r = client.post(reverse("unit_register"), {**form(), "civil_servant_subsidy": "1"})
    unit = Unit.objects.get(uscc=form()["uscc"])
    assert r.status_code == 302 and unit.civil_servant_subsidy
    again = client.post(reverse("unit_register"), form(name="重复登记"))
    assert again.status_code == 400 and "已在本统筹区登记" in again.content.decode()
    page = client.post(reverse("unit_account", args=[unit.pk]))
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store" and 'data-testid="account-password"' in html
    assert "已开户" in client.get(reverse("unit", args=[unit.pk])).content.decode()
    client.post(reverse("unit_status", args=[unit.pk]), {"status": "suspended", "effective_on": "2024-01-15",
                                                         "reason": "停业"})
    detail = client.get(reverse("unit", args=[unit.pk])).content.decode()
    assert 'data-testid="unit-inactive"' in detail and "停业" in detail


def test_the_suspended_unit_sees_it_on_its_home_page(client, people, clerks, business_date):
    services.set_status(people.weifang_unit, "suspended", effective_on=dt.date(2024, 1, 5), reason="停业",
                        actor=clerks[0])
    client.force_login(people.weifang_operator)
    home = client.get("/").content.decode()
    assert "不能新开缴费基数申报" in home
    r = client.get(reverse("employer"), follow=True)
    assert "已暂停" in r.content.decode()


def test_the_notice_is_not_asked_in_liaocheng(people, business_date):
    assert services.notice_status(people.liaocheng_unit, 2024) is None
    with pytest.raises(services.AppError):
        services.confirm_notice(people.liaocheng_unit, 2024, actor=people.liaocheng_operator)


def test_the_command_line_registers_opens_and_serves_at_the_counter(clerks, business_date, capsys, tmp_path):
    from yibao.cli import main

    clerk = clerks[0]
    f = form()
    args = ["employer", "--as", clerk.username, "register-unit", "--name", f["name"], "--uscc", f["uscc"],
            "--division", "370705", "--nature", "企业", "--address", f["address"], "--postcode", "261031",
            "--contact-name", "刘经办", "--contact-phone", "13805361234"]
    assert main(args) == 0
    assert "单位编号 370700000001" in capsys.readouterr().out
    assert main(["employer", "--as", clerk.username, "open-account", "370700000001"]) == 0
    assert "初始密码（只显示这一次）" in capsys.readouterr().out
    unit = Unit.objects.get(unit_number="370700000001")
    EmployeeFactory.create_batch(2, unit=unit)
    d = services.open_declaration(unit, 2024, actor=clerk, counter=True)
    path = tmp_path / "f.xlsx"
    path.write_bytes(xlsx_bytes(filled(d)))
    assert main(["employer", "--as", clerk.username, "counter", "370700000001", "--year", "2024",
                 "--file", str(path)]) == 0
    upload_all_materials(d, clerk)
    assert main(["employer", "--as", clerk.username, "counter", "370700000001", "--year", "2024", "--submit"]) == 0
    d.refresh_from_db()
    assert d.status == "submitted"
    assert main(["employer", "--as", clerk.username, "register-unit", "--name", "x", "--uscc", f["uscc"],
                 "--division", "370705", "--nature", "企业", "--address", "a", "--postcode", "261031",
                 "--contact-name", "b", "--contact-phone", "13805361234"]) == 2
    assert "已在本统筹区登记" in capsys.readouterr().err
