"""The realistic benchmark data set shared by every benchmark (issue 18): a metropolitan centre.

    DATABASE_URL=postgres://…/tsunagu_scale .venv/bin/python -m benchmarks.dataset --fill-this-database

- 60 offices: the demo's three and generated ones (`負荷試験用 相談支援センターNN`), each with
  districts, opening hours, holidays, year-end closures and users (one password hash).
- 10 large offices with 2,000 clients each: the demo's 北区 office (which the load test signs in
  to; generated coordinators are added to it) and the generated offices 01–09 (8–12 coordinators);
  the other offices 40–1,500 clients, about 120 per coordinator. 70 % with medical care
  (1–3 procedures), each with a guardian.
- 10,000 providers with the full acceptance matrix (`--providers 100000` for the search variant).
- 1,000,000 contact logs from FY2024 Q1 (2024-04-01) to yesterday (the day before the demo's
  "today", timezone.localdate()), over three fiscal years, shared among the offices by their
  clients; 1–3 counterparts and 1–3 activity types each; 5 % with a follow-up.

Logs, their activity types, counterparts and follow-ups go in with COPY on PostgreSQL and with
executemany elsewhere (SQLite: fine for small sets). Runs are idempotent: a second run adds only
what is missing. It refuses a database holding an office that it or the demo did not make.
`--check` prints the set's figures (clients per office, logs per fiscal year, counterparts and
activity types per log, providers).
"""

import argparse
import io
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate

GENERATED_PREFIX = "負荷試験用"  # generated offices are named 負荷試験用 相談支援センター NN
FIRST_DAY = date(2024, 4, 1)  # FY2024 Q1; the last day is yesterday (see last_day)
SEED = 20261121
PASSWORD = "bench-password-2026"

# The shape (defaults of the command-line options).
OFFICES = 60
LARGE_OFFICES = 10  # the demo's 北区 office and the generated offices 01–09
CLIENTS_PER_LARGE = 2_000
CLIENTS_PER_COORDINATOR = 120  # the other offices, give or take 30 %, 40 to 1,500
LOGS = 1_000_000
PROVIDERS = 10_000
KITA_COORDINATORS = 10  # the demo's 北区 office gets generated coordinators up to this many
# How many counterparts and activity types a log has (1–3 each).
COUNTERPARTS_PER_LOG = {1: 55, 2: 30, 3: 15}
TYPES_PER_LOG = {1: 55, 2: 30, 3: 15}

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


@dataclass(frozen=True)
class Shape:
    """What the data set holds (the defaults: issue 18's realistic set)."""

    offices: int = OFFICES
    large_offices: int = LARGE_OFFICES
    clients_per_large: int = CLIENTS_PER_LARGE
    logs: int = LOGS
    providers: int = PROVIDERS
    first_day: date = FIRST_DAY
    last_day: date | None = None  # None: yesterday

    @classmethod
    def from_args(cls, args) -> "Shape":
        return cls(args.offices, args.large_offices, args.clients_per_large, args.logs, args.providers)

    def days(self) -> tuple[date, date]:
        return self.first_day, self.last_day or last_day()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The data set's options, shared by the benchmarks that fill it."""
    parser.add_argument("--fill-this-database", action="store_true", help="allow writing into DATABASE_URL's database")
    parser.add_argument("--offices", type=int, default=OFFICES)
    parser.add_argument("--large-offices", type=int, default=LARGE_OFFICES, help="offices with --clients-per-large")
    parser.add_argument("--clients-per-large", type=int, default=CLIENTS_PER_LARGE)
    parser.add_argument("--providers", type=int, default=PROVIDERS, help="100000 for the search variant")
    parser.add_argument("--logs", type=int, default=LOGS)


def last_day() -> date:
    """Yesterday, as the demo sees today (timezone.localdate(); demo/today.py ends its logs yesterday too)."""
    from django.utils import timezone

    return timezone.localdate() - timedelta(days=1)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TSUNAGU_REQUIRE_MFA", "0")  # the test Client signs in without a second factor
    os.environ.setdefault("TSUNAGU_DEMO", "1")  # the demo's three offices are among the 60
    import django

    django.setup()


def refuse_unless_benchmark_database(fill: bool, *, postgresql_only: bool = True, name: str = "benchmarks.dataset"):
    """Stops unless filling was allowed, the database fits (PostgreSQL) and it holds no real office."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from demo import seed as demo_data
    from demo.offices import OTHER_OFFICES

    if postgresql_only and connection.vendor != "postgresql":
        raise SystemExit(f"{name} runs on PostgreSQL only: set DATABASE_URL=postgres://…")
    if not fill:
        raise SystemExit(
            f"{name} writes millions of rows into {str(connection.settings_dict['NAME'])!r}. "
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


def add_providers(count: int, rng: random.Random) -> None:
    """`count` providers with the full acceptance matrix.

    The one call site of the provider generator, which the search lane owns
    (benchmarks.directory_search.add_providers); every benchmark gets its providers here.
    """
    from benchmarks.directory_search import add_providers as generate_providers

    generate_providers(count, rng)


def generated_office_name(number: int) -> str:
    return f"{GENERATED_PREFIX} 相談支援センター{number:02d}"


def _users(office, people: list[tuple[str, str]], password: str) -> None:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import ROLE_GROUPS

    groups = {role: Group.objects.get(name=name) for role, name in ROLE_GROUPS.items()}
    present = set(User.objects.filter(username__in=[name for name, _ in people]).values_list("username", flat=True))
    people = [(name, role) for name, role in people if name not in present]
    users = User.objects.bulk_create(
        User(username=name, password=password, office=office, last_name="試験", first_name=name) for name, _ in people
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[role].pk) for user, (_, role) in zip(users, people)
    )


def add_offices(count: int, rng: random.Random, shape: Shape) -> None:
    """`count` more generated offices with hours, year-end closures, districts, users (one password hash).

    The first `shape.large_offices - 1` by number are large (8–12 coordinators); the rest Pareto (1–12).
    """
    import jpholiday
    from django.contrib.auth.hashers import make_password

    from accounts.models import Office, OfficeCalendarDay, OfficeHours
    from accounts.roles import Role
    from directory.models import District, OfficeDistrict

    password = make_password(PASSWORD)
    first, last = shape.days()
    holidays = [day for day, _ in jpholiday.between(first, last + timedelta(days=400))]
    year_end = [date(y, 12, d) for y in range(first.year, last.year + 2) for d in (29, 30, 31)] + [
        date(y, 1, d) for y in range(first.year + 1, last.year + 2) for d in (1, 2, 3)
    ]
    present = Office.objects.filter(name__startswith=GENERATED_PREFIX).count()
    sizes = weights(rng, count, 1.3)
    for number in range(present + 1, present + count + 1):
        office = Office.objects.create(name=generated_office_name(number), municipality=f"第{number}区")
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
        if number < shape.large_offices:
            coordinators = rng.randint(8, 12)
        else:
            coordinators = max(1, min(12, round(sizes[number - present - 1] * 2)))
        people = [(f"bench{number:02d}-coord{n}", Role.COORDINATOR) for n in range(1, coordinators + 1)]
        people += [(f"bench{number:02d}-super", Role.SUPERVISOR), (f"bench{number:02d}-ward", Role.WARD_STAFF)]
        _users(office, people, password)


def grow_demo_office() -> None:
    """The demo's 北区 office is a large one: generated coordinators up to KITA_COORDINATORS."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Office, User
    from accounts.roles import Role
    from demo import seed as demo_data

    office = Office.objects.get(name=demo_data.OFFICE_NAME)
    present = User.objects.filter(office=office, groups__name="コーディネーター").count()
    missing = KITA_COORDINATORS - present
    if missing > 0:
        _users(
            office, [(f"bench-kita-coord{n}", Role.COORDINATOR) for n in range(1, missing + 1)], make_password(PASSWORD)
        )


def load_offices():
    """Every office with its coordinators, districts and weekday hours attached (for the generators)."""
    from accounts.models import Office, User

    offices = list(Office.objects.prefetch_related("district_links__district", "opening_hours").order_by("pk"))
    coordinators: dict[int, list[int]] = {}
    for pk, office_id in User.objects.filter(groups__name="コーディネーター").values_list("pk", "office_id"):
        coordinators.setdefault(office_id, []).append(pk)
    for office in offices:
        office.coordinator_list = sorted(coordinators.get(office.pk, []))
        office.coordinators = len(office.coordinator_list)
        office.district_list = [link.district for link in office.district_links.all()]
        hours = min(office.opening_hours.all(), key=lambda h: h.weekday, default=None)
        office.hours = (hours.opens_at, hours.closes_at) if hours else (clock(9), clock(17))
    return [office for office in offices if office.coordinator_list]


def large_office_names(shape: Shape) -> list[str]:
    """The large offices: the demo's 北区 office and the generated offices 01 to large_offices - 1."""
    from demo import seed as demo_data

    return [demo_data.OFFICE_NAME, *(generated_office_name(n) for n in range(1, shape.large_offices))]


def client_targets(offices, shape: Shape) -> dict[int, int]:
    """How many clients each office holds: the large ones clients_per_large, the others by coordinators."""
    large = set(large_office_names(shape))
    targets = {}
    for office in offices:
        if office.name in large:
            targets[office.pk] = shape.clients_per_large
        else:
            jitter = random.Random(f"{SEED}-{office.name}").uniform(0.7, 1.3)
            targets[office.pk] = max(40, min(1_500, round(office.coordinators * CLIENTS_PER_COORDINATOR * jitter)))
    return targets


def add_clients(office, count: int, rng: random.Random) -> None:
    """`count` clients of `office` with procedures (70 % have medical care) and a guardian each."""
    from coordination.clients.models import Client, ClientStatus, Guardian
    from directory.models import MedicalCareProcedure

    procedures = list(MedicalCareProcedure.objects.order_by("pk"))
    through = Client.procedures.through
    first = Client.objects.count()
    clients = []
    for number in range(first, first + count):
        (surname, surname_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        district = rng.choice(office.district_list) if office.district_list and rng.random() < 0.9 else None
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
                consent_obtained_on=FIRST_DAY + timedelta(days=rng.randrange(900)),
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


def day_weights(first: date, last: date) -> tuple[list[date], list[float]]:
    """Every day of the range, weighted: weekdays, busier months, a slowly growing caseload."""
    import jpholiday

    days, weights_ = [], []
    day = first
    while day <= last:
        weight = 1.0 if day.weekday() < 5 and not jpholiday.is_holiday(day) else 0.04
        weight *= MONTH_WEIGHTS[day.month] * (1 + 0.15 * (day - FIRST_DAY).days / 365)
        days.append(day)
        weights_.append(weight)
        day += timedelta(days=1)
    return days, weights_


def distinct_choices(rng: random.Random, population: list, cum_weights: list[float], k: int) -> list:
    """`k` different items drawn by weight (k is small; the population is not)."""
    chosen: list = []
    while len(chosen) < k:
        item = rng.choices(population, cum_weights=cum_weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


class RowWriter:
    """Writes rows into a table: COPY on PostgreSQL (psycopg 3), executemany elsewhere."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgresql = connection.vendor == "postgresql"
        connection.ensure_connection()
        self.cursor = connection.connection.cursor() if self.postgresql else connection.cursor()

    def _adapt(self, value):
        ops = self.connection.ops
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return ops.adapt_datefield_value(value)
        if isinstance(value, clock):
            return ops.adapt_timefield_value(value)
        return value

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgresql:
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(self._adapt(value) for value in row) for row in rows],
            )

    def move_sequence(self, table: str, next_id: int) -> None:
        if self.postgresql:
            self.cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [next_id])


LOG_COLUMNS = (
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
FOLLOW_UP_COLUMNS = (
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


def add_logs(
    total: int,
    offices,
    shares: dict[int, float],
    rng: random.Random,
    *,
    days: tuple[date, date],
    report_share: float = 0.002,
    quiet: bool = False,
) -> None:
    """`total` logs over `days` with 1–3 activity types and 1–3 counterparts each, shared by `shares`.

    The logs get their ids here (after the highest one present) so that the activity types and
    counterparts are written in the same pass; the identity sequence is moved past them after.
    """
    from django.db import transaction

    from common.encryption import encrypt_text
    from coordination.clients.models import Client
    from coordination.followups.models import FollowUp
    from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
    from directory.models import CounterpartCategory, Provider

    methods = {m.code: m.pk for m in ContactMethod.objects.filter(children__isnull=True)}
    method_ids = [methods[c] for c in METHOD_WEIGHTS if c in methods]
    method_w = [w for c, w in METHOD_WEIGHTS.items() if c in methods]
    types = list(ActivityType.objects.filter(children__isnull=True).order_by("pk").values_list("pk", flat=True))
    type_cum = list(accumulate(weights(rng, len(types), 1.1)))
    categories = {c.code: c.pk for c in CounterpartCategory.objects.filter(children__isnull=True)}
    family_ids = [categories[c] for c in FAMILY if c in categories]
    family_w = [w for c, w in FAMILY.items() if c in categories]
    other_categories = sorted(pk for code, pk in categories.items() if code not in FAMILY)
    providers = list(Provider.objects.order_by("pk").values_list("pk", "category__counterpart_category_id"))
    office_ids = {office.pk for office in offices}
    clients: dict[int, list[int]] = {}
    for pk, office_id in Client.objects.filter(office__in=office_ids).order_by("pk").values_list("pk", "office_id"):
        clients.setdefault(office_id, []).append(pk)
    day_list, day_w = day_weights(*days)
    day_cum = list(accumulate(day_w))
    office_cum = list(accumulate(shares[o.pk] for o in offices))
    type_counts, type_count_w = list(TYPES_PER_LOG), list(TYPES_PER_LOG.values())
    party_counts, party_count_w = list(COUNTERPARTS_PER_LOG), list(COUNTERPARTS_PER_LOG.values())

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
    counterpart_table, follow_up_table = Counterpart._meta.db_table, FollowUp._meta.db_table
    next_id = (ContactLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    chunk = 100_000
    # Ids rise with the day a log was written, as in a live system: most logs are written on their day,
    # a fifth one to fourteen days later. (Random order would spread a quarter's logs, their activity
    # types and counterparts over the whole of each table: a pessimistic layout no real office has.)
    picked = list(
        zip(
            rng.choices(offices, cum_weights=office_cum, k=total),
            rng.choices(day_list, cum_weights=day_cum, k=total),
            strict=True,
        )
    )
    written = [day.toordinal() + (0 if rng.random() < 0.8 else rng.randint(1, 14)) + rng.random() for _, day in picked]
    picked = [picked[i] for i in sorted(range(total), key=written.__getitem__)]
    del written
    with transaction.atomic():
        writer = RowWriter()
        for start in range(0, total, chunk):
            logs, through, counterparts, follow_ups = [], [], [], []
            for office, day in picked[start : start + chunk]:
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
                included = rng.random() < report_share
                stamp = datetime.combine(day, started or clock(12), tzinfo=UTC) - timedelta(hours=9)
                coordinator = rng.choice(coordinators)
                logs.append(
                    (
                        next_id,
                        office.pk,
                        day,
                        started,
                        rng.choice([5, 10, 15, 20, 30, 30, 60, 90, 120]),
                        coordinator,
                        client,
                        rng.choices(method_ids, method_w)[0],
                        "community" if client is None else "individual",  # the services' default
                        f"生成した記録 {next_id}" if included or rng.random() < 0.3 else "",
                        included,
                        # Stored encrypted, as the model would (common/encryption.py): COPY bypasses the field.
                        encrypt_text("生成した記録の本文。") if rng.random() < 0.5 else "",
                        1,
                        stamp,
                        stamp,
                    )
                )
                if rng.random() < 0.05:
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
                k = rng.choices(type_counts, type_count_w)[0]
                through.extend((next_id, type_id) for type_id in distinct_choices(rng, types, type_cum, k))
                seen = set()  # one row per provider, organization or family category within a log
                for _ in range(rng.choices(party_counts, party_count_w)[0]):
                    draw = rng.random()
                    if draw < 0.45 and nearby:
                        provider_id, category_id = rng.choice(nearby)
                        row = (next_id, category_id, provider_id, "")
                    elif draw < 0.55:
                        row = (next_id, rng.choice(other_categories), None, f"生成した機関{rng.randint(1, 40)}")
                    else:
                        row = (next_id, rng.choices(family_ids, family_w)[0], None, "")
                    if row[1:] not in seen:
                        seen.add(row[1:])
                        counterparts.append(row)
                next_id += 1
            writer.write(log_table, LOG_COLUMNS, logs)
            writer.write(through_table, ("contactlog_id", "activitytype_id"), through)
            writer.write(
                counterpart_table, ("contact_log_id", "category_id", "provider_id", "organization_name"), counterparts
            )
            writer.write(follow_up_table, FOLLOW_UP_COLUMNS, follow_ups)
            if not quiet:
                print(f"  … {start + len(logs):,} logs", flush=True)
        writer.move_sequence(log_table, next_id)


def log_shares(offices, rng: random.Random) -> dict[int, float]:
    """Each office's share of the logs: its clients, give or take 30 %."""
    from django.db.models import Count

    from coordination.clients.models import Client

    counts = dict(Client.objects.values_list("office").annotate(n=Count("id")).values_list("office", "n"))
    return {office.pk: max(counts.get(office.pk, 0), 20) * rng.uniform(0.7, 1.3) for office in offices}


def timed(label: str, function) -> None:
    started = time.perf_counter()
    function()
    print(f"{label} in {time.perf_counter() - started:.1f} s", flush=True)


def generate(shape: Shape, rng: random.Random | None = None) -> None:
    """Fills the configured database up to `shape` (migrate, reference lists, demo, then the rest)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from accounts.models import Office
    from coordination.clients.models import Client
    from coordination.logs.models import ContactLog
    from directory.models import Provider

    rng = rng or random.Random(SEED)
    call_command("migrate", verbosity=0)
    refuse_unless_benchmark_database(fill=True, postgresql_only=False)
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    missing = shape.providers - Provider.objects.count()
    if missing > 0:
        timed(f"generated {missing:,} providers", lambda: add_providers(missing, rng))
    grow_demo_office()
    missing = shape.offices - Office.objects.count()
    if missing > 0:
        timed(f"generated {missing:,} offices", lambda: add_offices(missing, rng, shape))
    offices = load_offices()
    targets = client_targets(offices, shape)
    present = dict(Client.objects.values_list("office").annotate(n=Count("id")).values_list("office", "n"))
    started, added = time.perf_counter(), 0
    for office in offices:
        missing = targets[office.pk] - present.get(office.pk, 0)
        if missing > 0:
            add_clients(office, missing, random.Random(f"{SEED}-clients-{office.name}"))
            added += missing
    if added:
        print(f"generated {added:,} clients in {time.perf_counter() - started:.1f} s", flush=True)
    missing = shape.logs - ContactLog.objects.count()
    if missing > 0:
        shares = log_shares(offices, rng)
        timed(
            f"generated {missing:,} contact logs",
            lambda: add_logs(missing, offices, shares, rng, days=shape.days()),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))  # as autovacuum would


def figures() -> dict:
    """What the data set holds: per-office clients, logs per fiscal year, counterparts and types per log."""
    from django.db.models import Count

    from accounts.models import Office
    from coordination.clients.models import Client
    from coordination.fiscal import fiscal_year_of
    from coordination.logs.models import ContactLog, Counterpart
    from directory.models import Provider

    names = dict(Office.objects.values_list("pk", "name"))
    clients = Counter(dict(Client.objects.values_list("office").annotate(n=Count("id")).values_list("office", "n")))
    per_day = ContactLog.objects.values("occurred_on").annotate(n=Count("id")).values_list("occurred_on", "n")
    years = Counter()
    for day, n in per_day:
        years[fiscal_year_of(day)] += n
    through = ContactLog.activity_types.through.objects
    types_per_log = Counter(
        n for n in through.values("contactlog_id").annotate(n=Count("id")).values_list("n", flat=True)
    )
    parties_per_log = Counter(
        n for n in Counterpart.objects.values("contact_log_id").annotate(n=Count("id")).values_list("n", flat=True)
    )
    logs = ContactLog.objects.count()
    logs_per_office = Counter(
        dict(ContactLog.objects.values_list("office").annotate(n=Count("id")).values_list("office", "n"))
    )
    return {
        "offices": len(names),
        "clients": {names[pk]: n for pk, n in clients.most_common()},
        "logs": logs,
        "logs_per_office": {names[pk]: n for pk, n in logs_per_office.most_common()},
        "logs_per_fiscal_year": dict(sorted(years.items())),
        "first_day": ContactLog.objects.order_by("occurred_on").values_list("occurred_on", flat=True).first(),
        "last_day": ContactLog.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first(),
        "types_per_log": dict(sorted(types_per_log.items())),
        "counterparts_per_log": dict(sorted(parties_per_log.items())),
        "providers": Provider.objects.count(),
    }


def print_figures(found: dict) -> None:
    clients = found["clients"]
    print(
        f"\n{found['offices']} offices, {sum(clients.values()):,} clients, {found['logs']:,} logs, "
        f"{found['providers']:,} providers"
    )
    print("\nclients and logs per office (largest first):")
    for name, n in clients.items():
        print(f"  {n:>6,} clients  {found['logs_per_office'].get(name, 0):>7,} logs  {name}")
    print(f"\nlogs per fiscal year ({found['first_day']} to {found['last_day']}):")
    for year, n in found["logs_per_fiscal_year"].items():
        print(f"  FY{year}: {n:,}")
    for label, key in (("activity types", "types_per_log"), ("counterparts", "counterparts_per_log")):
        counts = found[key]
        total = sum(counts.values())
        shares = ", ".join(f"{k}: {n:,} ({n / total:.0%})" for k, n in counts.items())
        print(f"{label} per log: {shares} (mean {sum(k * n for k, n in counts.items()) / total:.2f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--check", action="store_true", help="fill nothing; print what the database holds")
    args = parser.parse_args(argv)

    setup_django()
    if not args.check:
        refuse_unless_benchmark_database(args.fill_this_database, postgresql_only=False)
        started = time.perf_counter()
        generate(Shape.from_args(args))
        print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
    print_figures(figures())


if __name__ == "__main__":
    main()
