from django.urls import path

from . import file_views, views

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
    path("hsds.zip", file_views.provider_hsds_export, name="provider_hsds_export"),
]
