from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/download/<str:format>/", views.download, name="download"),
    path("quarterly/texts/", views.edit_texts, name="edit_texts"),
    path("quarterly/finalize/", views.finalize, name="finalize"),
    path("quarterly/new-draft/", views.open_draft, name="open_draft"),
]
