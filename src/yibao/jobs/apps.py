from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "yibao.jobs"
    verbose_name = "后台任务"
