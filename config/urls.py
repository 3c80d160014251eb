from django.contrib import admin
from django.urls import include, path

from config.health import healthz

admin.site.site_header = "つなぐ 管理サイト"
admin.site.site_title = "つなぐ 管理"
admin.site.index_title = "データと参照リストの管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("directory/", include("directory.urls")),
    path("reports/", include("reporting.urls")),
    path("centre/", include("reporting.centre_urls")),
    path("audit/", include("audit.urls")),
    path("imports/", include("tabular.urls")),
    path("settings/", include("accounts.office_settings.urls")),
    path("settings/office/", include("accounts.office_settings.calendar_urls")),
    path("settings/districts/", include("directory.district_settings_urls")),
    path("", include("coordination.urls")),
]
