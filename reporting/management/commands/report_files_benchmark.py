import os
import signal
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting import files
from reporting.models import ReportFile
from reporting.render import FORMATS

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.0f} ms"


class Command(BaseCommand):
    help = (
        "Times a draft report's PDF and Excel download (docs/performance.md, issue 18): made in the request "
        "as before, the first download now (enqueue), the worker's render, and the second download (cached)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, default=2025)
        parser.add_argument("--quarters", default="1-3")
        parser.add_argument("--office", help="office name (default: the first)")
        parser.add_argument("--repeat", type=int, default=5, help="runs of each step (the median is printed)")

    def handle(self, *args, fiscal_year, quarters, office, repeat, **options):
        period = FiscalPeriod.parse_range(fiscal_year, quarters)
        office_ = Office.objects.filter(name=office).first() if office else Office.objects.order_by("pk").first()
        if office_ is None:
            raise CommandError("事業所がありません（manage.py load_demo）。")
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"{office_.name} {period.label}, {repeat} runs each, load average {load}")
        self.stdout.write("| format | in the request (before) | first download: request | worker | second download |")
        self.stdout.write("|---|---:|---:|---:|---:|")
        with override_settings(TASKS=DATABASE_TASKS):
            for identifier in ("pdf", "xlsx"):
                self.stdout.write(self._measure(office_, period, identifier, repeat))

    def _measure(self, office, period, identifier, repeat) -> str:
        slot = ReportFile.objects.filter(
            office=office,
            kind="quarterly",
            fiscal_year=period.fiscal_year,
            first_quarter=period.first_quarter,
            last_quarter=period.last_quarter,
            format=identifier,
        )
        before, first, worker, second = [], [], [], []
        files.draft_spec(office, period, identifier).render()  # untimed: imports, fonts, the first queries
        for _ in range(repeat):
            # As before issue 18: the report built and its file rendered inside the request.
            started = time.perf_counter()
            files.draft_spec(office, period, identifier).render()
            before.append(time.perf_counter() - started)
        for _ in range(repeat):
            slot.delete()
            started = time.perf_counter()
            result = files.download(files.draft_spec(office, period, identifier))
            first.append(time.perf_counter() - started)
            assert result.content is None, "the first download should only enqueue"
            started = time.perf_counter()
            run_worker()
            worker.append(time.perf_counter() - started)
        for _ in range(repeat):
            started = time.perf_counter()
            result = files.download(files.draft_spec(office, period, identifier))
            second.append(time.perf_counter() - started)
            assert result.content, "the second download should find the file"
        slot.delete()
        cells = [median_ms(samples) for samples in (before, first, worker, second)]
        return f"| {FORMATS[identifier].verbose_name} | " + " | ".join(cells) + " |"


def run_worker() -> None:
    """`db_worker --batch`: the queued file is made; the worker's signal handlers are undone afterwards."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
