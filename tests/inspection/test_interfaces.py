"""The audit cases through the JSON API, the pages and the command line: the same services, the
same refusals."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from employer.factories import UnitFactory, UnitOperatorFactory
from yibao.audit.models import AuditEntry
from yibao.employer.models import Declaration
from yibao.inspection.models import Case, CaseStatus

from .factories import confirmed

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def floor_unit(people, business_date):
    unit = UnitFactory(county="370705", employees=10)
    UnitOperatorFactory(unit=unit)
    confirmed(unit, at_floor=9, reviewer=people.weifang_clerk)
    return unit


def test_an_auditor_carries_a_case_through_the_api(client_for, people, floor_unit, bases_changed):
    api = client_for(people.weifang_auditor)
    run = api.post("/api/v1/inspection/self-inspection", {"region": "370700", "year": 2024}, content_type=JSON)
    assert run.status_code == 200 and run.json()["opened"] == 1
    assert run.json()["checks"][0]["kind"] == "self_inspection"
    cases = api.get("/api/v1/inspection/cases?status=open&region=370700").json()
    assert [c["unit_number"] for c in cases] == [floor_unit.unit_number]
    pk = cases[0]["id"]
    assert api.post(f"/api/v1/inspection/cases/{pk}/investigate", {}, content_type=JSON).json()["status"] == "investigating"
    person = floor_unit.employees.order_by("id").first()
    fixed = api.post(f"/api/v1/inspection/cases/{pk}/corrected-bases",
                     {"id_number": person.id_number, "wage": "5100", "month_from": "2024-02"}, content_type=JSON)
    assert fixed.status_code == 200 and fixed.json()["corrections"][0]["base"] == "5100.00"
    assert len(bases_changed) == 1
    refused = api.post(f"/api/v1/inspection/cases/{pk}/conclude", {"findings": ""}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "findings_required"
    done = api.post(f"/api/v1/inspection/cases/{pk}/conclude", {"findings": "1 人基数偏低，已更正。"},
                    content_type=JSON)
    assert done.status_code == 200 and done.json()["status"] == "concluded"
    assert [e["kind"] for e in done.json()["events"]] == ["opened", "investigating", "base_corrected", "concluded"]
    counts = api.get("/api/v1/inspection/counts").json()
    assert counts["totals"]["concluded"] == 1 and counts["regions"][0]["region"] == "370700"


def test_a_clerk_reports_and_the_unit_answers_through_the_api(client_for, people, floor_unit):
    clerk = client_for(people.weifang_clerk)
    made = clerk.post("/api/v1/inspection/complaints", {"unit_number": floor_unit.unit_number, "source": "来电",
                                                        "content": "按最低基数申报"}, content_type=JSON)
    assert made.status_code == 200 and made.json()["kind"] == "complaint"
    declaration = Declaration.objects.get(unit=floor_unit)
    flagged = clerk.post(f"/api/v1/inspection/declarations/{declaration.pk}/material-flags",
                         {"note": "工资表疑似伪造"}, content_type=JSON)
    assert flagged.status_code == 200 and flagged.json()["kind"] == "false_materials"
    again = clerk.post(f"/api/v1/inspection/declarations/{declaration.pk}/material-flags", {"note": "再次"},
                       content_type=JSON)
    assert again.status_code == 400 and again.json()["code"] == "already_open"
    # a clerk records but does not read the auditors' cases
    assert clerk.get("/api/v1/inspection/cases").status_code == 403

    client_for(people.weifang_auditor).post("/api/v1/inspection/self-inspection", {"region": "370700", "year": 2024},
                                            content_type=JSON)
    unit = client_for(floor_unit.operators.get().user)
    mine = unit.get("/api/v1/inspection/mine").json()
    assert [c["kind"] for c in mine] == ["self_inspection"]      # the complaint is not the unit's to see
    answered = unit.post(f"/api/v1/inspection/mine/{mine[0]['id']}/response", {"note": "已自查，补报 2 人"},
                         content_type=JSON)
    assert answered.status_code == 200 and answered.json()["unit_response"] == "已自查，补报 2 人"
    complaint = Case.objects.get(kind="complaint")
    assert unit.post(f"/api/v1/inspection/mine/{complaint.pk}/response", {"note": "x"},
                     content_type=JSON).status_code == 404


def test_the_export_holds_the_counts_and_the_cases(client_for, people, floor_unit):
    api = client_for(people.weifang_auditor)
    api.post("/api/v1/inspection/self-inspection", {"region": "370700", "year": 2024}, content_type=JSON)
    response = api.get("/api/v1/inspection/cases/export?region=370700")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    counts = book.get_sheet_by_name("按状态统计").to_python()
    assert counts[0][:4] == ["统筹区", "待处理", "稽核中", "已办结"] and counts[1][1] == 1
    cases = book.get_sheet_by_name("稽核案件").to_python()
    assert cases[1][4] == floor_unit.unit_number and cases[1][7] == "待处理"
    assert AuditEntry.objects.filter(action="inspection.cases.export").exists()


def test_the_pages(client_for, people, floor_unit):
    auditor = client_for(people.weifang_auditor)
    response = auditor.post("/inspection/self-inspection/", {"region": "370700", "year": "2024"}, follow=True)
    assert "新立案 1 件" in response.content.decode()
    case = Case.objects.get()
    page = auditor.get("/inspection/").content.decode()
    assert floor_unit.name in page and "生成自查自纠名单" in page
    auditor.post(f"/inspection/cases/{case.pk}/investigate/")
    refused = auditor.post(f"/inspection/cases/{case.pk}/conclude/", {"findings": ""}, follow=True).content.decode()
    assert "须填写稽核结论" in refused
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    auditor.post(f"/inspection/cases/{case.pk}/conclude/", {"findings": "已核实"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED
    detail = auditor.get(f"/inspection/cases/{case.pk}/").content.decode()
    assert "已核实" in detail and "办理经过" in detail

    risk = auditor.post("/inspection/risk-checks/", {"region": "370700", "year": "2024"}, follow=True).content.decode()
    assert "未检查" in risk and "employee.industry_wage_guideline" in risk

    # the unit is told on its home page, with the share and the threshold
    home = client_for(floor_unit.operators.get().user).get("/").content.decode()
    assert "基数自查自纠" in home and "0.9000" in home and "0.7" in home
    # a unit that is not on the list is told nothing
    assert "须开展基数自查自纠" not in client_for(people.weifang_operator).get("/").content.decode()


def test_the_clerks_report_page(client_for, people, floor_unit):
    clerk = client_for(people.weifang_clerk)
    assert clerk.get("/inspection/report/").status_code == 200
    done = clerk.post("/inspection/report/", {"what": "complaint", "unit_number": floor_unit.unit_number,
                                              "source": "网站", "content": "举报内容"}, follow=True)
    assert "已立案" in done.content.decode()
    missing = clerk.post("/inspection/report/", {"what": "complaint", "unit_number": people.liaocheng_unit.unit_number,
                                                 "source": "网站", "content": "举报内容"}, follow=True)
    assert "参保单位不存在" in missing.content.decode()
    assert Case.objects.count() == 1


def test_the_command_line(people, floor_unit, capsys):
    from yibao.cli import main

    auditor = people.weifang_auditor.username
    assert main(["inspection", "--as", auditor, "self-inspection", "--region", "370700", "--year", "2024"]) == 0
    assert "新立案 1 件" in capsys.readouterr().out
    pk = Case.objects.get().pk
    assert main(["inspection", "--as", auditor, "investigate", str(pk)]) == 0
    assert main(["inspection", "--as", auditor, "conclude", str(pk)]) == 2
    assert "须填写稽核结论" in capsys.readouterr().err
    assert main(["inspection", "--as", auditor, "conclude", str(pk), "--findings", "已核实"]) == 0
    assert Case.objects.get().status == CaseStatus.CONCLUDED
    assert main(["inspection", "--as", people.weifang_clerk.username, "investigate", str(pk)]) == 2
