from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from coordination.views import mfa

admin.site.site_header = "つなぐ 管理サイト"
admin.site.site_title = "つなぐ 管理"
admin.site.index_title = "データと参照リストの管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/mfa/setup/", mfa.mfa_setup, name="mfa_setup"),
    path("login/mfa/", mfa.mfa_verify, name="mfa_verify"),
    path("admin/", admin.site.urls),
    path("directory/", include("directory.urls")),
    path("reports/", include("reporting.urls")),
    path("audit/", include("audit.urls")),
    path("imports/", include("tabular.urls")),
    path("", include("coordination.urls")),
]
