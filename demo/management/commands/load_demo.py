from django.conf import settings
from django.core.management.base import BaseCommand

from demo.builders import demo_load, demo_load_until, print_demo_users


class Command(BaseCommand):
    help = (
        "Builds the fictional demo office (FY2025 Q1–Q3 as in the seed report) unless it exists, its needs, "
        "a second and a third office, then adds their present: activity dated relative to today, "
        "never inside FY2025 for the first office."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-present",
            action="store_true",
            help="Only the office and FY2025 as in the seed report (the test suite's demo): no needs, "
            "no other office, nothing dated relative to today.",
        )

    def handle(self, *args, **options):
        if not settings.TSUNAGU_DEMO:
            self.stdout.write("TSUNAGU_DEMO is off: no demo data.")
            return
        if options["without_present"]:
            office = demo_load()
            self.stdout.write(f"Demo office created: {office}" if office else "Demo data already present.")
            print_demo_users(self.stdout, all_offices=False)
            return
        loaded = demo_load_until()
        if loaded.created:
            self.stdout.write(self.style.SUCCESS(f"Demo office created: {loaded.office}"))
        if loaded.needs_added:
            self.stdout.write(self.style.SUCCESS(f"デモのニーズ・課題を追加しました：{loaded.needs_added}件"))
        if loaded.offices_added:
            self.stdout.write(self.style.SUCCESS(f"デモの事業所を追加しました：{loaded.offices_added}か所"))
        if loaded.logs_added:
            self.stdout.write(
                self.style.SUCCESS(
                    f"デモの「今」を追加しました：最近の記録 {loaded.logs_added}件、次の対応、つなぎ、節目"
                )
            )
        if not (loaded.created or loaded.logs_added or loaded.needs_added or loaded.offices_added):
            self.stdout.write("Demo data already present and up to date: nothing changed.")
        print_demo_users(self.stdout)
