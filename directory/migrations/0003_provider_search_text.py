"""Provider.search_text (the folded text the search box looks in, filled for existing rows), the
indexes of the directory list, and a Japanese message for the ages constraint."""
from django.db import migrations, models

from directory.search import provider_search_text


def fill_search_text(apps, schema_editor):
    # The historical model has no save() of ours: compute the text here.
    Provider = apps.get_model("directory", "Provider")
    providers = list(Provider.objects.only("pk", "name", "name_kana", "address", "municipality"))
    for provider in providers:
        provider.search_text = provider_search_text(
            name=provider.name, name_kana=provider.name_kana, address=provider.address,
            municipality=provider.municipality,
        )
    Provider.objects.bulk_update(providers, ["search_text"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0002_provider_details_and_acceptance"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="検索用テキスト"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="provider",
            index=models.Index(fields=["name_kana", "name"], name="directory_provider_kana"),
        ),
        migrations.AddIndex(
            model_name="provider",
            index=models.Index(fields=["municipality"], name="directory_provider_city"),
        ),
        migrations.AlterConstraint(
            model_name="provider",
            name="directory_provider_ages_in_order",
            constraint=models.CheckConstraint(
                condition=models.Q(("ages_from__isnull", True), ("ages_to__isnull", True), ("ages_from__lte", models.F("ages_to")), _connector="OR"),
                name="directory_provider_ages_in_order",
                violation_error_message="対象年齢は「から」を「まで」以下にしてください。",
            ),
        ),
    ]
