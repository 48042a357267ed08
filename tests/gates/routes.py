"""Every route of the site, walked from Django's URL resolver and from the OpenAPI document, and
what each expects: the capability it needs and which object each of its parameters names.

A route that is not in ``PAGES`` or ``OPERATIONS`` fails the gates with its name: an app that adds
a page or an API operation says here who may use it and what it reads, or the suite is red.

Parameters name objects by kind (``world.DECLARATION``, ``world.LINE`` …); the gates ask the world
for one in the role's scope, one outside it and one that does not exist. A path parameter outside
the scope answers 404 exactly as a missing one does; a query parameter listed in ``filters``
narrows a list and answers outside the scope exactly as for a missing object (an empty list).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from . import world as w  # the change requests' kinds of objects, as w.KIND
from .world import (  # noqa: F401  (the resident kinds are named by the resident entries)
    BATCH,
    DECLARATION,
    DIVISION,
    FORM,
    FORMAT,
    JOB,
    LINE,
    MATERIAL,
    PDF,
    PERSON,
    PROBLEM,
    REGISTRATION,
    YEAR,
)

SIGNED_IN = None  # any signed-in user, whatever the role


@dataclass(frozen=True)
class Expect:
    """What a route expects. ``capability``: the capability (or capabilities, all needed) a role
    must hold, else 403; ``SIGNED_IN`` for any signed-in user. ``methods``: the methods it is
    used with. ``params``: parameter (in the path or the query) → kind of object it names.
    ``data``: the body of an unsafe request. ``public``: no sign-in needed (the gates check only
    that it answers). ``filters``: query parameters that narrow a list rather than name one
    object. ``channel``: called by a payment channel with its bearer token, not by a signed-in
    user (a session answers 401 like no one)."""

    capability: str | tuple[str, ...] | None = SIGNED_IN
    methods: tuple[str, ...] = ("GET",)
    params: dict[str, str] = field(default_factory=dict)
    data: dict | None = None
    public: bool = False
    channel: bool = False
    filters: tuple[str, ...] = ()

    @property
    def capabilities(self) -> tuple[str, ...]:
        if self.capability is None:
            return ()
        return (self.capability,) if isinstance(self.capability, str) else self.capability


PUBLIC = Expect(public=True)
# uploads: a value (name, bytes) is a file; neither file is accepted, which is enough to be served
UPLOAD = {"file": ("filled.csv", "序号,姓名\n".encode())}
MATERIAL_UPLOAD = {"code": "gate", "file": ("scan.pdf", PDF)}
# a registration form refused by its checks (the identity number's check character is wrong): enough
# to reach the service, writing nothing
REGISTRATION_FORM = {"id_number": "370705198001010016", "name": "门禁", "hukou_code": "370705001001"}
REGISTRATION_JSON = {**REGISTRATION_FORM, "insurance_year": YEAR}
POST = ("POST",)
# a change request: a new phone with one scanned document
CHANGE_FORM = {"phone": "13912345678", "title_1": "户口簿", "document_1": ("hk.pdf", PDF)}
CHANGE_UPLOAD = {"phone": "13912345678", "titles": "户口簿", "documents": ("hk.pdf", PDF)}
PK = {"pk": DECLARATION}
# --- units: a registration refused by its checks (the credit code's check character is wrong)
UNIT_PK = {"pk": w.UNIT}
UNIT_FORM = {"name": "门禁登记", "uscc": "91370705MA3000001X", "division": "370705", "nature": "企业",
             "address": "门禁路", "postcode": "261031", "contact_name": "门禁", "contact_phone": "13805361234"}
# --- resident scheme: imports (370700 runs no resident scheme: the upload is refused, as a bad file is)
RESIDENT_UPLOAD = {"region": "370700", "insurance_year": YEAR, "file": ("registrations.csv", "身份证号码,姓名\n".encode())}
# --- resident scheme: renewal roster
from .world import ROSTER, ROSTER_VILLAGE_IN  # noqa: E402

# --- collection: a statement no channel of the caller's has (refused, nothing written); a refund
# application for a person without payments (refused)
STATEMENT_UPLOAD = {"channel": "0", "day": f"{YEAR}-01-14", "file": ("statement.csv", b"transaction_id\n")}
STATEMENT_API_UPLOAD = {"day": f"{YEAR}-01-14", "file": ("statement.csv", b"transaction_id\n")}
REFUND_UPLOAD = {"id_number": "370705198001010017", "insurance_year": str(YEAR), "reason": "death",
                 "event_date": f"{YEAR - 1}-12-01", "evidence": ("scan.pdf", PDF)}
# --- collection: a family-account payment the engine refuses (东明 does not provide for it)
FAMILY_PAYMENT = {"id_number": "371728200001010011", "region": "371728", "insurance_year": YEAR, "amount": "380.00",
                  "payer_id_number": "370705198001011234", "payer_name": "门禁", "relationship": "子女"}
# --- collection: village agents' cash (a person nobody holds: refused, nothing written)
AGENT_COLLECTION = {"id_number": w.MISSING_ID_NUMBER, "amount": "380.00"}
AGENT_DEPOSIT = {"deposited_on": f"{YEAR - 1}-11-21", "bank_reference": "门禁回单"}
# --- audit cases: a complaint about the staff's unit in 潍坊 (a case, rolled back with the test)
COMPLAINT = {"unit_number": "37070599901", "source": "门禁", "content": "门禁测试"}
BANK_RECORD = {"bank_amount": "380.00", "bank_date": f"{YEAR - 1}-11-21", "bank_reference": "门禁回单"}

# --- contributions: a staff change refused by its checks (an identity number whose check character is
# wrong), a removal of a span nobody has, a generation for a month that is no month
from .world import BILL, PAYMENT, UNIT  # noqa: E402

STAFF_ADD = {"id_number": "370705198001010016", "name": "门禁", "month": f"{YEAR}-02"}
# a counter payment of nothing (refused: the amount must be above 0; nothing written)
COUNTER_PAYMENT = {"amount": "0", "paid_on": f"{YEAR}-01-10"}
STAFF_REMOVE = {"span": "987654321", "month": f"{YEAR}-02", "reason": "gate"}  # no such reason: refused

# --- gaps: an extract for a region running no resident scheme (refused, nothing written); a flag
# cleared without a note and a resolution of someone not insured in the employee scheme (refused)
from .world import FLAG, VILLAGE  # noqa: E402

GAPS_UPLOAD = {"region": "370700", "insurance_year": YEAR, "file": ("registry.csv", "身份证号码,姓名\n".encode())}
GAPS_RESOLVE = {"kept": "employee", "insurance_year": YEAR, "year": YEAR, "evidence": ("scan.pdf", PDF)}

# --- pages, by URL name ---------------------------------------------------------------------------
PAGES: dict[str, Expect] = {
    # --- gaps: household registry comparison, flags, duplicates
    "gaps": Expect("gaps.view"),
    "gaps_import": Expect("gaps.import", methods=POST, data=GAPS_UPLOAD),
    "gaps_village": Expect("gaps.view", params={"village": VILLAGE}),
    "gaps_village_export": Expect("gaps.view", params={"village": VILLAGE}),
    "gaps_flags": Expect("gaps.view"),
    "gaps_flag_clear": Expect("gaps.resolve", methods=POST, params={"pk": FLAG}, data={"note": ""}),
    "gaps_duplicates": Expect("gaps.view"),
    "gaps_resolve": Expect("gaps.resolve", methods=POST, params={"id_number": PERSON}, data=GAPS_RESOLVE),
    # --- contributions
    "contributions_bills": Expect("contributions.view", params={"unit": UNIT}),
    "contributions_generate": Expect("contributions.generate", methods=POST, data={"region": "370700", "month": "x"}),
    "contributions_bill": Expect("contributions.view", params={"pk": BILL}),
    "contributions_bill_download": Expect("contributions.view", params={"pk": BILL, "ext": FORMAT}),
    "contributions_bill_declare": Expect("contributions.declare", methods=POST, params={"pk": BILL}),
    "contributions_bill_pay": Expect("contributions.pay", methods=POST, params={"pk": BILL}, data=COUNTER_PAYMENT),
    "contributions_receipt_pdf": Expect("contributions.view", params={"pk": PAYMENT}),
    "contributions_staff": Expect("contributions.staff", params={"unit": UNIT}),
    "contributions_statement": Expect("contributions.view", params={"unit": UNIT}),
    "contributions_statement_download": Expect("contributions.view", params={"unit": UNIT, "ext": FORMAT}),
    "contributions_what_if": Expect("employer.set_average_wage"),
    "contributions_what_if_xlsx": Expect("employer.set_average_wage"),
    "contributions_staff_changes": Expect("contributions.staff_changes", params={"unit": UNIT}),
    "contributions_staff_add": Expect("contributions.staff", methods=POST, params={"unit": UNIT}, data=STAFF_ADD),
    "contributions_staff_remove": Expect("contributions.staff", methods=POST, params={"unit": UNIT},
                                         data=STAFF_REMOVE),
    "home": Expect(),
    "login": PUBLIC,
    "logout": Expect(public=True, methods=POST),
    "password_change": Expect(),
    "regions": Expect("reference.view", params={"parent": DIVISION}),
    "policy": Expect("policy.ask"),
    "policy_gaps": Expect("policy.gaps"),
    "audit": Expect("audit.view"),
    "audit_export": Expect("audit.view", methods=POST),
    "job": Expect(params={"job_id": JOB}),
    "job_download": Expect(params={"job_id": JOB}),
    # --- the weekly report, the monthly bulletin, the counties' weekly submissions (the staff's
    # region 370700 by default; a submission for 奎文区, whose region's notice gives no deadline)
    "reporting_weekly": Expect("reporting.view", params={"region": DIVISION}),
    "reporting_weekly_file": Expect("reporting.view", params={"region": DIVISION, "ext": FORMAT}),
    "reporting_monthly": Expect("reporting.view", params={"region": DIVISION}),
    "reporting_monthly_file": Expect("reporting.view", params={"region": DIVISION, "ext": FORMAT}),
    "reporting_submissions": Expect("reporting.submit", params={"region": DIVISION}),
    "reporting_submit": Expect("reporting.submit", methods=POST, data={"county": "370705"}),
    # the API's own pages; its operations are walked from the OpenAPI document below
    "api-1.0.0:openapi-json": PUBLIC,
    "api-1.0.0:openapi-view": PUBLIC,
    "api-1.0.0:api-root": PUBLIC,
    # employee scheme
    "employer": Expect("employer.declare"),
    "employer_queue": Expect("employer.view"),
    "declaration": Expect("employer.view_declaration", params=PK),
    "declaration_line": Expect("employer.declare", methods=POST, params={"pk": DECLARATION, "line_id": LINE},
                               data={"amount": "5000"}),
    "declaration_template": Expect("employer.declare", params=PK),
    "declaration_upload": Expect("employer.declare", methods=POST, params=PK, data=UPLOAD),
    "declaration_errors": Expect("employer.declare", params=PK),
    "declaration_form": Expect("employer.view_declaration", params={"pk": DECLARATION, "form": FORM, "ext": FORMAT}),
    "declaration_material": Expect("employer.declare", methods=POST, params=PK, data=MATERIAL_UPLOAD),
    "declaration_submit": Expect("employer.declare", methods=POST, params=PK),
    "declaration_confirm": Expect("employer.declare", methods=POST, params=PK),
    "declaration_reopen": Expect("employer.declare", methods=POST, params=PK, data={"month_from": f"{YEAR}-07"}),
    "declaration_review": Expect("employer.review", methods=POST, params=PK, data={"decision": "reject",
                                                                                  "reasons": "门禁测试"}),
    "declaration_bases": Expect("employer.view_declaration", params=PK),
    # A scan carries whole identity numbers: roles that see them masked are refused the file.
    "material": Expect(("employer.view_declaration", "person.view_id_number"), params={"material_id": MATERIAL}),
    # --- units: registration, account, changes, status, counter service, online-service notice
    "units": Expect("employer.view_units"),
    "unit_register": Expect("employer.register_unit", methods=("GET", "POST"), data=UNIT_FORM),
    "unit": Expect("employer.view_units", params=UNIT_PK),
    "unit_account": Expect("employer.register_unit", methods=POST, params=UNIT_PK),
    "unit_change": Expect("employer.register_unit", methods=POST, params=UNIT_PK),
    "unit_status": Expect("employer.register_unit", methods=POST, params=UNIT_PK, data={"status": "bogus"}),
    "unit_counter": Expect("employer.counter", methods=POST, params=UNIT_PK),
    "unit_changes": Expect("employer.register_unit"),
    "unit_change_review": Expect("employer.register_unit", methods=POST, params={"pk": w.UNIT_CHANGE},
                                 data={"decision": "reject"}),
    "counter_upload": Expect("employer.counter", methods=POST, params=PK, data=UPLOAD),
    "counter_material": Expect("employer.counter", methods=POST, params=PK, data=MATERIAL_UPLOAD),
    "counter_submit": Expect("employer.counter", methods=POST, params=PK),
    "declaration_notice": Expect("employer.declare", methods=POST, params=PK),
    "flexible": Expect("flexible.declare", methods=("GET", "POST")),
    "average_wage": Expect("employer.set_average_wage", methods=("GET", "POST")),
    # --- resident scheme: registration, review, problem queue
    "resident_register": Expect("resident.register", methods=("GET", "POST"), data=REGISTRATION_FORM),
    "resident_online": Expect("resident.self", methods=("GET", "POST"), data=REGISTRATION_FORM),
    "resident_registrations": Expect("resident.review"),
    "resident_registration": Expect("resident.view_registration", params={"pk": REGISTRATION}),
    "resident_registration_review": Expect("resident.review", methods=POST, params={"pk": REGISTRATION},
                                           data={"decision": "reject", "note": "门禁测试"}),
    "resident_problems": Expect("resident.review"),
    "resident_problem": Expect("resident.view_problem", params={"pk": PROBLEM}),
    "resident_problem_release": Expect("resident.review", methods=POST, params={"pk": PROBLEM},
                                       data={"hk_name": "门禁居民"}),
    "resident_problem_send_back": Expect("resident.review", methods=POST, params={"pk": PROBLEM},
                                         data={"instructions": "门禁测试"}),
    "resident_problem_resubmit": Expect("resident.self", methods=POST, params={"pk": PROBLEM},
                                        data={"hk_name": "门禁居民"}),
    # --- resident scheme: persons, coverage, premium
    "resident_persons": Expect("resident.view"),
    "resident_person": Expect("resident.view", params={"pk": w.RESIDENT}),
    "resident_person_life_status": Expect("resident.review", methods=POST, params={"pk": w.RESIDENT},
                                          data={"status": "moved_out", "on": f"{YEAR}-01-10"}),
    "resident_me": Expect("resident.self"),
    # payment channels of both schemes (the administrator's)
    "channels": Expect("channels.manage", methods=("GET", "POST"),
                       data={"name": "门禁渠道", "region": "371728", "schemes": "resident"}),
    "channel_revoke": Expect("channels.manage", methods=POST, params={"pk": w.CHANNEL}),
    # --- resident scheme: imports
    "resident_imports": Expect("resident.import"),
    "resident_import_registrations": Expect("resident.import", methods=POST, data=RESIDENT_UPLOAD),
    "resident_import_hardship": Expect("resident.import", methods=POST, data={**RESIDENT_UPLOAD, "source": "民政"}),
    "resident_import_batch": Expect("resident.import", params={"pk": BATCH}),
    "resident_import_review": Expect("resident.review", methods=POST, params={"pk": BATCH},
                                     data={"decision": "reject", "note": "门禁测试"}),
    # --- resident scheme: change requests
    "resident_my_changes": Expect("resident.self", methods=("GET", "POST"), data=CHANGE_FORM),
    "resident_changes": Expect("resident.review"),
    "resident_change": Expect("resident.review", params={"pk": w.CHANGE}),
    "resident_change_review": Expect("resident.review", methods=POST, params={"pk": w.CHANGE},
                                     data={"decision": "reject", "note": "门禁测试"}),
    # A document (identity card, household register) carries whole numbers: not for masked roles.
    "resident_change_document": Expect(("resident.review", "person.view_id_number"),
                                       params={"document_id": w.CHANGE_DOCUMENT}),
    "resident_person_change": Expect("resident.register", methods=("GET", "POST"), params={"pk": w.RESIDENT},
                                     data=CHANGE_FORM),
    "resident_person_history": Expect("resident.view", params={"pk": w.RESIDENT}),
    # --- resident scheme: renewal roster
    "resident_rosters": Expect("resident.view"),
    "resident_roster_build": Expect("resident.roster", methods=POST,
                                    data={"village": ROSTER_VILLAGE_IN, "year": str(YEAR + 1)}),
    "resident_roster_mine": Expect("resident.roster_post"),
    "resident_roster": Expect("resident.view", params={"pk": ROSTER}),
    "resident_roster_confirm": Expect("resident.roster", methods=POST, params={"pk": ROSTER}),
    "resident_roster_post": Expect("resident.roster_post", methods=POST, params={"pk": ROSTER}),
    "resident_roster_download": Expect("resident.view", params={"pk": ROSTER, "ext": FORMAT}),
    # --- collection: reconciliation, refunds, paid lists
    "collection_statements": Expect("collection.reconcile"),
    "collection_statement_upload": Expect("collection.reconcile", methods=POST, data=STATEMENT_UPLOAD),
    "collection_statement": Expect("collection.reconcile", params={"pk": w.STATEMENT}),
    "collection_difference_resolve": Expect("collection.reconcile", methods=POST,
                                            params={"pk": w.STATEMENT, "difference": w.DIFFERENCE},
                                            data={"note": ""}),
    "collection_refunds": Expect("collection.refund"),
    "collection_refund_apply": Expect("collection.refund", methods=POST, data=REFUND_UPLOAD),
    "collection_refund": Expect("collection.refund", params={"pk": w.REFUND}),
    # the evidence is what the reviewers check (东明 二(三): 严格审核退费材料), tax clerks too
    "collection_refund_evidence": Expect(("collection.refund", "person.view_id_number"), params={"pk": w.REFUND}),
    "collection_refund_review": Expect("collection.refund", methods=POST, params={"pk": w.REFUND},
                                       data={"decision": "reject", "note": ""}),
    "collection_paid_lists": Expect("collection.paid_list"),
    "collection_paid_list_download": Expect("collection.paid_list", params={"village": w.VILLAGE, "ext": FORMAT}),
    # --- reporting: the collection progress and the declaration progress per agency
    "reporting": Expect("reporting.view_progress", params={"region": DIVISION}),
    "reporting_progress_xlsx": Expect("reporting.view_progress", params={"region": DIVISION}),
    "reporting_declarations": Expect("reporting.view_declarations", params={"region": DIVISION}),
    "reporting_declarations_xlsx": Expect("reporting.view_declarations", params={"region": DIVISION}),
    # --- collection: the assistance fund (370700 runs no resident scheme: refused before any job)
    "collection_fund": Expect("collection.fund_view"),
    "collection_fund_generate": Expect("collection.fund", methods=POST,
                                       data={"region": "370700", "insurance_year": str(YEAR)}),
    "collection_fund_statement": Expect("collection.fund_view"),
    "collection_fund_statement_file": Expect("collection.fund_view"),
    # --- collection: family mutual-aid accounts (东明's notice is silent: refused, nothing written)
    "collection_family": Expect("collection.family", methods=("GET", "POST"), data=FAMILY_PAYMENT),
    # --- collection: village agents' cash (代收), deposits, 申报清单, transfers
    "collection_collect": Expect("collection.collect"),
    "collection_collect_record": Expect("collection.collect", methods=POST, data=AGENT_COLLECTION),
    "collection_receipt": Expect("collection.view_deposits", params={"pk": w.COLLECTION}),
    "collection_receipt_pdf": Expect("collection.view_deposits", params={"pk": w.COLLECTION}),
    "collection_deposits": Expect("collection.view_deposits"),
    "collection_deposit_create": Expect("collection.collect", methods=POST, data=AGENT_DEPOSIT),
    "collection_transfer": Expect("collection.transfer", methods=POST, data={}),
    "collection_deposit": Expect("collection.view_deposits", params={"pk": w.DEPOSIT}),
    "collection_deposit_submit": Expect("collection.collect", methods=POST, params={"pk": w.DEPOSIT}),
    "collection_deposit_correct": Expect("collection.collect", methods=POST, params={"pk": w.DEPOSIT},
                                         data={"bank_reference": "门禁回单"}),
    "collection_deposit_check": Expect("collection.declare", methods=POST, params={"pk": w.DEPOSIT},
                                       data=BANK_RECORD),
    "collection_deposit_file": Expect("collection.view_deposits", params={"pk": w.DEPOSIT, "ext": FORMAT}),
    # --- audit cases (稽核): 370700 is the staff's region
    "inspection": Expect("inspection.view"),
    "inspection_self_inspection": Expect("inspection.manage", methods=POST, data={"region": "370700", "year": YEAR}),
    "inspection_risk_checks": Expect("inspection.manage", methods=POST, data={"region": "370700", "year": YEAR}),
    "inspection_export": Expect("inspection.view"),
    "inspection_report": Expect("inspection.report", methods=("GET", "POST"), data=COMPLAINT),
    "inspection_case": Expect("inspection.view", params={"pk": w.CASE}),
    "inspection_case_assign": Expect("inspection.manage", methods=POST, params={"pk": w.CASE},
                                     data={"owner": "nobody"}),
    "inspection_case_investigate": Expect("inspection.manage", methods=POST, params={"pk": w.CASE}),
    "inspection_case_conclude": Expect("inspection.manage", methods=POST, params={"pk": w.CASE},
                                       data={"findings": ""}),
    "inspection_case_correct": Expect("inspection.manage", methods=POST, params={"pk": w.CASE},
                                      data={"id_number": w.MISSING_ID_NUMBER, "wage": "5000", "month_from": f"{YEAR}-04"}),
    "inspection_respond": Expect("inspection.self", methods=POST, params={"pk": w.CASE}, data={"note": "门禁测试"}),
}

# --- API operations, by method and path of the OpenAPI document --------------------------------------
D = "/api/v1/employer/declarations/{pk}"
#: a payment a channel sends (the gates' world makes the channel; the person need not exist)
CHANNEL_PAYMENT = {"transaction_id": "GATE-1", "id_number": "371728200001010011", "region": "371728",
                   "insurance_year": 2024, "amount": "380.00", "paid_at": "2023-11-20T10:00:00+08:00"}
#: a payment the tax channel sends against a bill (no such bill: refused, nothing written)
BILL_PAYMENT = {"transaction_id": "GATE-B1", "unit_number": "370705000001", "bill_id": 987654321, "amount": "100.00",
                "paid_on": f"{YEAR}-01-10"}

OPERATIONS: dict[str, Expect] = {
    # --- the weekly report, the monthly bulletin, the counties' weekly submissions
    "GET /api/v1/reporting/reports/weekly": Expect("reporting.view", params={"region": DIVISION}),
    "GET /api/v1/reporting/reports/weekly/file": Expect("reporting.view", params={"region": DIVISION}),
    "GET /api/v1/reporting/reports/monthly": Expect("reporting.view", params={"region": DIVISION}),
    "GET /api/v1/reporting/reports/monthly/file": Expect("reporting.view", params={"region": DIVISION}),
    "GET /api/v1/reporting/reports/submissions": Expect("reporting.submit", params={"region": DIVISION},
                                                        filters=("region",)),
    "POST /api/v1/reporting/reports/submissions": Expect("reporting.submit", methods=POST,
                                                          data={"region": "370700", "county": "370705"}),
    # --- gaps
    "POST /api/v1/gaps/imports": Expect("gaps.import", data=GAPS_UPLOAD),
    "GET /api/v1/gaps/extracts": Expect("gaps.view"),
    "GET /api/v1/gaps/villages/{village}/uncovered": Expect("gaps.view", params={"village": VILLAGE}),
    "GET /api/v1/gaps/villages/{village}/uncovered.xlsx": Expect("gaps.view", params={"village": VILLAGE}),
    "GET /api/v1/gaps/flags": Expect("gaps.view"),
    "POST /api/v1/gaps/flags/{pk}/clear": Expect("gaps.resolve", params={"pk": FLAG}, data={"note": ""}),
    "GET /api/v1/gaps/duplicates": Expect("gaps.view"),
    "POST /api/v1/gaps/duplicates/{id_number}/resolve": Expect("gaps.resolve", params={"id_number": PERSON},
                                                               data=GAPS_RESOLVE),
    # --- contributions
    "GET /api/v1/contributions/bills": Expect("contributions.view", params={"unit": UNIT}, filters=("unit",)),
    "GET /api/v1/contributions/bills/{pk}": Expect("contributions.view", params={"pk": BILL}),
    "GET /api/v1/contributions/bills/{pk}/lines": Expect("contributions.view", params={"pk": BILL}),
    "GET /api/v1/contributions/bills/{pk}/download/{ext}": Expect("contributions.view",
                                                                 params={"pk": BILL, "ext": FORMAT}),
    "GET /api/v1/contributions/statement": Expect("contributions.view", params={"unit": UNIT}),
    "GET /api/v1/contributions/statement/download/{ext}": Expect("contributions.view",
                                                                 params={"unit": UNIT, "ext": FORMAT}),
    "POST /api/v1/contributions/bills/{pk}/declare": Expect("contributions.declare", methods=POST, params={"pk": BILL}),
    "GET /api/v1/contributions/bills/{pk}/payments": Expect("contributions.view", params={"pk": BILL}),
    "POST /api/v1/contributions/bills/{pk}/payments": Expect("contributions.pay", methods=POST, params={"pk": BILL},
                                                             data=COUNTER_PAYMENT),
    "POST /api/v1/contributions/generate": Expect("contributions.generate", methods=POST,
                                                        data={"region": "370700", "month": "2024-13"}),
    "POST /api/v1/contributions/staff/add": Expect("contributions.staff", methods=POST, params={"unit": UNIT},
                                                   data=STAFF_ADD),
    "POST /api/v1/contributions/staff/remove": Expect("contributions.staff", methods=POST, params={"unit": UNIT},
                                                      data=STAFF_REMOVE),
    # the channels' contract (bearer token)
    "POST /api/v1/collection/payments": Expect(channel=True, methods=POST, data=CHANNEL_PAYMENT),
    "POST /api/v1/collection/payments/batch": Expect(channel=True, methods=POST,
                                                     data={"payments": [CHANNEL_PAYMENT]}),
    "GET /api/v1/contributions/payments/{pk}/receipt": Expect("contributions.view", params={"pk": PAYMENT}),
    "POST /api/v1/contributions/payments": Expect(channel=True, methods=POST, data=BILL_PAYMENT),
    "POST /api/v1/contributions/payments/batch": Expect(channel=True, methods=POST,
                                                        data={"payments": [BILL_PAYMENT]}),
    "POST /api/v1/auth/login": PUBLIC,
    "GET /api/v1/auth/csrf": PUBLIC,
    "GET /api/v1/me": Expect(),
    # a wrong current password: refused, nothing changed
    "POST /api/v1/auth/password": Expect(data={"old_password": "门禁", "new_password": "Gate-Password-2024"}),
    "GET /api/v1/policy/gaps": Expect("policy.gaps"),
    "GET /api/v1/contributions/what-if": Expect("employer.set_average_wage"),
    "GET /api/v1/contributions/staff-changes": Expect("contributions.staff_changes", params={"unit": UNIT},
                                                      filters=("unit",)),
    "GET /api/v1/divisions": Expect("reference.view", params={"parent": DIVISION}, filters=("parent",)),
    "GET /api/v1/divisions/{key}": Expect("reference.view", params={"key": DIVISION}),
    "GET /api/v1/agencies": Expect("reference.view"),
    "GET /api/v1/targets": Expect("reference.view"),
    "POST /api/v1/identity/resident-id": Expect(data={"value": "11010519491231002X"}),
    "POST /api/v1/identity/uscc": Expect(data={"value": "91350100M000100Y43"}),
    "GET /api/v1/audit": Expect("audit.view"),
    "GET /api/v1/jobs/{job_id}": Expect(params={"job_id": JOB}),
    "GET /api/v1/policy/questions": Expect("policy.ask"),
    "POST /api/v1/policy/ask": Expect("policy.ask", data={"region": "370700", "question": "employee.bounds",
                                                          "input": {"month": f"{YEAR}-01"}}),
    "POST /api/v1/employer/declarations": Expect("employer.declare", data={"year": YEAR}),
    "GET /api/v1/employer/declarations": Expect("employer.view_declaration"),
    f"GET {D}": Expect("employer.view_declaration", params=PK),
    f"GET {D}/lines": Expect("employer.view_declaration", params=PK),
    f"PUT {D}/lines/{{line_id}}": Expect("employer.declare", params={"pk": DECLARATION, "line_id": LINE},
                                         data={"amount": "5000"}),
    f"GET {D}/template": Expect("employer.declare", params=PK),
    f"POST {D}/upload": Expect("employer.declare", params=PK, data=UPLOAD),
    f"POST {D}/materials": Expect("employer.declare", params=PK, data=MATERIAL_UPLOAD),
    f"GET {D}/forms/{{form}}": Expect("employer.view_declaration",
                                      params={"pk": DECLARATION, "form": FORM, "format": FORMAT}),
    f"POST {D}/submit": Expect("employer.declare", params=PK, data={}),
    f"POST {D}/review": Expect("employer.review", params=PK, data={"approve": False, "reasons": "门禁测试"}),
    f"POST {D}/confirm": Expect("employer.declare", params=PK, data={}),
    f"POST {D}/reopen": Expect("employer.declare", params=PK, data={"month_from": f"{YEAR}-07"}),
    f"GET {D}/bases": Expect("employer.view_declaration", params=PK),
    "GET /api/v1/employer/units": Expect("employer.view_units"),
    "POST /api/v1/employer/units": Expect("employer.register_unit", data=UNIT_FORM),
    "GET /api/v1/employer/units/{pk}": Expect("employer.view_units", params=UNIT_PK),
    "POST /api/v1/employer/units/{pk}/account": Expect("employer.register_unit", params=UNIT_PK, data={}),
    "POST /api/v1/employer/units/{pk}/changes": Expect("employer.register_unit", params=UNIT_PK,
                                                       data={"changes": {}}),
    "GET /api/v1/employer/unit-changes": Expect("employer.register_unit"),
    "POST /api/v1/employer/unit-changes/{pk}/review": Expect("employer.register_unit", params={"pk": w.UNIT_CHANGE},
                                                             data={"approve": False}),
    "POST /api/v1/employer/units/{pk}/status": Expect("employer.register_unit", params=UNIT_PK,
                                                      data={"status": "bogus", "effective_on": "x", "reason": ""}),
    "POST /api/v1/employer/units/{pk}/counter/declarations": Expect("employer.counter", params=UNIT_PK,
                                                                    data={"year": YEAR}),
    "POST /api/v1/employer/counter/declarations/{pk}/upload": Expect("employer.counter", params=PK, data=UPLOAD),
    "POST /api/v1/employer/counter/declarations/{pk}/materials": Expect("employer.counter", params=PK,
                                                                        data=MATERIAL_UPLOAD),
    "POST /api/v1/employer/counter/declarations/{pk}/submit": Expect("employer.counter", params=PK, data={}),
    f"GET {D}/timeline": Expect("employer.view_declaration", params=PK),
    f"GET {D}/notice": Expect("employer.view_declaration", params=PK),
    f"POST {D}/notice": Expect("employer.declare", params=PK, data={}),
    "POST /api/v1/employer/flexible-base": Expect("flexible.declare", data={"month": f"{YEAR}-01", "base": "5000"}),
    "POST /api/v1/employer/average-wages": Expect("employer.set_average_wage", data={
        "region": "370700", "wage_year": YEAR - 1, "annual_amount": "不是金额", "published_on": f"{YEAR}-06-01"}),
    # --- resident scheme: registration, review, problem queue
    "POST /api/v1/resident/registrations": Expect("resident.register", data=REGISTRATION_JSON),
    "POST /api/v1/resident/me/registration": Expect("resident.self", data=REGISTRATION_JSON),
    "GET /api/v1/resident/registrations": Expect("resident.view_registration"),
    "GET /api/v1/resident/registrations/{pk}": Expect("resident.view_registration", params={"pk": REGISTRATION}),
    "POST /api/v1/resident/registrations/{pk}/review": Expect("resident.review", params={"pk": REGISTRATION},
                                                              data={"approve": False, "note": "门禁测试"}),
    "GET /api/v1/resident/problems": Expect("resident.view_problem"),
    "GET /api/v1/resident/problems/{pk}": Expect("resident.view_problem", params={"pk": PROBLEM}),
    "POST /api/v1/resident/problems/{pk}/resolve": Expect("resident.review", params={"pk": PROBLEM},
                                                          data={"corrections": {"hk_name": "门禁居民"}}),
    "POST /api/v1/resident/problems/{pk}/send-back": Expect("resident.review", params={"pk": PROBLEM},
                                                            data={"instructions": "门禁测试"}),
    "POST /api/v1/resident/problems/{pk}/resubmit": Expect("resident.self", params={"pk": PROBLEM},
                                                           data={"corrections": {"hk_name": "门禁居民"}}),
    # --- resident scheme: persons, coverage, premium
    "GET /api/v1/resident/persons/{id_number}": Expect("resident.coverage", params={"id_number": PERSON}),
    "POST /api/v1/resident/persons/{id_number}/life-status": Expect(
        "resident.review", params={"id_number": PERSON}, data={"status": "moved_out", "on": f"{YEAR}-01-10"}),
    "GET /api/v1/resident/premium": Expect("resident.coverage", params={"id_number": PERSON}),
    "GET /api/v1/resident/coverage": Expect("resident.coverage", params={"id_number": PERSON}),
    # --- resident scheme: imports
    "POST /api/v1/resident/imports/registrations": Expect("resident.import", data=RESIDENT_UPLOAD),
    "POST /api/v1/resident/imports/hardship": Expect("resident.import", data={**RESIDENT_UPLOAD, "source": "民政"}),
    "GET /api/v1/resident/imports": Expect("resident.import"),
    "GET /api/v1/resident/imports/{batch_id}": Expect("resident.import", params={"batch_id": BATCH}),
    "POST /api/v1/resident/imports/{batch_id}/review": Expect("resident.review", params={"batch_id": BATCH},
                                                              data={"approve": False, "note": "门禁测试"}),
    # --- resident scheme: change requests
    "POST /api/v1/resident/me/changes": Expect("resident.self", data=CHANGE_UPLOAD),
    "GET /api/v1/resident/me/changes": Expect("resident.self"),
    "POST /api/v1/resident/persons/{id_number}/changes": Expect("resident.register", params={"id_number": PERSON},
                                                                data=CHANGE_UPLOAD),
    "GET /api/v1/resident/changes": Expect("resident.review"),
    "GET /api/v1/resident/changes/{pk}": Expect("resident.review", params={"pk": w.CHANGE}),
    "POST /api/v1/resident/changes/{pk}/review": Expect("resident.review", params={"pk": w.CHANGE},
                                                        data={"approve": False, "note": "门禁测试"}),
    "GET /api/v1/resident/changes/{pk}/documents/{document_id}": Expect(
        ("resident.review", "person.view_id_number"), params={"pk": w.CHANGE, "document_id": w.CHANGE_DOCUMENT}),
    "GET /api/v1/resident/persons/{id_number}/history": Expect("resident.view", params={"id_number": PERSON}),
    # --- resident scheme: renewal roster
    "GET /api/v1/resident/rosters": Expect("resident.view"),
    "POST /api/v1/resident/rosters": Expect("resident.roster", data={"village": ROSTER_VILLAGE_IN, "year": YEAR + 1}),
    "GET /api/v1/resident/rosters/{pk}": Expect("resident.view", params={"pk": ROSTER}),
    "POST /api/v1/resident/rosters/{pk}/confirm": Expect("resident.roster", params={"pk": ROSTER}, data={}),
    "POST /api/v1/resident/rosters/{pk}/post": Expect("resident.roster_post", params={"pk": ROSTER}, data={}),
    "GET /api/v1/resident/rosters/{pk}/file": Expect("resident.view", params={"pk": ROSTER, "format": FORMAT}),
    # --- collection: reconciliation, refunds, paid lists
    "POST /api/v1/collection/channels/{channel}/statements": Expect("collection.reconcile",
                                                                    params={"channel": w.CHANNEL},
                                                                    data=STATEMENT_API_UPLOAD),
    "GET /api/v1/collection/statements": Expect("collection.reconcile"),
    "GET /api/v1/collection/statements/{pk}": Expect("collection.reconcile", params={"pk": w.STATEMENT}),
    "POST /api/v1/collection/statements/{pk}/differences/{difference}/resolve": Expect(
        "collection.reconcile", params={"pk": w.STATEMENT, "difference": w.DIFFERENCE}, data={"note": ""}),
    "POST /api/v1/collection/refunds": Expect("collection.refund", data=REFUND_UPLOAD),
    "GET /api/v1/collection/refunds": Expect("collection.refund"),
    "GET /api/v1/collection/refunds/{pk}": Expect("collection.refund", params={"pk": w.REFUND}),
    "POST /api/v1/collection/refunds/{pk}/review": Expect("collection.refund", params={"pk": w.REFUND},
                                                          data={"approve": False, "note": ""}),
    "GET /api/v1/collection/paid-lists": Expect("collection.paid_list"),
    "GET /api/v1/collection/paid-lists/{village}/file": Expect("collection.paid_list",
                                                               params={"village": w.VILLAGE, "format": FORMAT}),
    # --- reporting
    "GET /api/v1/reporting/progress": Expect("reporting.view_progress", params={"region": DIVISION}),
    "GET /api/v1/reporting/progress.xlsx": Expect("reporting.view_progress", params={"region": DIVISION}),
    "GET /api/v1/reporting/declarations": Expect("reporting.view_declarations", params={"region": DIVISION}),
    # --- collection: the assistance fund, family mutual-aid accounts
    "POST /api/v1/collection/fund/generate": Expect("collection.fund", data={"region": "370700",
                                                                            "insurance_year": YEAR}),
    "GET /api/v1/collection/fund/ledger": Expect("collection.fund_view"),
    "GET /api/v1/collection/fund/statement": Expect("collection.fund_view"),
    "POST /api/v1/collection/family-payments": Expect("collection.family", data=FAMILY_PAYMENT),
    # --- collection: village agents' cash (代收), deposits, 申报清单, transfers
    "GET /api/v1/collection/agent/persons/{id_number}": Expect("collection.collect", params={"id_number": PERSON}),
    "POST /api/v1/collection/agent/collections": Expect("collection.collect", data=AGENT_COLLECTION),
    "GET /api/v1/collection/collections": Expect("collection.view_deposits"),
    "GET /api/v1/collection/collections/{pk}": Expect("collection.view_deposits", params={"pk": w.COLLECTION}),
    "GET /api/v1/collection/collections/{pk}/receipt": Expect("collection.view_deposits",
                                                             params={"pk": w.COLLECTION}),
    "POST /api/v1/collection/deposits": Expect("collection.collect", data=AGENT_DEPOSIT),
    "GET /api/v1/collection/deposits": Expect("collection.view_deposits"),
    "GET /api/v1/collection/deposits/{pk}": Expect("collection.view_deposits", params={"pk": w.DEPOSIT}),
    "POST /api/v1/collection/deposits/{pk}/correct": Expect("collection.collect", params={"pk": w.DEPOSIT},
                                                            data={"bank_reference": "门禁回单"}),
    "POST /api/v1/collection/deposits/{pk}/submit": Expect("collection.collect", params={"pk": w.DEPOSIT}, data={}),
    "POST /api/v1/collection/deposits/{pk}/check": Expect("collection.declare", params={"pk": w.DEPOSIT},
                                                          data=BANK_RECORD),
    "GET /api/v1/collection/deposits/{pk}/file": Expect("collection.view_deposits",
                                                        params={"pk": w.DEPOSIT, "format": FORMAT}),
    # a transfer names its deposits in the body; the gate sends none (refused: nothing to transfer)
    "POST /api/v1/collection/transfers": Expect("collection.transfer", data={"deposits": [], "transferred_on":
                                                                            f"{YEAR}-01-10", "reference": "门禁"}),
    "GET /api/v1/collection/villages": Expect("collection.view_deposits"),
    # --- audit cases (稽核)
    "POST /api/v1/inspection/self-inspection": Expect("inspection.manage", data={"region": "370700", "year": YEAR}),
    "POST /api/v1/inspection/risk-checks": Expect("inspection.manage", data={"region": "370700", "year": YEAR}),
    "POST /api/v1/inspection/complaints": Expect("inspection.report", data=COMPLAINT),
    "POST /api/v1/inspection/declarations/{pk}/material-flags": Expect("inspection.report", params=PK,
                                                                        data={"note": "门禁测试"}),
    "GET /api/v1/inspection/cases": Expect("inspection.view"),
    "GET /api/v1/inspection/counts": Expect("inspection.view"),
    "GET /api/v1/inspection/cases/export": Expect("inspection.view"),
    "GET /api/v1/inspection/cases/{pk}": Expect("inspection.view", params={"pk": w.CASE}),
    "POST /api/v1/inspection/cases/{pk}/assign": Expect("inspection.manage", params={"pk": w.CASE},
                                                        data={"owner": "nobody"}),
    "POST /api/v1/inspection/cases/{pk}/investigate": Expect("inspection.manage", params={"pk": w.CASE}, data={}),
    "POST /api/v1/inspection/cases/{pk}/conclude": Expect("inspection.manage", params={"pk": w.CASE},
                                                          data={"findings": ""}),
    "POST /api/v1/inspection/cases/{pk}/corrected-bases": Expect(
        "inspection.manage", params={"pk": w.CASE},
        data={"id_number": w.MISSING_ID_NUMBER, "wage": "5000", "month_from": f"{YEAR}-04"}),
    "GET /api/v1/inspection/mine": Expect("inspection.self"),
    "POST /api/v1/inspection/mine/{pk}/response": Expect("inspection.self", params={"pk": w.CASE},
                                                         data={"note": "门禁测试"}),
}


# --- the walk ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """One page (``kind == "page"``, ``key`` its URL name) or API operation (``kind == "api"``,
    ``key`` its method and path)."""

    kind: str
    key: str
    path: str               # a template: Django's ``<int:pk>`` or OpenAPI's ``{pk}``
    path_params: tuple[str, ...]
    query_params: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET",)

    def __str__(self) -> str:
        return self.key

    @property
    def expect(self) -> Expect | None:
        return (PAGES if self.kind == "page" else OPERATIONS).get(self.key)


def _is_api_operation(pattern: URLPattern) -> bool:
    # django-ninja's operation views; the OpenAPI walk covers them, with their methods
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace or "") if x)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and not _is_api_operation(p):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or f"<unnamed {prefix}{p.pattern}>")
            yield name, "/" + prefix + str(p.pattern), tuple(p.pattern.converters)


def page_routes() -> list[Route]:
    out = []
    for name, path, params in _walk(get_resolver().url_patterns):
        methods = PAGES[name].methods if name in PAGES else ("GET",)
        out.append(Route("page", name, path, params, methods=methods))
    return out


def api_routes() -> list[Route]:
    from yibao.api import api

    out = []
    for path, ops in api.get_openapi_schema()["paths"].items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            out.append(Route("api", f"{method.upper()} {path}", path,
                             tuple(p["name"] for p in params if p["in"] == "path"),
                             tuple(p["name"] for p in params if p["in"] == "query"),
                             methods=(method.upper(),)))
    return out


def all_routes() -> list[Route]:
    return page_routes() + api_routes()
