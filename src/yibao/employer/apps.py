from django.apps import AppConfig


class EmployerConfig(AppConfig):
    name = "yibao.employer"
    verbose_name = "职工医保"
