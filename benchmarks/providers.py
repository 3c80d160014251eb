"""Generated providers for the benchmarks: realistic names, フリガナ, addresses and a full matrix.

    from benchmarks.providers import add_providers
    add_providers(100_000, random.Random(1))     # into the current database (Django set up)

Each provider gets a name built from a place, a stem and a kind of provider (赤羽あおば訪問看護
ステーション12), its フリガナ, an address in one of eight municipalities (北区 ones often in one of
the registered districts), a phone number, an age range (or none), a last-verified date (or none),
a coordinator flag for some, 3 % inactive, and the full 14-cell acceptance matrix (可 4 : 条件付き 2 :
不可 3 : 未確認 1). The providers go in with `bulk_create` (which fills `search_text`); the matrix,
14 rows a provider, with `COPY` on PostgreSQL and one `executemany` on SQLite — 100,000 providers
and 1,400,000 cells take about a minute on either. Nothing is written to the change history.
"""

import random
from datetime import date, timedelta

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
BATCH = 5000


def add_providers(count: int, rng: random.Random) -> None:
    """Adds `count` providers, each with its 14 matrix cells, to the current database (one transaction)."""
    from django.db import connection, transaction

    from directory.models import (
        ACCEPTING,
        Acceptance,
        District,
        MedicalCareProcedure,
        Provider,
        ProviderCategory,
        ProviderProcedure,
        acceptance_bit,
    )

    categories = list(ProviderCategory.objects.all())
    districts = list(District.objects.filter(municipality="北区"))
    procedure_ids = list(MedicalCareProcedure.objects.values_list("pk", flat=True))
    statuses = [Acceptance.ACCEPTED, Acceptance.CONDITIONAL, Acceptance.REFUSED, Acceptance.UNKNOWN]
    start = Provider.objects.count()
    today = date.today()
    cells_table = ProviderProcedure._meta.db_table
    with transaction.atomic():
        for first in range(start, start + count, BATCH):
            providers = []
            matrices = []
            for number in range(first, min(first + BATCH, start + count)):
                matrix = rng.choices(statuses, weights=[4, 2, 3, 1], k=len(procedure_ids))
                matrices.append(matrix)
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
                        phone=f"03-{number // 10000 % 10000:04d}-{number % 10000:04d}",
                        ages_from=low,
                        ages_to=None if low is None or rng.random() < 0.3 else low + rng.choice([5, 12, 18]),
                        has_coordinator=rng.random() < 0.1,
                        is_active=rng.random() >= 0.03,
                        verified_on=None if rng.random() < 0.2 else today - timedelta(days=rng.randint(0, 730)),
                        # What refresh_accepts() would compute: the cells go in below, past the ORM.
                        accepts=sum(
                            acceptance_bit(procedure_id)
                            for procedure_id, status in zip(procedure_ids, matrix, strict=True)
                            if status in ACCEPTING
                        ),
                    )
                )
            # Both databases return the new ids (SQLite 3.35+: RETURNING).
            ids = [provider.pk for provider in Provider.objects.bulk_create(providers)]
            cells = [
                (provider_id, procedure_id, status, "")
                for provider_id, matrix in zip(ids, matrices, strict=True)
                for procedure_id, status in zip(procedure_ids, matrix, strict=True)
            ]
            columns = "provider_id, procedure_id, status, note"
            if connection.vendor == "postgresql":
                with connection.connection.cursor().copy(f"COPY {cells_table} ({columns}) FROM STDIN") as copy:
                    for cell in cells:
                        copy.write_row(cell)
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO {cells_table} ({columns}) VALUES (%s, %s, %s, %s)", cells)
