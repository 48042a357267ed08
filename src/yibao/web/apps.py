from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yibao.web"
    verbose_name = "网页"
