from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yibao.audit"
    verbose_name = "审计日志"
