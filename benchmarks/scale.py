"""Benchmark: a metropolitan data set on PostgreSQL (60 offices, 1,000,000 logs) — report and search.

    DATABASE_URL=postgres://…/tsunagu_scale .venv/bin/python -m benchmarks.scale --fill-this-database

Fills the database named by DATABASE_URL (PostgreSQL only) with the shared realistic data set
(benchmarks.dataset: 60 offices, 2,000 clients in each large office, 1,000,000 logs over three
fiscal years, 10,000 providers), then measures one office's quarterly report (build, query count,
XLSX, PDF) and the directory searches of benchmarks.directory_search. Prints figures; asserts
nothing about time.

It writes into the configured database, so it refuses to run without --fill-this-database and
refuses a database holding offices other than the demo's offices and its own generated ones.
A second run finds the data already there and only measures (add --measure-only to be sure).
"""

import argparse
import os
import statistics
import sys
import time

from benchmarks.dataset import (  # noqa: F401 (re-exported: older commands import them from here)
    GENERATED_PREFIX,
    SEED,
    Shape,
    add_arguments,
    generate,
    refuse_unless_benchmark_database,
    setup_django,
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def slowest_queries(function, top: int = 3) -> list[tuple[float, str, tuple]]:
    """Runs `function` once and returns its `top` slowest queries (seconds, SQL, parameters)."""
    from django.db import connection

    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(timed):
        function()
    return sorted(timings, key=lambda t: t[0], reverse=True)[:top]


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure_reports(args) -> None:
    from django.db.models import Count

    from accounts.models import Office
    from benchmarks.report import measure
    from coordination.fiscal import FiscalPeriod
    from coordination.logs.models import ContactLog
    from reporting.quarterly import build_quarterly_report

    quarter = FiscalPeriod(2025, 1, 1)
    sizes = list(
        ContactLog.objects.in_period(quarter).values("office").annotate(n=Count("id")).order_by("-n", "office")
    )
    counts = [row["n"] for row in sizes]
    print(
        f"\nlogs per office in 令和7年度 第1四半期: largest {counts[0]:,}, median {counts[len(counts) // 2]:,}, "
        f"smallest {counts[-1]:,} ({len(counts)} offices)"
    )
    large = Office.objects.get(pk=sizes[0]["office"])
    typical = Office.objects.get(pk=sizes[len(sizes) // 2]["office"])
    cases = [
        ("largest office, 令和7年度 第1四半期", large, quarter),
        ("typical office, 令和7年度 第1四半期", typical, quarter),
        ("largest office, 令和7年度 第1～4四半期", large, FiscalPeriod(2025, 1, 4)),
    ]
    print(f"\nquarterly report — median of {args.repeat} runs")
    print(f"{'case':<40} {'logs':>7} {'queries':>8} {'build s':>8} {'xlsx s':>8} {'pdf s':>8}")
    for label, office, period in cases:
        figures = measure(office, period, args.repeat)
        print(
            f"{label:<40} {figures['logs']:>7,} {figures['queries']:>8} {figures['build']:>8.3f} "
            f"{figures['xlsx']:>8.3f} {figures['pdf']:>8.3f}",
            flush=True,
        )
    print("\nslowest queries of one build (largest office, one quarter):")
    slowest = slowest_queries(lambda: build_quarterly_report(large, quarter))
    for seconds, sql, _ in slowest:
        print(f"  {seconds * 1000:7.1f} ms  {sql[:110]}…")
    if args.explain:
        _, sql, params = slowest[0]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest:\n{sql}\n{explain(sql, params)}")


def measure_searches(args) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from benchmarks.directory_search import SEARCHES, search_times

    user, _ = User.objects.get_or_create(username="bench-scale-ward")
    user.groups.add(Group.objects.get(name="区職員"))
    client = Client()
    client.force_login(user)
    print(f"\ndirectory search (GET /directory/, server time) — {args.runs} runs")
    print(f"{'search':<44} {'results':>8} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    for label, params in SEARCHES:
        queries = []
        with connection.execute_wrapper(lambda execute, *call, queries=queries: queries.append(1) or execute(*call)):
            client.get("/directory/", params)
        times, count = search_times(client, params, args.runs)
        print(
            f"{label:<44} {count:>8} {len(queries):>8} {statistics.median(times) * 1000:>10.1f} "
            f"{percentile(times, 0.95) * 1000:>8.1f}",
            flush=True,
        )
    if args.explain:
        label, params = SEARCHES[1]
        slowest = slowest_queries(lambda: client.get("/directory/", params), top=1)
        _, sql, sql_params = slowest[0]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest query of “{label}”:\n{sql}\n{explain(sql, sql_params)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--measure-only", action="store_true", help="generate nothing; measure what is there")
    parser.add_argument("--repeat", type=int, default=5, help="runs per report figure (the median is printed)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per search (median and p95)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest queries")
    parser.add_argument("--part", choices=["all", "report", "search"], default="all", help="what to measure")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection

    from accounts.models import Office
    from coordination.clients.models import Client
    from coordination.logs.models import ContactLog
    from directory.models import Provider

    refuse_unless_benchmark_database(args.fill_this_database)
    if not args.measure_only:
        generate(Shape.from_args(args))
    print(
        f"\ndatabase: {connection.vendor} {connection.pg_version // 10000}; python {sys.version.split()[0]}; "
        f"{Office.objects.count()} offices, {Client.objects.count():,} clients, "
        f"{Provider.objects.count():,} providers, {ContactLog.objects.count():,} logs, "
        f"{ContactLog.activity_types.through.objects.count():,} log types"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
    if args.part in ("all", "report"):
        measure_reports(args)
    if args.part in ("all", "search"):
        measure_searches(args)
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
