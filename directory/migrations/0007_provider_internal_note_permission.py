"""Providers' internal notes get their own permission, granted to the roles that could read them
(coordinators and supervisors, who until now read them through coordination.view_client)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["コーディネーター", "管理者"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure this one exists now.
    app_config = apps.get_app_config("directory")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="directory", codename="view_internal_note")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="directory", codename="view_internal_note").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_officedistrict_and_accounts_user"),
        ("coordination", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="provider",
            options={
                "ordering": ["name_kana", "name"],
                "permissions": [("view_internal_note", "内部メモを見る")],
                "verbose_name": "機関・事業所",
                "verbose_name_plural": "機関・事業所",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
