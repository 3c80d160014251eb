from django.contrib import admin

from coordination.admin import ViewOnly

from .models import QuarterlyReport, ReportVersion


class ReadOnlyAdmin(ViewOnly, admin.ModelAdmin):
    """Reports change only through the report page (edit, finalize); the admin shows them."""


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    list_display = ["office", "fiscal_year", "first_quarter", "last_quarter", "draft_open", "updated_by", "updated_at"]
    list_filter = ["office", "fiscal_year", "draft_open"]


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "finalized_by", "finalized_at"]
    list_filter = ["report__office", "report__fiscal_year"]
    exclude = ["data", "html", "xlsx", "pdf", "json"]
