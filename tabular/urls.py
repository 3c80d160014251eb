from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("<slug:kind>/template.<str:file_format>", views.import_template, name="template"),
    path("<slug:kind>/<str:token>/", views.import_preview, name="preview"),
    path("<slug:kind>/<str:token>/confirm/", views.import_confirm, name="confirm"),
    path("<slug:kind>/<str:token>/cancel/", views.import_cancel, name="cancel"),
]
