"""The センター職員 role: a group with one permission, the centre page (every office's counts and finalized reports)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy, as in 0002_roles.
GROUP = "センター職員"
CODENAMES = ["view_centre"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="reporting", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_accounts"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="quarterlyreport",
            options={
                "permissions": [
                    ("finalize_quarterlyreport", "業務報告書を確定できる"),
                    ("view_centre", "すべての事業所の集計と確定した業務報告書を見られる"),
                ],
                "verbose_name": "業務報告書",
                "verbose_name_plural": "業務報告書",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
