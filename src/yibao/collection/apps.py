from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "yibao.collection"
    verbose_name = "城乡居民医保征收"

    def ready(self):
        from yibao.access import scoping

        from . import models as m

        # How each model of the collection reaches a division or a person.
        scoping.reaches(m.Payment, division="division", person="id_number")
        scoping.reaches(m.Deposit, division="division")
        scoping.reaches(m.Statement, division="region")
        scoping.reaches(m.Refund, division="division", person="payment__id_number")

        from . import tasks  # noqa: F401  (registers the app's job handlers)
        from .registrations import register

        register()
