from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "業務報告書"

    def ready(self):
        from accounts.navigation import register_menu_item

        register_menu_item(50, "業務報告書", "reporting:quarterly", permission="reporting.view_quarterlyreport")
        # The centre's page of every office (センター職員; the system admin too, as superuser).
        register_menu_item(55, "事業所別集計", "centre:index", permission="reporting.view_centre")
