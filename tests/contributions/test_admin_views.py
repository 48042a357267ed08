"""The what-if of a newly published average wage through the API, the command line, the workbook
and the average-wage page's 测算 step; the clerks' staff-change view across units."""

import io

import pytest
from python_calamine import CalamineWorkbook

from contributions.factories import approved_unit
from factories import AdminFactory, AgencyClerkFactory, AuditorFactory, UserFactory, division, resident_id
from yibao.access.roles import Role
from yibao.contributions import services
from yibao.contributions.models import Bill
from yibao.employer.models import AverageWage
from yibao.months import Month

pytestmark = pytest.mark.django_db
JIA, YI, BING = (resident_id("370705", n, series=7) for n in (901, 902, 903))
WAGE = {"region": "370700", "annual_average_wage": "91200", "published_on": "2024-06-30"}
PAGE = {"region": "370700", "annual_amount": "91200", "published_on": "2024-06-30"}   # the page's names


def _sheet(body: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()


# --- what-if ------------------------------------------------------------------------------------

def test_the_what_if_api_answers_as_the_page_and_writes_nothing(rates, client):
    unit = approved_unit(["4000", "9000", "4300"])
    approved_unit(["20000"])
    client.force_login(AdminFactory())
    answer = client.get("/api/v1/contributions/what-if", WAGE)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["effective_from"] == "2024-07" and body["month"] == "2024-07" and body["floor"] == "4560.00"
    assert (body["bases"], body["changed"], body["units_changed"]) == (4, 2, 1)
    assert body["total_change"] == "65.60"
    assert body["units"] == [{"unit_id": unit.pk, "unit_number": unit.unit_number, "name": unit.name, "people": 2,
                              "change": "65.60"}]
    # a later month of the same bounds is measured on request; an earlier one is refused
    later = client.get("/api/v1/contributions/what-if", {**WAGE, "month": "2024-09"}).json()
    assert later["month"] == "2024-09" and later["total_change"] == "65.60"
    early = client.get("/api/v1/contributions/what-if", {**WAGE, "month": "2024-03"})
    assert early.status_code == 400 and early.json()["code"] == "invalid_input" and "早于" in early.json()["message"]
    assert not Bill.objects.exists() and not AverageWage.objects.exists()


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"annual_average_wage": "abc"}, 400, "invalid_input"),
    ({"annual_average_wage": "-5"}, 400, "invalid_input"),
    ({"published_on": "2024-13-01"}, 400, "invalid_input"),
    ({"month": "2024-13"}, 400, "invalid_input"),
    ({"region": "371728"}, 404, "not_found"),      # a region of the other scheme
    ({"region": ""}, 400, "invalid_input"),
    ({"region": "999999"}, 404, "not_found"),
])
def test_the_what_if_api_refuses_bad_input_with_a_code(rates, client, change, status, code):
    client.force_login(AdminFactory())
    answer = client.get("/api/v1/contributions/what-if", {**WAGE, **change})
    assert answer.status_code == status and answer.json()["code"] == code
    assert answer.json()["message"]


def test_the_what_if_is_the_administrator_s(rates, client):
    client.force_login(AgencyClerkFactory())
    assert client.get("/api/v1/contributions/what-if", WAGE).status_code == 403
    assert client.get("/contributions/what-if/xlsx", PAGE).status_code == 403


def test_the_what_if_workbook_lists_every_unit(rates, client):
    units = [approved_unit(["4000"] * (i + 1)) for i in range(3)]
    client.force_login(AdminFactory())
    page = client.get("/contributions/what-if/", PAGE).content.decode()
    assert "/contributions/what-if/xlsx?" in page
    answer = client.get("/contributions/what-if/xlsx", PAGE)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(answer.content)
    assert "年平均工资 91200 元" in rows[0][0] and "6 条改变" in rows[1][0]
    assert rows[3] == ["单位编号", "单位名称", "基数改变人数", "每月缴费变化（元）"]
    # largest change first: 3 people × 560 × 8% = 134.40
    assert [r[0] for r in rows[4:7]] == [u.unit_number for u in reversed(units)]
    assert rows[4][3] == pytest.approx(134.40) and rows[7][0] == "合计" and rows[7][3] == pytest.approx(268.80)
    refused = client.get("/contributions/what-if/xlsx", {**PAGE, "annual_amount": ""})
    assert refused.status_code == 302 and "/contributions/what-if/" in refused["Location"]


def test_the_what_if_from_the_command_line(rates, tmp_path, capsys):
    from yibao.cli import main

    unit = approved_unit(["4000", "9000"])
    admin = AdminFactory()
    out = tmp_path / "what-if.xlsx"
    assert main(["contributions", "--as", admin.username, "what-if", "370700", "--wage", "91200",
                 "--published-on", "2024-06-30", "--xlsx", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "自 2024-07 起缴费基数下限 4560.00 元" in printed and "改变 1 条" in printed and "44.80" in printed
    assert _sheet(out.read_bytes())[4][0] == unit.unit_number
    assert main(["contributions", "--as", admin.username, "what-if", "370700", "--wage", "x",
                 "--published-on", "2024-06-30"]) == 2
    assert "年平均工资应为" in capsys.readouterr().err
    clerk = AgencyClerkFactory()
    assert main(["contributions", "--as", clerk.username, "what-if", "370700", "--wage", "91200",
                 "--published-on", "2024-06-30"]) == 2


def test_the_average_wage_page_measures_before_it_records(rates, client):
    unit = approved_unit(["4000", "9000"])
    client.force_login(AdminFactory())
    form = {"region": "370700", "wage_year": "2023", "annual_amount": "91200", "published_on": "2024-06-30",
            "document": "鲁人社字〔2024〕1号"}
    page = client.post("/employer/average-wage/", {**form, "action": "preview"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="wage-preview"' in text
    assert "2 条核定基数中 1 条改变" in text and "全统筹区每月缴费变化 44.80 元" in text
    assert "/contributions/what-if/?region=370700&amp;annual_amount=91200" in text
    assert 'value="91200"' in text   # the figure stays entered for the 录入 button
    assert not AverageWage.objects.exists()
    bad = client.post("/employer/average-wage/", {**form, "annual_amount": "abc", "action": "preview"})
    assert "年平均工资应为" in bad.content.decode() and not AverageWage.objects.exists()
    recorded = client.post("/employer/average-wage/", {**form, "action": "record"})
    assert recorded.status_code == 302 and AverageWage.objects.count() == 1
    assert unit.pk


# --- staff changes across units ----------------------------------------------------------------

@pytest.fixture
def changes(rates):
    first, second = approved_unit(["5000"]), approved_unit(["6000"])
    far = approved_unit(["7000"], county="371502")   # 聊城: another clerk's
    clerk = AgencyClerkFactory()
    services.add_person(first, id_number=JIA, name="甲", month=Month(2024, 2), actor=clerk,
                        counter=True)
    services.add_person(second, id_number=YI, name="乙", month=Month(2024, 3), actor=clerk,
                        counter=True)
    span = services.add_person(far, id_number=BING, name="丙", month=Month(2024, 2),
                               actor=UserFactory(role=Role.AGENCY_CLERK, division=division("371500")),
                               counter=True).span
    return first, second, far, clerk, span


def test_a_clerk_sees_the_staff_changes_of_the_units_in_scope(changes, client):
    first, second, far, clerk, _ = changes
    client.force_login(clerk)
    page = client.get("/contributions/staff-changes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲" in text and "乙" in text and "丙" not in text and "共 2 条" in text
    feb = client.get("/contributions/staff-changes/", {"month": "2024-02"}).content.decode()
    assert "甲" in feb and "乙" not in feb
    by_unit = client.get("/contributions/staff-changes/", {"unit": second.pk}).content.decode()
    assert "乙" in by_unit and "甲" not in by_unit
    assert "没有符合条件" in client.get("/contributions/staff-changes/", {"direction": "remove"}).content.decode()
    # a unit out of scope answers as a missing one
    assert client.get("/contributions/staff-changes/", {"unit": far.pk}).status_code == 404
    assert client.get("/contributions/staff-changes/", {"unit": 987654321}).status_code == 404
    book = client.get("/contributions/staff-changes/", {"format": "xlsx", "month": "2024-02"})
    assert book.status_code == 200
    rows = _sheet(book.content)
    assert rows[0][:4] == ["办理时间", "单位编号", "单位名称", "增减"]
    assert [(r[1], r[3], r[4], r[5], r[6], r[7]) for r in rows[1:]] == [
        (first.unit_number, "增员", "新参保", "2024-02", "甲", JIA)]


def test_the_staff_changes_api_filters_and_masks(changes, client):
    first, second, far, clerk, _ = changes
    client.force_login(clerk)
    body = client.get("/api/v1/contributions/staff-changes").json()
    assert body["total"] == 2 and {i["name"] for i in body["items"]} == {"甲", "乙"}
    item = next(i for i in body["items"] if i["name"] == "甲")
    assert item["unit_number"] == first.unit_number and item["direction"] == "add" and item["reason"] == "new_hire"
    assert item["month"] == "2024-02" and item["base"] is not None
    assert item["id_number"] == JIA and item["counter"] is True
    assert client.get("/api/v1/contributions/staff-changes", {"unit": far.pk}).json()["total"] == 0
    assert client.get("/api/v1/contributions/staff-changes", {"month": "2024-03"}).json()["total"] == 1
    assert client.get("/api/v1/contributions/staff-changes", {"month": "x"}).status_code == 422
    assert client.get("/api/v1/contributions/staff-changes", {"direction": "up"}).status_code == 422
    # the bureau reads them masked; the unit operator has its own page, not this one
    client.force_login(UserFactory(role=Role.BUREAU_MANAGER))
    masked = client.get("/api/v1/contributions/staff-changes").json()["items"]
    assert masked and all("*" in i["id_number"] for i in masked)
    client.force_login(first.operators.get().user)
    assert client.get("/api/v1/contributions/staff-changes").status_code == 403
    assert client.get("/contributions/staff-changes/").status_code == 403
    client.force_login(AuditorFactory(division=division("371500")))
    assert {i["name"] for i in client.get("/api/v1/contributions/staff-changes").json()["items"]} == {"丙"}
