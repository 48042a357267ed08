from django.apps import AppConfig


class EmployerConfig(AppConfig):
    name = "yibao.employer"
    verbose_name = "职工医保"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        # How each model of the employee scheme reaches a division, a unit or a person.
        scoping.reaches(m.Unit, division="division", unit="pk")
        scoping.reaches(m.Employee, division="unit__division", unit="unit_id", person="id_number")
        scoping.reaches(m.Declaration, division="unit__division", unit="unit_id")
        scoping.reaches(m.DeclarationLine, division="declaration__unit__division", unit="declaration__unit_id")
        scoping.reaches(m.Material, division="declaration__unit__division", unit="declaration__unit_id")
        scoping.reaches(m.ApprovedBase, division="unit__division", unit="unit_id")
        scoping.reaches(m.UnitChange, division="unit__division", unit="unit_id")
        scoping.reaches(m.UnitStatusChange, division="unit__division", unit="unit_id")
        scoping.reaches(m.OnlineNoticeConfirmation, division="unit__division", unit="unit_id")
        scoping.reaches(m.FlexibleWorker, division="region", person="id_number")
        scoping.reaches(m.FlexibleBaseChoice, division="worker__region", person="worker__id_number")

        from . import tasks  # noqa: F401  (registers the app's job handlers)
        from .registrations import register

        register()

        @scoping.unit_of_user
        def operator_unit(user):
            return m.UnitOperator.objects.filter(user_id=user.pk).values_list("unit_id", flat=True).first()
