"""Offices and users move from coordination to accounts without touching the database.

The models keep their tables (coordination_office, coordination_user, …), so this migration only
tells Django's migration state that the models now belong to accounts: it has no database
operation at all. coordination 0006 then drops the old models from the state. A database made
before this migration is adopted by `accounts/legacy.py` (run by our `migrate` command), which
records this migration as applied: with no database operation, recording it is the same as running it.
"""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        # The tables were created by coordination's migrations; this one adopts them as they
        # stand at coordination 0005 and directory 0005.
        ("coordination", "0005_historicalclient_procedures"),
        ("directory", "0005_provider_search_trigram_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Office',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='事業所名')),
                        ('municipality', models.CharField(max_length=50, verbose_name='区市町村')),
                    ],
                    options={
                        'verbose_name': '事業所',
                        'verbose_name_plural': '事業所',
                        'db_table': 'coordination_office',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='User',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password')),
                        ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                        ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                        ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                        ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                        ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                        ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                        ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                        ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                        ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                        ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                        ('office', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='accounts.office', verbose_name='事業所')),
                    ],
                    options={
                        'verbose_name': '利用者アカウント',
                        'verbose_name_plural': '利用者アカウント',
                        'db_table': 'coordination_user',
                        'abstract': False,
                    },
                    managers=[
                        ('objects', django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name='OfficeCalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='日付')),
                        ('is_open', models.BooleanField(default=False, help_text='オフ＝休業日、オン＝臨時開所日', verbose_name='開所する')),
                        ('opens_at', models.TimeField(blank=True, null=True, verbose_name='開始')),
                        ('closes_at', models.TimeField(blank=True, null=True, verbose_name='終了')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='理由')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_days', to='accounts.office', verbose_name='事業所')),
                    ],
                    options={
                        'verbose_name': '休業日・臨時開所日',
                        'verbose_name_plural': '休業日・臨時開所日',
                        'db_table': 'coordination_officecalendarday',
                        'ordering': ['office', 'date'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'date'), name='coordination_officecalendarday_unique'), models.CheckConstraint(condition=models.Q(('is_open', False), models.Q(('closes_at__isnull', False), ('opens_at__isnull', False), ('opens_at__lt', models.F('closes_at'))), _connector='OR'), name='coordination_officecalendarday_open_hours')],
                    },
                ),
                migrations.CreateModel(
                    name='OfficeHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, '月'), (1, '火'), (2, '水'), (3, '木'), (4, '金'), (5, '土'), (6, '日')], verbose_name='曜日')),
                        ('opens_at', models.TimeField(verbose_name='開始')),
                        ('closes_at', models.TimeField(verbose_name='終了')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_hours', to='accounts.office', verbose_name='事業所')),
                    ],
                    options={
                        'verbose_name': '開所曜日と時間',
                        'verbose_name_plural': '開所曜日と時間',
                        'db_table': 'coordination_officehours',
                        'ordering': ['office', 'weekday'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'weekday'), name='coordination_officehours_unique_day'), models.CheckConstraint(condition=models.Q(('opens_at__lt', models.F('closes_at'))), name='coordination_officehours_order')],
                    },
                ),
            ],
        ),
    ]
