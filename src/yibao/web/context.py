from yibao.access.permissions import user_can

NAV = [
    ("home", "首页", None),
    ("employer", "缴费基数申报", "employer.declare"),
    ("employer_queue", "基数申报审核", "employer.view"),
    ("flexible", "灵活就业缴费基数", "flexible.declare"),
    ("average_wage", "平均工资", "employer.set_average_wage"),
    ("regions", "区划与经办机构", "reference.view"),
    ("policy", "政策查询", "policy.ask"),
    ("audit", "审计日志", "audit.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    return {"nav": [(name, label) for name, label, cap in NAV if cap is None or user_can(user, cap)]}
