from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "相談・支援"

    def ready(self):
        from accounts.navigation import register_menu_item

        register_menu_item(0, "ホーム", "home", everyone=True)
        register_menu_item(10, "相談対象者", "client_list", permission="coordination.view_client")
        register_menu_item(20, "記録の一覧", "log_list", permission="coordination.view_contactlog")
        register_menu_item(25, "つなぎ", "referral_list", permission="coordination.view_referral")
        register_menu_item(26, "次の対応", "follow_up_list", permission="coordination.view_followup")
        register_menu_item(27, "ニーズ・課題", "need_list", permission="coordination.view_need")
        register_menu_item(30, "周知活動・会議・研修", "event_list", permission="coordination.view_event")
        # The office's access log: supervisors (their office), the system admin (every office).
        from accounts.roles import Role

        register_menu_item(910, "アクセス記録", "access_log", roles=[Role.SUPERVISOR, Role.ADMIN])

        # The provider page of the directory shows how many of the office's logs name the provider.
        # And, for those who see referrals, this year's referrals to it and 「この機関へつなぐ」.
        from directory.page_links import register_provider_page_hook, register_provider_page_section

        from .directory_links import contact_logs_naming, referrals_to_provider

        register_provider_page_hook(contact_logs_naming)
        register_provider_page_section(referrals_to_provider)

        # Clients and logs are imported through tabular's screens.
        from tabular.imports import register

        from .import_kinds import IMPORT_KINDS

        for kind in IMPORT_KINDS:
            register(kind)
