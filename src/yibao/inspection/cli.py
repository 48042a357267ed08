"""``yibao inspection --as USER …``: the audit cases from the command line, the same services as
the pages and the API.

    self-inspection --region R --year Y     生成自查自纠名单（潍坊 三(二)）
    risk-checks --region R --year Y         运行风险检查（聊城 五）
    cases [--status S] [--region R] [--kind K] [--year Y]
    case N                                  案件详情与经过
    complaint UNIT_NUMBER --source S --content C
    flag-material DECLARATION --note TEXT [--material CODE]
    assign N --owner USERNAME | investigate N | conclude N --findings TEXT
    correct-base N --id-number ID --wage W --month-from YYYY-MM [--note TEXT]
    respond N --note TEXT                   单位提交自查自纠情况
    export --out FILE.xlsx [filters]
"""

from __future__ import annotations

import sys
from pathlib import Path

from yibao import terminal
from yibao.access.permissions import user_can
from yibao.errors import AppError

from . import exports, selectors, services
from .models import CaseKind, CaseStatus


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", required=True, help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("self-inspection", "生成自查自纠名单"), ("risk-checks", "运行风险检查")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--region", required=True, help="统筹区代码，如 370700")
        p.add_argument("--year", required=True, type=int, help="年度")
    for name, help_text in (("cases", "列出稽核案件"), ("export", "导出稽核案件（xlsx）")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--status", choices=CaseStatus.values)
        p.add_argument("--region")
        p.add_argument("--kind", choices=CaseKind.values)
        p.add_argument("--year", type=int)
        if name == "export":
            p.add_argument("--out", required=True, help="输出文件")
    p = sub.add_parser("case", help="案件详情与经过")
    p.add_argument("case", type=int)
    p = sub.add_parser("complaint", help="登记举报投诉")
    p.add_argument("unit_number", help="单位编号")
    p.add_argument("--source", required=True, help="来源，如来信、电话、网站")
    p.add_argument("--content", required=True, help="举报投诉内容")
    p = sub.add_parser("flag-material", help="标记申报材料涉嫌虚假")
    p.add_argument("declaration", type=int, help="申报编号")
    p.add_argument("--note", required=True, help="疑点说明")
    p.add_argument("--material", default="", help="材料类型代码")
    p = sub.add_parser("assign", help="指定承办人")
    p.add_argument("case", type=int)
    p.add_argument("--owner", required=True, help="稽核人员用户名")
    p = sub.add_parser("investigate", help="开始稽核")
    p.add_argument("case", type=int)
    p = sub.add_parser("conclude", help="办结（须填写稽核结论）")
    p.add_argument("case", type=int)
    p.add_argument("--findings", default="", help="稽核结论")
    p = sub.add_parser("correct-base", help="更正缴费基数")
    p.add_argument("case", type=int)
    p.add_argument("--id-number", required=True)
    p.add_argument("--wage", required=True, help="核实的月工资（元）")
    p.add_argument("--month-from", required=True, help="更正起始月份 YYYY-MM")
    p.add_argument("--note", default="")
    p = sub.add_parser("respond", help="单位提交自查自纠情况")
    p.add_argument("case", type=int)
    p.add_argument("--note", required=True)


def _line(c) -> str:
    return (f"{c.pk}\t{c.region_id}\t{c.year}\t{c.get_kind_display()}\t{c.unit.unit_number}\t{c.unit.name}\t"
            f"{c.get_status_display()}\t{c.owner.username if c.owner_id else '-'}\t{c.summary}")


def _report(report) -> int:
    for r in report.results:
        print(r.message)
    return 0


def _case(actor, pk):
    case = selectors.case_for(actor, pk)
    if case is None:
        raise AppError(f"稽核案件 {pk} 不存在", code="not_found")
    return case


def _filter(args) -> selectors.CaseFilter:
    return selectors.CaseFilter.parse({"status": args.status or "", "region": args.region or "",
                                       "kind": args.kind or "", "year": args.year or ""})


def _show(case) -> int:
    print(_line(case))
    for e in case.events.select_related("actor"):
        print(f"  {e.at:%Y-%m-%d %H:%M}\t{e.get_kind_display()}\t{e.actor.username if e.actor_id else '系统'}\t{e.text}")
    if case.findings:
        print(f"稽核结论：{case.findings}")
    return 0


def _run(args, actor) -> int:
    a = args.action
    if a == "self-inspection":
        return _report(services.open_self_inspections(args.region, args.year, actor=actor))
    if a == "risk-checks":
        return _report(services.run_risk_checks(args.region, args.year, actor=actor))
    if a == "cases":
        for c in _filter(args).apply(selectors.cases_for(actor), actor)[:500]:
            print(_line(c))
        return 0
    if a == "export":
        data, _name = exports.cases_workbook(actor, _filter(args))
        Path(args.out).write_bytes(data)
        print(f"已导出：{args.out}")
        return 0
    if a == "case":
        return _show(_case(actor, args.case))
    if a == "complaint":
        unit = selectors.unit_for(actor, args.unit_number)
        if unit is None:
            raise AppError(f"参保单位 {args.unit_number} 不存在", code="not_found")
        case = services.record_complaint(unit, content=args.content, source=args.source, actor=actor)
        print(f"已立案：稽核案件 {case.pk}")
        return 0
    if a == "flag-material":
        declaration = selectors.declaration_for(actor, args.declaration)
        if declaration is None:
            raise AppError(f"申报 {args.declaration} 不存在", code="not_found")
        case = services.flag_false_materials(declaration, note=args.note, material_code=args.material, actor=actor)
        print(f"已立案：稽核案件 {case.pk}")
        return 0
    case = _case(actor, args.case)
    if a == "assign":
        owner = next((u for u in selectors.auditors_for(case) if u.username == args.owner), None)
        case = services.assign(case, owner, actor=actor)
    elif a == "investigate":
        case = services.start_investigation(case, actor=actor)
    elif a == "conclude":
        case = services.conclude(case, findings=args.findings, actor=actor)
    elif a == "correct-base":
        services.correct_base(case, id_number=args.id_number, wage=args.wage, month_from=args.month_from,
                              note=args.note, actor=actor)
    elif a == "respond":
        case = services.respond(case, note=args.note, actor=actor)
    return _show(selectors.case_for(actor, case.pk))


CAPABILITY = {"self-inspection": "inspection.manage", "risk-checks": "inspection.manage", "assign": "inspection.manage",
              "investigate": "inspection.manage", "conclude": "inspection.manage",
              "correct-base": "inspection.manage", "cases": "inspection.view", "case": "inspection.view",
              "export": "inspection.view", "complaint": "inspection.report", "flag-material": "inspection.report",
              "respond": "inspection.self"}


def run(args) -> int:
    actor = terminal.actor(args.as_user)
    capability = CAPABILITY[args.action]
    if args.action == "case" and user_can(actor, "inspection.self"):
        capability = "inspection.self"
    if not user_can(actor, capability):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        return _run(args, actor)
    except AppError as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
