"""Roles are groups with permissions, created by a migration."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_four_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {"コーディネーター", "管理者", "区職員", "センター職員"}


def test_ward_staff_may_only_read_the_directory():
    granted = perms("区職員")
    assert "directory.view_provider" in granted
    assert all(p.startswith("directory.view_") for p in granted)
    assert "directory.view_internal_note" not in granted


def test_coordinators_keep_their_offices_records_and_the_directory():
    granted = perms("コーディネーター")
    assert {
        "coordination.add_contactlog",
        "coordination.change_client",
        "coordination.add_event",
        "directory.change_provider",
    } <= granted
    assert "accounts.change_office" not in granted
    # The office's own settings and the providers' internal notes, readable (accounts and directory).
    assert {"accounts.view_office", "accounts.view_officehours", "directory.view_officedistrict"} <= granted
    assert "directory.view_internal_note" in granted


def test_supervisors_read_everything_of_their_office_and_write_only_the_report_overrides_and_settings():
    granted = perms("管理者")
    assert {"coordination.view_client", "coordination.view_contactlog", "coordination.view_event"} <= granted
    assert {"accounts.view_office", "directory.view_internal_note"} <= granted
    writes = {p for p in granted if not p.split(".")[1].startswith("view_")}
    assert writes == {
        "reporting.change_quarterlyreport",
        "reporting.finalize_quarterlyreport",
        # let a referral go without a covering consent, with a written reason (issue 14)
        "coordination.override_consent",
        # their office's opening hours, calendar of 営業日, districts and report header (issue 16)
        "accounts.change_office_settings",
        # the needs register (ニーズ・課題): supervisors raise needs to the council's meetings (issue 17)
        "coordination.add_need",
        "coordination.change_need",
        "coordination.add_neednote",
        "coordination.change_neednote",
    }


def test_coordinators_and_supervisors_keep_the_needs_register_and_ward_staff_not_even_read_it():
    keep = {f"coordination.{action}_{model}" for model in ("need", "neednote") for action in ("view", "add", "change")}
    assert keep <= perms("コーディネーター") and keep <= perms("管理者")
    assert not {p for p in perms("区職員") if "need" in p}


def test_only_supervisors_set_the_office_settings():
    assert "accounts.change_office_settings" not in perms("コーディネーター") | perms("区職員")


def test_coordinators_read_reports_but_neither_edit_nor_finalize_them():
    granted = perms("コーディネーター")
    assert "reporting.view_quarterlyreport" in granted
    assert not {"reporting.change_quarterlyreport", "reporting.finalize_quarterlyreport"} & granted


def test_the_centre_reads_only_the_centre_page_and_no_office_role_does():
    # センター職員: every office's counts and finalized reports, nothing with a name (reporting 0005).
    assert perms("センター職員") == {"reporting.view_centre"}
    for group in ("コーディネーター", "管理者", "区職員"):
        assert "reporting.view_centre" not in perms(group)
