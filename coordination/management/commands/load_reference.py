from django.core.management.base import BaseCommand

from coordination.reference import reference_lists_load


class Command(BaseCommand):
    help = "Adds the missing entries of the reference lists (categories, procedures); changes nothing else."

    def handle(self, *args, **options):
        added = reference_lists_load()
        total = sum(added.values())
        if total:
            for name, count in added.items():
                self.stdout.write(f"  {name}: {count} added")
        self.stdout.write(self.style.SUCCESS(f"Reference lists: {total} entries added."))
