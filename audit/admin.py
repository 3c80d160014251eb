"""The access log in Django admin: read-only for everyone, superusers included."""

from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "username",
        "role",
        "action",
        "outcome",
        "url_name",
        "object_ids",
        "status_code",
        "ip_address",
    )
    list_filter = ("action", "outcome", "role")
    search_fields = ("username", "path", "url_name")
    date_hierarchy = "occurred_at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
