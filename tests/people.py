"""The small world most tests run in, built by the factories (never the demo data set): the staff
of each role in the regions the shipped policies cover, three insured units with their operators
and employees, a flexible worker and a resident, each with an account."""

from __future__ import annotations

from dataclasses import dataclass

from employer.factories import FlexibleWorkerFactory, UnitFactory, UnitOperatorFactory
from factories import (
    CHENGGUAN,
    DONGMING,
    JINCHENG,
    LIAOCHENG,
    WEIFANG,
    AdminFactory,
    AgencyClerkFactory,
    AuditorFactory,
    BureauManagerFactory,
    IndividualFactory,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from yibao.accounts.models import User
from yibao.employer.models import FlexibleWorker, Unit

# How many insured people each unit has; tests that count lines or bases count these.
WEIFANG_EMPLOYEES = 12
CIVIL_EMPLOYEES, CIVIL_RETIREES = 6, 4
LIAOCHENG_EMPLOYEES = 8


@dataclass
class People:
    admin: User
    weifang_manager: User
    weifang_clerk: User
    weifang_auditor: User
    liaocheng_clerk: User
    jincheng_manager: User
    dongming_township_clerk: User  # 东明县城关街道
    dongming_tax_clerk: User  # 东明县
    dongming_village_agent: User  # a test village below 城关街道
    weifang_unit: Unit  # an enterprise in 潍坊奎文区
    weifang_operator: User
    civil_unit: Unit  # a public institution in 潍坊潍城区, in the civil-servant medical subsidy
    civil_operator: User
    liaocheng_unit: Unit  # an enterprise in 聊城东昌府区
    liaocheng_operator: User
    flexible_worker: FlexibleWorker  # registered in 潍坊
    flexible_individual: User  # the flexible worker's own account
    resident: User  # an individual whose identity number was issued in 东明

    @property
    def users(self) -> list[User]:
        return [v for v in vars(self).values() if isinstance(v, User)]


def make_people() -> People:
    weifang_unit = UnitFactory(county="370705", employees=WEIFANG_EMPLOYEES)
    civil_unit = UnitFactory(county="370702", civil_servant=True, employees=CIVIL_EMPLOYEES,
                             retirees=CIVIL_RETIREES)
    liaocheng_unit = UnitFactory(county="371502", employees=LIAOCHENG_EMPLOYEES)
    worker = FlexibleWorkerFactory(account=True)
    return People(
        admin=AdminFactory(),
        weifang_manager=BureauManagerFactory(division=division(WEIFANG)),
        weifang_clerk=AgencyClerkFactory(division=division(WEIFANG)),
        weifang_auditor=AuditorFactory(division=division(WEIFANG)),
        liaocheng_clerk=AgencyClerkFactory(division=division(LIAOCHENG)),
        jincheng_manager=BureauManagerFactory(division=division(JINCHENG)),
        dongming_township_clerk=TownshipClerkFactory(division=division(CHENGGUAN)),
        dongming_tax_clerk=TaxClerkFactory(division=division(DONGMING)),
        dongming_village_agent=VillageAgentFactory(division=village()),
        weifang_unit=weifang_unit,
        weifang_operator=UnitOperatorFactory(unit=weifang_unit),
        civil_unit=civil_unit,
        civil_operator=UnitOperatorFactory(unit=civil_unit),
        liaocheng_unit=liaocheng_unit,
        liaocheng_operator=UnitOperatorFactory(unit=liaocheng_unit),
        flexible_worker=worker,
        flexible_individual=worker.account,
        resident=IndividualFactory(issued_in=DONGMING),
    )
