from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Office, OfficeCalendarDay, OfficeHours, User


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class OfficeCalendarDayInline(admin.TabularInline):
    model = OfficeCalendarDay
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    inlines = [OfficeHoursInline, OfficeCalendarDayInline]


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
