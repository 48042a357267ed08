"""``yibao collection --as USER refund-apply ID_NUMBER --year Y --reason R --event-date D --evidence
FILE`` applies for a refund; ``refunds`` lists applications; ``refund-review ID --approve|--reject
[--note TEXT]`` reviews one (another clerk than the applicant)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from yibao.identity import mask_id_number

from ..models import RefundReason
from ..selectors import work as selectors
from ..services import refunds as services

CAPABILITY = "collection.refund"


def configure(sub) -> None:
    p = sub.add_parser("refund-apply", help="申请退费（东明 二(三)）")
    p.add_argument("id_number", help="参保人身份证号码")
    p.add_argument("--year", required=True, type=int, help="保险年度")
    p.add_argument("--reason", required=True, choices=RefundReason.values,
                   help="death 死亡；employee_scheme 参加职工医保；insured_elsewhere 在统筹区外参保")
    p.add_argument("--event-date", required=True, type=dt.date.fromisoformat, help="死亡或参加其他医保的日期")
    p.add_argument("--evidence", required=True, help="证明材料扫描件（PDF、JPEG 或 PNG）")
    p = sub.add_parser("refunds", help="列出退费申请")
    p.add_argument("--status", choices=["pending", "approved", "rejected"])
    p = sub.add_parser("refund-review", help="审核退费申请（须由申请人以外的经办人员审核）")
    p.add_argument("refund", type=int, help="退费申请编号")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--approve", action="store_true", help="同意退费")
    group.add_argument("--reject", action="store_true", help="驳回")
    p.add_argument("--note", default="", help="审核意见（驳回时必填）")


def _line(r) -> str:
    p = r.payment
    return (f"{r.pk}\t{mask_id_number(p.id_number)}\t{p.name}\t{p.insurance_year}\t{p.amount} 元\t"
            f"{p.get_payer_display()}\t{r.get_reason_display()}\t{r.get_status_display()}")


def _apply(args, actor) -> int:
    path = Path(args.evidence)
    if not path.is_file():
        print(f"操作未完成：找不到文件 {args.evidence}", file=sys.stderr)
        return 2
    payments = selectors.payments_of(actor, args.id_number, args.year)
    refund = services.apply(args.id_number, args.year, payments, args.reason, args.event_date,
                            services.Evidence(path.name, path.read_bytes()), actor=actor)
    print(f"已提交退费申请 {refund.pk}，待另一名经办人员审核：")
    print(_line(refund))
    return 0


def _list(args, actor) -> int:
    qs = selectors.refunds_for(actor)
    if args.status:
        qs = qs.filter(status=args.status)
    for r in qs[:200]:
        print(_line(r))
    return 0


def _review(args, actor) -> int:
    refund = selectors.refund_for(actor, args.refund)
    if refund is None:
        print(f"操作未完成：退费申请 {args.refund} 不存在", file=sys.stderr)
        return 2
    refund = services.review(refund, approve=args.approve, note=args.note, actor=actor)
    if refund.refund_payment_id:
        print(f"已同意退费申请 {refund.pk}：退费记录 {refund.refund_payment_id}，"
              f"{refund.refund_payment.amount} 元退回{refund.payment.get_payer_display()}")
    else:
        print(f"已驳回退费申请 {refund.pk}")
    return 0


COMMANDS = {"refund-apply": (CAPABILITY, _apply, True),
            "refunds": (CAPABILITY, _list, True),
            "refund-review": (CAPABILITY, _review, True)}
