from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "機関・事業所ディレクトリ"

    def ready(self):
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
