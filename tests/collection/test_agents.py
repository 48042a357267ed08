"""Village agents' cash (代收) through the tax sub-bureau to township finance, for 东明 and 晋城:
the agent looks a person of their village up and collects the payable amount (judged like every
own part), numbered receipts, deposits and the village's 申报清单, the tax clerk's check against
the bank's record (declared, or returned with the difference and resubmitted), the transfer (划缴),
and every refusal (outside the village, wrong amount, empty deposit, declared or transferred
twice): each with its code, nothing written, audited."""

import datetime as dt
from decimal import Decimal

import pytest

from factories import (
    DONGMING,
    JINCHENG,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import (
    DONGMING_OTHER_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_TOWNSHIP,
    JINCHENG_VILLAGE,
    enrolled,
    hardship,
    resident_number,
)
from yibao.audit.models import AuditEntry
from yibao.collection.errors import AppError, PaymentRefused
from yibao.collection.models import Deposit, DepositStatus, Payer, Payment, ReceiptCounter
from yibao.collection.selectors import deposits as selectors
from yibao.collection.services import agents
from yibao.resident.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 11, 20)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = DAY  # in both regions' 2024 collection period


class Place:
    def __init__(self, region, village_key, township_key, county_tax):
        self.region, self.village_key, self.township_key = region, village_key, township_key
        self.agent = VillageAgentFactory(division=village(village_key))
        self.township = TownshipClerkFactory(division=division(township_key))
        self.tax = TaxClerkFactory(division=division(county_tax))
        self.people = [enrolled(n, maker=self.agent, checker=self.township, region=region, village=village_key)
                       for n in range(1, 4)]


@pytest.fixture(params=["dongming", "jincheng"])
def place(request):
    if request.param == "dongming":
        return Place(DONGMING, DONGMING_VILLAGE, DONGMING_VILLAGE[:9], DONGMING)
    return Place(JINCHENG, JINCHENG_VILLAGE, JINCHENG_TOWNSHIP, JINCHENG)


def payable(place, n=0):
    return agents.look_up(place.agent, place.people[n].id_number).payable


def test_an_agent_looks_up_collects_and_the_person_counts_as_paid(place):
    person = place.people[0]
    quote = agents.look_up(place.agent, person.id_number)
    assert quote.collectable and quote.facts.insurance_year == 2024 and quote.payable > 0
    payment = agents.collect(place.agent, person.id_number, str(quote.payable))
    assert payment.payer == Payer.AGENT and payment.part == "own" and payment.amount == quote.payable
    assert payment.paid_on == DAY and payment.division_id == place.village_key
    assert payment.receipt_number == f"{place.village_key}-2024-000001"
    assert Enrolment.objects.get(pk=person.pk).status == EnrolmentStatus.PAID
    assert AuditEntry.objects.filter(action="collection.agent.collect", object_id=str(payment.pk)).exists()
    # the next collection of the village takes the next number; the counter is per village and year
    second = agents.collect(place.agent, place.people[1].id_number, str(quote.payable))
    assert second.receipt_number.endswith("-2024-000002")
    assert ReceiptCounter.objects.get(division_id=place.village_key, insurance_year=2024).last == 2
    # and the person looked up again is already paid
    again = agents.look_up(place.agent, person.id_number)
    assert not again.collectable and again.refusal.code == "already_paid"


def test_the_payable_amount_follows_the_hardship_categories_of_the_day():
    p = Place(DONGMING, DONGMING_VILLAGE, DONGMING_VILLAGE[:9], DONGMING)
    ordinary = agents.look_up(p.agent, p.people[0].id_number)
    hardship(p.people[1].id_number, "低保对象", dt.date(2023, 1, 1))
    poor = agents.look_up(p.agent, p.people[1].id_number)
    assert poor.categories == ["低保对象"] and poor.premium.subsidy > 0
    assert poor.payable == ordinary.payable - poor.premium.subsidy
    payment = agents.collect(p.agent, p.people[1].id_number, str(poor.payable))
    assert payment.category == "低保对象" and payment.subsidy == poor.premium.subsidy
    # the ordinary amount from a subsidised person is a wrong amount
    hardship(p.people[2].id_number, "低保对象", dt.date(2023, 1, 1))
    with pytest.raises(PaymentRefused) as refused:
        agents.collect(p.agent, p.people[2].id_number, str(ordinary.payable))
    assert refused.value.code == "amount_mismatch"


def test_a_collection_may_be_dated_earlier_but_not_in_the_future(place):
    earlier = agents.collect(place.agent, place.people[0].id_number, str(payable(place)),
                             collected_on="2023-11-10")
    assert earlier.paid_on == dt.date(2023, 11, 10)
    with pytest.raises(PaymentRefused) as refused:
        agents.collect(place.agent, place.people[1].id_number, str(payable(place)), collected_on="2023-11-21")
    assert refused.value.code == "invalid_input"
    assert Payment.objects.count() == 1


def test_outside_the_collection_period_the_engine_refuses(place, settings):
    settings.YIBAO_TODAY = dt.date(2024, 1, 15)
    with pytest.raises(PaymentRefused) as refused:
        agents.collect(place.agent, place.people[0].id_number, str(payable(place)))
    # 东明 is silent on ordinary residents after the period; 晋城 ends on 12-25: both refuse
    assert refused.value.code in ("not_configured", "outside_window")
    if refused.value.code == "not_configured":
        assert refused.value.missing
    assert not Payment.objects.exists()
    # cash collected in the period is recorded afterwards with its own day
    quote = agents.look_up(place.agent, place.people[0].id_number, on="2023-11-20")
    assert quote.collectable and quote.on == DAY
    payment = agents.collect(place.agent, place.people[0].id_number, str(quote.payable), collected_on="2023-11-20")
    assert payment.paid_on == DAY
    with pytest.raises(AppError) as future:
        agents.look_up(place.agent, place.people[1].id_number, on="2024-01-16")
    assert future.value.code == "invalid_input"


def test_an_agent_acts_only_in_their_own_village(place):
    outsider = VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE))
    number = place.people[0].id_number
    for action in (lambda: agents.look_up(outsider, number),
                   lambda: agents.collect(outsider, number, "380.00")):
        with pytest.raises(PaymentRefused) as refused:
            action()
        assert refused.value.code == "outside_village"
        assert number not in refused.value.message and number[-4:] not in refused.value.message
    # a number nobody holds is refused alike (the agent is not told whether someone exists elsewhere)
    with pytest.raises(PaymentRefused) as unknown:
        agents.collect(outsider, resident_number(99), "380.00")
    assert unknown.value.code == "outside_village"
    assert not Payment.objects.exists() and Enrolment.objects.get(pk=place.people[0].pk).status == "registered"
    refusals = AuditEntry.objects.filter(action__in=["collection.agent.look_up_refuse",
                                                     "collection.agent.collect_refuse"], actor_id=outsider.pk)
    assert refusals.count() == 3 and all(e.after["code"] == "outside_village" for e in refusals)


def test_a_wrong_amount_is_refused_and_nothing_written(place):
    amount = payable(place)
    for wrong in (amount - 1, amount + Decimal("0.01")):
        with pytest.raises(PaymentRefused) as refused:
            agents.collect(place.agent, place.people[0].id_number, str(wrong))
        assert refused.value.code == "amount_mismatch" and str(amount) in refused.value.message
    for bad, code in (("0", "invalid_amount"), ("-380", "invalid_amount"), ("三百", "invalid_amount")):
        with pytest.raises(PaymentRefused) as refused:
            agents.collect(place.agent, place.people[0].id_number, bad)
        assert refused.value.code == code
    assert not Payment.objects.exists() and not ReceiptCounter.objects.filter(last__gt=0).exists()
    assert AuditEntry.objects.filter(action="collection.agent.collect_refuse").count() == 5


def test_a_person_is_collected_once(place):
    agents.collect(place.agent, place.people[0].id_number, str(payable(place)))
    with pytest.raises(PaymentRefused) as refused:
        agents.collect(place.agent, place.people[0].id_number, str(payable(place, 1)))
    assert refused.value.code == "already_paid"
    assert Payment.objects.count() == 1


def _collect_all(place, n=2):
    return [agents.collect(place.agent, p.id_number, str(payable(place, i))) for i, p in enumerate(place.people[:n])]


def _deposit(place, **extra):
    values = {"deposited_on": DAY, "bank_reference": "HD20231120001"}
    values.update(extra)
    return agents.deposit(place.agent, **values)


def test_the_whole_chain_collect_deposit_submit_declare_transfer(place, settings):
    collected = _collect_all(place)
    d = _deposit(place)
    assert d.status == DepositStatus.OPEN and d.people == 2 and d.amount == sum(p.amount for p in collected)
    assert d.township_id == place.township_key and d.number == f"{place.village_key}-2024-J001"
    assert set(selectors.lines_of(d).values_list("pk", flat=True)) == {p.pk for p in collected}
    assert not agents.undeposited(place.agent.division).exists()
    d = agents.submit(place.agent, d)
    assert d.status == DepositStatus.SUBMITTED and d.submitted_at
    settings.YIBAO_TODAY = DAY + dt.timedelta(days=2)
    d = agents.check(place.tax, d, bank_amount=str(d.amount), bank_date=DAY, bank_reference="HD20231120001")
    assert d.status == DepositStatus.DECLARED and d.declared_at and d.checked_by_id == place.tax.pk
    (d,) = agents.transfer(place.township, [d], transferred_on=DAY + dt.timedelta(days=2), reference="HJ-001")
    assert d.status == DepositStatus.TRANSFERRED and d.transfer_reference == "HJ-001"
    actions = set(AuditEntry.objects.filter(object_type="deposit", object_id=str(d.pk)).values_list("action", flat=True))
    assert actions == {"collection.deposit.create", "collection.deposit.submit", "collection.deposit.declare",
                       "collection.deposit.transfer"}
    # the township sees where the village's money is
    (row,) = [r for r in selectors.village_money(place.township, 2024) if r.village.key == place.village_key]
    assert row.collected.people == 2 and row.transferred.amount == d.amount and row.undeposited.people == 0
    assert row.where == "已全部划缴"


def test_submitting_an_empty_deposit_is_refused(place):
    with pytest.raises(AppError) as refused:
        _deposit(place)
    assert refused.value.code == "empty_deposit"
    (collected,) = _collect_all(place, 1)
    d = _deposit(place)
    # taking the only collection out leaves an empty deposit: refused, nothing changed
    with pytest.raises(AppError) as emptied:
        agents.correct(place.agent, d, remove=[collected.pk])
    assert emptied.value.code == "empty_deposit"
    assert Payment.objects.get(pk=collected.pk).deposit_id == d.pk
    assert not Deposit.objects.exclude(pk=d.pk).exists()
    assert AuditEntry.objects.filter(action__in=["collection.deposit.create_refuse",
                                                 "collection.deposit.correct_refuse"]).count() == 2


def test_a_returned_list_is_corrected_and_resubmitted(place):
    collected = _collect_all(place, 3)
    d = agents.submit(place.agent, _deposit(place, payment_ids=[p.pk for p in collected[:2]]))
    # the bank received the third person's cash too, and on another day
    bank_amount = sum(p.amount for p in collected)
    d = agents.check(place.tax, d, bank_amount=str(bank_amount), bank_date=DAY, bank_reference="HD20231120001")
    assert d.status == DepositStatus.RETURNED
    assert "金额" in d.note and f"{bank_amount:.2f}" in d.note and f"{collected[2].amount:+.2f}" in d.note
    # submitted again without a change, the check finds the same difference; the agent corrects it
    with pytest.raises(AppError) as declared_early:
        agents.check(place.tax, d, bank_amount=str(bank_amount), bank_date=DAY, bank_reference="HD20231120001")
    assert declared_early.value.code == "not_submitted"
    d = agents.correct(place.agent, d, add=[collected[2].pk])
    assert d.amount == bank_amount and d.people == 3
    d = agents.submit(place.agent, d)
    d = agents.check(place.tax, d, bank_amount=str(bank_amount), bank_date=DAY, bank_reference="HD20231120001")
    assert d.status == DepositStatus.DECLARED and d.note == ""
    assert AuditEntry.objects.filter(action="collection.deposit.return", object_id=str(d.pk)).exists()


def test_a_wrong_reference_or_date_is_returned_with_the_difference(place, settings):
    _collect_all(place, 1)
    settings.YIBAO_TODAY = DAY + dt.timedelta(days=3)
    d = agents.submit(place.agent, _deposit(place))
    later = DAY + dt.timedelta(days=1)
    d = agents.check(place.tax, d, bank_amount=str(d.amount), bank_date=later, bank_reference="HD20231120009")
    assert d.status == DepositStatus.RETURNED
    assert "缴存日期" in d.note and "银行回单号" in d.note and "HD20231120009" in d.note
    d = agents.correct(place.agent, d, deposited_on=later, bank_reference="HD20231120009")
    d = agents.check(place.tax, agents.submit(place.agent, d), bank_amount=str(d.amount), bank_date=later,
                     bank_reference="HD20231120009")
    assert d.status == DepositStatus.DECLARED


def test_declaring_twice_is_refused(place):
    _collect_all(place, 1)
    d = agents.submit(place.agent, _deposit(place))
    d = agents.check(place.tax, d, bank_amount=str(d.amount), bank_date=DAY, bank_reference="HD20231120001")
    for attempt in (lambda: agents.check(place.tax, d, bank_amount=str(d.amount), bank_date=DAY,
                                         bank_reference="HD20231120001"),
                    lambda: agents.submit(place.agent, d),
                    lambda: agents.correct(place.agent, d, bank_reference="X")):
        with pytest.raises(AppError) as refused:
            attempt()
        assert refused.value.code in ("already_declared", "deposit_not_editable")
    assert Deposit.objects.get(pk=d.pk).status == DepositStatus.DECLARED
    assert AuditEntry.objects.filter(action="collection.deposit.check_refuse", object_id=str(d.pk)).get() \
        .after["code"] == "already_declared"


def test_transferring_twice_is_refused_and_only_declared_lists_are_transferred(place):
    _collect_all(place, 2)
    first = agents.submit(place.agent, _deposit(place, payment_ids=[Payment.objects.order_by("pk").first().pk]))
    second = agents.submit(place.agent, _deposit(place))
    with pytest.raises(AppError) as early:
        agents.transfer(place.township, [first], transferred_on=DAY, reference="HJ-1")
    assert early.value.code == "not_declared"
    first = agents.check(place.tax, first, bank_amount=str(first.amount), bank_date=DAY,
                         bank_reference="HD20231120001")
    agents.transfer(place.township, [first], transferred_on=DAY, reference="HJ-1")
    with pytest.raises(AppError) as twice:
        agents.transfer(place.township, [first], transferred_on=DAY, reference="HJ-2")
    assert twice.value.code == "already_transferred"
    # a batch with one already transferred records nothing
    second = agents.check(place.tax, second, bank_amount=str(second.amount), bank_date=DAY,
                          bank_reference="HD20231120001")
    with pytest.raises(AppError):
        agents.transfer(place.township, [second, first], transferred_on=DAY, reference="HJ-3")
    assert Deposit.objects.get(pk=second.pk).status == DepositStatus.DECLARED
    assert Deposit.objects.get(pk=first.pk).transfer_reference == "HJ-1"
    assert AuditEntry.objects.filter(action="collection.deposit.transfer_refuse").count() == 3


def test_an_agent_cannot_deposit_or_submit_another_villages_collections(place):
    (collected,) = _collect_all(place, 1)
    d = _deposit(place)
    outsider = VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE))
    with pytest.raises(AppError) as refused:
        agents.submit(outsider, d)
    assert refused.value.code == "outside_village"
    with pytest.raises(AppError) as refused:
        agents.deposit(outsider, deposited_on=DAY, bank_reference="X1", payment_ids=[collected.pk])
    assert refused.value.code in ("outside_village", "already_deposited")
    assert Deposit.objects.count() == 1


def test_a_deposit_is_not_dated_before_its_collections_or_in_the_future(place):
    agents.collect(place.agent, place.people[0].id_number, str(payable(place)))
    for day in (DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)):
        with pytest.raises(AppError) as refused:
            _deposit(place, deposited_on=day)
        assert refused.value.code == "invalid_input"
    assert not Deposit.objects.exists()


def test_the_village_table_shows_each_step(place):
    collected = _collect_all(place, 3)
    d1 = agents.submit(place.agent, _deposit(place, payment_ids=[collected[0].pk]))
    agents.check(place.tax, d1, bank_amount=str(d1.amount), bank_date=DAY, bank_reference="HD20231120001")
    _deposit(place, payment_ids=[collected[1].pk])
    rows = [r for r in selectors.village_money(place.township, 2024) if r.village.key == place.village_key]
    (row,) = rows
    assert (row.collected.people, row.undeposited.people, row.deposited.people, row.declared.people,
            row.transferred.people) == (3, 1, 1, 1, 0)
    assert "有代收款待缴存" in row.where and "已申报待划缴" in row.where
    # the agent's table is their own village; another village of the township shows nothing collected
    mine = selectors.village_money(place.agent, 2024)
    assert [r.village.key for r in mine] == [place.village_key]
