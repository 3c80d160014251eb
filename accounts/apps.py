from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "利用者と事業所"

    def ready(self):
        # The ORM guard for integers no column can hold (common/lookups.py), registered once at
        # start-up; accounts is the first of our apps to load.
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        import common.lookups  # noqa: F401

        from .security import end_sessions_of_deactivated_user, stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="tsunagu_stamp_sign_in")
        post_save.connect(
            end_sessions_of_deactivated_user, sender=self.get_model("User"), dispatch_uid="tsunagu_end_sessions"
        )
