from django.contrib import admin

from coordination.admin import ViewOnly

from .models import QuarterlyReport, ReportFile, ReportVersion


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


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    """The background worker's files (a cache): whether each was made, when, in how long, or why it failed."""

    list_display = ["office", "kind", "fiscal_year", "first_quarter", "last_quarter", "format", "state", "finished_at"]
    list_filter = ["state", "format", "kind", "office"]
    exclude = ["source", "content"]
