from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yibao.web"
    verbose_name = "网页"

    def ready(self):
        from yibao import registry
        from yibao.access.roles import Role

        # The platform's own entries; each domain app registers its own in its AppConfig.ready.
        registry.nav("home", "首页", order=0)
        registry.nav("regions", "区划与经办机构", capability="reference.view", order=800)
        registry.nav("policy", "政策查询", capability="policy.ask", order=810)
        registry.nav("policy_gaps", "政策缺项", capability="policy.gaps", order=815)
        registry.nav("audit", "审计日志", capability="audit.view", order=900)

        for role in (Role.BUREAU_MANAGER, Role.TOWNSHIP_CLERK, Role.TAX_CLERK, Role.VILLAGE_AGENT):
            registry.panel(f"intro-{role}", f"web/home/{role}.html", roles=(role,), order=10)
        registry.panel("individual", "web/home/individual.html", roles=(Role.INDIVIDUAL,), order=10)
        registry.panel("resident-policy", "web/home/resident.html", roles=(Role.INDIVIDUAL,), scheme="resident",
                       order=60)
        registry.panel("admin", "web/home/admin.html", capability="users.manage", order=10)
        registry.panel("audit", "web/home/auditor.html", capability="audit.view", roles=(Role.AUDITOR,), order=70)
        registry.panel("children", "web/home/children.html", context=_children, order=90)


def _children(user):
    """The divisions under a staff user's own division, if any."""
    from yibao.regions import selectors

    if not user.division_id:
        return None
    children = list(selectors.divisions_for(user, parent_key=user.division_id)[:50])
    return {"children": children} if children else None
