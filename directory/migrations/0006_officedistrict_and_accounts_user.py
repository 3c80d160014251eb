"""Users are accounts.User now, and an office's districts are the directory's (tables unchanged, see accounts 0001)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('directory', '0005_provider_search_trigram_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='historicalprovider',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalprovider',
                    name='verified_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='確認した職員'),
                ),
                migrations.AlterField(
                    model_name='historicalproviderprocedure',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='provider',
                    name='verified_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='確認した職員'),
                ),
                migrations.CreateModel(
                    name='OfficeDistrict',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='報告書での順番')),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='directory.district', verbose_name='地区')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='district_links', to='accounts.office', verbose_name='事業所')),
                    ],
                    options={
                        'verbose_name': '事業所の地区',
                        'verbose_name_plural': '事業所の地区',
                        'db_table': 'coordination_officedistrict',
                        'ordering': ['office', 'position'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'district'), name='coordination_officedistrict_unique'), models.UniqueConstraint(fields=('office', 'position'), name='coordination_officedistrict_position')],
                    },
                ),
            ],
        ),
    ]
