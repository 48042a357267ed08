"""``yibao contributions …``: bills and spans from the command line; parses, calls one service,
prints."""

from __future__ import annotations

import sys

from yibao import terminal
from yibao.access.permissions import user_can


def configure(e) -> None:
    e.add_argument("--as", dest="as_user", required=True, help="以该用户的身份操作（记入审计日志）")
    es = e.add_subparsers(dest="action", required=True)
    g = es.add_parser("generate", help="生成一个统筹区某月的缴费单据")
    g.add_argument("region", help="统筹区代码，如 370700")
    g.add_argument("month", help="费款所属期 YYYY-MM")
    b = es.add_parser("bills", help="列出缴费单据")
    b.add_argument("--unit", help="单位编号")
    b.add_argument("--month")
    d = es.add_parser("declare", help="申报一张缴费单据")
    d.add_argument("bill", type=int, help="单据编号")
    s = es.add_parser("statement", help="单位对账单：缴费单据、缴费、余额和滞纳金")
    s.add_argument("unit", help="单位编号")
    s.add_argument("--from", dest="month_from", help="起始月份 YYYY-MM（默认本年度 1 月）")
    s.add_argument("--to", dest="month_to", help="终止月份 YYYY-MM（默认本年度 12 月）")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--xlsx", metavar="F", help="写入 xlsx 文件")
    out.add_argument("--pdf", metavar="F", help="写入 PDF 文件")
    p = es.add_parser("pay", help="窗口缴费：记录单位对一张已申报单据的缴费")
    p.add_argument("bill", type=int, help="单据编号")
    p.add_argument("amount", help="缴费金额（元，到分），不超过单据尚欠金额")
    p.add_argument("--paid-on", dest="paid_on", help="缴费日期 YYYY-MM-DD，缺省为今天")
    p.add_argument("--note", default="", help="备注")
    p.add_argument("--receipt", help="另存收据（PDF）到此文件")
    w = es.add_parser("what-if", help="新公布平均工资录入前的影响测算（只测算，不写入）")
    w.add_argument("region", help="统筹区代码，如 370700")
    w.add_argument("--wage", required=True, help="新公布的年平均工资（元）")
    w.add_argument("--published-on", required=True, help="公布日期 YYYY-MM-DD")
    w.add_argument("--month", help="测算月份 YYYY-MM（默认：新上下限的起始月份）")
    w.add_argument("--xlsx", help="另存全部单位的测算表（xlsx）到此文件")


def run(args) -> int:
    from yibao.employer import contributing
    from yibao.employer import selectors as employer_selectors
    from yibao.months import Month

    from . import selectors, services

    actor = terminal.actor(args.as_user)
    needed = {"generate": "contributions.generate", "bills": "contributions.view",
              "declare": "contributions.declare", "pay": "contributions.pay",
              "statement": "contributions.view", "what-if": "employer.set_average_wage"}[args.action]
    if not user_can(actor, needed):
        print(f"{actor.username}（{actor.get_role_display()}）无权执行此操作。", file=sys.stderr)
        return 2
    try:
        if args.action == "what-if":
            return _what_if(args, actor)
        if args.action == "generate":
            job = services.start_generation(args.region, args.month, actor=actor, in_process=True)
            print(job.message or job.status)
            return 0 if job.status == "done" else 1
        if args.action == "bills":
            unit_id = None
            if args.unit:
                unit = employer_selectors.units_for(actor).filter(unit_number=args.unit).first()
                if unit is None:
                    print(f"单位 {args.unit} 不存在，或不在管辖范围内", file=sys.stderr)
                    return 2
                unit_id = unit.pk
            month = Month.coerce(args.month) if args.month else None
            for bill in selectors.bills_for(actor, unit_id=unit_id, month=month)[:500]:
                print(f"{bill.pk}\t{bill.unit_id}\t{bill.month}\t{bill.get_kind_display()}\t{bill.person_count}人\t"
                      f"应缴 {bill.amount_due}\t{bill.get_status_display()}")
            return 0
        if args.action == "statement":
            return _statement(actor, args)
        bill = selectors.bill_for(actor, args.bill)
        if bill is None:
            if args.action == "pay":
                services.refuse_unknown_bill(actor, args.bill)
            print("缴费单据不存在。", file=sys.stderr)
            return 2
        if args.action == "pay":
            import datetime as dt

            try:
                paid_on = dt.date.fromisoformat(args.paid_on) if args.paid_on else None
            except ValueError:
                print("缴费日期应为 YYYY-MM-DD 格式。", file=sys.stderr)
                return 2
            payment = services.record_counter_payment(bill, args.amount, paid_on, actor=actor, note=args.note)
            print(f"已记录缴费：单据 {bill.pk}（{bill.month}）{payment.amount} 元，缴费记录 {payment.pk}，"
                  f"收据号 {payment.receipt_number}，尚欠 {payment.balance_after} 元")
            if args.receipt:
                from pathlib import Path

                from . import exports

                unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
                Path(args.receipt).write_bytes(exports.receipt_pdf(payment, bill, unit))
                print(f"收据已写入 {args.receipt}")
            return 0
        bill = services.declare_bill(bill, actor=actor)
        print(f"已申报：{bill.month} 应缴 {bill.amount_due} 元")
        return 0
    except (services.AppError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _statement(actor, args) -> int:
    from pathlib import Path

    from yibao import clock
    from yibao.employer import contributing
    from yibao.employer import selectors as employer_selectors

    from . import exports, selectors

    unit = employer_selectors.units_for(actor).filter(unit_number=args.unit).first()
    if unit is None:
        print(f"单位 {args.unit} 不存在，或不在管辖范围内", file=sys.stderr)
        return 2
    today = clock.today()
    first, last = selectors.statement_period(args.month_from, args.month_to, today)
    st = selectors.statement(actor, unit, first, last, today)
    facts = contributing.unit_facts([unit.pk])[unit.pk]
    if args.xlsx or args.pdf:
        path = Path(args.xlsx or args.pdf)
        path.write_bytes(exports.statement_xlsx(st, facts) if args.xlsx else exports.statement_pdf(st, facts))
        print(f"已写入 {path}：{len(st.rows)} 张单据")
        return 0
    print(f"{unit.name}（{unit.unit_number}）对账单 {first} 至 {last}，截至 {today.isoformat()}")
    print("费款所属期\t类型\t状态\t缴费截止日\t缴费\t计入滞纳金\t应缴\t已缴\t余额\t逾期缴费滞纳金\t滞纳金截至今日")
    for row in st.rows:
        b, late = row.bill, row.late
        print(f"{b.month}\t{b.get_kind_display()}\t{b.get_status_display()}\t"
              f"{late.due_date.isoformat() if late.due_date else '未规定'}\t{b.contributions_due}\t{b.late_fee_total}\t"
              f"{b.amount_due}\t{b.amount_paid}\t{b.balance}\t{late.charged_total}\t{late.accrued}")
        for p in row.payments:
            print(f"\t缴费 {p.paid_on.isoformat()} {p.amount} 元（{exports.payment_way(p)}）")
    t = st.totals
    print(f"合计\t\t\t\t{t['contributions']}\t{t['late_fees_carried']}\t{t['amount_due']}\t{t['amount_paid']}\t"
          f"{t['balance']}\t{t['late_fees_charged']}\t{t['late_fees_accrued']}")
    return 0


def _what_if(args, actor) -> int:
    from pathlib import Path

    from yibao.employer import selectors as employer_selectors

    from . import exports, selectors

    preview = selectors.what_if_for(employer_selectors.pooling_regions_for(actor), args.region, args.wage,
                                    args.published_on, args.month, named=None if args.xlsx else 100)
    print(f"自 {preview.effective_from} 起缴费基数下限 {preview.floor} 元、上限 {preview.ceiling} 元；"
          f"测算月份 {preview.month}")
    print(f"核定基数 {preview.bases} 条，改变 {preview.changed} 条；全统筹区每月缴费变化 {preview.total_change} 元"
          f"（{len(preview.units)} 个单位）")
    for u in preview.units[:20]:
        print(f"{u['unit_number']}\t{u['name']}\t{u['people']}人\t{u['change']}")
    if len(preview.units) > 20:
        print(f"……另 {len(preview.units) - 20} 个单位" + ("，见 xlsx" if args.xlsx else "（--xlsx 导出全部）"))
    if args.xlsx:
        Path(args.xlsx).write_bytes(exports.what_if_xlsx(preview, wage=args.wage, published_on=args.published_on))
        print(f"已导出：{args.xlsx}")
    return 0
