from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "yibao.channels"
    label = "channels"
    verbose_name = "缴费渠道"

    def ready(self):
        from yibao.access import scoping

        from .models import Channel

        scoping.reaches(Channel, division="region")

        from .registrations import register

        register()
