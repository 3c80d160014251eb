"""Benchmark: the centre page (every office's figures) on PostgreSQL with 60 offices and 1,000,000 logs.

    scripts/with-postgres .venv/bin/python -m benchmarks.centre --fill-this-database

Fills the database DATABASE_URL names with the shared realistic data set (benchmarks.dataset: 60 offices,
2,000 clients per large office, 1,000,000 logs over three fiscal years; refused unless PostgreSQL and
--fill-this-database),
finalizes the 業務報告書 of a few offices, then measures, for the first 3, 20 and 60 offices by
name, the selector behind the page (reporting.centre_selectors.centre_table: query count and the
median of --repeat runs), and `GET /centre/` as a センター職員 through Django's test Client
(middleware, selector, template). Prints figures; asserts nothing about time (the query count
not growing with the offices is asserted by tests/reporting/test_centre_view.py).
"""

import argparse
import os
import statistics
import time

from benchmarks.dataset import Shape, add_arguments, generate, refuse_unless_benchmark_database, setup_django
from benchmarks.scale import slowest_queries

OFFICE_COUNTS = (3, 20, 60)
# Offices (2nd and 3rd by name) whose report for the period is finalized: their figures come from the stored
# version, so every measured set (the first 3, 20, 60 by name) has live and finalized rows.
FINALIZED = slice(1, 3)


def counted(function) -> tuple[int, object]:
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, *call: queries.append(1) or execute(*call)):
        result = function()
    return len(queries), result


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def finalize_some(period, which: slice) -> None:
    """Finalizes the period's report of the offices `which` picks by name (once; a second run finds them)."""
    from accounts.models import Office, User
    from reporting.models import QuarterlyReport
    from reporting.services import report_finalize

    done = QuarterlyReport.objects.filter(
        fiscal_year=period.fiscal_year, first_quarter=period.first_quarter, last_quarter=period.last_quarter
    ).values_list("office_id", flat=True)
    for office in list(Office.objects.order_by("name"))[which]:
        if office.pk in done:
            continue
        supervisor = User.objects.filter(office=office, groups__name="管理者").first()
        started = time.perf_counter()
        report_finalize(office=office, period=period, user=supervisor)
        print(f"finalized {office} in {time.perf_counter() - started:.1f} s", flush=True)


def centre_user():
    from django.contrib.auth.models import Group

    from accounts.models import User

    user, _ = User.objects.get_or_create(username="bench-centre", defaults={"last_name": "センター"})
    user.groups.add(Group.objects.get(name="センター職員"))
    return user


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--measure-only", action="store_true", help="generate nothing; measure what is there")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is printed)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest query")
    args = parser.parse_args(argv)

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Office
    from benchmarks.scale import explain
    from coordination.fiscal import FiscalPeriod
    from coordination.logs.models import ContactLog
    from reporting.centre_selectors import centre_table

    refuse_unless_benchmark_database(args.fill_this_database)
    if not args.measure_only:
        generate(Shape.from_args(args))
    else:
        call_command("migrate", verbosity=0)
    quarter, year = FiscalPeriod(2025, 1, 1), FiscalPeriod(2025, 1, 4)
    finalize_some(quarter, FINALIZED)
    print(
        f"\ndatabase: PostgreSQL {connection.pg_version // 10000}; {Office.objects.count()} offices, "
        f"{ContactLog.objects.count():,} logs ({ContactLog.objects.in_period(quarter).count():,} in 令和7年度 第1四半期, "
        f"{ContactLog.objects.in_period(year).count():,} in the year); load average "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    offices = list(Office.objects.order_by("name"))
    print(f"\ncentre_table (selector) — median of {args.repeat} runs")
    print(f"{'period':<24} {'offices':>8} {'queries':>8} {'seconds':>8}")
    for period, label in ((quarter, "令和7年度 第1四半期"), (year, "令和7年度 第1～4四半期")):
        for count in OFFICE_COUNTS:
            chosen = offices[:count]
            queries, table = counted(lambda chosen=chosen, period=period: centre_table(period, chosen))
            assert len(table.rows) == count
            seconds = timed(lambda chosen=chosen, period=period: centre_table(period, chosen), args.repeat)
            print(f"{label:<24} {count:>8} {queries:>8} {seconds:>8.3f}", flush=True)

    client = Client()
    client.force_login(centre_user())
    print(f"\nGET /centre/ as センター職員 ({len(offices)} offices) — median of {args.repeat} runs")
    print(f"{'period':<24} {'status':>7} {'queries':>8} {'seconds':>8}")
    for period, label in ((quarter, "令和7年度 第1四半期"), (year, "令和7年度 第1～4四半期")):
        url = f"/centre/?fiscal_year={period.fiscal_year}&quarters={period.quarter_range}"
        queries, response = counted(lambda url=url: client.get(url))
        seconds = timed(lambda url=url: client.get(url), args.repeat)
        print(f"{label:<24} {response.status_code:>7} {queries:>8} {seconds:>8.3f}", flush=True)

    slowest = slowest_queries(lambda: centre_table(quarter, offices))
    print("\nslowest queries of one centre_table (60 offices, one quarter):")
    for seconds, sql, _ in slowest:
        print(f"  {seconds * 1000:7.1f} ms  {sql[:110]}…")
    if args.explain:
        _, sql, params = slowest[0]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest:\n{sql}\n{explain(sql, params)}")


if __name__ == "__main__":
    main()
