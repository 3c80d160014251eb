"""Office settings for supervisors: the report header's schedule line, optimistic locking, change
history of offices, opening hours and calendar days, and the permission to set them (管理者)."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
import simple_history.models
from django.conf import settings
from django.db import migrations, models


GROUPS = ["管理者"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure this one exists now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="accounts", codename="change_office_settings")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename="change_office_settings").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_history_version'),
        # After coordination 0006, which moves the office models' content types to accounts: creating
        # the permission earlier would create accounts' content types beside the old ones.
        ('coordination', '0006_move_offices_and_users_to_accounts'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='office',
            options={'ordering': ['name'], 'permissions': [('change_office_settings', '事業所の開所時間・カレンダー・地区・名称を設定できる')], 'verbose_name': '事業所', 'verbose_name_plural': '事業所'},
        ),
        migrations.AddField(
            model_name='office',
            name='hours_version',
            field=models.PositiveIntegerField(default=1, verbose_name='開所時間の版'),
        ),
        migrations.AddField(
            model_name='office',
            name='schedule_line',
            field=models.CharField(blank=True, help_text='空欄なら開所時間から「月・水・金 9:00～17:00」のように作ります。', max_length=200, verbose_name='報告書の開所日時の表記'),
        ),
        migrations.AddField(
            model_name='office',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版'),
        ),
        migrations.CreateModel(
            name='HistoricalOffice',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=200, verbose_name='事業所名')),
                ('municipality', models.CharField(max_length=50, verbose_name='区市町村')),
                ('schedule_line', models.CharField(blank=True, help_text='空欄なら開所時間から「月・水・金 9:00～17:00」のように作ります。', max_length=200, verbose_name='報告書の開所日時の表記')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版')),
                ('hours_version', models.PositiveIntegerField(default=1, verbose_name='開所時間の版')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '事業所の変更履歴',
                'verbose_name_plural': '事業所の変更履歴',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalOfficeCalendarDay',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField(verbose_name='日付')),
                ('is_open', models.BooleanField(default=False, help_text='オフ＝休業日、オン＝臨時開所日', verbose_name='開所する')),
                ('opens_at', models.TimeField(blank=True, null=True, verbose_name='開始')),
                ('closes_at', models.TimeField(blank=True, null=True, verbose_name='終了')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='理由')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('office', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.office', verbose_name='事業所')),
            ],
            options={
                'verbose_name': '休業日・臨時開所日の変更履歴',
                'verbose_name_plural': '休業日・臨時開所日の変更履歴',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalOfficeHours',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, '月'), (1, '火'), (2, '水'), (3, '木'), (4, '金'), (5, '土'), (6, '日')], verbose_name='曜日')),
                ('opens_at', models.TimeField(verbose_name='開始')),
                ('closes_at', models.TimeField(verbose_name='終了')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('office', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.office', verbose_name='事業所')),
            ],
            options={
                'verbose_name': '開所時間の変更履歴',
                'verbose_name_plural': '開所時間の変更履歴',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(grant, revoke),
    ]
