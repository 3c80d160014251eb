from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "業務報告書"

    def ready(self):
        from accounts.navigation import register_menu_item

        register_menu_item(50, "業務報告書", "reporting:quarterly", permission="reporting.view_quarterlyreport")
