from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "yibao.reporting"
    verbose_name = "统计报表"

    def ready(self):
        # no models of its own: it reads the other apps' figures through their selectors
        from .registrations import register

        register()
