"""Benchmark: a metropolitan data set on PostgreSQL (60 offices, 1,000,000 logs) — report and search.

    DATABASE_URL=postgres://…/tsunagu_scale .venv/bin/python -m benchmarks.scale --fill-this-database

Fills the database named by DATABASE_URL (PostgreSQL only) with generated offices, users,
clients, providers and contact logs, runs ANALYZE, then measures one office's quarterly report
(build, query count, XLSX, PDF) and the directory searches of benchmarks.directory_search.
Prints figures; asserts nothing about time.

It writes into the configured database, so it refuses to run without --fill-this-database and
refuses a database holding offices other than the demo's offices and its own generated ones.
A second run finds the data already there and only measures (add --measure-only to be sure).
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate

GENERATED_PREFIX = "負荷試験用"  # generated offices are named 負荷試験用 相談支援センター NN
FIRST_DAY, LAST_DAY = date(2024, 4, 1), date(2026, 11, 20)  # FY2024 Q1 to the day before "today"
SEED = 20261121

# How often each contact method is used (a real office: mostly phone and mail, visits, meetings).
METHOD_WEIGHTS = {
    "phone": 34,
    "mail": 16,
    "line": 5,
    "mcs": 4,
    "online": 5,
    "fax": 2,
    "website": 1,
    "office-visit": 5,
    "visit-home": 10,
    "visit-other": 3,
    "accompany": 3,
    "post": 1,
    "meeting-case": 5,
    "meeting-council": 1,
    "meeting-other": 2,
    "other": 3,
}
# Counterpart categories drawn for "family" counterparts (no organization).
FAMILY = {
    "party-parent-mother": 60,
    "party-parent-father": 15,
    "party-parent-both": 10,
    "party-self": 5,
    "party-family-grandparent": 5,
    "party-family-sibling": 2,
    "family-other": 3,
}
# Busier in April (new school year) and March, quieter in August and over the new year.
MONTH_WEIGHTS = {4: 1.25, 5: 1.0, 6: 1.0, 7: 1.05, 8: 0.8, 9: 1.0, 10: 1.05, 11: 1.0, 12: 0.85, 1: 0.85, 2: 1.0, 3: 1.2}
SURNAMES = [
    ("青山", "アオヤマ"),
    ("石田", "イシダ"),
    ("上野", "ウエノ"),
    ("大川", "オオカワ"),
    ("川村", "カワムラ"),
    ("北原", "キタハラ"),
    ("小西", "コニシ"),
    ("坂口", "サカグチ"),
    ("柴田", "シバタ"),
    ("杉本", "スギモト"),
    ("高野", "タカノ"),
    ("千葉", "チバ"),
    ("中島", "ナカジマ"),
    ("西田", "ニシダ"),
    ("浜田", "ハマダ"),
    ("福田", "フクダ"),
    ("前田", "マエダ"),
    ("三浦", "ミウラ"),
    ("村上", "ムラカミ"),
    ("吉村", "ヨシムラ"),
]
GIVEN = [
    ("陽向", "ヒナタ"),
    ("結衣", "ユイ"),
    ("蒼", "アオイ"),
    ("湊", "ミナト"),
    ("芽依", "メイ"),
    ("悠真", "ユウマ"),
    ("紬", "ツムギ"),
    ("律", "リツ"),
    ("澪", "ミオ"),
    ("朝陽", "アサヒ"),
    ("心春", "コハル"),
    ("颯", "ハヤテ"),
]
PASSWORD = "bench-password-2026"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TSUNAGU_REQUIRE_MFA", "0")  # the test Client signs in without a second factor
    os.environ.setdefault("TSUNAGU_DEMO", "1")  # the demo's three offices are among the 60
    import django

    django.setup()


def refuse_unless_benchmark_database(fill: bool):
    """Stops unless the database is PostgreSQL, filling was allowed, and it holds no real office."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from demo import seed as demo_data
    from demo.offices import OTHER_OFFICES

    if connection.vendor != "postgresql":
        raise SystemExit("benchmarks.scale runs on PostgreSQL only: set DATABASE_URL=postgres://…")
    if not fill:
        raise SystemExit(
            f"benchmarks.scale writes about 4 million rows into {connection.settings_dict['NAME']!r}. "
            "Run it again with --fill-this-database if that database is a throwaway one."
        )
    if "coordination_office" not in connection.introspection.table_names():
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrations pending: checked again after migrate
    from accounts.models import Office

    demo_offices = [demo_data.OFFICE_NAME, *(plan.name for plan in OTHER_OFFICES)]
    real = Office.objects.exclude(name__in=demo_offices).exclude(name__startswith=GENERATED_PREFIX)
    if real.exists():
        raise SystemExit(f"the database holds offices that this benchmark did not make ({real.first()}): refused.")


def weights(rng: random.Random, count: int, shape: float) -> list[float]:
    """Uneven positive weights (Pareto), like office sizes or caseloads."""
    return [rng.paretovariate(shape) for _ in range(count)]


def add_offices(count: int, rng: random.Random) -> None:
    """`count` generated offices with hours, year-end closures, districts, users (one password hash)."""
    import jpholiday
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import Office, OfficeCalendarDay, OfficeHours, User
    from accounts.roles import ROLE_GROUPS, Role
    from directory.models import District, OfficeDistrict

    groups = {role: Group.objects.get(name=name) for role, name in ROLE_GROUPS.items()}
    password = make_password(PASSWORD)
    holidays = [day for day, _ in jpholiday.between(FIRST_DAY, LAST_DAY)]
    year_end = [date(y, 12, d) for y in (2024, 2025) for d in (29, 30, 31)] + [
        date(y, 1, d) for y in (2025, 2026) for d in (1, 2, 3)
    ]
    sizes = weights(rng, count, 1.3)
    for number in range(1, count + 1):
        office = Office.objects.create(
            name=f"{GENERATED_PREFIX} 相談支援センター{number:02d}", municipality=f"第{number}区"
        )
        districts = District.objects.bulk_create(
            District(code=f"bench-{number:02d}-{n}", name=f"第{number}区 第{n}地区", municipality=f"第{number}区")
            for n in range(1, 4)
        )
        OfficeDistrict.objects.bulk_create(
            OfficeDistrict(office=office, district=district, position=n) for n, district in enumerate(districts, 1)
        )
        opens, closes = rng.choice([(clock(9), clock(17)), (clock(8, 30), clock(17, 15)), (clock(9), clock(18))])
        weekdays = [0, 1, 2, 3, 4] + ([5] if rng.random() < 0.2 else [])
        OfficeHours.objects.bulk_create(
            OfficeHours(office=office, weekday=d, opens_at=opens, closes_at=closes) for d in weekdays
        )
        OfficeCalendarDay.objects.bulk_create(
            OfficeCalendarDay(office=office, date=day, is_open=False, reason="休日")
            for day in sorted(set(holidays + year_end))
            if day.weekday() in weekdays
        )
        coordinators = max(1, min(12, round(sizes[number - 1] * 2)))
        people = [(f"bench{number:02d}-coord{n}", Role.COORDINATOR) for n in range(1, coordinators + 1)]
        people += [(f"bench{number:02d}-super", Role.SUPERVISOR), (f"bench{number:02d}-ward", Role.WARD_STAFF)]
        users = User.objects.bulk_create(
            User(username=name, password=password, office=office, last_name="試験", first_name=name)
            for name, _ in people
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=groups[role].pk) for user, (_, role) in zip(users, people)
        )


def office_weights(offices, rng: random.Random) -> dict[int, float]:
    """Each office's share of clients and logs: its number of coordinators, give or take."""
    return {office.pk: office.coordinators * rng.uniform(0.7, 1.3) for office in offices}


def add_clients(total: int, offices, shares: dict[int, float], rng: random.Random) -> None:
    from coordination.clients.models import Client, ClientStatus, Guardian
    from directory.models import MedicalCareProcedure

    procedures = list(MedicalCareProcedure.objects.all())
    through = Client.procedures.through
    picks = rng.choices(offices, weights=[shares[o.pk] for o in offices], k=total)
    clients = []
    for number, office in enumerate(picks):
        (surname, surname_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        district = rng.choice(office.district_list) if rng.random() < 0.9 else None
        clients.append(
            Client(
                office=office,
                name=f"{surname} {given}{number}",
                name_kana=f"{surname_kana} {given_kana}",
                birth_date=date(2004, 4, 2) + timedelta(days=rng.randrange(22 * 365)),
                district=district,
                municipality_outside="" if district else "区外市",
                has_medical_care=rng.random() < 0.7,
                status=rng.choices([ClientStatus.ACTIVE, ClientStatus.WATCHING, ClientStatus.CLOSED], [7, 2, 1])[0],
                assigned_coordinator_id=rng.choice(office.coordinator_list),
                consent_obtained_on=date(2024, 4, 1) + timedelta(days=rng.randrange(900)),
            )
        )
    clients = Client.objects.bulk_create(clients, batch_size=5000)
    through.objects.bulk_create(
        (
            through(client_id=client.pk, medicalcareprocedure_id=procedure.pk)
            for client in clients
            if client.has_medical_care
            for procedure in rng.sample(procedures, rng.randint(1, 3))
        ),
        batch_size=10000,
    )
    Guardian.objects.bulk_create(
        (
            Guardian(
                client=client,
                name=f"{client.name.split()[0]} 母",
                relationship="母",
                phone=f"090-{client.pk // 10000:04d}-{client.pk % 10000:04d}",
                is_primary=True,
            )
            for client in clients
        ),
        batch_size=5000,
    )


def day_weights() -> tuple[list[date], list[float]]:
    """Every day of the range, weighted: weekdays, busier months, a slowly growing caseload."""
    import jpholiday

    days, weights_ = [], []
    day = FIRST_DAY
    while day <= LAST_DAY:
        weight = 1.0 if day.weekday() < 5 and not jpholiday.is_holiday(day) else 0.04
        weight *= MONTH_WEIGHTS[day.month] * (1 + 0.15 * (day - FIRST_DAY).days / 365)
        days.append(day)
        weights_.append(weight)
        day += timedelta(days=1)
    return days, weights_


def add_logs(total: int, offices, shares: dict[int, float], rng: random.Random) -> None:
    """`total` logs with 1–3 activity types and 1–2 counterparts each, written with COPY.

    The logs get their ids here (after the highest one present) so that the activity types and
    counterparts can be copied in the same pass; the identity sequence is moved past them after.
    """
    from django.db import connection, transaction

    from common.encryption import encrypt_text
    from coordination.clients.models import Client
    from coordination.followups.models import FollowUp
    from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
    from directory.models import CounterpartCategory, Provider

    methods = {m.code: m.pk for m in ContactMethod.objects.filter(children__isnull=True)}
    method_ids, method_w = [methods[c] for c in METHOD_WEIGHTS], list(METHOD_WEIGHTS.values())
    types = list(ActivityType.objects.filter(children__isnull=True).values_list("pk", flat=True))
    type_w = weights(rng, len(types), 1.1)
    categories = {c.code: c.pk for c in CounterpartCategory.objects.filter(children__isnull=True)}
    family_ids, family_w = [categories[c] for c in FAMILY], list(FAMILY.values())
    other_categories = [pk for code, pk in categories.items() if code not in FAMILY]
    providers = list(Provider.objects.values_list("pk", "category__counterpart_category_id"))
    clients: dict[int, list[int]] = {}
    for pk, office_id in Client.objects.values_list("pk", "office_id"):
        clients.setdefault(office_id, []).append(pk)
    days, day_w = day_weights()
    day_cum = list(accumulate(day_w))
    office_cum = list(accumulate(shares[o.pk] for o in offices))

    local = {}  # per office: its coordinators, clients (weighted: some need far more contacts), providers
    for office in offices:
        pool = clients.get(office.pk, [])
        local[office.pk] = (
            office.coordinator_list,
            pool,
            list(accumulate(weights(rng, len(pool), 1.5))),
            rng.sample(providers, min(len(providers), 400)),
            office.hours,
        )

    log_table, through_table = ContactLog._meta.db_table, ContactLog.activity_types.through._meta.db_table
    counterpart_table = Counterpart._meta.db_table
    follow_up_table = FollowUp._meta.db_table
    follow_up_columns = (
        "office_id",
        "client_id",
        "contact_log_id",
        "action",
        "due_on",
        "done_on",
        "outcome",
        "assignee_id",
        "created_by_id",
        "version",
        "created_at",
        "updated_at",
    )
    log_columns = (
        "id",
        "office_id",
        "occurred_on",
        "started_at",
        "duration_minutes",
        "coordinator_id",
        "client_id",
        "method_id",
        "support_kind",
        "report_summary",
        "include_in_report",
        "confidential_notes",
        "version",
        "created_at",
        "updated_at",
    )
    next_id = (ContactLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    chunk = 100_000
    with transaction.atomic():
        cursor = connection.connection.cursor()  # psycopg's own cursor, for COPY
        for start in range(0, total, chunk):
            logs, through, counterparts, follow_ups = [], [], [], []
            picked_offices = rng.choices(offices, cum_weights=office_cum, k=min(chunk, total - start))
            picked_days = rng.choices(days, cum_weights=day_cum, k=len(picked_offices))
            for office, day in zip(picked_offices, picked_days):
                coordinators, pool, pool_cum, nearby, (opens, closes) = local[office.pk]
                draw = rng.random()
                if draw < 0.05:
                    started = None
                elif draw < 0.13:  # out of hours: early morning or evening calls
                    started = clock(rng.choice([7, 8, 18, 19, 20]), rng.choice([0, 15, 30, 45]))
                    if opens <= started < closes:
                        started = clock(19, 30)
                else:
                    started = clock(rng.randint(opens.hour, closes.hour - 1), rng.choice([0, 10, 20, 30, 40, 50]))
                client = rng.choices(pool, cum_weights=pool_cum)[0] if pool and rng.random() < 0.88 else None
                included = rng.random() < 0.002
                follow_up = rng.random() < 0.05
                stamp = datetime.combine(day, started or clock(12), tzinfo=UTC) - timedelta(hours=9)
                logs.append(
                    (
                        next_id,
                        office.pk,
                        day,
                        started,
                        rng.choice([5, 10, 15, 20, 30, 30, 60, 90, 120]),
                        rng.choice(coordinators),
                        client,
                        rng.choices(method_ids, method_w)[0],
                        # The services' default (SupportKind.default_for); no extra draw, so the data stay as they were.
                        "community" if client is None else "individual",
                        f"生成した記録 {next_id}" if included or rng.random() < 0.3 else "",
                        included,
                        # Stored encrypted, as the model would (common/encryption.py): COPY bypasses the field.
                        encrypt_text("生成した記録の本文。") if rng.random() < 0.5 else "",
                        1,
                        stamp,
                        stamp,
                    )
                )
                if follow_up:
                    coordinator = logs[-1][5]
                    done_on = day + timedelta(days=rng.randint(1, 10)) if rng.random() < 0.8 else None
                    follow_ups.append(
                        (
                            office.pk,
                            client,
                            next_id,
                            "折り返し連絡",
                            day + timedelta(days=7),
                            done_on,
                            "",
                            coordinator,
                            coordinator,
                            1,
                            stamp,
                            stamp,
                        )
                    )
                for type_id in set(rng.choices(types, type_w, k=rng.choices([1, 2, 3], [60, 30, 10])[0])):
                    through.append((next_id, type_id))
                for _ in range(rng.choices([1, 2], [75, 25])[0]):
                    draw = rng.random()
                    if draw < 0.45:
                        provider_id, category_id = rng.choice(nearby)
                        counterparts.append((next_id, category_id, provider_id, ""))
                    elif draw < 0.55:
                        counterparts.append(
                            (next_id, rng.choice(other_categories), None, f"生成した機関{rng.randint(1, 40)}")
                        )
                    else:
                        counterparts.append((next_id, rng.choices(family_ids, family_w)[0], None, ""))
                next_id += 1
            with cursor.copy(f"COPY {log_table} ({', '.join(log_columns)}) FROM STDIN") as copy:
                for row in logs:
                    copy.write_row(row)
            with cursor.copy(f"COPY {through_table} (contactlog_id, activitytype_id) FROM STDIN") as copy:
                for row in through:
                    copy.write_row(row)
            with cursor.copy(
                f"COPY {counterpart_table} (contact_log_id, category_id, provider_id, organization_name) FROM STDIN"
            ) as copy:
                for row in counterparts:
                    copy.write_row(row)
            with cursor.copy(f"COPY {follow_up_table} ({', '.join(follow_up_columns)}) FROM STDIN") as copy:
                for row in follow_ups:
                    copy.write_row(row)
            print(f"  … {start + len(logs):,} logs", flush=True)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{log_table}', 'id'), %s)", [next_id])


def load_offices():
    """Every office with its coordinators, districts and weekday hours attached (for the generators)."""
    from accounts.models import Office, User

    offices = list(Office.objects.prefetch_related("district_links__district", "opening_hours").order_by("pk"))
    coordinators: dict[int, list[int]] = {}
    for pk, office_id in User.objects.filter(groups__name="コーディネーター").values_list("pk", "office_id"):
        coordinators.setdefault(office_id, []).append(pk)
    for office in offices:
        office.coordinator_list = coordinators[office.pk]
        office.coordinators = len(office.coordinator_list)
        office.district_list = [link.district for link in office.district_links.all()]
        hours = min(office.opening_hours.all(), key=lambda h: h.weekday)
        office.hours = (hours.opens_at, hours.closes_at)
    return offices


def generate(args, rng: random.Random) -> None:
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Office
    from benchmarks.directory_search import add_providers
    from coordination.clients.models import Client
    from coordination.logs.models import ContactLog
    from directory.models import Provider

    call_command("migrate", verbosity=0)
    refuse_unless_benchmark_database(fill=True)
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    steps = [
        ("providers", Provider.objects.count, lambda n: add_providers(n, rng), args.providers),
        ("offices", Office.objects.count, lambda n: add_offices(n, rng), args.offices),
    ]
    for label, present, add, target in steps:
        missing = target - present()
        if missing > 0:
            started = time.perf_counter()
            add(missing)
            print(f"generated {missing:,} {label} in {time.perf_counter() - started:.1f} s", flush=True)
    offices = load_offices()
    shares = office_weights(offices, rng)
    for label, present, add, target in [
        ("clients", Client.objects.count, lambda n: add_clients(n, offices, shares, rng), args.clients),
        ("contact logs", ContactLog.objects.count, lambda n: add_logs(n, offices, shares, rng), args.logs),
    ]:
        missing = target - present()
        if missing > 0:
            started = time.perf_counter()
            add(missing)
            print(f"generated {missing:,} {label} in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: statistics and the visibility map
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


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
    parser.add_argument("--fill-this-database", action="store_true", help="allow writing into DATABASE_URL's database")
    parser.add_argument("--measure-only", action="store_true", help="generate nothing; measure what is there")
    parser.add_argument("--offices", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
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
        generate(args, random.Random(SEED))
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
