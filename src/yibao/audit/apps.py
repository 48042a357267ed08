from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yibao.audit"
    verbose_name = "审计日志"

    def ready(self):
        from yibao import registry

        from . import tasks  # noqa: F401  (registers the audit log's job handlers)
        from .cli import configure, run

        registry.command("audit", "审计日志：校验哈希链（verify）", configure, run)
