"""Benchmark: the quarterly report with many logs (build, XLSX, PDF, query count).

    .venv/bin/python -m benchmarks.report [--logs 100000]

Works on its own SQLite file under var/ (never the app's database): loads the reference lists
and the demo office, measures the demo report (FY2025 Q1–Q3), then adds generated logs in the
same period, measuring at 1,000 logs and at the full count. For the PDF it prints the time, the
size and the number of embedded font families (pdffonts, from poppler-utils). Prints figures;
asserts nothing about time.
"""

import argparse
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django(database: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    if not os.environ.get("DATABASE_URL"):
        os.environ["TSUNAGU_SQLITE_PATH"] = str(database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def add_logs(office, count: int, rng: random.Random):
    """Adds `count` plausible logs spread over FY2025 Q1–Q3 with types and counterparts."""
    from django.db import transaction

    from accounts.models import User
    from coordination.clients.models import Client
    from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart, SupportKind
    from directory.models import CounterpartCategory, Provider

    methods = list(ContactMethod.objects.filter(children__isnull=True))
    types = list(ActivityType.objects.filter(children__isnull=True))
    categories = list(CounterpartCategory.objects.filter(children__isnull=True))
    providers = list(Provider.objects.select_related("category")[:200])
    clients = list(Client.objects.filter(office=office)) + [None] * 5
    coordinators = list(User.objects.filter(office=office, groups__name="コーディネーター"))
    days = [date(2025, 4, 1) + timedelta(days=n) for n in range(275)]
    through = ContactLog.activity_types.through

    def counterpart(log, rng):
        # A directory provider (counted under its own category), a free-text organization, or
        # (a family member) neither.
        draw = rng.random()
        if draw < 0.5:
            provider = rng.choice(providers)
            return Counterpart(
                contact_log=log, category_id=provider.category.counterpart_category_id, provider=provider
            )
        name = f"生成した機関{rng.randint(1, 30)}" if draw < 0.6 else ""
        return Counterpart(contact_log=log, category=rng.choice(categories), organization_name=name)

    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            logs = ContactLog.objects.bulk_create(
                ContactLog(
                    office=office,
                    occurred_on=rng.choice(days),
                    started_at=clock(rng.randint(8, 19), rng.choice([0, 30])),
                    duration_minutes=rng.choice([10, 20, 30, 60]),
                    coordinator=rng.choice(coordinators),
                    client=rng.choice(clients),
                    support_kind=SupportKind.INDIVIDUAL,
                    method=rng.choice(methods),
                    report_summary=f"生成した記録 {start + n}",
                    include_in_report=rng.random() < 0.002,
                )
                for n in range(min(batch, count - start))
            )
            through.objects.bulk_create(
                through(contactlog_id=log.pk, activitytype_id=type_.pk)
                for log in logs
                for type_ in rng.sample(types, rng.choice([1, 1, 1, 2]))
            )
            Counterpart.objects.bulk_create(counterpart(log, rng) for log in logs)


def font_families(content: bytes) -> list[str]:
    """The families of the PDF's fonts by pdffonts: the subset tag and the style are dropped."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        listing = subprocess.run(["pdffonts", file.name], capture_output=True, text=True, check=True).stdout
    names = (line.split()[0] for line in listing.splitlines()[2:] if line.strip())
    return sorted(
        {re.sub(r"-(Regular|Bold|Book|Medium|Oblique|Italic|BoldOblique)$", "", name.split("+")[-1]) for name in names}
    )


def measure(office, period, repeat: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reporting.quarterly import build_quarterly_report
    from reporting.render import FORMATS

    def timed(function):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        return statistics.median(times), result

    reset_queries()  # a full query log would make the capture below count nothing
    with CaptureQueriesContext(connection) as queries:
        build_quarterly_report(office, period)
    build, report = timed(lambda: build_quarterly_report(office, period))
    xlsx, _ = timed(lambda: FORMATS["xlsx"].render(report))
    pdf, content = timed(lambda: FORMATS["pdf"].render(report))
    return {
        "logs": report.section(4).total["count"],
        "queries": len(queries.captured_queries),
        "build": build,
        "xlsx": xlsx,
        "pdf": pdf,
        "pdf_bytes": len(content),
        "fonts": font_families(content),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=100_000, help="logs in the period at the second measurement")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is printed)")
    parser.add_argument("--database", default=str(BASE_DIR / "var" / "benchmark-report.sqlite3"))
    args = parser.parse_args(argv)

    database = Path(args.database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    setup_django(database)

    from django.db import connection

    from accounts.models import Office
    from coordination.fiscal import FiscalPeriod
    from coordination.logs.models import ContactLog
    from demo import seed as demo_data

    office = Office.objects.get(name=demo_data.OFFICE_NAME)  # load_demo makes three offices: the seed's
    period = FiscalPeriod(2025, 1, 3)
    rng = random.Random(20251231)
    print(f"database: {connection.vendor}; python {sys.version.split()[0]}")
    print(f"{'logs':>8} {'queries':>8} {'build s':>8} {'xlsx s':>8} {'pdf s':>8} {'pdf KB':>8}  pdf fonts")
    for target in (None, 1_000, args.logs):  # None: the demo data alone
        if target is None:
            print("  (the demo report)")
        else:
            present = ContactLog.objects.for_office(office).in_period(period).count()
            started = time.perf_counter()
            add_logs(office, target - present, rng)
            print(f"  (generated {target - present} logs in {time.perf_counter() - started:.1f} s)")
        figures = measure(office, period, args.repeat)
        print(
            f"{figures['logs']:>8} {figures['queries']:>8} {figures['build']:>8.3f} {figures['xlsx']:>8.3f} "
            f"{figures['pdf']:>8.3f} {figures['pdf_bytes'] // 1024:>8}  "
            f"{len(figures['fonts'])}: {', '.join(figures['fonts'])}"
        )


if __name__ == "__main__":
    main()
