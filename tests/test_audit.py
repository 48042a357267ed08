import pytest
from django.db import connection, transaction
from django.urls import reverse
from python_calamine import CalamineWorkbook

from employer.factories import UnitOperatorFactory
from factories import AdminFactory, AuditorFactory, division
from yibao.audit.models import AppendOnlyError, AuditEntry
from yibao.audit.services import record_event
from yibao.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def test_record_event_keeps_who_what_and_values():
    admin = AdminFactory()
    entry = record_event(admin, "thing.change", "thing", 7, before={"a": 1}, after={"a": 2})
    entry.refresh_from_db()
    assert (entry.actor_label, entry.action, entry.object_id) == (admin.username, "thing.change", "7")
    assert (entry.actor_id, entry.actor_role) == (admin.pk, "admin")
    assert entry.before == {"a": 1} and entry.after == {"a": 2}
    assert entry.at is not None


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = record_event(AdminFactory(), "thing.change", "thing", 1)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_database_refuses_update_even_in_raw_sql():
    entry = record_event(AdminFactory(), "thing.change", "thing", 1)
    with pytest.raises(Exception, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "thing.change"


def test_auditor_searches_within_region(client_for):
    admin = AdminFactory()
    record_event(admin, "probe.weifang", "thing", "W1", division_path="370000/370700/370705/")
    record_event(admin, "probe.liaocheng", "thing", "L1", division_path="370000/371500/")
    client = client_for(AuditorFactory(division=division("370700")))
    page = client.get(reverse("audit"), {"action": "probe"}).content.decode()
    assert "probe.weifang" in page
    assert "probe.liaocheng" not in page


def test_admin_sees_everything_and_filters_by_object(client_for):
    admin = AdminFactory()
    record_event(admin, "probe.one", "thing", "ONE")
    record_event(admin, "probe.two", "thing", "TWO")
    client = client_for(admin)
    page = client.get(reverse("audit"), {"q": "ONE"}).content.decode()
    assert "probe.one" in page and "probe.two" not in page


def test_audit_api_refuses_other_roles(client_for):
    assert client_for(UnitOperatorFactory()).get("/api/v1/audit").status_code == 403


def test_export_runs_as_a_job_with_progress_and_neutralised_cells(client_for):
    admin = AdminFactory()
    record_event(admin, "probe.export", "thing", "=HYPERLINK(\"x\")")
    client = client_for(admin)
    response = client.post(reverse("audit_export"), {"action": "probe.export"})
    assert response.status_code == 302
    job = Job.objects.get(kind="audit.export", owner_id=admin.pk)
    assert job.status == JobStatus.DONE and job.total == job.done == 1
    api = client.get(f"/api/v1/jobs/{job.id}").json()
    assert api["percent"] == 100 and api["has_file"]
    download = client.get(reverse("job_download", args=[job.id]))
    content = b"".join(download.streaming_content)
    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "时间"
    assert rows[1][5] == "'=HYPERLINK(\"x\")"
    # another user cannot see the job
    client.force_login(AuditorFactory(division=division("370700")))
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
    assert client.get(reverse("job", args=[job.id])).status_code == 404
