"""Change requests (东明 五(二), 晋城 三(一)): filed by the resident for themself or by a clerk for
their area, with documents checked by structure; reviewed by another clerk; approval applies the
change and keeps the history, so what the record said on a past date stays answerable."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from employer.scans import pdf, png
from factories import (
    DONGMING,
    BureauManagerFactory,
    IndividualFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    village,
)
from yibao.audit.models import AuditEntry
from yibao.errors import AppError
from yibao.resident import selectors, services
from yibao.resident.models import (
    ChangeDocument,
    ChangeRequest,
    ChangeStatus,
    Enrolment,
    Person,
    PersonVersion,
    Problem,
    ProblemStatus,
)

from .factories import (
    DONGMING_OTHER_TOWNSHIP_VILLAGE,
    DONGMING_OTHER_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_VILLAGE,
    enrolled,
    resident_number,
)

pytestmark = pytest.mark.django_db

NEW_PHONE = "13912345678"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2024, 3, 1)


@pytest.fixture
def agent():
    return VillageAgentFactory(division=village(DONGMING_VILLAGE))


@pytest.fixture
def clerk():
    return TownshipClerkFactory()


@pytest.fixture
def reviewer():
    return TownshipClerkFactory()


@pytest.fixture
def person(agent, clerk):
    return enrolled(1, maker=agent, checker=clerk).person


def docs(*files):
    files = files or (("户口簿", pdf()),)
    return [services.DocumentIn(title, SimpleUploadedFile(f"scan{i}.bin", data)) for i, (title, data) in enumerate(files)]


def resident_of(person):
    return IndividualFactory(id_number=person.id_number, username=person.id_number)


def nothing_written():
    return not ChangeRequest.objects.exists() and not ChangeDocument.objects.exists() \
        and not AuditEntry.objects.filter(action="resident.change.file").exists()


# --- who files ------------------------------------------------------------------------------------

def test_a_resident_files_for_themself_only(person, agent, clerk):
    other = enrolled(2, maker=agent, checker=clerk).person
    resident = resident_of(person)
    with pytest.raises(AppError, match="只能申请变更本人") as refused:
        services.file_change(other, {"phone": NEW_PHONE}, actor=resident, documents=docs())
    assert refused.value.code == "self_only" and nothing_written()
    request = services.file_change(person, {"phone": NEW_PHONE}, actor=resident, documents=docs())
    assert request.filed_as_resident and request.status == ChangeStatus.PENDING
    assert request.changes == {"phone": NEW_PHONE} and request.before == {"phone": "13800138000"}
    # the resident sees their own request, not another's
    assert list(selectors.changes_for(resident)) == [request]
    assert selectors.person_by_pk(resident, other.pk) is None


def test_a_clerk_files_only_in_their_area(person, agent, clerk):
    other_township = TownshipClerkFactory(division=village("371728101"))  # 东明集镇
    with pytest.raises(AppError, match="不在您负责的区域内") as refused:
        services.file_change(person, {"phone": NEW_PHONE}, actor=other_township, documents=docs())
    assert refused.value.code == "outside_area" and nothing_written()
    request = services.file_change(person, {"phone": NEW_PHONE}, actor=agent, documents=docs())
    assert not request.filed_as_resident and request.filed_by_id == agent.pk
    assert AuditEntry.objects.filter(action="resident.change.file", object_id=str(request.pk)).exists()


def test_the_filer_cannot_review_and_another_clerk_approves_keeping_history(person, clerk, reviewer):
    before = timezone.now()
    request = services.file_change(person, {"phone": NEW_PHONE, "residence_division": DONGMING_OTHER_VILLAGE},
                                   actor=clerk, documents=docs(), reason="搬迁")
    with pytest.raises(AppError, match="申请人与审核人不能是同一人"):
        services.review_change(request, actor=clerk, approve=True)
    person.refresh_from_db()
    assert person.phone == "13800138000" and not PersonVersion.objects.exists()

    services.review_change(request, actor=reviewer, approve=True, note="材料齐全")
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.status == ChangeStatus.APPROVED and request.reviewer_id == reviewer.pk
    assert person.phone == NEW_PHONE and person.residence_division_id == DONGMING_OTHER_VILLAGE
    assert person.division_id == DONGMING_VILLAGE  # registered by 户籍: the 参保村居 stays
    version = PersonVersion.objects.get()
    assert version.change_id == request.pk and version.phone == "13800138000"
    # as of before the approval the record said the old values; after it, the new ones
    assert selectors.person_as_of(person, before)["phone"] == "13800138000"
    assert selectors.person_as_of(person, timezone.now())["phone"] == NEW_PHONE
    history = selectors.history_of(clerk, person)
    assert [h.change_id for h in history] == [None, request.pk]
    assert set(history[1].changed) == {"联系电话", "居住地"}
    assert AuditEntry.objects.filter(action="resident.change.review").exists()
    assert AuditEntry.objects.filter(action="resident.person.change", object_id=str(person.pk)).exists()


def test_a_new_number_brings_its_sex_and_birth_date_and_moves_the_enrolments(person, clerk, reviewer):
    old = person.id_number
    new = resident_number(40)
    request = services.file_change(person, {"id_number": new, "name": "新名字"}, actor=clerk, documents=docs())
    services.review_change(request, actor=reviewer, approve=True)
    person.refresh_from_db()
    assert (person.id_number, person.name) == (new, "新名字")
    assert person.birth_date.strftime("%Y%m%d") == new[6:14]
    assert set(Enrolment.objects.filter(person=person).values_list("id_number", flat=True)) == {new}
    assert PersonVersion.objects.get().id_number == old


def test_an_approved_new_number_moves_the_residents_own_account(client, person, clerk, reviewer):
    """The resident signs in with, and finds their record by, the identity number: their account
    takes the new number in the approval's transaction, audited."""
    resident = resident_of(person)
    old, new = person.id_number, resident_number(41)
    request = services.file_change(person, {"id_number": new}, actor=resident, documents=docs())
    services.review_change(request, actor=reviewer, approve=True)
    resident.refresh_from_db()
    assert (resident.id_number, resident.username) == (new, new)
    assert selectors.person_for(resident, resident.id_number).pk == person.pk
    entry = AuditEntry.objects.get(action="user.id_number", object_id=str(resident.pk))
    assert entry.before == {"username": old, "id_number": old} and entry.after == {"username": new, "id_number": new}
    assert entry.actor_id == reviewer.pk and entry.division_path == person.division.path
    client.force_login(resident)  # still signed in, and the record is theirs
    assert person.name in client.get(reverse("resident_me")).content.decode()


def test_a_new_number_another_account_holds_refuses_the_approval(person, clerk, reviewer):
    resident = resident_of(person)
    old, new = person.id_number, resident_number(42)
    IndividualFactory(id_number=new, username=new)
    request = services.file_change(person, {"id_number": new}, actor=clerk, documents=docs())
    with pytest.raises(AppError, match="已是另一个网上服务账号的登录账号") as refused:
        services.review_change(request, actor=reviewer, approve=True)
    assert refused.value.code == "account_number_taken" and refused.value.status == 409
    person.refresh_from_db()
    resident.refresh_from_db()
    request.refresh_from_db()
    assert person.id_number == old and resident.id_number == old and request.status == ChangeStatus.PENDING
    assert set(Enrolment.objects.filter(person=person).values_list("id_number", flat=True)) == {old}
    assert not PersonVersion.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["user.id_number", "resident.change.review"]).exists()


def test_a_rejection_needs_a_reason_and_changes_nothing(person, clerk, reviewer):
    request = services.file_change(person, {"name": "改名"}, actor=clerk, documents=docs())
    with pytest.raises(AppError, match="须写明原因"):
        services.review_change(request, actor=reviewer, approve=False)
    services.review_change(request, actor=reviewer, approve=False, note="材料与申请不符")
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.status == ChangeStatus.REJECTED and request.note == "材料与申请不符"
    assert person.name == "居民1" and not PersonVersion.objects.exists()
    with pytest.raises(AppError, match="已驳回"):
        services.review_change(request, actor=reviewer, approve=True)


@pytest.mark.parametrize(("changes", "code"), [
    ({"id_number": "371728199001011235"}, "id_check_char"),
    ({"hukou_division": "371728999999"}, "division_unknown"),
    ({"residence_division": JINCHENG_VILLAGE}, "division_outside_region"),
    ({"phone": "12345"}, "phone_invalid"),
    ({"sex": "女"}, "field_not_changeable"),
    ({"name": "居民1"}, "nothing_to_change"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(person, clerk, changes, code):
    with pytest.raises(AppError) as refused:
        services.file_change(person, changes, actor=clerk, documents=docs())
    assert refused.value.code == code and refused.value.message
    assert nothing_written()


def test_a_number_another_person_holds_is_refused(person, agent, clerk):
    other = enrolled(2, maker=agent, checker=clerk).person
    with pytest.raises(AppError, match="另一参保居民") as refused:
        services.file_change(person, {"id_number": other.id_number}, actor=clerk, documents=docs())
    assert refused.value.status == 409 and nothing_written()


def test_the_phone_is_normalised(person, clerk):
    request = services.file_change(person, {"phone": "+86 139 1234 5678"}, actor=clerk, documents=docs())
    assert request.changes == {"phone": NEW_PHONE}


@pytest.mark.parametrize(("files", "code"), [
    ((), "documents_missing"),
    ((("户口簿", b"%PDF-1.4\n<html><script>alert(1)</script></html>"),), "invalid_type"),
    ((("户口簿", pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")),), "active_content"),
    ((("身份证", png()[:60]),), "invalid_type"),
    ((("身份证", b"GIF89a" + b"\x00" * 40),), "invalid_type"),
])
def test_documents_are_checked_by_structure(person, clerk, files, code):
    documents = [services.DocumentIn(t, SimpleUploadedFile("a.pdf", d)) for t, d in files]
    with pytest.raises(AppError) as refused:
        services.file_change(person, {"phone": NEW_PHONE}, actor=clerk, documents=documents)
    assert refused.value.code == code
    assert nothing_written()


def test_documents_are_kept(person, clerk):
    request = services.file_change(person, {"phone": NEW_PHONE}, actor=clerk,
                                   documents=docs(("户口簿", pdf()), ("身份证", png())))
    kinds = sorted(request.documents.values_list("title", "content_type"))
    assert kinds == [("户口簿", "application/pdf"), ("身份证", "image/png")]


def test_one_pending_request_per_person(person, clerk):
    services.file_change(person, {"phone": NEW_PHONE}, actor=clerk, documents=docs())
    with pytest.raises(AppError, match="待审核的变更申请"):
        services.file_change(person, {"name": "改名"}, actor=clerk, documents=docs())


def test_a_conflicting_number_waits_in_the_problem_queue(person, agent, clerk, reviewer):
    from .factories import form

    # the new number is registering in another village this year
    new = resident_number(41)
    services.register(form(41, village=DONGMING_OTHER_VILLAGE), region=DONGMING, actor=clerk)
    request = services.file_change(person, {"id_number": new}, actor=agent, documents=docs())
    services.review_change(request, actor=reviewer, approve=True)
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.status == ChangeStatus.PENDING and person.id_number != new
    problem = Problem.objects.get(change=request)
    # the resident who filed it sees the message too: the scheme and region, not the other person's village
    assert problem.source == "change" and problem.status == ProblemStatus.OPEN and "东明县" in problem.message
    assert "北关社区" not in problem.message
    assert not PersonVersion.objects.exists()
    assert problem in selectors.problems_for(reviewer)  # in the clerks' problem queue, naming the request
    # once the conflict is gone, approval applies it and releases the problem
    from yibao.resident.models import Registration

    Registration.objects.filter(id_number=new).update(status="rejected")
    services.review_change(request, actor=reviewer, approve=True)
    request.refresh_from_db()
    problem.refresh_from_db()
    assert request.status == ChangeStatus.APPROVED and problem.status == ProblemStatus.RELEASED


def test_moving_the_hukou_of_a_hukou_registration_moves_the_person(person, agent, reviewer):
    clerk = TownshipClerkFactory(division=village("371728"))
    request = services.file_change(person, {"hukou_division": DONGMING_OTHER_TOWNSHIP_VILLAGE}, actor=clerk,
                                   documents=docs())
    services.review_change(request, actor=reviewer, approve=True)
    person.refresh_from_db()
    assert person.division_id == DONGMING_OTHER_TOWNSHIP_VILLAGE
    # the 城关 agent no longer reaches the person; the record's past still says 雷庄村
    assert selectors.person_by_pk(agent, person.pk) is None
    assert PersonVersion.objects.get().division_id == DONGMING_VILLAGE


# --- the interfaces -------------------------------------------------------------------------------

def test_the_api_files_reviews_and_answers_what_the_record_said_on_a_date(client, person, clerk, reviewer):
    resident = resident_of(person)
    client.force_login(resident)
    refused = client.post("/api/v1/resident/me/changes", {"phone": "12345", "titles": ["户口簿"],
                                                          "documents": [SimpleUploadedFile("hk.pdf", pdf())]})
    assert refused.status_code == 400 and refused.json()["code"] == "phone_invalid" and not ChangeRequest.objects.exists()
    filed = client.post("/api/v1/resident/me/changes", {"phone": NEW_PHONE, "titles": ["户口簿"],
                                                        "documents": [SimpleUploadedFile("hk.pdf", pdf())]})
    assert filed.status_code == 200, filed.content
    body = filed.json()
    assert body["status"] == "pending" and body["filed_as_resident"] and body["documents"][0]["title"] == "户口簿"
    assert [c["id"] for c in client.get("/api/v1/resident/me/changes").json()] == [body["id"]]
    assert client.get("/api/v1/resident/changes").status_code == 403  # residents do not review

    client.force_login(reviewer)
    queue = client.get("/api/v1/resident/changes").json()
    assert [c["id"] for c in queue] == [body["id"]]
    document = body["documents"][0]["id"]
    assert client.get(f"/api/v1/resident/changes/{body['id']}/documents/{document}").status_code == 200
    assert client.post(f"/api/v1/resident/changes/{body['id']}/review", {"approve": False},
                       content_type="application/json").json()["code"] == "reason_missing"
    approved = client.post(f"/api/v1/resident/changes/{body['id']}/review", {"approve": True},
                           content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    # the old values held until yesterday's end: what the record said then, and now
    PersonVersion.objects.filter(person=person).update(valid_from=timezone.now() - dt.timedelta(days=30),
                                                       valid_to=timezone.now() - dt.timedelta(days=1))
    Person.objects.filter(pk=person.pk).update(valid_from=timezone.now() - dt.timedelta(days=1))
    url = f"/api/v1/resident/persons/{person.id_number}/history"
    past = client.get(url, {"on": (timezone.localdate() - dt.timedelta(days=2)).isoformat()}).json()
    now = client.get(url, {"on": timezone.localdate().isoformat()}).json()
    early = client.get(url, {"on": "2000-01-01"}).json()
    assert past["record"]["phone"] == "13800138000" and now["record"]["phone"] == NEW_PHONE
    assert early["record"] is None
    assert [v["change_id"] for v in now["versions"]] == [None, body["id"]]

    # a bureau manager reads the history with numbers and phones masked
    client.force_login(BureauManagerFactory(division=village(DONGMING)))
    masked = client.get(url, {"on": timezone.localdate().isoformat()}).json()
    assert person.id_number not in json.dumps(masked, ensure_ascii=False)
    assert NEW_PHONE not in json.dumps(masked) and masked["record"]["phone"].endswith(NEW_PHONE[-4:])


def test_the_command_line_files_lists_and_reviews(tmp_path, capsys, person, agent, reviewer):
    from yibao.cli import main

    scan = tmp_path / "hk.pdf"
    scan.write_bytes(pdf())
    assert main(["resident", "--as", agent.username, "change", "file", person.id_number, "--phone", NEW_PHONE,
                 "--doc", f"户口簿={scan}"]) == 0
    request = ChangeRequest.objects.get()
    assert request.documents.get().title == "户口簿"
    assert main(["resident", "--as", agent.username, "change", "review", str(request.pk), "--approve"]) == 2
    assert main(["resident", "--as", reviewer.username, "change", "list"]) == 0
    assert f"#{request.pk}" in capsys.readouterr().out
    assert main(["resident", "--as", reviewer.username, "change", "review", str(request.pk), "--approve"]) == 0
    person.refresh_from_db()
    assert person.phone == NEW_PHONE


def test_the_pages_file_review_and_show_the_history(client, person, clerk, reviewer):
    resident = resident_of(person)
    client.force_login(resident)
    page = client.get(reverse("resident_my_changes"))
    assert page.status_code == 200 and "我的信息变更" in page.content.decode()
    refused = client.post(reverse("resident_my_changes"), {"name": "新名", "document_1": SimpleUploadedFile(
        "x.pdf", b"not a scan"), "title_1": "户口簿"}, follow=True)
    assert "申请未提交" in refused.content.decode() and not ChangeRequest.objects.exists()
    done = client.post(reverse("resident_my_changes"), {"name": "新名", "title_1": "户口簿",
                                                        "document_1": SimpleUploadedFile("hk.png", png())}, follow=True)
    assert "变更申请已提交" in done.content.decode() and "待审核" in done.content.decode()
    request = ChangeRequest.objects.get()

    client.force_login(reviewer)
    assert "新名" in client.get(reverse("resident_changes")).content.decode()
    detail = client.get(reverse("resident_change", args=[request.pk])).content.decode()
    document = request.documents.get()
    assert reverse("resident_change_document", args=[document.pk]) in detail
    assert client.get(reverse("resident_change_document", args=[document.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="person_data.view", object_type="change_document").exists()
    client.post(reverse("resident_change_review", args=[request.pk]), {"decision": "approve"})
    person.refresh_from_db()
    assert person.name == "新名"

    # the clerk files on the person's page; the history lists both versions and the request
    client.force_login(clerk)
    client.post(reverse("resident_person_change", args=[person.pk]),
                {"phone": NEW_PHONE, "title_1": "身份证", "document_1": SimpleUploadedFile("id.pdf", pdf())})
    assert ChangeRequest.objects.filter(status="pending", filed_by_id=clerk.pk).exists()
    history = client.get(reverse("resident_person_history", args=[person.pk])).content.decode()
    assert "居民1" in history and "新名" in history and f"申请 {request.pk}" in history

    # a role that sees numbers masked gets the history masked and no document
    manager = BureauManagerFactory(division=village(DONGMING))
    client.force_login(manager)
    history = client.get(reverse("resident_person_history", args=[person.pk])).content.decode()
    assert person.id_number not in history and NEW_PHONE not in history
    assert client.get(reverse("resident_change_document", args=[document.pk])).status_code == 403



def test_a_change_conflict_is_released_from_the_problem_queue(client, person, agent, clerk, reviewer):
    from yibao.resident.models import Registration

    from .factories import form

    new = resident_number(41)
    services.register(form(41, village=DONGMING_OTHER_VILLAGE), region=DONGMING, actor=clerk)
    request = services.file_change(person, {"id_number": new}, actor=agent, documents=docs())
    services.review_change(request, actor=reviewer, approve=True)
    problem = Problem.objects.get(change=request)
    client.force_login(reviewer)
    assert client.get(reverse("resident_problem", args=[problem.pk])).status_code == 200
    with pytest.raises(AppError, match="冲突仍未消除"):
        services.resolve(problem, actor=reviewer, corrections={})
    person.refresh_from_db()
    assert person.id_number != new and Problem.objects.get(pk=problem.pk).status == ProblemStatus.OPEN
    Registration.objects.filter(id_number=new).update(status="rejected")
    client.post(reverse("resident_problem_release", args=[problem.pk]), {"note": "原登记已退回"})
    person.refresh_from_db()
    request.refresh_from_db()
    assert person.id_number == new and request.status == ChangeStatus.APPROVED
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.RELEASED
