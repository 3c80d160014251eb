"""管理 (office settings): its index, the users of an office, and the offices (system admin).

Opening hours, the calendar of 営業日 and districts have their own URL modules under /settings/.
"""

from django.urls import path

from . import views

app_name = "office_settings"

urlpatterns = [
    path("", views.settings_index, name="index"),
    path("users/", views.user_list, name="user_list"),
    path("users/add/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_update, name="user_update"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/authenticator-reset/", views.user_authenticator_reset, name="user_authenticator_reset"),
    path("users/<int:pk>/setup-link/", views.user_setup_link, name="user_setup_link"),
    path("offices/", views.office_list, name="office_list"),
    path("offices/add/", views.office_create, name="office_create"),
]
