"""Creates the role groups with their permissions (see coordination/roles.py)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy of the permissions at the time of this migration: later changes get a migration
# of their own rather than rewriting history.
GROUP_PERMISSIONS = {
    "コーディネーター": {
        "coordination": {
            "client": "view add change delete", "guardian": "view add change delete",
            "contactlog": "view add change delete", "counterpart": "view add change delete",
            "event": "view add change delete", "office": "view", "officedistrict": "view",
            "officehours": "view", "officecalendarday": "view", "contactmethod": "view",
            "activitytype": "view",
        },
        "directory": {
            "provider": "view add change", "district": "view", "medicalcareprocedure": "view",
            "providercategory": "view", "counterpartcategory": "view",
        },
    },
    "管理者": {
        "coordination": {
            model: "view"
            for model in [
                "client", "guardian", "contactlog", "counterpart", "event", "office", "officedistrict",
                "officehours", "officecalendarday", "contactmethod", "activitytype",
            ]
        },
        "directory": {
            model: "view"
            for model in ["provider", "district", "medicalcareprocedure", "providercategory", "counterpartcategory"]
        },
    },
    "区職員": {
        "directory": {
            model: "view"
            for model in ["provider", "district", "medicalcareprocedure", "providercategory", "counterpartcategory"]
        },
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, apps_ in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, models in apps_.items():
            for model, actions in models.items():
                for action in actions.split():
                    group.permissions.add(
                        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("coordination", "0001_initial"),
        ("directory", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
