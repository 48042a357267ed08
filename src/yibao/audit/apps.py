from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yibao.audit"
    verbose_name = "审计日志"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the audit log's job handlers)
