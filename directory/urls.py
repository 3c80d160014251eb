from django.urls import path

from . import file_views, link_views, views

app_name = "directory"

urlpatterns = [
    path("", views.provider_list, name="provider_list"),
    path("new/", views.provider_create_view, name="provider_create"),
    path("reverify/", views.provider_reverify_list, name="provider_reverify_list"),
    path("<int:pk>/", views.provider_detail, name="provider_detail"),
    path("<int:pk>/edit/", views.provider_update_view, name="provider_update"),
    path("<int:pk>/verify/", views.provider_verify_view, name="provider_verify"),
    path("export/<str:file_format>/", file_views.provider_export, name="provider_export"),
    path("postal-code/", views.postal_lookup, name="postal_lookup"),
    # The provider's one-time link (no account) and the office's side of it (directory/link_views.py).
    path("link/<str:token>/", link_views.provider_link_open, name="provider_link_open"),
    path("link/", link_views.provider_link_page, name="provider_link_page"),
    path("link-done/", link_views.provider_link_done, name="provider_link_done"),
    path("<int:pk>/send-link/", link_views.provider_link_send, name="provider_link_send"),
    path("reverify/send-links/", link_views.provider_link_send_all, name="provider_link_send_all"),
    path("<int:pk>/proposals/", link_views.provider_proposals, name="provider_proposals"),
    path("hsds.zip", file_views.provider_hsds_export, name="provider_hsds_export"),
]
