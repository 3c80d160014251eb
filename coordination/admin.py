from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from directory.admin import CategoryNodeAdmin

from .models import (
    ActivityType,
    Client,
    ContactLog,
    ContactMethod,
    Counterpart,
    Event,
    Guardian,
    Office,
    OfficeCalendarDay,
    OfficeDistrict,
    OfficeHours,
    User,
)


class OfficeDistrictInline(admin.TabularInline):
    model = OfficeDistrict
    extra = 0


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class OfficeCalendarDayInline(admin.TabularInline):
    model = OfficeCalendarDay
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    inlines = [OfficeDistrictInline, OfficeHoursInline, OfficeCalendarDayInline]


@admin.register(OfficeDistrict)
class OfficeDistrictAdmin(admin.ModelAdmin):
    list_display = ["office", "position", "district"]
    list_select_related = ["office", "district"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["office", "weekday", "opens_at", "closes_at"]
    list_select_related = ["office"]


@admin.register(OfficeCalendarDay)
class OfficeCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["office", "date", "is_open", "opens_at", "closes_at", "reason"]
    list_filter = ["office", "is_open"]
    list_select_related = ["office"]
    date_hierarchy = "date"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "office", "is_active", "is_superuser"]
    list_filter = ["office", "groups", "is_active", "is_superuser"]
    list_select_related = ["office"]
    fieldsets = DjangoUserAdmin.fieldsets + (("所属", {"fields": ["office"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("所属", {"fields": ["office"]}),)


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
    list_display = ["occurred_on", "started_at", "method", "client", "coordinator", "include_in_report", "report_summary"]
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


class TOTPDeviceResetAdmin(TOTPDeviceAdmin):
    """Authenticator apps: admins see who enrolled when and reset a lost app by deleting it.

    They cannot add or edit one (that would let them choose another user's second factor), and
    the secret and QR code stay hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA). After a reset the user
    enrols a new app at their next sign-in.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceResetAdmin)
