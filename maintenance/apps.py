from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "運用（バックアップと復元）"

    def ready(self):
        from django.conf import settings

        from . import files

        # The database holds personal data: owner-only from its creation (docs/security.md).
        files.create_sqlite_files_private(settings.DATABASES)
        files.connect_signals()
