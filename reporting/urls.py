from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/download/<str:format>/", views.download, name="download"),
    path("quarterly/texts/", views.edit_texts, name="edit_texts"),
    path("quarterly/finalize/", views.finalize, name="finalize"),
    path("quarterly/new-draft/", views.open_draft, name="open_draft"),
    # Whether a file the background worker makes is ready (the 作成中 page asks every few seconds).
    path("files/<int:pk>/status/", views.file_status, name="file_status"),
    # The other kinds of report (受付状況, 課題解決状況): computed now, never finalized.
    path("<slug:kind>/", views.kind_page, name="kind"),
    path("<slug:kind>/download/<str:format>/", views.kind_download, name="kind_download"),
]
