"""Roles, what each may do, and which kind of scope each has. The one table of rights."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    UNIT_OPERATOR = "unit_operator", "参保单位经办人"
    INDIVIDUAL = "individual", "个人（灵活就业人员/城乡居民）"
    VILLAGE_AGENT = "village_agent", "村居代办员"
    TOWNSHIP_CLERK = "township_clerk", "乡镇（街道）经办人员"
    TAX_CLERK = "tax_clerk", "税务人员"
    AGENCY_CLERK = "agency_clerk", "医保经办机构人员"
    AUDITOR = "auditor", "稽核人员"
    BUREAU_MANAGER = "bureau_manager", "医保局管理人员"
    ADMIN = "admin", "系统管理员"


class ScopeKind(models.TextChoices):
    ALL = "all", "全部"
    DIVISION = "division", "区划"
    UNIT = "unit", "单位"
    PERSON = "person", "本人"


SCOPE_KIND: dict[str, str] = {
    Role.ADMIN: ScopeKind.ALL,
    Role.UNIT_OPERATOR: ScopeKind.UNIT,
    Role.INDIVIDUAL: ScopeKind.PERSON,
}


def scope_kind(role: str) -> str:
    return SCOPE_KIND.get(role, ScopeKind.DIVISION)


# Capabilities are checked by views and API handlers through ``require``; a role not
# listed for a capability is refused with 403.
CAPABILITIES: dict[str, set[str]] = {
    "audit.view": {Role.AUDITOR, Role.ADMIN},
    "audit.view_person_data": {Role.AUDITOR, Role.ADMIN},
    # whole identity numbers in lists and the API: the unit (its own employees, to fill and sign),
    # the agency clerk (reviews and registers), the auditor and the administrator; staff views
    # are audited. Others (e.g. bureau managers) see them masked.
    # Village agents and township clerks register residents of their own area from the identity
    # card and household register in hand, and check the two against each other (两证统一).
    "person.view_id_number": {Role.UNIT_OPERATOR, Role.INDIVIDUAL, Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK,
                              Role.AGENCY_CLERK, Role.AUDITOR, Role.ADMIN},
    # whole phone numbers: the person, and the staff who contact residents; others see them masked
    "person.view_phone": {Role.INDIVIDUAL, Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK,
                          Role.AGENCY_CLERK, Role.AUDITOR, Role.ADMIN},
    "jobs.view": set(Role.values),
    "reference.view": set(Role.values),
    "policy.ask": set(Role.values),
    "users.manage": {Role.ADMIN},
    # what a region's policy files cannot answer yet (yibao policy gaps)
    "policy.gaps": {Role.ADMIN},
    "employer.declare": {Role.UNIT_OPERATOR},
    "employer.review": {Role.AGENCY_CLERK},
    "employer.view": {Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER, Role.ADMIN},
    "employer.view_declaration": {Role.UNIT_OPERATOR, Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER,
                                  Role.ADMIN},
    "employer.set_average_wage": {Role.ADMIN},
    # 单位参保登记、开户 (聊城 notice: 没有开户的单位首先联系医保部门进行开户): the agency clerk registers
    # a unit of their area, files and (another clerk) reviews its changes, suspends or closes it,
    # and opens its sign-in account
    "employer.register_unit": {Role.AGENCY_CLERK},
    # 窗口办理 (聊城 notice: 参保单位可到所属地的医保经办机构服务窗口办理): the agency clerk carries out a
    # unit's declaration steps on its behalf, each recorded as done at the counter
    "employer.counter": {Role.AGENCY_CLERK},
    # the units of an area and their particulars, status and history
    "employer.view_units": {Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER, Role.ADMIN},
    # 缴费单据 and 增减员: the unit for itself; the agency clerk generates a region's bills and does
    # staff changes and declarations at the counter (窗口办理) on a unit's behalf
    "contributions.view": {Role.UNIT_OPERATOR, Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER, Role.ADMIN},
    "contributions.staff": {Role.UNIT_OPERATOR, Role.AGENCY_CLERK},
    "contributions.declare": {Role.UNIT_OPERATOR, Role.AGENCY_CLERK},
    "contributions.generate": {Role.AGENCY_CLERK},
    "contributions.pay": {Role.AGENCY_CLERK},  # 窗口缴费: a clerk records money a unit paid at the counter
    # 增减员 across the units of an area (month, direction, unit; xlsx): the agency clerk who
    # handles them, and those who read the units' particulars
    "contributions.staff_changes": {Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER, Role.ADMIN},
    "flexible.declare": {Role.INDIVIDUAL},
    "channels.manage": {Role.ADMIN},
    # 对账: the medical-insurance agency keeps the fund's income records the channels' payments are
    # recorded in, so its clerks upload a channel's daily statement and resolve the differences
    "collection.reconcile": {Role.AGENCY_CLERK},
    # 退费 (东明 二(三): 县税务、医保等部门严把退费条件，严格审核退费材料): an agency or tax clerk
    # applies for a paid person; another of them reviews (maker-checker, enforced by the service)
    "collection.refund": {Role.AGENCY_CLERK, Role.TAX_CLERK},
    # 已缴费人员清册 of each village, for the township (and the agent's own village, the county)
    "collection.paid_list": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK},
    # 代收 (东明 四、五(三)): the village agent collects cash in their own village, deposits it into
    # the township finance account and submits the village's 申报清单; the tax sub-bureau checks the
    # list against the bank's record and declares it; township finance records the transfer (划缴).
    "collection.collect": {Role.VILLAGE_AGENT},
    "collection.declare": {Role.TAX_CLERK},
    "collection.transfer": {Role.TOWNSHIP_CLERK},
    "collection.view_deposits": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK,
                                 Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    "resident.collect": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK},
    # 资助参保: the agency clerk generates the medical-assistance fund's payments of a region and
    # year; its ledger and statement are read by the clerk, the bureau and the auditors
    "collection.fund": {Role.AGENCY_CLERK},
    "collection.fund_view": {Role.AGENCY_CLERK, Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    # 家庭共济账户缴费 (晋城 三(三)): recorded at an agency's window or a township's service point
    "collection.family": {Role.AGENCY_CLERK, Role.TOWNSHIP_CLERK},
    # 城乡居民参保登记: agents and clerks register for their own area; another clerk reviews
    # (东明 五(一)); clerks work the problem queue, import registrations and hardship lists.
    # 户籍人口库比对 and 重复参保 (晋城 晋市医保发〔2023〕10号 五(三)): clerks import the registry extract
    # and resolve what it finds; village agents follow up their village's 应保未保 list
    "gaps.import": {Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK},
    "gaps.view": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK, Role.AUDITOR, Role.BUREAU_MANAGER,
                  Role.ADMIN},
    "gaps.resolve": {Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK},
    "resident.register": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK},
    "resident.review": {Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK},
    "resident.import": {Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK},
    # the resident's own registration, change requests and coverage
    "resident.self": {Role.INDIVIDUAL},
    # reading registration forms (staff in their area, the resident their own) and the problem
    # queue (the clerks who work it, the resident a problem sent back to them)
    "resident.view_registration": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK,
                                   Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN, Role.INDIVIDUAL},
    "resident.view_problem": {Role.TOWNSHIP_CLERK, Role.AGENCY_CLERK, Role.INDIVIDUAL},
    # 续保人员名册 (东明 三(一)): the tax side builds and confirms it; the village agent posts it
    "resident.roster": {Role.TAX_CLERK},
    "resident.roster_post": {Role.VILLAGE_AGENT},
    "resident.view": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK,
                      Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    # is a person covered, what do they owe: the person themself and staff who may view residents
    "resident.coverage": {Role.INDIVIDUAL, Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK,
                          Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    # 稽核 (潍坊 三(二), 聊城 五): auditors run the self-inspection list and the risk checks and carry
    # each case to its findings; clerks and auditors record complaints and flag suspect materials;
    # the bureau and the administrator read the cases; a unit sees and answers its own self-inspection
    "inspection.manage": {Role.AUDITOR},
    "inspection.view": {Role.AUDITOR, Role.BUREAU_MANAGER, Role.ADMIN},
    "inspection.report": {Role.AGENCY_CLERK, Role.AUDITOR},
    "inspection.self": {Role.UNIT_OPERATOR},
    # 征缴进度 (yibao.reporting): the collection progress of the resident scheme, each reader over
    # their own area (a village agent their village, on the phone); the employee scheme's
    # declaration progress per agency for the agency and the bureau
    "reporting.view_progress": {Role.VILLAGE_AGENT, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK,
                                Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    "reporting.view_declarations": {Role.AGENCY_CLERK, Role.BUREAU_MANAGER, Role.AUDITOR, Role.ADMIN},
    # 周报 and 月通报 (晋城 五（五）: 一周一上报、一月一通报), each reader over the counties and townships
    # of their own area
    "reporting.view": {Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.AGENCY_CLERK, Role.BUREAU_MANAGER,
                       Role.AUDITOR, Role.ADMIN},
    # 一周一上报: a county's clerk (an agency clerk of the county) submits the county's week's figures
    "reporting.submit": {Role.AGENCY_CLERK},
}


def can(role: str, capability: str) -> bool:
    return role in CAPABILITIES.get(capability, set())
