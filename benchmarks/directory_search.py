"""Benchmark: the directory search over 10,000 providers (server time of /directory/).

    .venv/bin/python -m benchmarks.directory_search [--providers 10000] [--runs 20]

Works on its own SQLite file under var/ (never the app's database): loads the reference lists,
generates providers with addresses, ages and a full acceptance matrix, signs a ward-staff user
in with Django's test Client, and times searches. Prints the median of the runs; asserts nothing
about time.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

STEMS = [
    "あおば",
    "さくら",
    "ひまわり",
    "つばさ",
    "そよかぜ",
    "こもれび",
    "ほしぞら",
    "みどり",
    "かえで",
    "すずらん",
    "あさひ",
    "にじいろ",
    "わかば",
    "こころ",
    "はぐくみ",
    "たんぽぽ",
    "のぞみ",
    "ひだまり",
    "なないろ",
    "けやき",
]
PLACES = [
    ("王子", "オウジ"),
    ("赤羽", "アカバネ"),
    ("滝野川", "タキノガワ"),
    ("十条", "ジュウジョウ"),
    ("浮間", "ウキマ"),
    ("田端", "タバタ"),
    ("板橋", "イタバシ"),
    ("足立", "アダチ"),
    ("豊島", "トシマ"),
    ("川口", "カワグチ"),
]
SUFFIXES = [
    ("訪問看護ステーション", "ホウモンカンゴステーション"),
    ("クリニック", "クリニック"),
    ("保育園", "ホイクエン"),
    ("放課後等デイサービス", "ホウカゴトウデイサービス"),
    ("児童発達支援教室", "ジドウハッタツシエンキョウシツ"),
    ("ヘルパーステーション", "ヘルパーステーション"),
    ("相談支援事業所", "ソウダンシエンジギョウショ"),
]
MUNICIPALITIES = ["北区", "板橋区", "足立区", "豊島区", "荒川区", "文京区", "川口市", "港区"]

# (label, query parameters) — the headline figure is the second: a word and a procedure.
SEARCHES = [
    ("q only (あおば)", {"q": "あおば"}),
    ("q + procedure (ｱｵﾊﾞ + 人工呼吸器)", {"q": "ｱｵﾊﾞ", "procedure": ["ventilator"]}),
    ("procedure ×2 + age (吸引, 経管栄養, 5歳)", {"procedure": ["suction", "tube-feeding"], "age": "5"}),
    ("romaji + area (aoba, 北区)", {"q": "aoba", "area": "city:北区"}),
    ("no filter, first page", {}),
]


def setup_django(database: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("TSUNAGU_REQUIRE_MFA", "0")  # the test Client signs in without a second factor
    if not os.environ.get("DATABASE_URL"):
        os.environ["TSUNAGU_SQLITE_PATH"] = str(database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


def add_providers(count: int, rng: random.Random):
    """`count` providers with a matrix of 14 cells each, in batches (bulk_create fills search_text)."""
    from django.db import transaction

    from directory.models import (
        Acceptance,
        District,
        MedicalCareProcedure,
        Provider,
        ProviderCategory,
        ProviderProcedure,
    )

    categories = list(ProviderCategory.objects.all())
    districts = list(District.objects.all())
    procedures = list(MedicalCareProcedure.objects.all())
    statuses = [Acceptance.ACCEPTED, Acceptance.CONDITIONAL, Acceptance.REFUSED, Acceptance.UNKNOWN]
    batch = 2000
    with transaction.atomic():
        for start in range(0, count, batch):
            providers = []
            for number in range(start, min(start + batch, count)):
                stem = rng.choice(STEMS)
                place, place_kana = rng.choice(PLACES)
                suffix, suffix_kana = rng.choice(SUFFIXES)
                municipality = rng.choice(MUNICIPALITIES)
                low = rng.choice([None, 0, 0, 3, 6, 18])
                providers.append(
                    Provider(
                        name=f"{place}{stem}{suffix}{number}",
                        name_kana=f"{place_kana}{stem}{suffix_kana}",
                        category=rng.choice(categories),
                        district=rng.choice(districts)
                        if districts and municipality == "北区" and rng.random() < 0.8
                        else None,
                        municipality=municipality,
                        address=f"東京都{municipality}本町{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                        phone=f"03-{number // 10000:04d}-{number % 10000:04d}",
                        ages_from=low,
                        ages_to=None if low is None or rng.random() < 0.3 else low + rng.choice([5, 12, 18]),
                    )
                )
            providers = Provider.objects.bulk_create(providers)
            ProviderProcedure.objects.bulk_create(
                ProviderProcedure(
                    provider=provider,
                    procedure=procedure,
                    status=rng.choices(statuses, weights=[4, 2, 3, 1])[0],
                )
                for provider in providers
                for procedure in procedures
            )


def search_times(client, params: dict, runs: int) -> tuple[list[float], int]:
    """Seconds of each of `runs` GETs of /directory/ (after one warm-up) and the results count."""
    from django.urls import reverse

    url = reverse("directory:provider_list")
    response = client.get(url, params)
    if response.status_code != 200:
        raise SystemExit(f"/directory/ answered {response.status_code}; the benchmark needs 200")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - started)
    found = re.search(r'list-bar__count" role="status">(\d+)件', response.content.decode())
    return times, int(found.group(1)) if found else -1


def median_time(client, params: dict, runs: int) -> tuple[float, int]:
    """Median seconds of `runs` GETs of /directory/ (after one warm-up) and the results count."""
    times, count = search_times(client, params, runs)
    return statistics.median(times), count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per search (the median is printed)")
    parser.add_argument("--database", default=str(BASE_DIR / "var" / "benchmark-directory.sqlite3"))
    args = parser.parse_args(argv)

    database = Path(args.database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    setup_django(database)

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from directory.models import Provider, ProviderProcedure

    started = time.perf_counter()
    add_providers(args.providers, random.Random(20251101))
    print(
        f"generated {Provider.objects.count()} providers and {ProviderProcedure.objects.count()} matrix cells "
        f"in {time.perf_counter() - started:.1f} s"
    )
    user = User.objects.create_user("bench-ward", password="bench-password-123")
    user.groups.add(Group.objects.get(name="区職員"))
    client = Client()
    client.force_login(user)

    print(f"database: {connection.vendor}; python {sys.version.split()[0]}; median of {args.runs} runs")
    print(f"{'search':<44} {'results':>8} {'queries':>8} {'median ms':>10}")
    for label, params in SEARCHES:
        queries = []
        with connection.execute_wrapper(lambda execute, *call, queries=queries: queries.append(1) or execute(*call)):
            client.get("/directory/", params)
        seconds, count = median_time(client, params, args.runs)
        print(f"{label:<44} {count:>8} {len(queries):>8} {seconds * 1000:>10.1f}")


if __name__ == "__main__":
    main()
