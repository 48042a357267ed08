from django.apps import AppConfig


class ResidentConfig(AppConfig):
    name = "yibao.resident"
    verbose_name = "城乡居民医保"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        # How each model of the resident scheme reaches a division or a person.
        scoping.reaches(m.Person, division="division", person="id_number")
        scoping.reaches(m.PersonVersion, division="person__division", person="person__id_number")
        scoping.reaches(m.Registration, division="division", person="id_number")
        scoping.reaches(m.Enrolment, division="division", person="id_number")
        scoping.reaches(m.HardshipGrant, division="region", person="id_number")
        scoping.reaches(m.ChangeRequest, division="division", person="person__id_number")
        scoping.reaches(m.Problem, division="division", person="registration__id_number")
        scoping.reaches(m.ImportBatch, division="region")
        scoping.reaches(m.Roster, division="division")

        from . import tasks  # noqa: F401  (registers the app's job handlers)
        from .registrations import register

        register()
