from django.contrib import admin

from directory.admin import CategoryNodeAdmin

from .models import (
    ActivityType,
    Client,
    Consent,
    ContactLog,
    ContactMethod,
    Counterpart,
    Event,
    FollowUp,
    Guardian,
    Need,
    NeedCategory,
    NeedNote,
    Referral,
    ReferralStep,
)


@admin.register(ContactMethod)
class ContactMethodAdmin(CategoryNodeAdmin):
    pass


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    """The kinds of needs: admins may add one; the shipped ones come from fixtures/reference."""

    list_display = ["name", "code", "position"]
    ordering = ["position"]


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


# Clients, guardians, consents, contact logs, counterparts, events, referrals and follow-ups are not in Django admin at all: the
# system admin configures the system and never reads 要配慮個人情報 there (docs/security.md). They
# are read and written only through the office screens, scoped to the reader's own office.
PERSONAL_DATA_MODELS = (
    Client,
    Guardian,
    Consent,
    ContactLog,
    Counterpart,
    Event,
    Referral,
    ReferralStep,
    FollowUp,
    # A need names the logs (and so the clients) it was found in, and its text is typed freely.
    Need,
    NeedNote,
)
