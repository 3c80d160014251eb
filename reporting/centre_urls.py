"""The centre page (センター職員): mounted at /centre/ (config/urls.py)."""

from django.urls import path

from . import centre_views

app_name = "centre"

urlpatterns = [
    path("", centre_views.index, name="index"),
    path("export/<str:file_format>/", centre_views.export, name="export"),
    path("reports/<int:pk>/<str:format>/", centre_views.version_file, name="version_file"),
]
