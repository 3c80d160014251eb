"""Offices and users leave coordination's migration state for accounts (tables unchanged, see accounts 0001)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = {
    "user": "accounts",
    "office": "accounts",
    "officehours": "accounts",
    "officecalendarday": "accounts",
    "officedistrict": "directory",
}


def move_content_types(apps, schema_editor):
    """The moved models' content types (and with them their permissions, the roles' grants and
    the admin's log) follow the models to their new app.

    Where a migration in between already created the new content type (the roles migrations
    create every app's permissions), the grants move to the new permissions and the old type goes.
    """
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model, app_label in MOVED.items():
        old = ContentType.objects.using(db).filter(app_label="coordination", model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=app_label, model=model).first()
        if new is None:
            old.app_label = app_label
            old.save(using=db)
            continue
        for permission in Permission.objects.using(db).filter(content_type=old):
            twin = Permission.objects.using(db).filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(using=db)
                continue
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)
            permission.delete()
        LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
        old.delete()


def move_content_types_back(apps, schema_editor):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        ContentType.objects.using(db).filter(app_label=app_label, model=model).update(app_label="coordination")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('coordination', '0005_historicalclient_procedures'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # Every other app points its foreign keys at accounts first: the old models can go.
        ('directory', '0006_officedistrict_and_accounts_user'),
        ('reporting', '0004_accounts'),
        ('audit', '0003_accounts_user'),
        ('admin', '0003_logentry_add_action_flag_choices'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='office',
                    name='districts',
                ),
                migrations.AlterField(
                    model_name='historicalcontactlog',
                    name='office',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.RemoveField(
                    model_name='officehours',
                    name='office',
                ),
                migrations.RemoveField(
                    model_name='officedistrict',
                    name='office',
                ),
                migrations.AlterField(
                    model_name='event',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.AlterField(
                    model_name='client',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.AlterField(
                    model_name='historicalclient',
                    name='office',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.AlterField(
                    model_name='contactlog',
                    name='office',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_logs', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='office',
                ),
                migrations.AlterField(
                    model_name='historicalevent',
                    name='office',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.office', verbose_name='事業所'),
                ),
                migrations.RemoveField(
                    model_name='officedistrict',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='groups',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='user_permissions',
                ),
                migrations.AlterField(
                    model_name='historicalclient',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalevent',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalcounterpart',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalcontactlog',
                    name='coordinator',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='コーディネーター'),
                ),
                migrations.AlterField(
                    model_name='client',
                    name='assigned_coordinator',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_clients', to=settings.AUTH_USER_MODEL, verbose_name='担当コーディネーター'),
                ),
                migrations.AlterField(
                    model_name='client',
                    name='consent_taken_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='同意を得た職員'),
                ),
                migrations.AlterField(
                    model_name='contactlog',
                    name='coordinator',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_logs', to=settings.AUTH_USER_MODEL, verbose_name='コーディネーター'),
                ),
                migrations.AlterField(
                    model_name='historicalclient',
                    name='consent_taken_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='同意を得た職員'),
                ),
                migrations.AlterField(
                    model_name='historicalguardian',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalclient',
                    name='assigned_coordinator',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='担当コーディネーター'),
                ),
                migrations.AlterField(
                    model_name='historicalcontactlog',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.DeleteModel(
                    name='OfficeCalendarDay',
                ),
                migrations.DeleteModel(
                    name='OfficeHours',
                ),
                migrations.DeleteModel(
                    name='Office',
                ),
                migrations.DeleteModel(
                    name='OfficeDistrict',
                ),
                migrations.DeleteModel(
                    name='User',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
