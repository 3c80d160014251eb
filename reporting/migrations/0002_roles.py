"""Gives the role groups their report permissions: coordinators read, supervisors edit and finalize."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy, as in coordination's 0002_roles.
GROUP_PERMISSIONS = {
    "コーディネーター": ["view_quarterlyreport", "view_reportversion"],
    "管理者": ["view_quarterlyreport", "change_quarterlyreport", "finalize_quarterlyreport", "view_reportversion"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUP_PERMISSIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reporting"))


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("coordination", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
