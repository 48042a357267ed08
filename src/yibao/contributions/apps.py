from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "yibao.contributions"
    verbose_name = "职工医保缴费"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        scoping.reaches(m.InsuranceSpan, division="unit__division", unit="unit_id", person="id_number")
        scoping.reaches(m.StaffChange, division="unit__division", unit="unit_id", person="id_number")
        scoping.reaches(m.Bill, division="unit__division", unit="unit_id")
        scoping.reaches(m.BillLine, division="bill__unit__division", unit="bill__unit_id", person="id_number")
        scoping.reaches(m.LateFee, division="unit__division", unit="unit_id")

        from . import tasks  # noqa: F401  (registers the app's job handlers)
        from .registrations import register

        register()
