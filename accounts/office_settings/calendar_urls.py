"""Office settings: the month calendar of 営業日, the weekly opening hours, the name and report header
(mounted at settings/office/; the districts' page is directory's, at settings/districts/)."""

from django.urls import path

from . import calendar_views

app_name = "office_calendar"

urlpatterns = [
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path("hours/", calendar_views.hours_view, name="hours"),
    path("", calendar_views.office_view, name="office"),
]
