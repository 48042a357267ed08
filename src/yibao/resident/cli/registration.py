"""``yibao resident --as USER register|review|registrations|problems``."""

from __future__ import annotations

from yibao import clock
from yibao.accounts.personal_data import shown_id_number


def configure(sub) -> None:
    r = sub.add_parser("register", help="登记一名城乡居民（两证分别录入，待另一名经办人员审核）")
    r.add_argument("--year", dest="insurance_year", help="保险年度（默认：当前登记对应的年度）")
    for name, helptext in (("id-number", "身份证号码"), ("name", "姓名"), ("hukou", "户籍地区划代码（12 位村或 9 位乡镇）"),
                           ("residence", "居住地区划代码（默认同户籍地）"), ("basis", "hukou（户籍地）或 residence（居住地）"),
                           ("hk-id-number", "户口簿上的身份证号码"), ("hk-name", "户口簿上的姓名"),
                           ("household-number", "户口簿编号"), ("phone", "联系电话"),
                           ("kind", "ordinary/newborn/migrant/back_payment"), ("moved-in-on", "迁入日期 YYYY-MM-DD"),
                           ("paid-at-origin", "原籍已缴费：是/否")):
        r.add_argument(f"--{name}", help=helptext, required=name in ("id-number", "name", "hukou"))
    v = sub.add_parser("review", help="审核一份参保登记（通过或退回）")
    v.add_argument("registration", type=int, help="登记编号")
    decision = v.add_mutually_exclusive_group(required=True)
    decision.add_argument("--approve", action="store_true")
    decision.add_argument("--reject", action="store_true")
    v.add_argument("--note", default="")
    q = sub.add_parser("registrations", help="列出参保登记")
    q.add_argument("--status", default="pending")
    q.add_argument("--limit", type=int, default=50)
    s = sub.add_parser("life-status", help="登记人员状态（死亡、迁出或恢复在册）")
    s.add_argument("id_number", help="身份证号码")
    s.add_argument("--status", required=True, choices=["active", "deceased", "moved_out"])
    s.add_argument("--on", help="死亡或迁出日期 YYYY-MM-DD")
    p = sub.add_parser("problems", help="列出待处理参保信息")
    p.add_argument("--status", default="open")
    p.add_argument("--limit", type=int, default=50)


def _register(args, actor) -> int:
    from .. import rules, selectors, services

    region = selectors.region_of(actor)
    if region is None:
        print("此账号所在地区未开展城乡居民医保参保登记")
        return 2
    data = {"insurance_year": args.insurance_year, "id_number": args.id_number, "name": args.name,
            "hukou_code": args.hukou, "residence_code": args.residence, "basis": args.basis,
            "hk_id_number": args.hk_id_number, "hk_name": args.hk_name, "household_number": args.household_number,
            "phone": args.phone, "kind": args.kind, "moved_in_on": args.moved_in_on,
            "paid_at_origin": args.paid_at_origin}
    form = services.RegistrationInput.from_strings(
        data, insurance_year=rules.default_insurance_year(region.key, clock.today()))
    registration = services.register(form, region=region.key, actor=actor)
    print(f"已登记 {registration.name}（登记编号 {registration.pk}，{registration.get_status_display()}）")
    for problem in registration.problems.all():
        print(f"  待处理：{problem.message}")
    return 0


def _review(args, actor) -> int:
    from .. import selectors, services

    registration = selectors.registration_for(actor, args.registration)
    if registration is None:
        print(f"登记 {args.registration} 不存在，或不在 {actor.username} 的管辖范围内")
        return 2
    done = services.review(registration, actor=actor, approve=args.approve, note=args.note)
    print(f"{done.name}：{done.get_status_display()}")
    return 0


def _registrations(args, actor) -> int:
    from .. import selectors

    qs = selectors.registrations_for(actor).filter(status=args.status).order_by("submitted_at", "id")[:args.limit]
    for r in qs:
        print(f"{r.pk}\t{r.name}\t{shown_id_number(actor, r.id_number)}\t{r.division.name}\t{r.insurance_year}\t"
              f"{r.get_status_display()}\t{r.maker_label}")
    return 0


def _problems(args, actor) -> int:
    from .. import selectors

    qs = selectors.problems_for(actor, status=None if args.status == "all" else args.status)[:args.limit]
    for p in qs:
        print(f"{p.pk}\t{p.division.name}\t{p.get_source_display()}\t{p.get_status_display()}\t{p.message}")
    return 0


def _life_status(args, actor) -> int:
    import datetime as dt

    from .. import selectors, services

    person = selectors.person_for(actor, args.id_number)
    if person is None:
        print(f"参保人员 {shown_id_number(actor, args.id_number)} 不存在，或不在 {actor.username} 的管辖范围内")
        return 2
    try:
        on = dt.date.fromisoformat(args.on) if args.on else None
    except ValueError:
        print(f"日期“{args.on}”格式不正确，应为 YYYY-MM-DD")
        return 2
    services.record_life_status(person, status=args.status, on=on, actor=actor)
    person.refresh_from_db()
    print(f"{person.name}：{person.get_life_status_display()}")
    return 0


COMMANDS = {"register": ("resident.register", _register), "review": ("resident.review", _review),
            "registrations": ("resident.view_registration", _registrations), "problems": ("resident.review", _problems),
            "life-status": ("resident.review", _life_status)}
