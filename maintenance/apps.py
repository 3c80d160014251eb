from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "運用（バックアップと復元）"

    def ready(self):
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from . import connections, files

        # The database holds personal data: owner-only from its creation (docs/security.md).
        files.create_sqlite_files_private(settings.DATABASES)
        files.connect_signals()
        connection_created.connect(connections.use_sqlite_parameter_limit, dispatch_uid="maintenance.sqlite_limit")
