"""Concurrent first actions on PostgreSQL: the loser of a create race gets the existing record or
a clear refusal, never a server error. Threads each use their own database connection, so these
tests commit for real (``transaction=True``) and build everything they use."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from races import ON_POSTGRES, meet_before, together
from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.employer import services
from yibao.employer.models import AverageWage, Declaration
from yibao.jobs.models import Job, JobStatus
from yibao.regions.models import Division

from .fresh import IN_WINDOW, PASSWORD, QUICK_HASHERS, make_unit, reference_data

pytestmark = ON_POSTGRES

THREADS = 6


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.YIBAO_TODAY = IN_WINDOW
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()



@pytest.fixture
def inserts_meet(monkeypatch):
    """Every thread reaches the insert of a declaration before any of them makes it, as in the
    widest race (a thread that waits for a lock instead is let through after a short while)."""
    meet_before(monkeypatch, Declaration.objects, "create", THREADS)


def test_concurrent_first_visits_open_one_declaration(inserts_meet):
    unit, user = make_unit("37070599101")
    got = together(THREADS, lambda i: services.open_declaration(unit, 2024, actor=user))
    assert all(isinstance(d, Declaration) for d in got), got
    assert {d.pk for d in got} == {Declaration.objects.get(unit=unit, year=2024).pk}
    assert Declaration.objects.get(unit=unit).line_count == 3


def test_concurrent_first_visits_to_the_page_and_the_api_answer_no_error(inserts_meet):
    unit, user = make_unit("37070599102")

    def visit(i):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        if i % 2:
            return client.get(reverse("employer"))
        return client.post("/api/v1/employer/declarations", {"year": 2024}, content_type="application/json")

    responses = together(THREADS, visit)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert [r.status_code for r in responses] == [200, 302] * (THREADS // 2)
    pk = Declaration.objects.get(unit=unit, year=2024).pk
    assert all(r.json()["id"] == pk for r in responses[::2])
    assert all(r["Location"] == reverse("declaration", args=[pk]) for r in responses[1::2])


def test_two_administrators_recording_the_same_average_wage():
    region = Division.objects.get(key="370700")
    admins = [create_user(role=Role.ADMIN, username=f"wage-admin-{i}", password=PASSWORD, check_password=False)
              for i in range(2)]
    form = {"region": "370700", "wage_year": 2023, "annual_amount": "100000", "published_on": "2024-06-20"}

    def record(i):
        client = Client(raise_request_exception=False)
        client.force_login(admins[i])
        return client.post("/api/v1/employer/average-wages", form, content_type="application/json")

    responses = together(2, record)
    assert all(not isinstance(r, Exception) for r in responses), responses
    accepted = [r for r in responses if r.status_code == 202]
    refused = [r for r in responses if r.status_code != 202]
    assert len(accepted) == 1 and len(refused) == 1, [r.content for r in responses]
    assert refused[0].status_code in (400, 409)
    assert refused[0].json()["code"] in ("already_recorded", "already_recording")
    assert "已录入" in refused[0].json()["detail"] or "正在录入" in refused[0].json()["detail"]
    assert AverageWage.objects.filter(region=region, wage_year=2023).count() == 1
    job = Job.objects.get(kind="average_wage.record")
    assert str(job.id) == accepted[0].json()["job_id"] and job.status == JobStatus.DONE


def test_a_wage_being_recorded_is_not_queued_twice(monkeypatch):
    """With a worker (jobs not run at once), the second administrator finds the first's job
    queued and is told so; a job left queued for hours no longer stands in the way."""
    import datetime as dt

    from huey.contrib.djhuey import HUEY

    from yibao.errors import AppError
    from yibao.jobs import tasks

    region = Division.objects.get(key="370700")
    admin = create_user(role=Role.ADMIN, username="wage-queued", password=PASSWORD, check_password=False)
    args = {"region": region, "wage_year": 2023, "annual_amount": "100000", "published_on": "2024-06-20",
            "actor": admin}
    handed_over = []
    monkeypatch.setattr(tasks, "run_job", handed_over.append)   # the worker is not running
    monkeypatch.setattr(HUEY, "immediate", False)
    first = services.publish_average_wage(**args)
    assert first.status == JobStatus.QUEUED and handed_over == [str(first.id)]
    with pytest.raises(AppError) as refused:
        services.publish_average_wage(**args)
    assert refused.value.status == 409 and "正在录入" in refused.value.message
    Job.objects.filter(pk=first.pk).update(created_at=first.created_at - dt.timedelta(hours=3))
    assert services.publish_average_wage(**args).status == JobStatus.QUEUED


def test_two_administrators_recording_the_same_average_wage_directly():
    region = Division.objects.get(key="370700")
    admins = [create_user(role=Role.ADMIN, username=f"wage-direct-{i}", password=PASSWORD, check_password=False)
              for i in range(2)]
    got = together(2, lambda i: services.record_average_wage(
        region=region, wage_year=2023, annual_amount="100000", published_on="2024-06-20", actor=admins[i]))
    recorded = [g for g in got if isinstance(g, services.AverageWageRecorded)]
    refused = [g for g in got if isinstance(g, services.DeclarationError)]
    assert len(recorded) == 1 and len(refused) == 1, got
    assert refused[0].code == "already_recorded" and "已录入" in str(refused[0])
