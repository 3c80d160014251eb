from django.contrib import admin
from django.db import models

from accounts.admin import OfficeAdmin

from .models import (
    CounterpartCategory,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    Provider,
    ProviderCategory,
    ProviderLink,
    ProviderProcedure,
    ProviderProposal,
    ProviderSchedule,
)


class CategoryNodeAdmin(admin.ModelAdmin):
    list_display = ["position", "label", "parent", "code"]
    list_display_links = ["label"]
    list_select_related = ["parent__parent"]
    search_fields = ["label", "code"]
    ordering = ["position"]


@admin.register(CounterpartCategory)
class CounterpartCategoryAdmin(CategoryNodeAdmin):
    pass


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "code"]
    search_fields = ["name", "municipality"]


@admin.register(MedicalCareProcedure)
class MedicalCareProcedureAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "description", "uses_powered_device"]
    list_display_links = ["name"]


@admin.register(ProviderCategory)
class ProviderCategoryAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "counterpart_category"]
    list_display_links = ["name"]
    list_select_related = ["counterpart_category__parent__parent"]


class ProviderProcedureInline(admin.TabularInline):
    model = ProviderProcedure
    extra = 0


class ProviderScheduleInline(admin.TabularInline):
    model = ProviderSchedule
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kana", "category", "district", "municipality", "phone", "is_active", "verified_on"]
    list_filter = ["category", "district", "is_active", "has_coordinator"]
    list_select_related = ["category", "district"]
    search_fields = ["name", "name_kana", "address"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ProviderScheduleInline, ProviderProcedureInline]
    readonly_fields = ["verified_by"]


@admin.register(ProviderProcedure)
class ProviderProcedureAdmin(admin.ModelAdmin):
    list_display = ["provider", "procedure", "status", "note"]
    list_filter = ["procedure", "status"]
    search_fields = ["provider__name", "provider__name_kana"]
    autocomplete_fields = ["provider"]


@admin.register(ProviderSchedule)
class ProviderScheduleAdmin(admin.ModelAdmin):
    list_display = ["provider", "position", "byday", "opens_at", "closes_at"]
    list_select_related = ["provider"]
    search_fields = ["provider__name", "provider__name_kana"]
    autocomplete_fields = ["provider"]


class OfficeDistrictInline(admin.TabularInline):
    model = OfficeDistrict
    extra = 0


# The office's page in the admin lists its districts too (accounts cannot know about districts).
OfficeAdmin.inlines = [OfficeDistrictInline, *OfficeAdmin.inlines]


@admin.register(OfficeDistrict)
class OfficeDistrictAdmin(admin.ModelAdmin):
    list_display = ["office", "position", "district"]
    list_select_related = ["office", "district"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: links are made by sending one (the secret is only in the e-mail),
    proposals by the provider and decided on the directory's page, with the entry's history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProviderLink)
class ProviderLinkAdmin(ReadOnlyAdmin):
    list_display = ["provider", "sent_to", "created_by", "created_at", "expires_at", "opened_at", "used_at", "ended_at"]
    list_select_related = ["provider", "created_by"]
    search_fields = ["provider__name", "sent_to"]
    exclude = ["token_hash"]


@admin.register(ProviderProposal)
class ProviderProposalAdmin(ReadOnlyAdmin):
    list_display = ["provider", "submitted_at", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["provider", "decided_by"]
    search_fields = ["provider__name"]
