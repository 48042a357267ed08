"""代收 from the command line, as the signed-in user named by ``--as``:

``quote ID`` · ``collect ID AMOUNT [--on DATE] [--year YEAR]`` · ``receipt PK --out FILE`` (the
village agent); ``deposit --on DATE --reference REF [--payments 1,2]`` · ``correct PK …`` ·
``submit PK`` (the agent's deposit and 申报清单); ``deposits`` · ``deposit-show PK`` ·
``deposit-file PK --format pdf|xlsx --out FILE`` · ``villages [--year]`` (whoever may view them);
``check PK --amount --date --reference`` (the tax clerk); ``transfer PK [PK …] --on --reference``
(the township clerk)."""

from __future__ import annotations

from pathlib import Path

from yibao.accounts.personal_data import shown_id_number

from ..printing import agents as printing
from ..selectors import deposits as selectors
from ..services import agents as services


def _ids(text: str | None) -> list[int] | None:
    if not text:
        return None
    return [int(x) for x in text.replace("，", ",").split(",") if x.strip()]


def configure(sub) -> None:
    p = sub.add_parser("quote", help="代收员查询本村（社区）参保人员的个人应缴金额")
    p.add_argument("id_number")
    p.add_argument("--year", type=int, help="保险年度（默认：此人在本村尚未缴费的最新年度）")
    p.add_argument("--on", help="收款日期 YYYY-MM-DD（默认当天）")
    p = sub.add_parser("collect", help="代收员记录收取的现金并开具收据")
    p.add_argument("id_number")
    p.add_argument("amount", help="实收金额（元）")
    p.add_argument("--on", help="收款日期 YYYY-MM-DD（默认当天）")
    p.add_argument("--year", type=int, help="保险年度")
    p = sub.add_parser("receipt", help="打印代收收据（PDF）")
    p.add_argument("payment", type=int, help="收款编号")
    p.add_argument("--out", required=True, help="写入的文件")
    p = sub.add_parser("deposit", help="代收员把尚未缴存的收款登记为一次缴存（形成申报清单）")
    p.add_argument("--on", required=True, help="缴存日期 YYYY-MM-DD")
    p.add_argument("--reference", required=True, help="银行回单号")
    p.add_argument("--payments", help="收款编号，逗号分隔（默认：本村全部尚未缴存的）")
    p.add_argument("--year", type=int, help="保险年度")
    p = sub.add_parser("correct", help="更正缴存（报送前或被退回后）")
    p.add_argument("deposit", type=int)
    p.add_argument("--on", help="缴存日期")
    p.add_argument("--reference", help="银行回单号")
    p.add_argument("--add", help="加入的收款编号，逗号分隔")
    p.add_argument("--remove", help="移出的收款编号，逗号分隔")
    p = sub.add_parser("submit", help="报送申报清单")
    p.add_argument("deposit", type=int)
    p = sub.add_parser("deposits", help="列出缴存与申报清单")
    p.add_argument("--status", help="open、submitted、returned、declared、transferred")
    p.add_argument("--year", type=int)
    p = sub.add_parser("deposit-show", help="显示一份申报清单及其人员、金额")
    p.add_argument("deposit", type=int)
    p = sub.add_parser("deposit-file", help="下载申报清单（PDF 或 xlsx）")
    p.add_argument("deposit", type=int)
    p.add_argument("--format", choices=printing.FORMATS, default="pdf")
    p.add_argument("--out", required=True)
    p = sub.add_parser("check", help="税务人员按银行到账记录核对申报清单：一致则申报，不一致则退回")
    p.add_argument("deposit", type=int)
    p.add_argument("--amount", required=True, help="银行到账金额（元）")
    p.add_argument("--date", required=True, help="银行到账日期")
    p.add_argument("--reference", required=True, help="银行流水号（回单号）")
    p = sub.add_parser("transfer", help="乡镇（街道）财政登记已申报清单的划缴")
    p.add_argument("deposits", type=int, nargs="+")
    p.add_argument("--on", required=True, help="划缴日期")
    p.add_argument("--reference", required=True, help="划缴凭证号")
    p = sub.add_parser("villages", help="各村（社区）代收资金的去向")
    p.add_argument("--year", type=int)
    p.add_argument("--township", default="")


def _quote(args, actor) -> int:
    q = services.look_up(actor, args.id_number, insurance_year=args.year, on=args.on)
    print(f"{q.facts.name}\t{q.facts.id_number}\t{q.facts.insurance_year} 年度\t{q.village.name}")
    print(f"资助类别：{'、'.join(q.categories) or '无'}")
    if q.premium:
        p = q.premium
        subsidy = f"，{p.category}资助 {p.subsidy} 元" if p.subsidy else ""
        print(f"个人缴费标准 {p.standard} 元{subsidy}，个人应缴 {p.payable} 元")
    if q.refusal:
        print(f"不能收款：{q.refusal.message}（{q.refusal.code}）")
        return 1
    return 0


def _collect(args, actor) -> int:
    p = services.collect(actor, args.id_number, args.amount, collected_on=args.on, insurance_year=args.year)
    print(f"已收款 {p.amount} 元：{p.name}，{p.insurance_year} 年度，收款日期 {p.paid_on}；收据编号 {p.receipt_number}"
          f"（收款编号 {p.pk}）")
    return 0


def _missing(what: str, pk) -> int:
    print(f"操作未完成：{what} {pk} 不存在")
    return 2


def _receipt(args, actor) -> int:
    payment = selectors.collection_for(actor, args.payment)
    if payment is None:
        return _missing("收款", args.payment)
    Path(args.out).write_bytes(printing.receipt_pdf(payment))
    print(f"已写入 {args.out}（收据编号 {payment.receipt_number}）")
    return 0


def _show(d) -> None:
    print(f"{d.pk}\t{d.number}\t{d.division.name}\t{d.insurance_year}\t{d.people} 人\t{d.amount} 元\t"
          f"{d.deposited_on or ''}\t{d.bank_reference}\t{d.get_status_display()}")


def _deposit(args, actor) -> int:
    d = services.deposit(actor, deposited_on=args.on, bank_reference=args.reference,
                         payment_ids=_ids(args.payments), insurance_year=args.year)
    print("已登记缴存：")
    _show(d)
    return 0


def _get(actor, pk):
    return selectors.deposit_for(actor, pk)


def _correct(args, actor) -> int:
    d = _get(actor, args.deposit)
    if d is None:
        return _missing("申报清单", args.deposit)
    d = services.correct(actor, d, deposited_on=args.on, bank_reference=args.reference, add=_ids(args.add) or (),
                         remove=_ids(args.remove) or ())
    print("已更正：")
    _show(d)
    return 0


def _submit(args, actor) -> int:
    d = _get(actor, args.deposit)
    if d is None:
        return _missing("申报清单", args.deposit)
    d = services.submit(actor, d)
    print("已报送申报清单：")
    _show(d)
    return 0


def _list(args, actor) -> int:
    qs = selectors.deposits_for(actor).order_by("created_at", "id")
    if args.status:
        qs = qs.filter(status=args.status)
    if args.year:
        qs = qs.filter(insurance_year=args.year)
    for d in qs:
        _show(d)
    return 0


def _detail(args, actor) -> int:
    d = _get(actor, args.deposit)
    if d is None:
        return _missing("申报清单", args.deposit)
    _show(d)
    if d.note:
        print(f"差异：{d.note}")
    for n, p in enumerate(selectors.lines_of(d), start=1):
        print(f"{n}\t{p.receipt_number}\t{p.name}\t{shown_id_number(actor, p.id_number)}\t{p.paid_on}\t{p.amount}")
    return 0


def _file(args, actor) -> int:
    d = _get(actor, args.deposit)
    if d is None:
        return _missing("申报清单", args.deposit)
    content, filename, _ = printing.declaration_file(d, args.format)
    Path(args.out).write_bytes(content)
    print(f"已写入 {args.out}（{filename}）")
    return 0


def _check(args, actor) -> int:
    d = _get(actor, args.deposit)
    if d is None:
        return _missing("申报清单", args.deposit)
    d = services.check(actor, d, bank_amount=args.amount, bank_date=args.date, bank_reference=args.reference)
    if d.status == "declared":
        print(f"申报清单 {d.number} 与银行到账记录一致，已申报。")
        return 0
    print(f"申报清单 {d.number} 与银行到账记录不一致，已退回村（社区）更正：{d.note}")
    return 1


def _transfer(args, actor) -> int:
    found = selectors.deposits_by_pk(actor, args.deposits)
    if len(found) != len(set(args.deposits)):
        return _missing("申报清单", ",".join(str(i) for i in sorted(set(args.deposits) - {d.pk for d in found})))
    done = services.transfer(actor, found, transferred_on=args.on, reference=args.reference)
    print(f"已登记划缴 {len(done)} 份申报清单，共 {sum(d.amount for d in done)} 元。")
    return 0


def _villages(args, actor) -> int:
    print("村（社区）\t年度\t已收\t待缴存\t已缴存待申报\t已申报待划缴\t已划缴\t资金在哪")
    for r in selectors.village_money(actor, args.year, township=args.township):
        cells = [f"{getattr(r, k).people}人/{getattr(r, k).amount}"
                 for k in ("collected", "undeposited", "deposited", "declared", "transferred")]
        print("\t".join([r.village.name, str(r.insurance_year or ""), *cells, r.where]))
    return 0


COMMANDS = {"quote": ("collection.collect", _quote, True),
            "collect": ("collection.collect", _collect, True),
            "receipt": ("collection.view_deposits", _receipt, True),
            "deposit": ("collection.collect", _deposit, True),
            "correct": ("collection.collect", _correct, True),
            "submit": ("collection.collect", _submit, True),
            "deposits": ("collection.view_deposits", _list, True),
            "deposit-show": ("collection.view_deposits", _detail, True),
            "deposit-file": ("collection.view_deposits", _file, True),
            "check": ("collection.declare", _check, True),
            "transfer": ("collection.transfer", _transfer, True),
            "villages": ("collection.view_deposits", _villages, True)}
