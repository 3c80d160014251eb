from django.conf import settings
from django.core.management.base import BaseCommand

from demo.builders import demo_load, print_demo_users


class Command(BaseCommand):
    help = "Builds the fictional demo office (FY2025 Q1–Q3 as in the seed report) unless it exists."

    def handle(self, *args, **options):
        if not settings.TSUNAGU_DEMO:
            self.stdout.write("TSUNAGU_DEMO is off: no demo data.")
            return
        office = demo_load()
        if office is None:
            self.stdout.write("Demo data already present: nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo office created: {office}"))
        print_demo_users(self.stdout)
