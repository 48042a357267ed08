from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yibao.regions"
    verbose_name = "行政区划"

    def ready(self):
        from yibao import registry
        from yibao.access.roles import ScopeKind, scope_kind
        from yibao.access.scoping import reaches
        from yibao.audit import chain

        from .models import Division

        reaches(Division, division="")

        @registry.user_regions
        def regions_of_division_or_registry(user):
            """Staff: the pooling regions their division lies in or holds. Individuals: the pooling
            region of the 户籍 address code their identity number begins with (apps that know
            more, such as a flexible worker's registration, add theirs)."""
            kind = scope_kind(user.role)
            if kind == ScopeKind.ALL:
                return registry.ALL
            if kind == ScopeKind.DIVISION and user.division_id:
                path = user.division.path
            elif kind == ScopeKind.PERSON and user.id_number:
                home = Division.objects.filter(key=user.id_number[:6]).values_list("path", flat=True).first()
                if home is None:
                    return set()
                path = home
            else:
                return set()
            pooling = Division.objects.filter(is_pooling_region=True).values_list("key", "path")
            return {key for key, p in pooling if p.startswith(path) or path.startswith(p)}

        @chain.pooling_regions
        def pooling_region_of_paths(paths):
            """The audit log keeps one hash chain per pooling region: the region (the deepest
            pooling region on the path) of each division path, looked up among the path's own
            prefixes (an indexed lookup of a few rows, not every pooling region)."""
            prefixes = {p[:i + 1] for p in paths for i, c in enumerate(p) if c == "/"}
            pooling = sorted(Division.objects.filter(is_pooling_region=True, path__in=prefixes)
                             .values_list("path", "key"), key=lambda r: -len(r[0]))
            return {p: next((key for path, key in pooling if p.startswith(path)), "") for p in paths}
