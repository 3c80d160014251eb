"""The reference lists shipped as fixtures, loaded without overwriting what is there."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction

# Parents before children and categories before what points at them.
REFERENCE_FIXTURES = [
    "reference/counterpart_categories.json",
    "reference/provider_categories.json",
    "reference/medical_care_procedures.json",
    "reference/contact_methods.json",
    "reference/activity_types.json",
    "reference/need_categories.json",
]


def fixture_path(name: str) -> Path:
    return Path(settings.FIXTURE_DIRS[0]) / name


@transaction.atomic
def reference_lists_load() -> dict[str, int]:
    """Add every fixture entry whose code is not in the database yet; edit nothing.

    Returns the number of entries added per fixture file.
    """
    added = {}
    for name in REFERENCE_FIXTURES:
        count = 0
        with fixture_path(name).open(encoding="utf-8") as stream:
            # Entries are keyed by natural key (code): an existing entry gets its pk filled in
            # by the deserializer, so it is left as the admin may have edited it.
            for item in serializers.deserialize("json", stream):
                if item.object.pk is None:
                    item.save()
                    count += 1
        added[name] = count
    return added
