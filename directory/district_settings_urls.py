"""An office's districts and their order in the report (mounted at settings/districts/)."""

from django.urls import path

from . import district_settings_views as views

app_name = "district_settings"

urlpatterns = [
    path("", views.district_list, name="index"),
    path("add/", views.district_add, name="add"),
    path("move/", views.district_move, name="move"),
    path("remove/", views.district_remove, name="remove"),
]
