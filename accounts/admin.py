from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Office, OfficeCalendarDay, OfficeHours, User
from .setup_links import setup_link_issue


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


class UserAddForm(forms.ModelForm):
    """A new account without a password: its owner chooses one through a set-up link."""

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "office"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserChangeForm(DjangoUserChangeForm):
    password = None  # no hash, no link to a page where the admin would type a password


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, roles and offices. The admin never types a password: they issue set-up links.

    Creating a user gives a one-time set-up link, shown once; 「初期設定用リンクを発行」 on a
    user's page issues a new one (a reset), which makes the current password and earlier links
    unusable. Django's page for setting another user's password is refused.
    """

    form = UserChangeForm
    add_form = UserAddForm
    add_form_template = "admin/accounts/user/add_form.html"
    change_form_template = "admin/accounts/user/change_form.html"
    list_display = ["username", "last_name", "first_name", "office", "is_active", "is_superuser"]
    list_filter = ["office", "groups", "is_active", "is_superuser"]
    list_select_related = ["office"]
    readonly_fields = ["password_status"]
    fieldsets = (
        (None, {"fields": ["username", "password_status"]}),
        *DjangoUserAdmin.fieldsets[1:],
        ("所属", {"fields": ["office"]}),
    )
    add_fieldsets = ((None, {"fields": ["username", "last_name", "first_name", "office"]}),)

    @admin.display(description="パスワード")
    def password_status(self, obj) -> str:
        if obj.has_usable_password():
            return "本人が設定済み（管理者には分かりません）"
        return "未設定：本人が初期設定用リンクから設定します"

    def get_urls(self):
        issue = path(
            "<id>/setup-link/",
            self.admin_site.admin_view(self.setup_link_view),
            name="accounts_user_setup_link",
        )
        return [issue, *super().get_urls()]

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # the admin only issues set-up links; users set their own passwords

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # a form of 管理 ▸ 利用者 opened before this save is then refused as stale
        super().save_model(request, obj, form, change)
        if not change:
            self._show_setup_link(request, obj)

    def setup_link_view(self, request, id):
        """GET asks for confirmation; POST issues a new link (the old password and links stop working)."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            self._show_setup_link(request, user)
            return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": "初期設定用リンクの発行",
        }
        return TemplateResponse(request, "admin/accounts/user/setup_link.html", context)

    @staticmethod
    def _show_setup_link(request, user) -> None:
        link = setup_link_issue(user=user)
        messages.success(
            request,
            format_html(
                "「{}」さんの初期設定用リンクを発行しました。リンクはこの画面で一度だけ表示されます。"
                "コピーして本人に渡してください（{}まで有効・1回だけ使えます）：<br><code>{}</code>",
                user.get_username(),
                f"{link.expires_at:%Y年%-m月%-d日 %H:%M}",
                request.build_absolute_uri(link.path),
            ),
        )


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
