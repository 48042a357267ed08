import pytest
from django.urls import reverse

from yibao.employer.models import Declaration

from .factories import PDF, filled, xlsx_bytes

pytestmark = pytest.mark.django_db


def open_page(client):
    response = client.get(reverse("employer"))
    assert response.status_code == 302
    return client.get(response["Location"]), int(response["Location"].rstrip("/").split("/")[-1])


def test_unit_journey_through_the_pages(client_for, people, business_date):
    client = client_for(people.weifang_operator)
    page, pk = open_page(client)
    assert page.status_code == 200 and "2024年度" in page.content.decode()
    d = Declaration.objects.get(pk=pk)
    template = client.get(reverse("declaration_template", args=[pk]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][2] == "身份证号码" and len(sheet) == d.line_count + 1
    upload = client.post(reverse("declaration_upload", args=[pk]),
                         {"file": _file(xlsx_bytes(filled(d)), "filled.xlsx")})
    assert upload.status_code == 302
    for m in client.get(reverse("declaration", args=[pk])).context["required"]:
        r = client.post(reverse("declaration_material", args=[pk]), {"code": m["code"], "file": _file(PDF, "s.pdf")})
        assert r.status_code == 302
    # 潍坊 二(一)1: not before the online-service notice is read and confirmed on the page
    page = client.get(reverse("declaration", args=[pk])).content.decode()
    assert "缴费基数申报网上办事须知" in page and 'data-testid="notice-confirm"' in page
    r = client.post(reverse("declaration_submit", args=[pk]))
    d.refresh_from_db()
    assert d.status == "draft" and "请先阅读并确认" in " ".join(str(m) for m in r.wsgi_request._messages)
    client.post(reverse("declaration_notice", args=[pk]), {"read": "1"})
    assert 'data-testid="notice-confirmed"' in client.get(reverse("declaration", args=[pk])).content.decode()
    r = client.post(reverse("declaration_submit", args=[pk]))
    d.refresh_from_db()
    assert d.status == "submitted", [str(m) for m in r.wsgi_request._messages]
    assert "审核中" in client.get(reverse("declaration", args=[pk])).content.decode()


def test_bad_upload_shows_row_errors_and_error_report(client_for, people, business_date):
    client = client_for(people.weifang_operator)
    _, pk = open_page(client)
    rows = filled(Declaration.objects.get(pk=pk))
    rows[1][5] = "abc"
    response = client.post(reverse("declaration_upload", args=[pk]), {"file": _file(xlsx_bytes(rows), "x.xlsx")})
    assert response.status_code == 400
    text = response.content.decode()
    assert "未导入任何数据" in text and "不是有效的金额" in text
    report = client.get(reverse("declaration_errors", args=[pk]))
    assert report.status_code == 200


def test_forms_download_as_pdf_and_xlsx(client_for, people, business_date):
    client = client_for(people.liaocheng_operator)
    _, pk = open_page(client)
    codes = [c for c, _ in client.get(reverse("declaration", args=[pk])).context["forms"]]
    assert {"detail", "summary", "base_report", "commitment"} <= set(codes)
    for code in codes:
        pdf = client.get(reverse("declaration_form", args=[pk, code, "pdf"]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        xlsx = client.get(reverse("declaration_form", args=[pk, code, "xlsx"]))
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_a_unit_never_sees_another_units_declaration(client_for, people, business_date):
    other = client_for(people.liaocheng_operator)
    _, theirs = open_page(other)
    client = client_for(people.weifang_operator)
    for url in (reverse("declaration", args=[theirs]), reverse("declaration_template", args=[theirs]),
                reverse("declaration_form", args=[theirs, "detail", "pdf"])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("declaration_submit", args=[theirs])).status_code == 404
    assert client.get(f"/api/v1/employer/declarations/{theirs}").status_code == 404
    assert client.put(f"/api/v1/employer/declarations/{theirs}/lines/1", {"amount": "1"},
                      content_type="application/json").status_code == 404
    ids = [d["id"] for d in client.get("/api/v1/employer/declarations").json()]
    assert theirs not in ids


def test_agency_clerk_sees_only_their_region_in_the_queue(client_for, people, business_date):
    _, liaocheng = open_page(client_for(people.liaocheng_operator))
    client = client_for(people.weifang_clerk)
    page = client.get(reverse("employer_queue"), {"status": ""})
    assert page.status_code == 200
    assert liaocheng not in [d.pk for d in page.context["page"]]
    assert client.get(reverse("declaration", args=[liaocheng])).status_code == 404
    assert client_for(people.liaocheng_clerk).get(reverse("declaration", args=[liaocheng])).status_code == 200


def test_unit_operator_cannot_review(client_for, people, business_date):
    client = client_for(people.weifang_operator)
    _, pk = open_page(client)
    assert client.post(reverse("declaration_review", args=[pk]), {"decision": "approve"}).status_code == 403


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_long_detail_form_is_rendered_by_the_worker_with_progress(client_for, people, business_date, monkeypatch):
    """Units above the inline limit get the 明细表 PDF from a background job (run at once here,
    HUEY_IMMEDIATE): the job's progress counts laid-out pages and its result downloads."""
    from yibao.audit.models import AuditEntry
    from yibao.employer.forms.detail import DetailForm
    from yibao.jobs.models import Job

    monkeypatch.setattr(DetailForm, "pdf_inline_lines", 5)
    client = client_for(people.weifang_operator)
    _, pk = open_page(client)
    response = client.get(reverse("declaration_form", args=[pk, "detail", "pdf"]))
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(kind="declaration.form", params__declaration=pk)
    assert job.status == "done" and job.total >= 1 and job.percent == 100
    download = client.get(reverse("job_download", args=[job.id]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"] and ".pdf" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="declaration.form.export", object_id=str(pk)).exists()
    # another unit cannot fetch the result
    other = client_for(people.liaocheng_operator)
    assert other.get(reverse("job_download", args=[job.id])).status_code == 404


def test_queue_shows_the_years_progress_over_the_units_in_scope(client_for, people, business_date):
    """The stacked bar counts every unit in the clerk's region: those that have not started and
    those whose declaration is in each state; other regions' units are not counted."""
    from yibao.employer.models import Unit

    open_page(client_for(people.weifang_operator))    # 潍坊: one unit starts, the civil-servant unit does not
    open_page(client_for(people.liaocheng_operator))  # 聊城: not in the 潍坊 clerk's scope
    page = client_for(people.weifang_clerk).get(reverse("employer_queue"), {"status": ""})
    bars = {b.code: b for b in page.context["progress"]}
    weifang_units = Unit.objects.filter(region_id="370700").count()
    assert weifang_units == 2  # people.weifang_unit and people.civil_unit
    assert page.context["progress_year"] == 2024
    assert bars["draft"].count == 1
    assert bars["not_started"].count == weifang_units - 1
    assert sum(b.count for b in bars.values()) == weifang_units
    assert abs(sum(b.percent for b in bars.values()) - 100) < 0.5
    html = page.content.decode()
    assert 'class="seg-draft"' in html and "填报中 1 家" in html


@pytest.mark.parametrize(("query", "message"), [({"kind": "bonus"}, "申报类型无效"), ({"year": "abc"}, "申报年度无效"),
                                                ({"year": "1999"}, "1999 年度")])
def test_bad_year_or_kind_is_a_message_not_an_error_page(client_for, people, business_date, query, message):
    client = client_for(people.weifang_operator)
    response = client.get(reverse("employer"), query, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Declaration.objects.filter(unit=people.weifang_unit).exists()


def test_line_edit_never_redirects_off_site(client_for, people, business_date):
    client = client_for(people.weifang_operator)
    _, pk = open_page(client)
    line = Declaration.objects.get(pk=pk).lines.first()
    response = client.post(reverse("declaration_line", args=[pk, line.pk]),
                           {"amount": "5000", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("declaration", args=[pk])


def test_recording_an_average_wage_runs_as_a_job(client_for, people, business_date):
    from yibao.employer import rules
    from yibao.employer.models import AverageWage
    from yibao.jobs.models import Job

    client = client_for(people.admin)
    form = {"region": "370700", "wage_year": "2023", "annual_amount": "100000", "published_on": "2024-06-20"}
    response = client.post(reverse("average_wage"), form)
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(kind="average_wage.record")
    assert job.status == "done" and "5000.00" in job.message
    wage = AverageWage.objects.get(region_id="370700")
    assert str(rules.wage_effect("370700", wage).effective_from) == "2024-07"
    # a second record of the same year is refused at once, before any job
    again = client.post(reverse("average_wage"), {**form, "annual_amount": "90000"})
    assert again.status_code == 200 and "已录入 2023 年度平均工资" in again.content.decode()
    assert Job.objects.filter(kind="average_wage.record").count() == 1
    assert AverageWage.objects.count() == 1
    assert client_for(people.weifang_clerk).post(reverse("average_wage"), form).status_code == 403


def test_identity_numbers_whole_for_those_who_need_them_masked_for_others(client_for, people, business_date):
    """The unit and the agency clerk see whole numbers (the clerk's view is audited); a bureau
    manager sees them masked, on the page and through the API."""
    from yibao.audit.models import AuditEntry
    from yibao.identity import mask_id_number

    unit_client = client_for(people.weifang_operator)
    _, pk = open_page(unit_client)
    number = Declaration.objects.get(pk=pk).lines.order_by("id").first().id_number
    assert number in unit_client.get(reverse("declaration", args=[pk])).content.decode()
    assert not AuditEntry.objects.filter(action="person_data.view").exists()

    clerk = client_for(people.weifang_clerk)
    assert number in clerk.get(reverse("declaration", args=[pk])).content.decode()
    entry = AuditEntry.objects.get(action="person_data.view")
    assert entry.actor_label == people.weifang_clerk.username and entry.object_id == str(pk) and entry.after["people"] > 0

    manager = client_for(people.weifang_manager)
    html = manager.get(reverse("declaration", args=[pk])).content.decode()
    assert number not in html and mask_id_number(number) in html
    lines = manager.get(f"/api/v1/employer/declarations/{pk}/lines").json()
    assert lines and all("*" in x["id_number"] for x in lines)
    assert number not in str(lines)
