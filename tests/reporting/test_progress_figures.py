"""The collection progress figures against an independent count over the same data: a season in
晋城 (enrolments in every state, payments of every payer with categories and refunds), every
figure of every row at each level, drill-downs, a past day (``as_of``) and the change over the
last week compared with a plain Python count over the rows the factories wrote; and each reader
sees only the divisions wholly in their scope."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from factories import JINCHENG, BureauManagerFactory, TownshipClerkFactory, VillageAgentFactory, division
from yibao.collection.models import Part, Payer, Payment
from yibao.errors import AppError, NotFound
from yibao.regions.models import Division, EnrolmentTarget
from yibao.reporting import selectors

from . import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 12, 31)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = TODAY


@pytest.fixture
def season():
    from collection.factories import channel

    made = [channel("微信", region=JINCHENG)[0], channel("建设银行", region=JINCHENG)[0]]
    return f.season(people=120, channels=made)


def end_of(day):
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def count(season, as_of=None) -> dict[str, dict]:
    """The plain count, per village: every figure from the rows in Python."""
    day = as_of or TODAY
    end = end_of(day)
    out = defaultdict(lambda: {"registered": 0, "paid": 0, "paid_week_before": 0, "subsidised": 0,
                               "individual": Decimal("0"), "fund": Decimal("0"), "family": Decimal("0"),
                               "categories": defaultdict(set)})
    payments = list(Payment.objects.all())

    def paid_at(e, moment_day):
        moment = end_of(moment_day)
        return e.paid_on is not None and e.paid_on <= moment_day and (
            e.status == "paid" or (e.status == "refunded" and e.status_changed_at >= moment))

    for e in season.enrolments:
        v = out[e.division_id]
        if e.created_at < end and (e.status in ("registered", "paid") or (
                e.status in ("refunded", "cancelled") and e.status_changed_at >= end)):
            v["registered"] += 1
        if paid_at(e, day):
            v["paid"] += 1
            for p in payments:
                if p.enrolment_id == e.pk and p.category and p.refund_of_id is None and p.paid_on <= day:
                    v["categories"][p.category].add(e.pk)
        if paid_at(e, day - dt.timedelta(days=7)):
            v["paid_week_before"] += 1
    for p in payments:
        if p.paid_on > day:
            continue
        v = out[p.division_id]
        if p.part == Part.FUND:
            v["fund"] += p.amount
        elif p.payer == Payer.FAMILY:
            v["family"] += p.amount
        else:
            v["individual"] += p.amount
    for v in out.values():
        v["subsidised"] = len(set().union(*v["categories"].values())) if v["categories"] else 0
    return out


def expected_rows(season, keys, as_of=None) -> dict[str, dict]:
    """The plain count added up into the divisions ``keys`` by their paths."""
    per_village = count(season, as_of)
    paths = dict(Division.objects.values_list("key", "path"))
    rows = {}
    for key in keys:
        row = {"registered": 0, "paid": 0, "paid_week_before": 0, "subsidised": 0, "individual": Decimal("0"),
               "fund": Decimal("0"), "family": Decimal("0"), "categories": defaultdict(int)}
        for village, v in per_village.items():
            if paths[village].startswith(paths[key]):
                for k in ("registered", "paid", "paid_week_before", "subsidised", "individual", "fund", "family"):
                    row[k] += v[k]
                for c, people in v["categories"].items():
                    row["categories"][c] += len(people)
        rows[key] = row
    return rows


def assert_rows_match(report, expected):
    assert [r.key for r in report.rows] == sorted(expected, key=lambda k: report_code(k))
    targets = dict(EnrolmentTarget.objects.filter(year=2024).values_list("division_id", "target"))
    for r in report.rows:
        e = expected[r.key]
        got = (r.registered, r.paid, r.paid_week_before, r.subsidised, r.amount_individual, r.amount_fund,
               r.amount_family, r.by_category)
        want = (e["registered"], e["paid"], e["paid_week_before"], e["subsidised"], e["individual"], e["fund"],
                e["family"], dict(e["categories"]))
        assert got == want, r.name
        assert r.target == targets.get(r.key)
        if r.target:
            assert r.completion == (Decimal(r.paid) / Decimal(r.target)).quantize(Decimal("0.0001"))
        else:
            assert r.completion is None
        assert r.paid_change == e["paid"] - e["paid_week_before"]
    t = report.total
    assert t.paid == sum(e["paid"] for e in expected.values())
    assert t.registered == sum(e["registered"] for e in expected.values())
    assert t.amount_total == sum(e["individual"] + e["fund"] + e["family"] for e in expected.values())


def report_code(key):
    return Division.objects.get(key=key).code or key


def test_the_figures_match_a_plain_count_at_every_level(season):
    manager = BureauManagerFactory(division=division(JINCHENG))
    places = f.jincheng_places()
    all_villages = [v.key for vs in places.values() for v in vs]
    # the data is not trivial: every payer, refunds, categories, several states
    assert {p.payer for p in season.payments} == {"channel", "agent", "fund", "family"}
    assert any(p.refund_of_id for p in season.payments)
    assert {e.status for e in season.enrolments} == {"registered", "paid", "refunded", "cancelled"}

    counties = list(Division.objects.filter(parent_id=JINCHENG, level="county").values_list("key", flat=True))
    report = selectors.progress(manager, JINCHENG, 2024, "county")
    assert_rows_match(report, expected_rows(season, counties))
    assert report.villages is None   # the whole city: one statement per figure, no list of villages
    city = {r.key: r for r in report.rows}
    assert city["140502"].target == 190670 and city["140502"].paid > 0

    townships = list(Division.objects.filter(parent_id="140502", level="township").values_list("key", flat=True))
    drill = selectors.progress(manager, JINCHENG, 2024, "township", parent="140502")
    assert_rows_match(drill, expected_rows(season, townships))
    assert all(r.target is None and r.completion is None for r in drill.rows)

    township = next(iter(places))
    villages = list(Division.objects.filter(parent_id=township, level="village").values_list("key", flat=True))
    drill = selectors.progress(manager, JINCHENG, 2024, "village", parent=township)
    assert_rows_match(drill, expected_rows(season, villages))
    assert sum(r.paid for r in drill.rows) > 0

    # every village of the city at once adds up to the city
    every = selectors.progress(manager, JINCHENG, 2024, "village")
    assert every.total.paid == report.total.paid and every.total.amount_total == report.total.amount_total
    assert {r.key for r in every.rows if r.registered} <= set(all_villages)


def test_a_past_day_gives_the_figures_as_they_stood_then(season):
    manager = BureauManagerFactory(division=division(JINCHENG))
    day = dt.date(2023, 10, 20)
    counties = list(Division.objects.filter(parent_id=JINCHENG, level="county").values_list("key", flat=True))
    then = selectors.progress(manager, JINCHENG, 2024, "county", as_of=day)
    assert then.as_of == day
    assert_rows_match(then, expected_rows(season, counties, as_of=day))
    now = selectors.progress(manager, JINCHENG, 2024, "county")
    assert 0 < then.total.paid < now.total.paid
    # a refund after the day leaves that day's figures as they were
    refunded = [e for e in season.enrolments if e.status == "refunded" and e.paid_on <= day
                and e.status_changed_at >= end_of(day)]
    assert refunded, "the season should hold a person paid before the day and refunded after it"


def test_the_daily_payments_and_the_channel_mix_add_up(season):
    manager = BureauManagerFactory(division=division(JINCHENG))
    report = selectors.progress(manager, JINCHENG, 2024, "county")
    daily = selectors.daily(report)
    payments = list(Payment.objects.all())
    assert sum(d["amount"] for d in daily) == sum(p.amount for p in payments)
    assert sum(d["payments"] for d in daily) == sum(1 for p in payments if p.refund_of_id is None)
    days = [d["day"] for d in daily]
    assert days == sorted(days) and len(days) == len(set(days))
    # the engine's collection period of 2024 is on the axis, days without payments included
    assert any(d["payments"] == 0 for d in daily)
    mix = selectors.channel_mix(report)
    assert sum(m["amount"] for m in mix) == report.total.amount_total
    by_payer = defaultdict(Decimal)
    for p in payments:
        by_payer[p.payer] += p.amount
    for payer, amount in by_payer.items():
        assert sum(m["amount"] for m in mix if m["payer"] == payer) == amount
    assert {m["channel"] for m in mix if m["payer"] == "channel"} == {"微信", "建设银行"}


def test_each_reader_sees_only_the_divisions_wholly_in_their_scope(season):
    places = f.jincheng_places()
    township = next(iter(places))
    clerk = TownshipClerkFactory(division=division(township))
    # the county is not wholly theirs: no county row
    assert selectors.progress(clerk, JINCHENG, 2024, "county").rows == []
    rows = selectors.progress(clerk, JINCHENG, 2024, "township").rows
    assert [r.key for r in rows] == [township]
    assert_rows_match(selectors.progress(clerk, JINCHENG, 2024, "township"), expected_rows(season, [township]))
    village = places[township][0]
    agent = VillageAgentFactory(division=village)
    mine = selectors.progress(agent, JINCHENG, 2024, "village", parent=township)
    assert [r.key for r in mine.rows] == [village.key]
    assert_rows_match(mine, expected_rows(season, [village.key]))
    view = selectors.default_view(agent)
    assert view == {"region": JINCHENG, "year": 2024, "level": "village", "parent": township}
    # another township, another region: as if they did not exist
    other = list(places)[1]
    with pytest.raises(NotFound):
        selectors.progress(clerk, JINCHENG, 2024, "village", parent=other)
    with pytest.raises(NotFound):
        selectors.progress(clerk, "371728", 2024, "township")


def test_bad_levels_and_years_are_refused_with_a_code():
    manager = BureauManagerFactory(division=division(JINCHENG))
    with pytest.raises(AppError) as exc:
        selectors.progress(manager, JINCHENG, 2024, "province")
    assert exc.value.code == "level_invalid"
    with pytest.raises(AppError) as exc:
        selectors.progress(manager, JINCHENG, 2024, "county", parent="140502")
    assert exc.value.code == "level_invalid" and "城区" in exc.value.message
    with pytest.raises(AppError) as exc:
        selectors.progress(manager, JINCHENG, 1999, "county")
    assert exc.value.code == "year_invalid"
    # a year with no enrolments: zero rows' figures, targets only where the notice set them
    empty = selectors.progress(manager, JINCHENG, 2025, "county")
    assert empty.total.paid == 0 and all(r.target is None for r in empty.rows)
