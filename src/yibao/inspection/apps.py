from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "yibao.inspection"
    verbose_name = "稽核"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        # How the cases reach a division and a unit (through the unit they concern).
        scoping.reaches(m.Case, division="unit__division", unit="unit_id")
        scoping.reaches(m.CaseEvent, division="case__unit__division", unit="case__unit_id")
        scoping.reaches(m.CorrectedBase, division="case__unit__division", unit="case__unit_id")

        from . import tasks  # noqa: F401  (registers the job handler and the nightly run)
        from .registrations import register

        register()
