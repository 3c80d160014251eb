from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "相談・支援"

    def ready(self):
        # The provider page of the directory shows how many of the office's logs name the provider.
        from directory.page_links import register_provider_page_hook

        from .directory_links import contact_logs_naming

        register_provider_page_hook(contact_logs_naming)

        # Clients and logs are imported through tabular's screens.
        from tabular.imports import register

        from .resources import IMPORT_KINDS

        for kind in IMPORT_KINDS:
            register(kind)
