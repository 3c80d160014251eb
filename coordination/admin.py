from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_kana", "birth_date", "district", "has_medical_care", "status", "office"]
    list_filter = ["office", "district", "has_medical_care", "status"]
    list_select_related = ["district", "office"]
    search_fields = ["name", "name_kana"]
    filter_horizontal = ["procedures"]
    autocomplete_fields = ["assigned_coordinator", "consent_taken_by"]
    inlines = [GuardianInline]


@admin.register(Guardian)
class GuardianAdmin(SimpleHistoryAdmin):
    list_display = ["name", "relationship", "client", "phone"]
    list_select_related = ["client"]
    search_fields = ["name", "client__name"]


class CounterpartInline(admin.TabularInline):
    model = Counterpart
    extra = 0
    autocomplete_fields = ["provider"]


@admin.register(ContactLog)
class ContactLogAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_on", "started_at", "method", "client", "coordinator", "include_in_report", "report_summary"]
    list_filter = ["office", "method", "include_in_report", "coordinator"]
    list_select_related = ["method__parent", "client", "coordinator"]
    date_hierarchy = "occurred_on"
    search_fields = ["report_summary", "client__name", "client__name_kana"]
    autocomplete_fields = ["client", "coordinator"]
    filter_horizontal = ["activity_types"]
    inlines = [CounterpartInline]


@admin.register(Counterpart)
class CounterpartAdmin(SimpleHistoryAdmin):
    list_display = ["contact_log", "category", "provider", "organization_name"]
    list_select_related = ["contact_log__method__parent", "category__parent__parent", "provider"]
    autocomplete_fields = ["provider", "contact_log"]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "kind", "role", "name", "method_venue", "participants_label", "office"]
    list_filter = ["office", "kind"]
    list_select_related = ["office"]
    date_hierarchy = "held_on"
    search_fields = ["name", "topic"]
    autocomplete_fields = ["contact_log"]
