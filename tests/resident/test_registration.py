"""Registration, maker-checker review, 两证统一 and duplicates across villages, regions and schemes."""

import datetime as dt

import pytest

from factories import (
    DONGMING,
    JINCHENG,
    IndividualFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    village,
)
from yibao.audit.models import AuditEntry
from yibao.errors import AppError
from yibao.resident import selectors, services
from yibao.resident.errors import DuplicateEnrolment
from yibao.resident.models import Enrolment, Person, Problem, Registration, RegistrationStatus

from .factories import (
    DONGMING_OTHER_TOWNSHIP_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_TOWNSHIP,
    JINCHENG_VILLAGE,
    enrolled,
    form,
    resident_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return VillageAgentFactory(division=village(DONGMING_VILLAGE))


@pytest.fixture
def clerk():
    return TownshipClerkFactory()


def test_an_agent_registers_and_another_clerk_approves(agent, clerk):
    registration = services.register(form(1), region=DONGMING, actor=agent)
    assert registration.status == RegistrationStatus.PENDING
    assert registration.sex in ("男", "女") and registration.birth_date is not None
    assert not Person.objects.exists()  # nothing enrolled before the second signature
    services.review(registration, actor=clerk, approve=True)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert (registration.maker_id, registration.checker_id) == (agent.pk, clerk.pk)
    enrolment = Enrolment.objects.get()
    assert (enrolment.insurance_year, enrolment.status, enrolment.division_id) == (2024, "registered", DONGMING_VILLAGE)
    assert AuditEntry.objects.filter(action__in=["resident.register", "resident.review"]).count() == 2


def test_the_maker_cannot_review_their_own_registration(clerk):
    registration = services.register(form(1), region=DONGMING, actor=clerk)
    with pytest.raises(AppError, match="登记人与审核人不能是同一人"):
        services.review(registration, actor=clerk, approve=True)
    assert not Enrolment.objects.exists()


def test_an_agent_cannot_register_outside_their_village(agent):
    with pytest.raises(AppError, match="不在您负责的区域内") as refused:
        services.register(form(1, village=DONGMING_OTHER_TOWNSHIP_VILLAGE), region=DONGMING, actor=agent)
    assert refused.value.code == "outside_area"
    assert not Registration.objects.exists()


@pytest.mark.parametrize(("change", "code"), [
    ({"id_number": "371728199001011235"}, "id_check_char"),
    ({"sex": "女" if int(resident_number(1)[16]) % 2 else "男"}, "sex_mismatch"),
    ({"birth_date": dt.date(1901, 1, 1)}, "birth_date_mismatch"),
    ({"hukou_code": "371728999999"}, "division_unknown"),
    ({"hukou_code": JINCHENG_VILLAGE}, "division_outside_region"),
    ({"phone": "12345"}, "phone_invalid"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(agent, change, code):
    with pytest.raises(AppError) as refused:
        services.register(form(1, **change), region=DONGMING, actor=agent)
    assert refused.value.code == code and refused.value.message
    assert not Registration.objects.exists() and not AuditEntry.objects.filter(action="resident.register").exists()


def test_a_two_certificates_mismatch_waits_in_the_problem_queue_and_blocks_enrolment(agent, clerk):
    registration = services.register(form(1, hk_name="居民一"), region=DONGMING, actor=agent)
    assert registration.status == RegistrationStatus.PROBLEM
    problem = Problem.objects.get()
    assert "姓名" in problem.message and "居民一" in problem.message
    assert list(selectors.problems_for(clerk)) == [problem]
    with pytest.raises(AppError):
        services.review(registration, actor=clerk, approve=True)
    with pytest.raises(AppError, match="两证信息仍不一致"):
        services.resolve(problem, actor=clerk, corrections={"hk_name": "居民二"})
    services.resolve(problem, actor=clerk, corrections={"hk_name": "居民1"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    services.review(registration, actor=TownshipClerkFactory(), approve=True)
    assert Enrolment.objects.filter(id_number=registration.id_number).exists()


def test_a_problem_sent_back_waits_for_the_resident(agent, clerk):
    number = resident_number(3)
    resident = IndividualFactory(id_number=number, username=number)
    registration = services.register(form(3, hk_sex="女" if int(number[16]) % 2 else "男"), region=DONGMING,
                                     actor=agent)
    problem = registration.problems.get()
    services.send_back(problem, actor=clerk, instructions="请到派出所更正户口簿上的性别后重新提交。")
    assert list(selectors.problems_for(resident, status="returned")) == [problem]
    services.resubmit(problem, actor=resident, corrections={"hk_sex": registration.sex})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_a_person_enrolled_elsewhere_is_refused_and_told_where(agent, clerk):
    enrolled(1, maker=agent, checker=clerk)
    with pytest.raises(DuplicateEnrolment, match="雷庄村") as same_year:
        services.register(form(1, village="371728001001"), region=DONGMING, actor=clerk)
    assert same_year.value.status == 409
    # another region: a 晋城 clerk sees only where, not which village (no whole numbers for them? they do)
    jincheng_clerk = TownshipClerkFactory(division=village(JINCHENG_TOWNSHIP))
    number = resident_number(1)
    with pytest.raises(DuplicateEnrolment, match="东明县"):
        services.register(form(1, village=JINCHENG_VILLAGE, region_code=DONGMING, id_number=number,
                               hk_id_number=number), region=JINCHENG, actor=jincheng_clerk)



def _person_in_jincheng(like: Person) -> Person:
    from django.utils import timezone

    return Person.objects.create(region_id=JINCHENG, id_number=like.id_number, name=like.name, sex=like.sex,
                                 birth_date=like.birth_date, hukou_division_id=JINCHENG_VILLAGE,
                                 residence_division_id=JINCHENG_VILLAGE, division_id=JINCHENG_VILLAGE,
                                 valid_from=timezone.now())


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_the_database_refuses_a_second_live_enrolment_for_the_year_in_another_region(agent, clerk):
    """Written directly, past the code's check: refused by enrolment_unique_live_year. A cancelled
    or refunded enrolment does not count, and another year is another enrolment."""
    from django.db import IntegrityError, transaction

    first = enrolled(1, maker=agent, checker=clerk)
    second = {"region_id": JINCHENG, "person": _person_in_jincheng(first.person), "id_number": first.id_number,
              "division_id": JINCHENG_VILLAGE}
    for status in ("registered", "paid"):
        Enrolment.objects.filter(pk=first.pk).update(status=status, paid_on=dt.date(2024, 1, 10))
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(**second, insurance_year=2024)
    Enrolment.objects.create(**second, insurance_year=2025)
    for status in ("cancelled", "refunded"):
        Enrolment.objects.filter(pk=first.pk).update(status=status)
        with transaction.atomic():
            Enrolment.objects.create(**second, insurance_year=2024).delete()


def test_two_clerks_at_the_same_moment_the_second_is_refused_in_chinese(agent, clerk, monkeypatch):
    """The 晋城 clerk's check ran before the 东明 approval committed: the database's refusal reaches
    the clerk as the review's own message, and nothing of the second review is kept."""
    from yibao.errors import Conflict
    from yibao.resident.services import checks

    enrolled(1, maker=agent, checker=clerk)
    number = resident_number(1)
    monkeypatch.setattr(checks, "not_insured_elsewhere", lambda *args, **kwargs: None)
    registration = services.register(form(1, village=JINCHENG_VILLAGE, region_code=DONGMING, id_number=number,
                                          hk_id_number=number), region=JINCHENG,
                                     actor=TownshipClerkFactory(division=village(JINCHENG_TOWNSHIP)))
    with pytest.raises(Conflict, match="此人 2024 保险年度已参保登记") as refused:
        services.review(registration, actor=TownshipClerkFactory(division=village(JINCHENG_TOWNSHIP)), approve=True)
    assert (refused.value.status, refused.value.code) == (409, "duplicate_enrolment")
    assert list(Enrolment.objects.filter(id_number=number).values_list("region_id", flat=True)) == [DONGMING]
    assert not Person.objects.filter(region_id=JINCHENG).exists()


def test_a_person_insured_as_a_flexible_worker_is_refused(agent):
    from decimal import Decimal

    from employer.factories import FlexibleWorkerFactory
    from yibao.employer.models import FlexibleBaseChoice
    from yibao.months import Month

    worker = FlexibleWorkerFactory()
    number = worker.id_number
    services.register(form(9, id_number=number, hk_id_number=number), region=DONGMING, actor=agent)  # not yet
    Registration.objects.all().delete()
    FlexibleBaseChoice.objects.create(worker=worker, year=2024, month_from=Month(2024, 1), base=Decimal("4000.00"))
    with pytest.raises(DuplicateEnrolment, match="职工医保"):
        services.register(form(9, id_number=number, hk_id_number=number), region=DONGMING, actor=agent)


def test_a_resident_registers_only_themselves_online(agent):
    number = resident_number(5)
    resident = IndividualFactory(id_number=number, username=number)
    with pytest.raises(AppError, match="只能为本人办理"):
        services.register(form(6), region=DONGMING, actor=resident)
    registration = services.register(form(5), region=DONGMING, actor=resident)
    assert registration.channel == "online" and registration.status == RegistrationStatus.PENDING


def test_history_answers_what_the_record_said_on_a_past_date(agent, clerk):
    from django.utils import timezone

    enrolment = enrolled(1, maker=agent, checker=clerk)
    person = enrolment.person
    before = timezone.now()
    services.apply_values(person, {"phone": "13900139000"}, actor=clerk)
    assert selectors.person_as_of(person, before)["phone"] == "13800138000"
    assert selectors.person_as_of(person, timezone.now())["phone"] == "13900139000"
    assert selectors.person_as_of(person, person.created_at - dt.timedelta(days=1)) is None


def test_a_year_the_notice_does_not_provide_for_is_refused(agent):
    with pytest.raises(AppError) as refused:
        services.register(form(1, year=2025), region=DONGMING, actor=agent)
    assert refused.value.code == "year_not_configured" and "resident.collection_period" in refused.value.missing
    assert not Registration.objects.exists()


def test_the_clerk_who_corrected_a_form_does_not_review_it(agent, clerk):
    registration = services.register(form(1, hk_name="居民一"), region=DONGMING, actor=agent)
    services.resolve(registration.problems.get(), actor=clerk, corrections={"hk_name": "居民1"})
    with pytest.raises(AppError, match="您修改过此登记信息"):
        services.review(registration, actor=clerk, approve=True)
    services.review(registration, actor=TownshipClerkFactory(), approve=True)


def test_a_corrected_number_brings_its_own_sex_and_birth_date(agent, clerk):
    wrong = resident_number(2)  # the register's page was copied from a sibling's
    registration = services.register(form(1, hk_id_number=wrong), region=DONGMING, actor=agent)
    problem = registration.problems.get()
    assert "身份证号码不一致" in problem.message and wrong not in problem.message  # no whole number in the text
    services.resolve(problem, actor=clerk, corrections={"hk_id_number": resident_number(1),
                                                        "hk_birth_date": str(registration.hk_birth_date)})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING and not registration.mismatches()


def test_a_resident_cannot_move_their_form_to_another_number(agent, clerk):
    number = resident_number(3)
    resident = IndividualFactory(id_number=number, username=number)
    registration = services.register(form(3, hk_name="别名"), region=DONGMING, actor=resident)
    problem = registration.problems.get()
    services.send_back(problem, actor=clerk, instructions="请核对")
    with pytest.raises(AppError, match="不能修改为他人的身份证号码"):
        services.resubmit(problem, actor=resident, corrections={"id_number": resident_number(4), "hk_name": "居民3"})
    registration.refresh_from_db()
    assert registration.id_number == number


def test_a_clerk_records_a_death_and_coverage_and_the_roster_follow(agent, clerk, client, capsys):
    from yibao.cli import main
    from yibao.resident.models import LifeStatus

    enrolment = enrolled(1, maker=agent, checker=clerk, paid_on=dt.date(2023, 10, 16))
    person = enrolment.person
    with pytest.raises(AppError, match="请填写死亡或迁出的日期"):
        services.record_life_status(person, status=LifeStatus.DECEASED, on=None, actor=clerk)
    with pytest.raises(AppError, match="不在您负责的区域内"):
        services.record_life_status(person, status=LifeStatus.DECEASED, on=dt.date(2024, 1, 2),
                                    actor=TownshipClerkFactory(division=village(JINCHENG_TOWNSHIP)))
    client.force_login(clerk)
    answer = client.post(f"/resident/persons/{person.pk}/life-status/", {"status": "deceased", "on": "2024-01-02"})
    assert answer.status_code == 302
    person.refresh_from_db()
    assert (person.life_status, person.life_status_on) == ("deceased", dt.date(2024, 1, 2))
    assert AuditEntry.objects.filter(action="resident.person.life_status", object_id=str(person.pk)).exists()
    assert selectors.person_as_of(person, person.created_at)["life_status"] == "active"  # history kept
    api = client.post(f"/api/v1/resident/persons/{person.id_number}/life-status", {"status": "active"},
                      content_type="application/json")
    assert api.status_code == 200
    assert main(["resident", "--as", clerk.username, "life-status", person.id_number, "--status", "moved_out",
                 "--on", "2024-01-05"]) == 0
    person.refresh_from_db()
    assert person.life_status == "moved_out" and "迁出" in capsys.readouterr().out
