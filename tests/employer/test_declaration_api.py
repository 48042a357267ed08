"""The same journey over the JSON API, both regions."""

import pytest

from factories import PASSWORD
from yibao.employer.models import Declaration

from .factories import PDF, filled, xlsx_bytes

pytestmark = pytest.mark.django_db


def login(client, user):
    r = client.post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD},
                    content_type="application/json")
    assert r.status_code == 200


@pytest.mark.parametrize("region", ["weifang", "liaocheng"])
def test_declaration_journey_over_the_api(client, business_date, people, region):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yibao.employer.models import Declaration

    unit = getattr(people, f"{region}_unit")
    operator, clerk = getattr(people, f"{region}_operator"), getattr(people, f"{region}_clerk")
    login(client, operator)
    d = client.post("/api/v1/employer/declarations", {"year": 2024}, content_type="application/json").json()
    assert d["status"] == "draft" and d["line_count"] == unit.employees.filter(retired=False).count() > 0
    pk = d["id"]
    lines = client.get(f"/api/v1/employer/declarations/{pk}/lines").json()
    one = client.put(f"/api/v1/employer/declarations/{pk}/lines/{lines[0]['id']}", {"amount": "3000"},
                     content_type="application/json").json()
    assert one["base"] == "4242.00" and one["clamp"] == "floor"
    bad = client.put(f"/api/v1/employer/declarations/{pk}/lines/{lines[0]['id']}", {"amount": "-1"},
                     content_type="application/json")
    assert bad.status_code == 400 and "金额" in bad.json()["detail"]
    rows = filled(Declaration.objects.get(pk=pk))
    up = client.post(f"/api/v1/employer/declarations/{pk}/upload",
                     {"file": SimpleUploadedFile("f.xlsx", xlsx_bytes(rows))})
    assert up.status_code == 200 and up.json()["ok"]
    detail = client.get(f"/api/v1/employer/declarations/{pk}").json()
    from yibao.employer import rules, services

    required = rules.required_materials(unit_region(pk), 2024, retiree=False)
    assert detail["checks"]["materials"] == {"ok": False, "missing": [m["title"] for m in required]}

    for m in services.missing_materials(Declaration.objects.get(pk=pk)):
        r = client.post(f"/api/v1/employer/declarations/{pk}/materials",
                        {"code": m["code"], "file": SimpleUploadedFile("s.pdf", PDF)})
        assert r.status_code == 200, r.content
    notice = client.get(f"/api/v1/employer/declarations/{pk}/notice").json()
    # 潍坊 二(一)1: the online-service notice is read and confirmed before declaring; 聊城 asks none
    assert notice["required"] is (region == "weifang")
    if notice["required"]:
        refused = client.post(f"/api/v1/employer/declarations/{pk}/submit")
        assert refused.status_code == 400 and refused.json()["code"] == "notice_unconfirmed"
        confirmed = client.post(f"/api/v1/employer/declarations/{pk}/notice").json()
        assert confirmed["confirmed_at"] and confirmed["title"] == "缴费基数申报网上办事须知"
    sub = client.post(f"/api/v1/employer/declarations/{pk}/submit")
    assert sub.status_code == 200 and sub.json()["status"] == "submitted"
    pdf = client.get(f"/api/v1/employer/declarations/{pk}/forms/detail", {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")

    client.logout()
    login(client, clerk)
    queue = client.get("/api/v1/employer/declarations", {"status": "submitted"}).json()
    assert pk in [x["id"] for x in queue]
    ok = client.post(f"/api/v1/employer/declarations/{pk}/review", {"approve": True}, content_type="application/json")
    assert ok.json()["status"] == "approved"

    client.logout()
    login(client, operator)
    assert client.post(f"/api/v1/employer/declarations/{pk}/confirm").json()["status"] == "confirmed"
    bases = client.get(f"/api/v1/employer/declarations/{pk}/bases").json()
    assert len(bases) == d["line_count"] and all(b["month_from"] == "2024-01" for b in bases)


def unit_region(pk):
    return Declaration.objects.get(pk=pk).unit.region_id


def test_the_api_template_download_is_audited_like_the_pages(client_for, declaration, people):
    """The template carries whole identity numbers: the API's download is audited as the page's is."""
    from django.urls import reverse

    from yibao.audit.models import AuditEntry

    d = declaration()
    client = client_for(people.weifang_operator)
    api = client.get(f"/api/v1/employer/declarations/{d.pk}/template")
    page = client.get(reverse("declaration_template", args=[d.pk]))
    assert api.status_code == page.status_code == 200 and api.content[:2] == b"PK"
    entries = AuditEntry.objects.filter(action="declaration.form.export", object_id=str(d.pk))
    assert entries.count() == 2
    assert all(e.after == {"form": "template", "format": "xlsx"} for e in entries)
