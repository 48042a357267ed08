"""A small demonstration data set: one user per role, two insured units. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from yibao.access.roles import Role
from yibao.accounts.models import User
from yibao.accounts.services import create_user
from yibao.employer.models import Unit
from yibao.employer.services import create_unit_operator
from yibao.identity import resident_id_check_char, uscc_check_char
from yibao.regions.models import Agency, Division

DEMO_PASSWORD = "Demo-pass-1"


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    scope: str


def _division(parent_key: str, name: str) -> Division:
    d = Division.objects.filter(path__startswith=Division.objects.get(key=parent_key).path, name=name).first()
    if d is None:
        raise RuntimeError(f"参考数据中没有 {name}，请先运行 yibao init")
    return d


def _by_key(key: str) -> Division:
    d = Division.objects.filter(key=key).first()
    if d is None:
        raise RuntimeError(f"参考数据中没有区划 {key}，请先运行 yibao init")
    return d


# The township clerk works in 东明's 城关街道 and the village agent in one of its villages, as the
# statistical division codes (2023) name them.
DEMO_TOWNSHIP = "371728001"      # 城关街道
DEMO_VILLAGE = "371728001200"    # 雷庄村村民委员会
JINCHENG_TOWNSHIP = "140502001"  # 城区东街街道
JINCHENG_VILLAGE = "140502001001"  # 建设路社区居委会


def _retire_invented_village(village: Division) -> None:
    """Demo data sets made before the villages were loaded had an invented 演示社区 below the
    township (key ``…-demo-village``): its accounts move to the real village and it goes."""
    from yibao.regions.services import remove_division

    for old in Division.objects.filter(level="village", code="", key__endswith="-demo-village"):
        for user in User.objects.filter(division=old):
            create_user(role=user.role, username=user.username, password=DEMO_PASSWORD, check_password=False,
                        full_name=user.full_name.replace(old.name, village.name), division=village,
                        phone=user.phone, update_existing=True)
        remove_division(old)


def _resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


DEMO_UNITS = [
    # unit_number, first 17 characters of the USCC, name, region, county name, civil-servant subsidy
    ("37070500001", "91370705MA3C00001", "潍坊示范机械有限公司", "370700", "奎文区", False),
    ("37070000002", "12370700MB0000002", "潍坊市示范事业单位", "370700", "潍城区", True),
    ("37150200001", "91371502MA3D00002", "聊城示范商贸有限公司", "371500", "东昌府区", False),
    # its 2024 bases approved with 8 of 10 at the floor: on 潍坊's self-inspection list (三(二))
    ("37070500003", "91370705MA3C00003", "潍坊示范餐饮有限公司", "370700", "奎文区", False),
    # units whose 2024 bases are already approved (核定入库): their monthly bills (缴费单据)
    ("37070500004", "91370705MA3C00004", "潍坊示范纺织有限公司", "370700", "奎文区", False),
    ("37150200004", "91371502MA3D00004", "聊城示范物流有限公司", "371500", "东昌府区", False),
]
#: the billed units' declared 2023 average wages; their bases are the engine's (保底封顶): 潍坊's
#: first is below its floor and its last above its ceiling, so the bills show both clamps
DEMO_BILLED = {"37070500004": ["3900", "5000", "6800", "9500.50", "25000"],
               "37150200004": ["4300", "5200", "7000", "12000"]}


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    units = {}
    for number, uscc, name, region, county, subsidy in DEMO_UNITS:
        division = _division(region, county)
        agency = Agency.objects.filter(region_id=region, division=division).first() or \
            Agency.objects.filter(region_id=region).first()
        units[number], _ = Unit.objects.update_or_create(
            unit_number=number,
            defaults={"uscc": uscc + uscc_check_char(uscc), "name": name, "region_id": region, "division": division, "agency": agency,
                      "civil_servant_subsidy": subsidy, "nature": "事业单位" if subsidy else "企业",
                      "contact_name": "张经办", "contact_phone": "0536-0000000"},
        )

    township, village = _by_key(DEMO_TOWNSHIP), _by_key(DEMO_VILLAGE)
    _retire_invented_village(village)
    staff = [
        (Role.ADMIN, "admin", "系统管理员", None),
        (Role.BUREAU_MANAGER, "manager.weifang", "潍坊医保局管理员", Division.objects.get(key="370700")),
        (Role.AGENCY_CLERK, "clerk.weifang", "潍坊经办员", Division.objects.get(key="370700")),
        (Role.AGENCY_CLERK, "clerk.liaocheng", "聊城经办员", Division.objects.get(key="371500")),
        (Role.AUDITOR, "auditor.weifang", "潍坊稽核员", Division.objects.get(key="370700")),
        (Role.AUDITOR, "auditor.liaocheng", "聊城稽核员", Division.objects.get(key="371500")),
        (Role.TOWNSHIP_CLERK, "township.dongming", f"{township.name}经办员", township),
        (Role.TAX_CLERK, "tax.dongming", "东明税务员", Division.objects.get(key="371728")),
        (Role.VILLAGE_AGENT, "agent.dongming", f"{village.name}代办员", village),
        (Role.BUREAU_MANAGER, "manager.jincheng", "晋城医保局管理员", Division.objects.get(key="140500")),
        # the resident scheme's second signatures: a county clerk reviews what the township clerk enters
        (Role.AGENCY_CLERK, "clerk.dongming", "东明县医保经办员", Division.objects.get(key="371728")),
        (Role.AGENCY_CLERK, "clerk.jincheng", "晋城市医保经办员", Division.objects.get(key="140500")),
        # the second signature on the registrations of the city's collection season (below)
        (Role.AGENCY_CLERK, "reviewer.jincheng", "晋城市医保经办员（复核）", Division.objects.get(key="140500")),
        (Role.TOWNSHIP_CLERK, "township.jincheng", "东街街道经办员", _by_key(JINCHENG_TOWNSHIP)),
        (Role.TAX_CLERK, "tax.jincheng", "晋城税务员", Division.objects.get(key="140500")),
        (Role.VILLAGE_AGENT, "agent.jincheng", "建设路社区代办员", _by_key(JINCHENG_VILLAGE)),
        # 一周一上报 (晋城 五（五）): a county's clerk submits the county's week's figures
        (Role.AGENCY_CLERK, "county.jincheng", "城区医保经办员", Division.objects.get(key="140502")),
    ]
    logins: list[DemoLogin] = []
    for role, username, name, division in staff:
        _ensure(role=role, username=username, full_name=name, division=division)
        logins.append(DemoLogin(Role(role).label, username, DEMO_PASSWORD, division.name if division else "全部"))
    for number, unit in units.items():
        if not User.objects.filter(username=number).exists():
            create_unit_operator(unit, password=DEMO_PASSWORD, full_name=f"{unit.name}经办人", check_password=False)
        logins.append(DemoLogin(Role.UNIT_OPERATOR.label, number, DEMO_PASSWORD, unit.name))
    for first17, name in [("37070519800101123", "王灵活"), ("37172819900315002", "李居民"),
                          ("14050219920611004", "赵居民")]:
        number = _resident_id(first17)
        _ensure(role=Role.INDIVIDUAL, username=number, full_name=name, id_number=number)
        logins.append(DemoLogin(Role.INDIVIDUAL.label, number, DEMO_PASSWORD, name))
    _demo_people(units)
    _demo_floor_unit(units[FLOOR_UNIT])
    covered, unpaid = _demo_residents()
    for number, name in covered:
        _ensure(role=Role.INDIVIDUAL, username=number, full_name=name, id_number=number)
        logins.append(DemoLogin(Role.INDIVIDUAL.label, number, DEMO_PASSWORD, f"{name}（已参保居民）"))
    for number, name in unpaid:
        _ensure(role=Role.INDIVIDUAL, username=number, full_name=name, id_number=number)
        logins.append(DemoLogin(Role.INDIVIDUAL.label, number, DEMO_PASSWORD, f"{name}（已登记、待缴费居民）"))
    _demo_collection()
    _demo_season()
    _demo_bills(units)
    _demo_late_fee(units)
    return logins


def _demo_bills(units: dict) -> None:
    """Approved 2024 bases for the billed units' employees and their January 2024 bills. The bills
    need contribution rates, which no notice gives: with the demo's overlay
    (``YIBAO_POLICY_OVERLAYS=demo-rates``, set by ``make run``) they are generated; without it the
    engine answers not_configured and the demo makes none."""
    from decimal import Decimal

    from yibao.contributions.services import generate_bills
    from yibao.employer import rules as employer_rules
    from yibao.employer.models import ApprovedBase, Declaration, DeclarationStatus, Employee
    from yibao.errors import RuleRefused
    from yibao.months import Month

    admin = User.objects.get(username="admin")
    for number, bases in DEMO_BILLED.items():
        unit = units[number]
        declaration, made = Declaration.objects.get_or_create(unit=unit, year=2024, kind="active", defaults={
            "status": DeclarationStatus.CONFIRMED, "line_count": len(bases)})
        if not made:
            continue
        county = unit.division.code[:6]
        for i, amount in enumerate(bases):
            base, _ = employer_rules.base(unit.region_id, Month(2024, 1), Decimal(amount))
            birth = f"{1970 + i * 4}{(i % 12) + 1:02d}{(i * 5) % 28 + 1:02d}"
            employee, _ = Employee.objects.get_or_create(unit=unit, id_number=_resident_id(county + birth + f"{500 + i:03d}"),
                                                         defaults={"name": SURNAMES[i + 3] + GIVEN[i + 2],
                                                                   "employee_number": f"{number[-5:]}{i + 1:04d}"})
            ApprovedBase.objects.create(unit=unit, employee=employee, declaration=declaration, kind="active", year=2024,
                                        month_from=Month(2024, 1), month_to=Month(2024, 12),
                                        declared_amount=Decimal(amount), base=base, reason="核定入库")
    for region in ("370700", "371500"):
        try:
            generate_bills(region, Month(2024, 1), actor=admin)
        except RuleRefused:
            return


#: the demo's late payment: 聊城示范物流 pays its January 2024 bill (due 2024-01-25, the demo
#: overlay's monthly day) in full on 2024-02-05, 11 days late
LATE_UNIT, LATE_PAID_ON = "37150200004", dt.date(2024, 2, 5)


def _demo_late_fee(units: dict) -> None:
    """A late fee to see: the unit's January bill declared and paid at the counter 11 days late,
    then February's bills generated, which carry the fee (滞纳金) as a unit-only item. Recorded
    only when the business date has reached the payment day (`make run` loads the demo on the
    real date; a demo loaded as of 2024-01-15 has no payment yet) and once."""
    from yibao import clock
    from yibao.contributions.models import Bill, BillStatus
    from yibao.contributions.services import declare_bill, generate_bills, record_counter_payment
    from yibao.months import Month

    bill = Bill.objects.filter(unit=units[LATE_UNIT], month=Month(2024, 1), kind="regular").first()
    if bill is None or bill.status != BillStatus.DRAFT or clock.today() < LATE_PAID_ON:
        return
    clerk = User.objects.get(username="clerk.liaocheng")
    bill = declare_bill(bill, actor=clerk, counter=True, on=LATE_PAID_ON)  # declared the day it is paid
    record_counter_payment(bill, bill.amount_due, LATE_PAID_ON, actor=clerk, note="演示：逾期缴纳")
    generate_bills(bill.region_id, Month(2024, 2), actor=clerk)


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]


def _demo_people(units: dict) -> None:
    """Insured employees (and, for the civil-servant-subsidy unit, retirees) of the demo units,
    and one flexible worker. Stable numbers, so running again adds nothing."""
    from yibao.employer.models import Employee, FlexibleWorker

    plan = [("37070500001", 12, 0), ("37070000002", 6, 4), ("37150200001", 8, 0), ("37070500003", 10, 0)]
    for number, active, retired in plan:
        unit = units[number]
        county = unit.division.code[:6]
        for i in range(active + retired):
            birth = f"{1965 + (i * 3) % 35}{(i % 12) + 1:02d}{(i * 7) % 28 + 1:02d}"
            seq = f"{(int(number[-3:]) * 37 + i * 11) % 1000:03d}"
            id_number = _resident_id(county + birth + seq)
            Employee.objects.get_or_create(unit=unit, id_number=id_number, defaults={
                "name": SURNAMES[(i + len(number)) % len(SURNAMES)] + GIVEN[(i * 5 + int(number[-1])) % len(GIVEN)],
                "employee_number": f"{number[-5:]}{i + 1:04d}", "retired": i >= active})
    worker_id = _resident_id("37070519800101123")
    FlexibleWorker.objects.get_or_create(id_number=worker_id, defaults={"name": "王灵活", "region_id": "370700"})


FLOOR_UNIT = "37070500003"
FLOOR_UNIT_AT_FLOOR = 8


def _demo_floor_unit(unit) -> None:
    """The unit's 2024 declaration as the agency approved it (核定入库) and the unit confirmed it:
    its first eight people declared a wage below the floor, which the engine clamps to it, so the
    unit's floor share is above 潍坊's threshold (三(二)) and the self-inspection list holds it.
    Written once, as a past declaration; the bases through the employer's own ``store_bases``."""
    from decimal import Decimal

    from django.utils import timezone

    from yibao.employer import rules
    from yibao.employer.models import Declaration, DeclarationLine, DeclarationStatus
    from yibao.employer.services import refresh_totals, store_bases
    from yibao.months import Month

    if Declaration.objects.filter(unit=unit, year=2024).exists():
        return
    now = timezone.now()
    declaration = Declaration.objects.create(unit=unit, year=2024, status=DeclarationStatus.CONFIRMED,
                                             submitted_at=now, reviewed_at=now, confirmed_at=now)
    people = list(unit.employees.filter(retired=False).order_by("employee_number"))
    amounts = [Decimal("3000.00") if i < FLOOR_UNIT_AT_FLOOR else Decimal("6500.00") for i in range(len(people))]
    clamped = rules.clamp_many(unit.region_id, Month.first_of(2024), amounts)
    DeclarationLine.objects.bulk_create([
        DeclarationLine(declaration=declaration, employee=p, id_number=p.id_number, name=p.name,
                        employee_number=p.employee_number, declared_amount=amount, base=base, clamp=how)
        for p, amount, (base, how) in zip(people, amounts, clamped, strict=True)])
    refresh_totals(declaration)
    store_bases(declaration)


def _ensure(**kwargs) -> User:
    existing = User.objects.filter(username=kwargs["username"]).first()
    if existing is not None:
        return existing
    return create_user(password=DEMO_PASSWORD, check_password=False, **kwargs)


# Residents of the two villages, registered by the village agent and approved by the township clerk
# (the maker-checker of 东明 五(一)), paid for the 2024 insurance year in the collection period
# (payment itself belongs to collection: the demo sets it). Families share a 户口簿编号.
DEMO_RESIDENTS = [
    # region, village, agent, reviewer, first 6 of the numbers, paid on
    ("371728", DEMO_VILLAGE, "agent.dongming", "township.dongming", "371728", "2023-10-16"),
    ("140500", JINCHENG_VILLAGE, "agent.jincheng", "township.jincheng", "140502", "2023-10-10"),
]


def demo_resident_number(county: str, i: int) -> str:
    """The identity number of the ``i``-th demo resident of a village (``county``: its first six)."""
    birth = f"{1950 + (i * 7) % 60}{(i % 12) + 1:02d}{(i * 5) % 28 + 1:02d}"
    return _resident_id(f"{county}{birth}{(i * 13) % 900 + 100:03d}")


#: the demo resident of each village who has an account and is yet to pay (no hardship category)
UNPAID_WITH_ACCOUNT = 22
#: the demo resident of each village on the 特困人员 list (not yet paid: the assistance fund pays all)
DEMO_FULLY_SUBSIDISED = 5
#: an employee-scheme member (a flexible worker of 潍坊 with a 2024 base) whose family mutual-aid
#: account pays a family member's resident premium (晋城 三(三))
DEMO_FAMILY_PAYER = ("37070519850520113", "刘共济")


def _demo_collection() -> None:
    """The collection's demo facts (once): a 特困人员 in each village, and a family account's holder."""
    import datetime as dt
    from decimal import Decimal

    from yibao.employer.models import FlexibleBaseChoice, FlexibleWorker
    from yibao.months import Month
    from yibao.resident.models import HardshipGrant, Person

    for region, _village, _agent, _reviewer, county, _paid_on in DEMO_RESIDENTS:
        number = demo_resident_number(county, DEMO_FULLY_SUBSIDISED)
        person = Person.objects.filter(region_id=region, id_number=number).first()
        if person is not None:
            HardshipGrant.objects.get_or_create(region_id=region, id_number=number, category="特困人员",
                                                source="civil_affairs", valid_from=dt.date(2023, 1, 1),
                                                defaults={"name": person.name})
    first17, name = DEMO_FAMILY_PAYER
    worker, _ = FlexibleWorker.objects.get_or_create(id_number=_resident_id(first17),
                                                     defaults={"name": name, "region_id": "370700"})
    if not FlexibleBaseChoice.objects.filter(worker=worker, year=2024).exists():
        FlexibleBaseChoice.objects.create(worker=worker, year=2024, month_from=Month(2024, 1), base=Decimal("6000.00"))


def _demo_residents() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Register the villages' residents (once) and record the payments of most; returns the first
    of each village and the first yet to pay, who get accounts to see their own coverage and pay."""
    import datetime as dt

    from yibao.resident import services as resident
    from yibao.resident.models import HardshipGrant, Person

    first, unpaid, to_pay = [], [], []
    for region, village, agent_name, reviewer_name, county, paid_on in DEMO_RESIDENTS:
        agent, reviewer = User.objects.get(username=agent_name), User.objects.get(username=reviewer_name)
        for i in range(24):
            number = demo_resident_number(county, i)
            name = SURNAMES[(i // 4) % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
            if i == 0:
                first.append((number, name))
            if i == UNPAID_WITH_ACCOUNT:
                unpaid.append((number, name))
            if Person.objects.filter(region_id=region, id_number=number).exists():
                continue
            form = resident.RegistrationInput(
                insurance_year=2024, id_number=number, name=name, hukou_code=village, hk_id_number=number,
                hk_name=name, household_number=f"{village[-6:]}{i // 4 + 1:03d}", phone=f"1380000{i:04d}")
            registration = resident.register(form, region=region, actor=agent)
            resident.review(registration, actor=reviewer, approve=True)
            if i % 8 == 3:
                HardshipGrant.objects.get_or_create(
                    region_id=region, id_number=number, category="低保对象", source="civil_affairs",
                    valid_from=dt.date(2023, 1, 1), defaults={"name": name})
            if i % 6 != 5 and i != UNPAID_WITH_ACCOUNT:  # most paid through the channel; some still to pay
                to_pay.append((region, number, paid_on))
    _demo_payments(to_pay)
    return first, unpaid


#: 晋城's collection season for the progress dashboard (征缴进度): in each county but 城区 (whose
#: 东街街道 holds the residents above), the first villages of its first townships, each with
#: residents registered by the city's clerk, reviewed by a second, most paid through two banks'
#: channels on days spread over the collection period (days 1–25 of each month, 晋城 二), more of
#: them as the deadline nears. No hardship categories: the assistance fund's demo stays in 城区.
SEASON_COUNTIES = ["140525", "140581", "140522", "140524", "140521"]
SEASON_TOWNSHIPS, SEASON_VILLAGES = 3, 2
SEASON_CHANNELS = ["建设银行", "邮储银行"]


def season_places() -> list[Division]:
    places = []
    for county in SEASON_COUNTIES:
        for township in Division.objects.filter(parent_id=county, level="township").order_by("key")[:SEASON_TOWNSHIPS]:
            places += list(Division.objects.filter(parent=township, level="village").order_by("key")[:SEASON_VILLAGES])
    return places


def _demo_season() -> None:
    import datetime as dt

    from yibao.channels.models import Channel
    from yibao.channels.services import create_channel
    from yibao.collection import rules
    from yibao.collection.services.payments import PaymentIn, record_channel_payments
    from yibao.resident import services as resident
    from yibao.resident.models import Person

    region = "140500"
    maker, checker = User.objects.get(username="clerk.jincheng"), User.objects.get(username="reviewer.jincheng")
    days = [dt.date(2023, m, d) for m in (9, 10, 11, 12) for d in range(1, 26)]
    to_pay: list[tuple[str, dt.date]] = []
    for v, village in enumerate(season_places()):
        people = 8 + (v * 5) % 9      # 8 to 16 a village
        for i in range(people):
            number = demo_resident_number(village.key[:6], 100 + v * 20 + i)
            name = SURNAMES[(v + i) % len(SURNAMES)] + GIVEN[(i * 5 + v) % len(GIVEN)]
            if not Person.objects.filter(region_id=region, id_number=number).exists():
                form = resident.RegistrationInput(
                    insurance_year=2024, id_number=number, name=name, hukou_code=village.key, hk_id_number=number,
                    hk_name=name, household_number=f"{village.key[-6:]}{i // 3 + 1:03d}", phone=f"1390000{i:04d}")
                registration = resident.register(form, region=region, actor=maker)
                resident.review(registration, actor=checker, approve=True)
            # most pay, the share varying by village; later days more often (the deadline nears)
            if (i * 7 + v * 3) % 10 < 6 + v % 4:
                k = (i * 37 + v * 11) % 100
                to_pay.append((number, days[min(len(days) - 1, int(len(days) * (1 - (1 - k / 100) ** 2)))]))
    china = dt.timezone(dt.timedelta(hours=8))
    channels = [Channel.objects.filter(region_id=region, name=n).first()
                or create_channel(n, region=region, schemes=["resident"])[0] for n in SEASON_CHANNELS]
    payable = rules.premium(region, 2024, []).payable
    for c, channel in enumerate(channels):
        items = [PaymentIn(id_number=number, region=region, insurance_year=2024, amount=payable,
                           paid_at=dt.datetime.combine(day, dt.time(10, 15), china),
                           transaction_id=f"SEASON-{number}")
                 for j, (number, day) in enumerate(to_pay) if j % len(channels) == c]
        record_channel_payments(channel, items)


def _demo_payments(to_pay: list[tuple[str, str, str]]) -> None:
    """The paid residents' payments, as the region's 微信 channel sent them (its token is not kept:
    the administrator makes channels with their tokens on the 缴费渠道 page). Each payment has a
    fixed transaction id, so running again records nothing twice."""
    import datetime as dt

    from yibao.channels.models import Channel
    from yibao.channels.services import create_channel
    from yibao.collection import rules
    from yibao.collection.services.payments import PaymentIn, record_channel_payments
    from yibao.resident.collecting import categories_many

    china = dt.timezone(dt.timedelta(hours=8))
    for region in sorted({r for r, _, _ in to_pay}):
        channel = (Channel.objects.filter(region_id=region, name="微信").first()
                   or create_channel("微信", region=region, schemes=["resident"])[0])
        mine = [(number, dt.date.fromisoformat(day)) for r, number, day in to_pay if r == region]
        items = []
        for number, day in mine:
            categories = categories_many(region, [number], day).get(number, [])
            payable = rules.premium(region, 2024, categories).payable
            if payable > 0:  # the fund pays the whole of some: nothing of their own to pay
                items.append(PaymentIn(id_number=number, region=region, insurance_year=2024, amount=payable,
                                       paid_at=dt.datetime.combine(day, dt.time(9, 30), china),
                                       transaction_id=f"DEMO-{region}-{number}"))
        record_channel_payments(channel, items)
