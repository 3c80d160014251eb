from django.urls import path

from coordination import lookups
from coordination.access_log import views as access_log
from coordination.clients import consent_views as consents
from coordination.clients import views as clients
from coordination.events import views as events
from coordination.followups import views as follow_ups
from coordination.home import views as home
from coordination.logs import views as logs
from coordination.needs import list_views as need_lists
from coordination.needs import views as needs
from coordination.referrals import list_views as referral_lists
from coordination.referrals import views as referrals

urlpatterns = [
    path("", home.home, name="home"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create_view, name="client_create"),
    path("clients/electricity/", clients.client_power_list, name="client_power_list"),
    path("clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", clients.client_update_view, name="client_update"),
    path("clients/<int:pk>/consents/new/", consents.consent_create, name="consent_create"),
    path("clients/<int:pk>/consents/<int:consent_pk>/withdraw/", consents.consent_withdraw, name="consent_withdraw"),
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create_view, name="event_create"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", events.event_update_view, name="event_update"),
    path("logs/", logs.log_list, name="log_list"),
    path("logs/export/<str:file_format>/", logs.log_export, name="log_export"),
    path("logs/new/", logs.log_create, name="log_create"),
    path("logs/<int:pk>/", logs.log_detail, name="log_detail"),
    path("logs/<int:pk>/edit/", logs.log_update, name="log_update"),
    path("referrals/", referral_lists.referral_list, name="referral_list"),
    path("referrals/export/<str:file_format>/", referral_lists.referral_export, name="referral_export"),
    path("referrals/new/", referrals.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", referrals.referral_update, name="referral_update"),
    path("referrals/<int:pk>/move/<str:target>/", referrals.referral_move, name="referral_move"),
    path("referrals/<int:pk>/override/", referrals.referral_override, name="referral_override"),
    path("follow-ups/", follow_ups.follow_up_list, name="follow_up_list"),
    path("follow-ups/export/<str:file_format>/", follow_ups.follow_up_export, name="follow_up_export"),
    path("follow-ups/new/", follow_ups.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/edit/", follow_ups.follow_up_update, name="follow_up_update"),
    path("follow-ups/<int:pk>/done/", follow_ups.follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/reopen/", follow_ups.follow_up_reopen, name="follow_up_reopen"),
    path("needs/", need_lists.need_list, name="need_list"),
    path("needs/export/<str:file_format>/", need_lists.need_export, name="need_export"),
    path("needs/new/", needs.need_create, name="need_create"),
    path("needs/<int:pk>/", needs.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", needs.need_update, name="need_update"),
    path("needs/<int:pk>/move/", needs.need_move, name="need_move"),
    path("logs/<int:log_pk>/need/", needs.need_from_log, name="need_from_log"),
    path("lookups/clients/", lookups.client_lookup, name="client_lookup"),
    path("lookups/providers/", lookups.provider_lookup, name="provider_lookup"),
    path("access-log/", access_log.access_log, name="access_log"),
    path("access-log/export/<str:file_format>/", access_log.access_log_export, name="access_log_export"),
]
