"""Benchmark: the directory search (server time of GET /directory/) by database and directory size.

    .venv/bin/python -m benchmarks.directory_search \\
        [--providers 10000 100000] [--database sqlite postgresql] [--runs 40] [--reuse] [--explain]

For each database and size it fills a database of its own with generated providers
(`benchmarks.providers`: names, フリガナ, eight municipalities, ages, the full 14-cell acceptance
matrix), runs ANALYZE as a confirmed import does (and on PostgreSQL VACUUM, as autovacuum soon
would), signs a ward-staff user in with Django's test
Client and times the searches below through `GET /directory/` (middleware, session, the filter
form, count, page of 50, template), then prints one table: median and p95 of the runs, the SQL
part of the median, the query count. It asserts nothing about time.

- SQLite: var/benchmark-directory-<N>.sqlite3 (never the app's database).
- PostgreSQL: with DATABASE_URL naming a PostgreSQL server, a database `tsunagu_bench_search_<N>`
  is created on that server (the database DATABASE_URL names is not touched); without one, the
  PostgreSQL part runs under scripts/with-postgres (a throw-away cluster).
- `--reuse` keeps a database that already holds the right number of providers (else it is
  recreated): a second run only measures.

Each database and size runs in a process of its own (Django is configured once per process).
"""

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.providers import MUNICIPALITIES, PLACES, STEMS, SUFFIXES, add_providers  # noqa: F401 (scale.py)

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASES = ("sqlite", "postgresql")

# (label, query parameters) — the headline figure is the second: a word and a procedure.
SEARCHES = [
    ("q only (あおば)", {"q": "あおば"}),
    ("q + procedure (ｱｵﾊﾞ + 人工呼吸器)", {"q": "ｱｵﾊﾞ", "procedure": ["ventilator"]}),
    ("procedure ×2 + age (吸引, 経管栄養, 5歳)", {"procedure": ["suction", "tube-feeding"], "age": "5"}),
    ("romaji + area (aoba, 北区)", {"q": "aoba", "area": "city:北区"}),
    ("no filter, first page", {}),
]
# Not in scale.py's list: a word of two characters, below the trigram indexes' reach.
EXTRA_SEARCHES = [
    ("2-character word (王子)", {"q": "王子"}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def search_times(client, params: dict, runs: int, sql_times: list | None = None) -> tuple[list[float], int]:
    """Seconds of each of `runs` GETs of /directory/ (after one warm-up) and the results count.

    With `sql_times`, also appends each run's seconds spent in the database."""
    from django.db import connection
    from django.urls import reverse

    url = reverse("directory:provider_list")
    response = client.get(url, params)
    if response.status_code != 200:
        raise SystemExit(f"/directory/ answered {response.status_code}; the benchmark needs 200")
    times = []
    for _ in range(runs):
        spent = [0.0]

        def timed(execute, *call, spent=spent):
            began = time.perf_counter()
            try:
                return execute(*call)
            finally:
                spent[0] += time.perf_counter() - began

        started = time.perf_counter()
        if sql_times is None:
            client.get(url, params)
        else:
            with connection.execute_wrapper(timed):
                client.get(url, params)
            sql_times.append(spent[0])
        times.append(time.perf_counter() - started)
    found = re.search(r'list-bar__count" role="status">([\d,]+)件', response.content.decode())
    return times, int(found.group(1).replace(",", "")) if found else -1


def median_time(client, params: dict, runs: int) -> tuple[float, int]:
    """Median seconds of `runs` GETs of /directory/ (after one warm-up) and the results count."""
    times, count = search_times(client, params, runs)
    return statistics.median(times), count


# --- one database and size (a child process) ---------------------------------------------------


def postgres_database_url(server_url: str, name: str, *, reuse: bool) -> str:
    """The URL of database `name` on `server_url`'s server, created (dropped first unless reused)."""
    import psycopg
    from psycopg import sql

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or not reuse:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TSUNAGU_REQUIRE_MFA", "0")  # the test Client signs in without a second factor
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())  # keeps the table's output clean


def explain(sql: str, params) -> str:
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" | ".join(str(part) for part in row) for row in cursor.fetchall())


def measure_one(database: str, providers: int, runs: int, reuse: bool, explain_plans: bool) -> dict:
    """Fills (or reuses) the database for `providers` and times the searches; returns the figures."""
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        path = BASE_DIR / "var" / f"benchmark-directory-{providers}.sqlite3"
        os.environ["TSUNAGU_SQLITE_PATH"] = str(path)
        path.parent.mkdir(exist_ok=True)
        if not (reuse and path.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        server = os.environ.get("DATABASE_URL", "")
        if not server.startswith(("postgres://", "postgresql://")):
            raise SystemExit("PostgreSQL: DATABASE_URL must name a PostgreSQL server")
        os.environ["DATABASE_URL"] = postgres_database_url(server, f"tsunagu_bench_search_{providers}", reuse=reuse)
    setup_django()

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from directory.models import Provider, ProviderProcedure
    from tabular.imports import refresh_statistics

    present = Provider.objects.count()
    if present != providers:
        if present:
            raise SystemExit(f"the benchmark database holds {present} providers, not {providers}: run without --reuse")
        started = time.perf_counter()
        add_providers(providers, random.Random(20251101))
        print(
            f"[{database} {providers:,}] generated {Provider.objects.count():,} providers and "
            f"{ProviderProcedure.objects.count():,} matrix cells in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        refresh_statistics(("directory.Provider", "directory.ProviderProcedure"))  # as a confirmed import does
    if connection.vendor == "postgresql":
        # As autovacuum does soon after a large import (PostgreSQL 13+ vacuums after inserts too):
        # the visibility map lets the counts read the narrow index alone.
        with connection.cursor() as cursor:
            for table in (Provider._meta.db_table, ProviderProcedure._meta.db_table):
                cursor.execute(f"VACUUM ANALYZE {table}")
    user, _ = User.objects.get_or_create(username="bench-ward")
    user.groups.add(Group.objects.get(name="区職員"))
    client = Client()
    client.force_login(user)

    rows = []
    for label, params in SEARCHES + EXTRA_SEARCHES:
        statements = []
        with connection.execute_wrapper(
            lambda execute, sql, params_, many, context, statements=statements: (
                statements.append((sql, params_)) or execute(sql, params_, many, context)
            )
        ):
            client.get("/directory/", params)
        sql_times: list[float] = []
        times, count = search_times(client, params, runs, sql_times)
        rows.append(
            {
                "search": label,
                "results": count,
                "queries": len(statements),
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": percentile(times, 0.95) * 1000,
                "sql_ms": statistics.median(sql_times) * 1000,
            }
        )
        if explain_plans:
            for sql, sql_params in statements:
                if "directory_provider" in sql and "django_session" not in sql:
                    print(f"\n[{database} {providers:,}] {label}\n{sql}\n{explain(sql, sql_params)}", file=sys.stderr)
    return {"database": connection.vendor, "providers": providers, "runs": runs, "rows": rows}


# --- the table (the parent process) ------------------------------------------------------------


def run_children(databases: list[str], sizes: list[int], args) -> list[dict]:
    results = []
    for database in databases:
        env = dict(os.environ)
        prefix: list[str] = []
        if database == "postgresql" and not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            prefix = [str(BASE_DIR / "scripts" / "with-postgres")]
        for size in sizes:
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                command = [
                    *prefix,
                    sys.executable,
                    "-m",
                    "benchmarks.directory_search",
                    "--one",
                    database,
                    str(size),
                    out.name,
                    "--runs",
                    str(args.runs),
                    *(["--reuse"] if args.reuse else []),
                    *(["--explain"] if args.explain else []),
                ]
                subprocess.run(command, check=True, cwd=BASE_DIR, env=env)
                results.append(json.loads(Path(out.name).read_text()))
    return results


def print_table(results: list[dict]) -> None:
    print(f"python {sys.version.split()[0]}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print("| database | providers | search | results | queries | median ms | p95 ms | in execute() ms |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["rows"]:
            print(
                f"| {result['database']} | {result['providers']:,} | {row['search']} | {row['results']:,} | "
                f"{row['queries']} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {row['sql_ms']:.1f} |"
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database", nargs="+", choices=DATABASES, default=list(DATABASES))
    parser.add_argument("--runs", type=int, default=40, help="timed runs per search (median and p95 printed)")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already has the providers")
    parser.add_argument("--explain", action="store_true", help="print the query plans of each search")
    parser.add_argument("--one", nargs=3, metavar=("DATABASE", "PROVIDERS", "RESULT_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        database, size, result_file = args.one
        result = measure_one(database, int(size), args.runs, args.reuse, args.explain)
        Path(result_file).write_text(json.dumps(result))
        return
    started = time.perf_counter()
    results = run_children(args.database, args.providers, args)
    print_table(results)
    print(f"\n(median and p95 of {args.runs} runs each; {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
