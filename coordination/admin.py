from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from directory.admin import CategoryNodeAdmin

from .models import ActivityType, Client, ContactLog, ContactMethod, Counterpart, Event, Guardian


@admin.register(ContactMethod)
class ContactMethodAdmin(CategoryNodeAdmin):
    pass


@admin.register(ActivityType)
class ActivityTypeAdmin(CategoryNodeAdmin):
    pass


class ViewOnly:
    """An admin or inline that shows rows and never adds, changes or deletes them, for anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalDataAdmin(ViewOnly, SimpleHistoryAdmin):
    """Clients, guardians, logs, counterparts, events: read-only in Django admin, superusers included.

    Admins configure the system; personal data is written only through the office screens, whose
    services validate, lock optimistically and keep the change history. Every list, page, history
    and search of these models in the admin is recorded in the access log (audit/policy.py).
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves (reverts to) the old version on a POST here without asking
        # for the change permission: only reading a version is allowed.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class GuardianInline(ViewOnly, admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Client)
class ClientAdmin(PersonalDataAdmin):
    list_display = ["name", "name_kana", "birth_date", "district", "has_medical_care", "status", "office"]
    list_filter = ["office", "district", "has_medical_care", "status"]
    list_select_related = ["district", "office"]
    search_fields = ["name", "name_kana"]
    filter_horizontal = ["procedures"]
    autocomplete_fields = ["assigned_coordinator", "consent_taken_by"]
    inlines = [GuardianInline]


@admin.register(Guardian)
class GuardianAdmin(PersonalDataAdmin):
    list_display = ["name", "relationship", "client", "phone"]
    list_select_related = ["client"]
    search_fields = ["name", "client__name"]


class CounterpartInline(ViewOnly, admin.TabularInline):
    model = Counterpart
    extra = 0
    autocomplete_fields = ["provider"]


@admin.register(ContactLog)
class ContactLogAdmin(PersonalDataAdmin):
    list_display = [
        "occurred_on",
        "started_at",
        "method",
        "client",
        "coordinator",
        "include_in_report",
        "report_summary",
    ]
    list_filter = ["office", "method", "include_in_report", "coordinator"]
    list_select_related = ["method__parent", "client", "coordinator"]
    date_hierarchy = "occurred_on"
    search_fields = ["report_summary", "client__name", "client__name_kana"]
    autocomplete_fields = ["client", "coordinator"]
    filter_horizontal = ["activity_types"]
    inlines = [CounterpartInline]


@admin.register(Counterpart)
class CounterpartAdmin(PersonalDataAdmin):
    list_display = ["contact_log", "category", "provider", "organization_name"]
    list_select_related = ["contact_log__method__parent", "category__parent__parent", "provider"]
    autocomplete_fields = ["provider", "contact_log"]


@admin.register(Event)
class EventAdmin(PersonalDataAdmin):
    list_display = ["held_on", "kind", "role", "name", "method_venue", "participants_label", "office"]
    list_filter = ["office", "kind"]
    list_select_related = ["office"]
    date_hierarchy = "held_on"
    search_fields = ["name", "topic"]
    autocomplete_fields = ["contact_log"]
