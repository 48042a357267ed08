"""资助参保: the agency clerk generates the medical-assistance fund's payments of a region and year
as a job (idempotent: a rerun writes nothing new), the amounts from the engine per set of hardship
categories (资助不叠加, 晋城's exclusions, a category the notice gives no standard for left out with
the engine's code), a person whose own part is 0 made paid, the ledger per category and township
adding up, the statement as a page and as xlsx (masked for roles that see numbers masked), in the
pages, the API and the command line, for 东明 and 晋城."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    BureauManagerFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import DONGMING_VILLAGE, JINCHENG_VILLAGE, enrolled, hardship, resident_number
from yibao.audit.models import AuditEntry
from yibao.cli import main
from yibao.collection.models import Part, Payer, Payment
from yibao.collection.services import fund
from yibao.errors import AppError
from yibao.jobs.models import Job, JobStatus
from yibao.resident import selectors
from yibao.resident.models import Enrolment, EnrolmentStatus

from .factories import bearer, channel

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 11, 20)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = ON


@pytest.fixture
def dongming_clerk():
    return AgencyClerkFactory(division=division(DONGMING))


@pytest.fixture
def jincheng_clerk():
    return AgencyClerkFactory(division=division(JINCHENG))


def dongming_people(categories: dict[int, list[str]], count: int = 5, paid: set[int] = frozenset()):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    out = {}
    for n in range(1, count + 1):
        out[n] = enrolled(n, maker=agent, paid_on=ON if n in paid else None)
        for category in categories.get(n, []):
            hardship(resident_number(n), category, dt.date(2023, 1, 1))
    return out


def jincheng_people(categories: dict[int, list[str]], count: int):
    maker = VillageAgentFactory(division=village(JINCHENG_VILLAGE))
    checker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    out = {}
    for n in range(1, count + 1):
        out[n] = enrolled(n, maker=maker, checker=checker, region=JINCHENG, village=JINCHENG_VILLAGE)
        for category in categories.get(n, []):
            hardship(resident_number(n, JINCHENG), category, dt.date(2023, 1, 1), region=JINCHENG)
    return out


def fund_payments(region=DONGMING):
    return {p.enrolment_id: p for p in Payment.objects.filter(region_id=region, payer=Payer.FUND)}


def test_dongming_fund_payments_are_generated_once_from_the_engines_subsidies(dongming_clerk):
    people = dongming_people({1: ["特困人员"], 2: ["低保对象"], 3: ["低保对象", "返贫致贫人口"], 4: []})
    hardship(resident_number(5), "低保对象", dt.date(2022, 1, 1), dt.date(2023, 6, 30))  # expired before the day
    job = fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    assert job.status == JobStatus.DONE, job.message
    assert (job.done, job.total) == (3, 3)
    assert job.result["created"] == 3 and job.result["amount"] == "608.00" and job.result["paid_now"] == 1
    paid = fund_payments()
    assert set(paid) == {people[1].pk, people[2].pk, people[3].pk}
    full, dibao, both = paid[people[1].pk], paid[people[2].pk], paid[people[3].pk]
    assert (full.amount, full.category, full.payable, full.part) == (Decimal("380.00"), "特困人员", 0, Part.FUND)
    assert (dibao.amount, dibao.category, dibao.payable) == (Decimal("114.00"), "低保对象", Decimal("266.00"))
    assert both.amount == Decimal("114.00") and both.category in ("低保对象", "返贫致贫人口")  # not added up
    assert full.paid_on == ON and full.actor_id == dongming_clerk.pk
    # the person whose own part is 0 is paid; the others still owe theirs
    statuses = dict(Enrolment.objects.filter(pk__in=[p.pk for p in people.values()]).values_list("pk", "status"))
    assert statuses[people[1].pk] == EnrolmentStatus.PAID
    assert Enrolment.objects.get(pk=people[1].pk).paid_on == ON
    assert statuses[people[2].pk] == statuses[people[3].pk] == EnrolmentStatus.REGISTERED
    covered = selectors.coverage_for(dongming_clerk, resident_number(1), dt.date(2024, 3, 1)).coverage
    assert (covered.covered, covered.benefit_start) == (True, dt.date(2024, 1, 1))
    assert selectors.coverage_for(dongming_clerk, resident_number(2), dt.date(2024, 3, 1)).coverage.reason == "not_paid"
    entry = AuditEntry.objects.get(action="collection.fund.generate")
    assert entry.after["payments"] == 3 and entry.after["by_category"]["特困人员"] == {"people": 1, "amount": "380.00"}
    assert entry.actor_id == dongming_clerk.pk

    again = fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    assert again.status == JobStatus.DONE
    assert again.result["created"] == 0 and again.result["existing"] == 3
    assert Payment.objects.filter(payer=Payer.FUND).count() == 3
    assert AuditEntry.objects.filter(action="collection.fund.generate").count() == 1


def test_the_own_part_of_a_subsidised_person_pays_the_rest(client, dongming_clerk):
    people = dongming_people({2: ["低保对象"]}, count=2)
    fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    _, token = channel()
    body = {"transaction_id": "F-1", "id_number": people[2].id_number, "region": DONGMING, "insurance_year": 2024,
            "amount": "266.00", "paid_at": "2023-11-20T10:00:00+08:00"}
    answer = client.post("/api/v1/collection/payments", json.dumps(body), content_type="application/json",
                         **bearer(token))
    assert answer.status_code == 201, answer.content
    parts = Payment.objects.filter(enrolment=people[2]).order_by("part")
    assert [(p.part, p.amount) for p in parts] == [("fund", Decimal("114.00")), ("own", Decimal("266.00"))]
    assert sum(p.amount for p in parts) == parts[0].standard


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_an_own_part_paid_in_full_before_the_category_is_left_for_a_clerk(dongming_clerk):
    people = dongming_people({}, count=2)
    Payment.objects.create(region_id=DONGMING, insurance_year=2024, enrolment=people[1], id_number=people[1].id_number,
                           name="居民1", division_id=DONGMING_VILLAGE, payer=Payer.CHANNEL, amount=380, standard=380,
                           subsidy=0, payable=380, paid_at=dt.datetime(2023, 10, 1, tzinfo=dt.UTC),
                           paid_on=dt.date(2023, 10, 1))
    hardship(resident_number(1), "低保对象", dt.date(2023, 11, 1))
    job = fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    assert job.result["created"] == 0
    assert job.result["skipped"] == [{"reason": "own_part_differs", "categories": "低保对象", "people": 1,
                                      "message": job.result["skipped"][0]["message"], "missing": []}]
    assert not fund_payments()


def test_jincheng_subsidies_exclusions_and_a_category_without_a_standard(jincheng_clerk):
    people = jincheng_people({1: ["易返贫致贫人口"], 2: ["返贫致贫人口"], 3: ["易返贫致贫人口", "低保对象"],
                              4: ["重度残疾人"], 5: ["特困人员", "重度残疾人"], 6: ["重度残疾人"]}, count=7)
    job = fund.start_generation(JINCHENG, 2024, actor=jincheng_clerk, in_process=True)
    assert job.status == JobStatus.DONE
    paid = fund_payments(JINCHENG)
    amounts = {n: (paid[people[n].pk].amount, paid[people[n].pk].category) for n in (1, 2, 3, 5)}
    assert amounts == {1: (Decimal("280.00"), "易返贫致贫人口"), 2: (Decimal("342.00"), "返贫致贫人口"),
                       3: (Decimal("304.00"), "低保对象"), 5: (Decimal("380.00"), "特困人员")}
    assert people[4].pk not in paid and people[6].pk not in paid
    [skipped] = job.result["skipped"]
    assert (skipped["reason"], skipped["categories"], skipped["people"]) == ("not_configured", "重度残疾人", 2)
    assert skipped["missing"] and "重度残疾人" in job.message
    assert Enrolment.objects.get(pk=people[5].pk).status == EnrolmentStatus.PAID


def test_the_ledger_adds_up_and_the_statement_lists_every_payment(client_for, dongming_clerk):
    dongming_people({1: ["特困人员"], 2: ["低保对象"], 3: ["低保对象"], 4: ["返贫致贫人口"]})
    fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    client = client_for(dongming_clerk)
    answer = client.get("/api/v1/collection/fund/ledger", {"region": DONGMING, "insurance_year": 2024})
    assert answer.status_code == 200, answer.content
    ledger = answer.json()
    rows = {r["label"]: (r["people"], r["amount"]) for r in ledger["by_category"]}
    assert rows == {"特困人员": (1, "380.00"), "低保对象": (2, "228.00"), "返贫致贫人口": (1, "114.00")}
    assert (ledger["people"], ledger["amount"]) == (4, "722.00")
    assert sum(Decimal(r["amount"]) for r in ledger["by_township"]) == Decimal(ledger["amount"])
    assert ledger["by_township"][0]["label"] == "城关街道"
    assert Decimal(ledger["amount"]) == sum(p.amount for p in Payment.objects.filter(payer=Payer.FUND))

    page = client.get(reverse("collection_fund"), {"region": DONGMING, "year": 2024})
    assert page.status_code == 200 and "722.00" in page.content.decode()
    statement = client.get(reverse("collection_fund_statement"), {"region": DONGMING, "year": 2024}).content.decode()
    assert resident_number(1) in statement and "特困人员" in statement

    file = client.get("/api/v1/collection/fund/statement", {"region": DONGMING, "insurance_year": 2024})
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(file.content))
    summary, detail = book.get_sheet_by_name("汇总").to_python(), book.get_sheet_by_name("明细").to_python()
    assert ["合计", 4, 0, 722.0] in [row[:4] for row in summary]
    assert len(detail) == 5 and sum(row[7] for row in detail[1:]) == 722.0
    assert {row[4] for row in detail[1:]} == {resident_number(n) for n in range(1, 5)}
    assert AuditEntry.objects.filter(action="person_data.view", object_type="fund_statement").exists()


def test_a_bureau_manager_reads_the_ledger_with_numbers_masked_and_cannot_generate(client_for, dongming_clerk):
    dongming_people({1: ["特困人员"]}, count=1)
    fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    client = client_for(BureauManagerFactory(division=division(DONGMING)))
    statement = client.get(reverse("collection_fund_statement"), {"region": DONGMING, "year": 2024}).content.decode()
    assert "特困人员" in statement and resident_number(1) not in statement and resident_number(1)[:6] in statement
    file = client.get(reverse("collection_fund_statement_file"), {"region": DONGMING, "year": 2024})
    detail = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_name("明细").to_python()
    assert detail[1][4] != resident_number(1) and "*" in detail[1][4]
    assert client.post(reverse("collection_fund_generate"), {"region": DONGMING, "insurance_year": "2024"}).status_code == 403
    answer = client.post("/api/v1/collection/fund/generate", json.dumps({"region": DONGMING, "insurance_year": 2024}),
                         content_type="application/json")
    assert answer.status_code == 403
    assert client_for(TownshipClerkFactory()).get(reverse("collection_fund")).status_code == 403


def test_the_page_starts_the_job_and_shows_its_outcome(client_for, dongming_clerk):
    dongming_people({1: ["特困人员"]}, count=1)
    client = client_for(dongming_clerk)
    answer = client.post(reverse("collection_fund_generate"), {"region": DONGMING, "insurance_year": "2024",
                                                               "on": "2023-11-20"})
    assert answer.status_code == 302
    job = Job.objects.get()
    assert answer["Location"] == reverse("job", args=[job.id])
    assert job.status == JobStatus.DONE and "新记录医疗救助基金资助 1 笔 380.00 元" in job.message
    # a day in the future, a region outside the clerk's area: refused before any job
    refused = client.post(reverse("collection_fund_generate"), {"region": DONGMING, "insurance_year": "2024",
                                                                "on": "2023-11-21"}, follow=True)
    assert "晚于今天" in refused.content.decode()
    refused = client.post(reverse("collection_fund_generate"), {"region": JINCHENG, "insurance_year": "2024"},
                          follow=True)
    assert "不在您负责的区域内" in refused.content.decode()
    assert Job.objects.count() == 1
    assert client.get(reverse("collection_fund"), {"region": JINCHENG}).status_code == 404


def test_the_api_answers_202_with_the_job_and_refuses_a_year_without_a_policy(client_for, jincheng_clerk):
    jincheng_people({1: ["低保对象"]}, count=1)
    client = client_for(jincheng_clerk)
    answer = client.post("/api/v1/collection/fund/generate",
                         json.dumps({"region": JINCHENG, "insurance_year": 2024}), content_type="application/json")
    assert answer.status_code == 202, answer.content
    job = client.get(answer.json()["url"]).json()
    assert job["status"] == "done" and job["result"]["created"] == 1
    assert job["result"]["by_category"] == {"低保对象": {"people": 1, "amount": "304.00"}}
    refused = client.post("/api/v1/collection/fund/generate",
                          json.dumps({"region": JINCHENG, "insurance_year": 2031}), content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_configured" and refused.json()["missing"]
    missing = client.get("/api/v1/collection/fund/ledger", {"region": DONGMING, "insurance_year": 2024})
    assert missing.status_code == 404


def test_the_command_line_generates_prints_the_ledger_and_writes_the_statement(dongming_clerk, tmp_path, capsys):
    dongming_people({1: ["特困人员"], 2: ["低保对象"]}, count=2)
    base = ["collection", "--as", dongming_clerk.username]
    assert main([*base, "fund-generate", "--region", DONGMING, "--year", "2024"]) == 0
    assert "新记录医疗救助基金资助 2 笔 494.00 元" in capsys.readouterr().out
    assert main([*base, "fund-ledger", "--region", DONGMING, "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "特困人员\t1\t0\t380.00" in out and "合计\t2\t0\t494.00" in out
    target = tmp_path / "fund.xlsx"
    assert main([*base, "fund-statement", "--region", DONGMING, "--year", "2024", "--out", str(target)]) == 0
    assert CalamineWorkbook.from_path(str(target)).get_sheet_by_name("明细").to_python()[1][5] in ("特困人员", "低保对象")
    township = TownshipClerkFactory()
    assert main(["collection", "--as", township.username, "fund-generate", "--region", DONGMING, "--year", "2024"]) == 2
    assert main([*base, "fund-generate", "--region", JINCHENG, "--year", "2024"]) == 2
    assert "不在您负责的区域内" in capsys.readouterr().err


def test_generation_is_refused_for_an_unknown_region_or_one_without_the_resident_scheme(dongming_clerk):
    admin_like = AgencyClerkFactory(division=division("370700"))
    with pytest.raises(AppError) as unknown:
        fund.start_generation("999999", 2024, actor=dongming_clerk)
    assert unknown.value.code == "region_unknown"
    with pytest.raises(AppError) as other:
        fund.start_generation("370700", 2024, actor=admin_like)
    assert other.value.code == "region_not_resident"


def test_only_a_clerk_whose_area_holds_the_whole_region_generates_for_it(dongming_clerk):
    """The fund's payments are generated for a whole pooling region at once: a clerk of one
    township (or any division below the region) reaches only part of it and is refused."""
    dongming_people({1: ["特困人员"]}, count=1)
    for below in (TownshipClerkFactory(division=division(DONGMING_VILLAGE[:9])),
                  AgencyClerkFactory(division=division(DONGMING_VILLAGE[:9]))):
        with pytest.raises(AppError) as refused:
            fund.start_generation(DONGMING, 2024, actor=below, in_process=True)
        assert refused.value.code == "outside_area" and "东明县" in str(refused.value)
    assert not fund_payments()
    job = fund.start_generation(DONGMING, 2024, actor=dongming_clerk, in_process=True)
    assert job.status == "done" and len(fund_payments()) == 1
