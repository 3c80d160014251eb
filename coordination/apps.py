from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "相談・支援"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from .security import end_sessions_of_deactivated_user, stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="tsunagu_stamp_sign_in")
        post_save.connect(
            end_sessions_of_deactivated_user, sender=self.get_model("User"), dispatch_uid="tsunagu_end_sessions"
        )

        # The provider page of the directory shows how many of the office's logs name the provider.
        from directory.page_links import register_provider_page_hook

        from .directory_links import contact_logs_naming

        register_provider_page_hook(contact_logs_naming)

        # Clients and logs are imported through tabular's screens.
        from tabular.imports import register

        from .resources import IMPORT_KINDS

        for kind in IMPORT_KINDS:
            register(kind)
