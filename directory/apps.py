from django.apps import AppConfig
from django.db.models.signals import post_migrate

SEARCH_INDEX_MIGRATION = ("directory", "0013_provider_search_fts")


def restore_search_index(sender, using, **kwargs):
    """After every migrate: put back SQLite's word-search index if a table rebuild dropped it
    (see directory/fts.py). Nothing on PostgreSQL, nothing before the migration that adds it."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .fts import applies_to, ensure_search_index

    connection = connections[using]
    if applies_to(connection) and SEARCH_INDEX_MIGRATION in MigrationRecorder(connection).applied_migrations():
        ensure_search_index(connection)


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "機関・事業所ディレクトリ"

    def ready(self):
        post_migrate.connect(restore_search_index, sender=self, dispatch_uid="directory.restore_search_index")

        from django.db.backends.signals import connection_created

        from .fts import register_functions

        # SQLite's bigram triggers call a function of ours (directory/fts.py), on every connection.
        connection_created.connect(register_functions, dispatch_uid="directory.register_functions")

        from accounts.navigation import register_menu_item
        from accounts.roles import Role

        # Every office role searches the directory (the system admin works in Django admin).
        register_menu_item(
            40,
            "機関・事業所を探す",
            "directory:provider_list",
            roles=[Role.COORDINATOR, Role.SUPERVISOR, Role.WARD_STAFF],
        )

        # Providers are imported through tabular's screens.
        from tabular.imports import register

        from .resources import PROVIDER_IMPORT

        register(PROVIDER_IMPORT)
