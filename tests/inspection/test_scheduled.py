"""The self-inspection list and the risk checks as the nightly job: one job record with progress
per region, the same cases as on demand and none twice, and the auditor's page telling when the
checks last ran."""

from __future__ import annotations

import datetime as dt

import pytest

from employer.factories import UnitFactory, UnitOperatorFactory
from yibao.audit.models import AuditEntry
from yibao.inspection import services, tasks
from yibao.inspection.models import Case, CaseKind
from yibao.jobs.models import Job, JobStatus

from .factories import confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor_unit(people, business_date):
    unit = UnitFactory(county="370705", employees=10)
    UnitOperatorFactory(unit=unit)
    confirmed(unit, at_floor=8, reviewer=people.weifang_clerk)
    return unit


def test_the_scheduled_regions_are_the_employee_scheme_s_with_a_configured_year():
    assert services.scheduled_regions(dt.date(2024, 3, 1)) == [("370700", 2024), ("371500", 2024)]
    # a year no policy file sets falls back to the latest that is set
    assert services.scheduled_regions(dt.date(2026, 3, 1)) == [("370700", 2024), ("371500", 2024)]
    # more than five years after the last one set: nothing to check
    assert services.scheduled_regions(dt.date(2031, 3, 1)) == []


def test_the_nightly_run_records_one_job_and_opens_no_case_twice(people, floor_unit):
    tasks.nightly_checks.call_local()
    job = Job.objects.get(kind="inspection.checks")
    assert job.status == JobStatus.DONE and job.owner_id is None
    assert (job.total, job.done) == (2, 2)
    assert job.result["opened"] == 1 and "已检查 2 个统筹区，新立案 1 件" in job.message
    weifang = next(r for r in job.result["regions"] if r["region"] == "370700")
    assert weifang["year"] == 2024 and {x["kind"] for x in weifang["results"]} >= {"self_inspection"}
    case = Case.objects.get(kind=CaseKind.SELF_INSPECTION)
    assert case.unit_id == floor_unit.pk and case.opened_by_id is None
    run = AuditEntry.objects.filter(action="inspection.self_inspection.run", object_id="370700").get()
    assert run.actor_label == "系统" and run.after["year"] == 2024

    tasks.nightly_checks.call_local()     # the second night: nothing new
    second = Job.objects.filter(kind="inspection.checks").order_by("-created_at").first()
    assert second.pk != job.pk and second.result["opened"] == 0
    assert Case.objects.count() == 1
    assert AuditEntry.objects.filter(action="inspection.self_inspection.run", object_id="370700").count() == 2


def test_it_is_a_periodic_task_at_the_configured_hour(settings):
    from huey.contrib.djhuey import HUEY

    at = dt.datetime(2024, 3, 1, *map(int, settings.INSPECTION_CHECKS_AT.split(":")))
    due = {t.name for t in HUEY.read_periodic(at)}
    assert "inspection.nightly_checks" in due
    assert "inspection.nightly_checks" not in {t.name for t in HUEY.read_periodic(at + dt.timedelta(hours=1))}


def test_the_auditor_s_page_shows_when_the_checks_last_ran(people, floor_unit, client_for):
    client = client_for(people.weifang_auditor)
    before = client.get("/inspection/").content.decode()
    assert 'data-testid="inspection-last-runs"' in before and "尚未定时运行过" in before and "从未运行" in before
    tasks.nightly_checks.call_local()
    after = client.get("/inspection/").content.decode()
    assert "最近一次定时运行" in after and "已完成（已检查 2 个统筹区，新立案 1 件。）" in after
    assert "2024 年度，系统" in after and "从未运行" not in after.split('data-testid="inspection-counts"')[0]
