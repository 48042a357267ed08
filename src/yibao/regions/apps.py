from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yibao.regions"
    verbose_name = "行政区划"

    def ready(self):
        from yibao.access.scoping import reaches

        from .models import Division

        reaches(Division, division="")
