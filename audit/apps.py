from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "アクセス記録"

    def ready(self):
        from . import signals

        signals.connect()
