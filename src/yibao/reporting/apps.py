from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "yibao.reporting"
    verbose_name = "统计报表"

    def ready(self):
        # it reads the other apps' figures through their selectors; its own records are the
        # counties' weekly submissions and the stored weekly reports
        from . import tasks  # noqa: F401  (the Friday job, a periodic task)
        from .registrations import register

        register()
