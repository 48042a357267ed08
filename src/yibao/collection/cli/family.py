"""``yibao collection --as CLERK family-payment ID_NUMBER --region CODE --year YEAR --amount YUAN
--payer-id NUMBER --payer-name NAME --relationship 关系 [--paid-on DATE]`` records a family
mutual-aid account's payment (晋城 三(三)), through the same service as the page and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from ..services import family as services


def configure(sub) -> None:
    p = sub.add_parser("family-payment", help="记录家庭共济账户缴费")
    p.add_argument("id_number", help="参保人（家庭成员）身份证号码")
    p.add_argument("--region", required=True, help="统筹区代码，如 140500")
    p.add_argument("--year", required=True, type=int, help="保险年度")
    p.add_argument("--amount", required=True, help="缴费金额（元，须等于个人应缴金额）")
    p.add_argument("--payer-id", required=True, help="共济账户人（参加职工医保）身份证号码")
    p.add_argument("--payer-name", required=True, help="共济账户人姓名")
    p.add_argument("--relationship", required=True, help="与参保人关系：" + "、".join(services.RELATIONSHIPS))
    p.add_argument("--paid-on", help="扣款日期（YYYY-MM-DD，默认今天）")


def _record(args, actor) -> int:
    try:
        amount = Decimal(args.amount)
    except InvalidOperation:
        amount = args.amount
    try:
        paid_on = dt.date.fromisoformat(args.paid_on) if args.paid_on else None
    except ValueError:
        print(f"操作未完成：扣款日期“{args.paid_on}”不正确，应为 YYYY-MM-DD")
        return 2
    p = services.record_family_payment(services.FamilyPaymentIn(
        id_number=args.id_number, region=args.region, insurance_year=args.year, amount=amount,
        payer_id_number=args.payer_id, payer_name=args.payer_name, relationship=args.relationship,
        paid_on=paid_on), actor=actor)
    print(f"已记录缴费 {p.pk}：{p.name} {p.insurance_year} 年度 {p.amount} 元，家庭共济账户人 {p.payer_name}（{p.relationship}），"
          f"扣款日期 {p.paid_on.isoformat()}")
    return 0


COMMANDS = {"family-payment": ("collection.family", _record, True)}
