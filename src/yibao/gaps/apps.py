from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "yibao.gaps"
    verbose_name = "户籍比对与重复参保"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        scoping.reaches(m.Extract, division="region")
        scoping.reaches(m.RegistryPerson, division="division", person="id_number")
        scoping.reaches(m.EnrolmentFlag, division="division", person="id_number")
        scoping.reaches(m.Resolution, division="division", person="id_number")

        from . import tasks  # noqa: F401  (registers the app's job handlers)
        from .registrations import register

        register()
