from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "機関・事業所ディレクトリ"

    def ready(self):
        # Providers are imported through tabular's screens.
        from tabular.imports import register

        from .resources import PROVIDER_IMPORT

        register(PROVIDER_IMPORT)
