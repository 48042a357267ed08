"""Is a person covered on a date, and what do they pay: for each kind of enrolment (ordinary paid
in the collection period, a newborn within six months, a migrant, a back payment the notices do
not configure, registered but unpaid), premiums with hardship categories valid or expired on the
day asked (东明 and 晋城), scope (a resident sees only themself, staff only their area, out of
scope answered like missing), masking, through the selectors, the API and the pages."""

import datetime as dt

import pytest
from django.urls import reverse

from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    BureauManagerFactory,
    IndividualFactory,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from yibao.audit.models import AuditEntry
from yibao.errors import RuleRefused
from yibao.identity import mask_id_number
from yibao.resident import selectors, services
from yibao.resident.models import Enrolment, EnrolmentStatus, LifeStatus, Person, Problem

from .factories import (
    DONGMING_OTHER_TOWNSHIP_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_TOWNSHIP,
    JINCHENG_VILLAGE,
    enrolled,
    form,
    hardship,
    number_born,
    resident_number,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/resident"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def agent():
    return VillageAgentFactory(division=village(DONGMING_VILLAGE))


@pytest.fixture
def clerk():
    """A clerk of the whole county, who sees every village of 东明 and their numbers whole."""
    return AgencyClerkFactory(division=division(DONGMING))


def jincheng_enrolled(n, *, paid_on=None, **extra):
    maker = TownshipClerkFactory(division=division(JINCHENG_TOWNSHIP))
    checker = TownshipClerkFactory(division=division(JINCHENG_TOWNSHIP))
    return enrolled(n, maker=maker, checker=checker, region=JINCHENG, village=JINCHENG_VILLAGE, paid_on=paid_on,
                    **extra)


def ask(user, number, on):
    return selectors.coverage_for(user, number, on).coverage


def cited(explanation) -> str:
    return " ".join(c["text"] for step in explanation for c in step["citations"])


# --- coverage, kind by kind ---------------------------------------------------------------------------

def test_ordinary_payment_in_the_collection_period_covers_the_insurance_year(agent, clerk):
    enrolled(1, maker=agent, paid_on=dt.date(2023, 11, 20))
    c = ask(clerk, resident_number(1), dt.date(2024, 5, 1))
    assert (c.covered, c.reason, c.kind) == (True, "covered", "ordinary")
    assert (c.benefit_start, c.benefit_end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert "集中缴费期" in c.message and "东政办字〔2023〕26号" in cited(c.explanation)
    # before the year begins, the payment is for a period still to come
    before = ask(clerk, resident_number(1), dt.date(2023, 12, 1))
    assert (before.covered, before.reason) == (False, "not_in_period")


def test_jincheng_ordinary_payment_cites_its_own_notice():
    jincheng_enrolled(2, paid_on=dt.date(2023, 10, 10))
    c = ask(AgencyClerkFactory(division=division(JINCHENG)), resident_number(2, JINCHENG), dt.date(2024, 3, 3))
    assert c.covered and "晋市医保发〔2023〕10号" in cited(c.explanation)


def test_a_newborn_paid_within_six_months_is_covered_from_birth(agent, clerk):
    born = dt.date(2024, 2, 10)
    number = number_born(born)
    enrolled(3, maker=agent, paid_on=dt.date(2024, 5, 20), kind="newborn", id_number=number, hk_id_number=number)
    c = ask(clerk, number, dt.date(2024, 2, 11))
    assert (c.covered, c.kind, c.benefit_start) == (True, "newborn", born)
    assert "自出生之日起享受待遇" in " ".join(s["rule"] for s in c.explanation)
    assert "新生儿" in cited(c.explanation)


def test_a_migrant_is_covered_from_the_month_after_paying(agent, clerk):
    enrolled(4, maker=agent, paid_on=dt.date(2024, 3, 10), kind="migrant", moved_in_on=dt.date(2024, 3, 1),
             paid_at_origin=False)
    waiting = ask(clerk, resident_number(4), dt.date(2024, 3, 20))
    assert (waiting.covered, waiting.reason, waiting.benefit_start) == (False, "not_in_period", dt.date(2024, 4, 1))
    c = ask(clerk, resident_number(4), dt.date(2024, 4, 1))
    assert (c.covered, c.kind) == (True, "migrant")
    assert "新迁入" in cited(c.explanation)


def test_back_payment_is_not_configured_by_the_notice(agent, clerk):
    enrolled(5, maker=agent, paid_on=dt.date(2024, 4, 1), kind="back_payment")
    c = ask(clerk, resident_number(5), dt.date(2024, 6, 1))
    assert (c.covered, c.reason, c.kind) == (False, "not_configured", "back_payment")
    assert c.missing == ["resident.back_payment_benefit"] and "未规定" in c.message


def test_registered_but_unpaid_is_not_covered_with_the_reason(agent, clerk):
    enrolled(6, maker=agent)
    c = ask(clerk, resident_number(6), dt.date(2024, 6, 1))
    assert (c.covered, c.status, c.reason) == (False, "not_covered", "not_paid")
    assert "未缴费" in c.message


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_a_refunded_year_and_a_year_without_enrolment_are_not_covered(agent, clerk):
    e = enrolled(7, maker=agent, paid_on=dt.date(2023, 11, 1))
    Enrolment.objects.filter(pk=e.pk).update(status=EnrolmentStatus.REFUNDED)
    assert ask(clerk, resident_number(7), dt.date(2024, 6, 1)).reason == "refunded"
    assert ask(clerk, resident_number(7), dt.date(2026, 6, 1)).reason == "not_registered"


def test_nobody_is_covered_after_their_death(agent, clerk):
    enrolled(8, maker=agent, paid_on=dt.date(2023, 11, 1))
    Person.objects.filter(id_number=resident_number(8)).update(life_status=LifeStatus.DECEASED,
                                                              life_status_on=dt.date(2024, 3, 1))
    assert ask(clerk, resident_number(8), dt.date(2024, 3, 1)).covered
    after = ask(clerk, resident_number(8), dt.date(2024, 3, 2))
    assert (after.covered, after.reason) == (False, "deceased")


# --- premium with the hardship categories valid on the day asked ------------------------------------

def test_dongming_premium_with_a_category_valid_then_expired(agent, clerk):
    enrolled(10, maker=agent)
    number = resident_number(10)
    hardship(number, "低保对象", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    valid = selectors.premium_of(clerk, number, 2024, dt.date(2023, 10, 1))
    assert valid.categories == ["低保对象"] and valid.subsidy_category == "低保对象"
    assert valid.standard == 380 and valid.subsidy > 0 and valid.payable == valid.standard - valid.subsidy
    assert valid.fiscal_subsidy == 640
    expired = selectors.premium_of(clerk, number, 2024, dt.date(2024, 1, 2))
    assert (expired.categories, expired.subsidy, expired.payable) == ([], 0, expired.standard)


def test_jincheng_premium_with_a_category_valid_then_expired():
    jincheng_enrolled(11)
    number = resident_number(11, JINCHENG)
    hardship(number, "特困人员", dt.date(2023, 6, 1), dt.date(2023, 11, 30), region=JINCHENG)
    hardship(number, "低保对象", dt.date(2024, 3, 1), region=JINCHENG, source="rural_revitalization")
    hardship(number, "重度残疾人", dt.date(2024, 9, 1), region=JINCHENG)
    clerk = AgencyClerkFactory(division=division(JINCHENG))
    valid = selectors.premium_of(clerk, number, 2024, dt.date(2023, 9, 1))
    assert valid.categories == ["特困人员"] and valid.payable == 0 and valid.fiscal_subsidy is None
    between = selectors.premium_of(clerk, number, 2024, dt.date(2023, 12, 15))
    assert between.categories == [] and between.payable == between.standard
    later = selectors.premium_of(clerk, number, 2024, dt.date(2024, 3, 1))
    assert later.categories == ["低保对象"] and later.subsidy_category == "低保对象" and 0 < later.payable < 380
    # 晋城 keeps the former subsidy of the severely disabled without giving its standard: the engine says so
    with pytest.raises(RuleRefused) as silent:
        selectors.premium_of(clerk, number, 2024, dt.date(2024, 9, 1))
    assert silent.value.code == "not_configured" and "重度残疾人" in str(silent.value)


def test_premium_api_answers_from_the_engine_with_citations(agent, clerk, client_for):
    enrolled(12, maker=agent)
    number = resident_number(12)
    hardship(number, "特困人员", dt.date(2023, 1, 1))
    body = client_for(clerk).get(f"{API}/premium", {"id_number": number, "insurance_year": 2024,
                                                    "on": "2023-10-01"}).json()
    assert body["categories"] == ["特困人员"] and body["subsidy_category"] == "特困人员"
    assert (body["standard"], body["subsidy"], body["payable"], body["fiscal_subsidy"]) == \
        ("380.00", "380.00", "0.00", "640.00")
    assert "东政办字〔2023〕26号" in cited(body["explanation"])
    unconfigured = client_for(clerk).get(f"{API}/premium", {"id_number": number, "insurance_year": 2030})
    assert unconfigured.status_code == 422 and unconfigured.json()["code"] == "not_configured"


def test_premium_defaults_to_the_year_being_collected(agent, clerk, client_for, settings):
    enrolled(13, maker=agent)
    settings.YIBAO_TODAY = dt.date(2023, 10, 1)  # in the 2024 collection period
    body = client_for(clerk).get(f"{API}/premium", {"id_number": resident_number(13)}).json()
    assert body["insurance_year"] == 2024 and body["on"] == "2023-10-01"


# --- the API: coverage and the person ------------------------------------------------------------------

def test_coverage_api_answers_covered_with_the_period_and_the_rule(agent, clerk, client_for):
    enrolled(20, maker=agent, paid_on=dt.date(2023, 11, 20))
    body = client_for(clerk).get(f"{API}/coverage", {"id_number": resident_number(20), "on": "2024-05-01"}).json()
    assert (body["covered"], body["status"], body["kind"]) == (True, "covered", "ordinary")
    assert (body["benefit_start"], body["benefit_end"], body["insurance_year"]) == ("2024-01-01", "2024-12-31", 2024)
    assert body["explanation"] and "东政办字〔2023〕26号" in cited(body["explanation"])


def test_coverage_api_answers_not_covered_with_the_reason(agent, clerk, client_for):
    enrolled(21, maker=agent)
    enrolled(22, maker=agent, paid_on=dt.date(2024, 4, 1), kind="back_payment")
    unpaid = client_for(clerk).get(f"{API}/coverage", {"id_number": resident_number(21), "on": "2024-05-01"}).json()
    assert (unpaid["covered"], unpaid["status"], unpaid["reason"]) == (False, "not_covered", "not_paid")
    back = client_for(clerk).get(f"{API}/coverage", {"id_number": resident_number(22), "on": "2024-05-01"}).json()
    assert (back["covered"], back["reason"], back["missing"]) == (False, "not_configured",
                                                                  ["resident.back_payment_benefit"])


def test_person_api_gives_the_person_enrolments_and_categories(agent, clerk, client_for):
    enrolled(23, maker=agent, paid_on=dt.date(2023, 11, 20))
    hardship(resident_number(23), "低保对象", dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    body = client_for(clerk).get(f"{API}/persons/{resident_number(23)}").json()
    assert body["id_number"] == resident_number(23) and body["phone"] == "13800138000"
    assert body["division"] == {"code": DONGMING_VILLAGE, "name": village(DONGMING_VILLAGE).name}
    assert [(e["insurance_year"], e["status"], e["kind"], e["paid_on"]) for e in body["enrolments"]] == \
        [(2024, "paid", "ordinary", "2023-11-20")]
    assert [(g["category"], g["valid_to"]) for g in body["hardship"]] == [("低保对象", "2024-12-31")]
    # the clerk saw a whole number: audited
    assert AuditEntry.objects.filter(action="person_data.view", object_type="person", actor_id=clerk.pk).exists()


# --- scope ---------------------------------------------------------------------------------------------

def test_a_resident_sees_only_themself(agent, client_for):
    enrolled(30, maker=agent, paid_on=dt.date(2023, 11, 1))
    enrolled(31, maker=agent, paid_on=dt.date(2023, 11, 1))
    me = IndividualFactory(id_number=resident_number(30), username=resident_number(30))
    client = client_for(me)
    assert client.get(f"{API}/persons/{resident_number(30)}").status_code == 200
    own = client.get(f"{API}/coverage", {"id_number": resident_number(30), "on": "2024-05-01"}).json()
    assert own["covered"] is True and own["id_number"] == resident_number(30)
    missing = number_born(dt.date(1990, 1, 1), sequence=99)
    for path, params in ((f"{API}/persons/{{}}", {}), (f"{API}/coverage", {"on": "2024-05-01"}),
                         (f"{API}/premium", {"insurance_year": 2024})):
        answers = []
        for number in (resident_number(31), missing):
            url = path.format(number) if "{}" in path else path
            answers.append(client.get(url, params if "{}" in path else {**params, "id_number": number}))
        assert [a.status_code for a in answers] == [404, 404], path
        assert answers[0].json() == answers[1].json()
    assert AuditEntry.objects.filter(action="person_data.view", actor_id=me.pk).count() == 0


def test_staff_see_only_their_area_and_out_of_scope_answers_like_missing(agent, client_for):
    enrolled(32, maker=agent, paid_on=dt.date(2023, 11, 1))  # 雷庄村, 城关街道
    number = resident_number(32)
    missing = number_born(dt.date(1990, 1, 1), sequence=98)
    inside = client_for(TownshipClerkFactory())  # 城关街道
    assert inside.get(f"{API}/coverage", {"id_number": number}).status_code == 200
    for outsider in (TownshipClerkFactory(division=division("371728101")),          # 东明集镇
                     AgencyClerkFactory(division=division(JINCHENG)),
                     VillageAgentFactory(division=village(DONGMING_OTHER_TOWNSHIP_VILLAGE))):
        client = client_for(outsider)
        out = client.get(f"{API}/coverage", {"id_number": number})
        gone = client.get(f"{API}/coverage", {"id_number": missing})
        assert out.status_code == gone.status_code == 404 and out.json() == gone.json()
        assert client.get(f"{API}/persons/{number}").status_code == 404
        assert selectors.search_persons(outsider, number).count() == 0


def test_roles_without_the_right_are_refused(client_for):
    from employer.factories import UnitOperatorFactory

    client = client_for(UnitOperatorFactory())
    assert client.get(f"{API}/coverage", {"id_number": resident_number(1)}).status_code == 403
    assert client.get(reverse("resident_persons")).status_code == 403


def test_nonsense_identity_numbers_name_nobody(clerk, client_for):
    client = client_for(clerk)
    for value in ("abc", "1" * 40, "37172819900101\x00001"):
        assert client.get(f"{API}/coverage", {"id_number": value}).status_code == 404


# --- masking ---------------------------------------------------------------------------------------------

def test_numbers_and_phones_are_masked_for_roles_without_the_right(agent, client_for):
    enrolled(40, maker=agent, paid_on=dt.date(2023, 11, 1))
    number = resident_number(40)
    manager = BureauManagerFactory(division=division(DONGMING))   # masks both
    tax = TaxClerkFactory()                                        # masks numbers, sees phones
    person = Person.objects.get(id_number=number)
    for user, phone in ((manager, "138****8000"), (tax, "13800138000")):
        client = client_for(user)
        body = client.get(f"{API}/persons/{number}").json()
        assert (body["id_number"], body["phone"]) == (mask_id_number(number), phone)
        coverage = client.get(f"{API}/coverage", {"id_number": number, "on": "2024-05-01"})
        assert coverage.json()["covered"] and number not in coverage.content.decode()
        premium = client.get(f"{API}/premium", {"id_number": number, "insurance_year": 2024})
        assert premium.status_code == 200 and number not in premium.content.decode()
        for url in (reverse("resident_persons"), reverse("resident_person", args=[person.pk])):
            page = client.get(url).content.decode()
            assert number not in page and mask_id_number(number) in page
            assert ("13800138000" in page) == (phone == "13800138000")
    assert not AuditEntry.objects.filter(action="person_data.view", actor_id__in=[manager.pk, tax.pk]).exists()


def test_the_birth_date_is_hidden_from_roles_that_see_numbers_masked(agent, client_for):
    """Region code and last four characters are shown of a masked number; the birth date is the
    rest of it, so it is not shown either — not even through a newborn's coverage from birth."""
    born = dt.date(2024, 2, 10)
    number = number_born(born)
    enrolled(42, maker=agent, paid_on=dt.date(2024, 5, 20), kind="newborn", id_number=number, hk_id_number=number)
    person = Person.objects.get(id_number=number)
    manager = client_for(BureauManagerFactory(division=division(DONGMING)))
    answers = [manager.get(f"{API}/persons/{number}"),
               manager.get(f"{API}/coverage", {"id_number": number, "on": "2024-03-01"}),
               manager.get(reverse("resident_person", args=[person.pk]), {"on": "2024-03-01"})]
    for answer in answers:
        assert answer.status_code == 200 and born.isoformat() not in answer.content.decode()
    coverage = answers[1].json()
    assert coverage["covered"] and coverage["benefit_start"] is None and "自出生之日起" in coverage["message"]
    assert answers[0].json()["birth_date"] is None
    # a clerk who sees the number whole sees the date
    clerk = client_for(AgencyClerkFactory(division=division(DONGMING)))
    assert clerk.get(f"{API}/coverage", {"id_number": number, "on": "2024-03-01"}).json()["benefit_start"] == \
        born.isoformat()


def test_a_masked_role_cannot_search_by_some_digits_of_a_number(agent, client_for):
    enrolled(41, maker=agent)
    number = resident_number(41)
    client = client_for(BureauManagerFactory(division=division(DONGMING)))
    for fragment in (number[6:14], number[:10]):
        page = client.get(reverse("resident_persons"), {"q": fragment})
        assert list(page.context["page"].object_list) == []
        assert "不能按身份证号码的部分数字查找" in page.content.decode()
    whole = client.get(reverse("resident_persons"), {"q": number})
    assert [p.id_number for p in whole.context["page"].object_list] == [number]


# --- pages -------------------------------------------------------------------------------------------------

def test_staff_search_and_the_person_page(agent, clerk, client_for):
    enrolled(50, maker=agent, paid_on=dt.date(2023, 11, 20))
    enrolled(51, maker=agent)
    hardship(resident_number(50), "特困人员", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    client = client_for(clerk)
    by_name = client.get(reverse("resident_persons"), {"q": "居民50"})
    assert [p.name for p in by_name.context["page"].object_list] == ["居民50"]
    by_prefix = client.get(reverse("resident_persons"), {"q": resident_number(50)[:12]})
    assert resident_number(50) in [p.id_number for p in by_prefix.context["page"].object_list]
    person = Person.objects.get(id_number=resident_number(50))
    page = client.get(reverse("resident_person", args=[person.pk]), {"on": "2024-05-01", "year": "2024"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "有医保待遇" in text and "2024-01-01 至 2024-12-31" in text and "东政办字〔2023〕26号" in text
    assert "特困人员" in text and "2023-12-31" in text and "已缴费" in text
    assert page.context["premium"]["answer"].payable == 380  # the category expired before today
    unpaid = Person.objects.get(id_number=resident_number(51))
    text = client.get(reverse("resident_person", args=[unpaid.pk]), {"on": "2024-05-01"}).content.decode()
    assert "没有医保待遇" in text and "未缴费" in text
    assert client.get(reverse("resident_person", args=[987654])).status_code == 404
    # a year the notice does not configure: the engine's refusal, in place
    silent = client.get(reverse("resident_person", args=[person.pk]), {"year": "2030"})
    assert silent.status_code == 200 and "未规定" in silent.content.decode()
    assert silent.context["premium"]["answer"] is None


def test_the_person_page_is_404_outside_the_area(agent, client_for):
    enrolled(52, maker=agent)
    person = Person.objects.get(id_number=resident_number(52))
    outsider = client_for(TownshipClerkFactory(division=division("371728101")))
    assert outsider.get(reverse("resident_person", args=[person.pk])).status_code == 404


def test_the_residents_own_page_answers_whether_they_are_covered(agent, client_for, settings):
    enrolled(60, maker=agent, paid_on=dt.date(2023, 11, 20))
    me = IndividualFactory(id_number=resident_number(60), username=resident_number(60))
    client = client_for(me)
    page = client.get(reverse("resident_me"), {"on": "2024-05-01"})
    text = page.content.decode()
    assert "我是否有医保待遇" in text and "有医保待遇" in text and "待遇享受期 2024-01-01 至 2024-12-31" in text
    assert "已缴费" in text and resident_number(60) in text
    # the premium of the year being collected
    settings.YIBAO_TODAY = dt.date(2023, 10, 1)
    page = client.get(reverse("resident_me"))
    assert page.context["premium"]["answer"].insurance_year == 2024 and "380.00" in page.content.decode()


def test_the_residents_page_shows_a_problem_sent_back_with_instructions(client_for):
    number = resident_number(61)
    me = IndividualFactory(id_number=number, username=number)
    registration = services.register(form(61, hk_name="居民六一"), region=DONGMING, actor=me)
    problem = Problem.objects.get(registration=registration)
    services.send_back(problem, actor=TownshipClerkFactory(), instructions="请到派出所核对户口簿上的姓名")
    text = client_for(me).get(reverse("resident_me")).content.decode()
    assert "需要您修改的登记信息" in text and "请到派出所核对户口簿上的姓名" in text
    assert "待处理" in text  # the registration's status
    assert "没有医保待遇" in text


def test_a_resident_not_registered_is_told_so(client_for):
    text = client_for(IndividualFactory(issued_in=DONGMING)).get(reverse("resident_me")).content.decode()
    assert "您还没有城乡居民医保参保登记" in text
