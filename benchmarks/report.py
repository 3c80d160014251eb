"""Benchmark: the quarterly report with many logs (build, XLSX, PDF, query count).

    .venv/bin/python -m benchmarks.report [--logs 100000]

Works on its own SQLite file under var/ (never the app's database): loads the reference lists
and the demo office, measures the demo report (FY2025 Q1–Q3), then grows the office to a large
one (--clients, 2,000 by default) and adds generated logs in the same period with the shared
data set's shape (benchmarks.dataset: 1–3 counterparts and 1–3 activity types per log), measuring
at 1,000 logs and at the full count. The metropolitan set on PostgreSQL: benchmarks.scale. For the PDF it prints the time, the
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
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FY2025_Q1_Q3 = (date(2025, 4, 1), date(2025, 12, 31))


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


def add_logs(office, count: int, rng: random.Random, days: tuple[date, date] = FY2025_Q1_Q3) -> None:
    """Adds `count` logs to `office` over `days` with the shared data set's shape (benchmarks.dataset:
    1–3 activity types and 1–3 counterparts each, the office's clients weighted, hours, methods)."""
    from benchmarks.dataset import add_logs as add_generated_logs
    from benchmarks.dataset import load_offices

    (office,) = [o for o in load_offices() if o.pk == office.pk]
    add_generated_logs(count, [office], {office.pk: 1.0}, rng, days=days, quiet=True)


def grow_clients(office, target: int, rng: random.Random) -> int:
    """Adds generated clients to `office` up to `target` (a large office has 2,000); how many were added."""
    from benchmarks.dataset import add_clients, load_offices
    from coordination.clients.models import Client

    missing = target - Client.objects.filter(office=office).count()
    if missing > 0:
        (office,) = [o for o in load_offices() if o.pk == office.pk]
        add_clients(office, missing, rng)
    return max(missing, 0)


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
    parser.add_argument("--clients", type=int, default=2_000, help="clients of the office before generated logs")
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
            added = grow_clients(office, args.clients, rng)
            print(f"  (then {added} generated clients added: {args.clients} in the office)")
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
