"""The demo directory's details: hours, ages, services, vacancies, notes and acceptance matrices.

Invented but plausible, and deterministic: a random generator of its own, so the demo's other
records (which the golden report test pins) come out as before.
"""

import random
from datetime import date, timedelta

from directory.models import Acceptance, MedicalCareProcedure, Provider, ProviderProcedure, ProviderSchedule
from directory.schedules import parse_opening_hours

RANDOM_SEED = "20250401-directory"

# Procedures that need a nurse on hand at all times; the others are routinely done by trained staff.
HEAVY = {"ventilator", "tracheostomy", "nasopharyngeal-airway", "central-venous-catheter", "dialysis"}

# Weights of 可, 条件付き, 不可, 未確認 for (heavy, other) procedures by how much care a kind of
# provider gives; kinds not listed (pharmacies, public offices…) have no matrix at all.
CARE_LEVELS = {
    "full": ((6, 2, 1, 1), (8, 1, 0, 1)),
    "day": ((1, 3, 4, 2), (4, 3, 1, 2)),
    "limited": ((0, 1, 6, 3), (1, 4, 3, 2)),
}

# category code → (care level, ages from, ages to, hours, services)
PROFILES = {
    "hospital": (
        "full",
        None,
        None,
        "月～金 9:00～17:00、土 9:00～12:00（小児科外来）",
        "小児科外来、レスパイト入院、在宅移行の支援",
    ),
    "rehab-center": ("full", 0, 18, "月～金 9:00～17:00", "外来療育、リハビリテーション、短期入所"),
    "home-care-clinic": (
        "full",
        None,
        None,
        "月～金 9:00～18:00（24時間往診対応）",
        "訪問診療、在宅人工呼吸器の管理、緊急往診",
    ),
    "visiting-nurse": (
        "full",
        None,
        None,
        "月～金 9:00～18:00（24時間緊急対応あり）",
        "小児訪問看護、医療的ケアの手技指導、入浴介助",
    ),
    "visiting-rehab": ("limited", None, None, "月～金 9:00～17:00", "理学療法・作業療法・言語聴覚療法の訪問"),
    "nursery": ("limited", 0, 5, "月～土 7:30～18:30", "保育（0～5歳児クラス）、一時預かり"),
    "kindergarten": ("limited", 3, 5, "月～金 9:00～14:00（預かり保育は18:00まで）", "幼児教育、預かり保育"),
    "special-school": ("day", 6, 18, "月～金 8:30～15:30", "小学部・中学部・高等部、スクールバス"),
    "school": ("limited", 6, 15, "月～金 8:15～15:30", "通常学級、特別支援学級"),
    "home-help": ("limited", None, None, "毎日 8:00～20:00", "居宅介護、重度訪問介護、通院等介助"),
    "child-development": ("day", 0, 6, "月～金 9:30～15:00", "児童発達支援（医療的ケア児の受け入れあり）、送迎"),
    "after-school-day": ("day", 6, 18, "月～金 放課後～18:00、土・長期休暇 10:00～16:00", "放課後等デイサービス、送迎"),
    "daily-life-support": ("day", 18, None, "月～金 9:30～16:00", "生活介護、入浴、看護師による医療的ケア"),
    "short-stay": ("day", None, None, "毎日（要予約）", "短期入所（日中一時支援を含む）"),
    "employment-support": (None, 18, 64, "月～金 9:00～16:00", "就労継続支援B型"),
    "consultation-support": (None, None, None, "月～金 9:00～17:00", "計画相談支援、障害児相談支援"),
    "midwife": (None, 0, 1, "月～土 9:00～17:00", "産後ケア、授乳相談"),
}
DEFAULT_HOURS = "月～金 8:30～17:15（土日祝・年末年始を除く）"

# The conditions a 条件付き cell may carry, by care level.
CONDITIONS = {
    "full": ["小児の経験がある看護師の担当日のみ", "主治医の指示書が必要", "事前の面談が必要", "日中のみ対応"],
    "day": ["看護師在籍日のみ", "事前の面談と体験利用が必要", "保護者の付き添いが必要な場合あり"],
    "limited": ["医療的ケア看護職員の配置による", "保護者の付き添いが必要な場合あり", "主治医の指示書が必要"],
}
TRAINED_STAFF = "喀痰吸引等研修を修了した職員のみ対応"
VACANCIES = [
    "月・水に空きあり",
    "現在満員（キャンセル待ち）",
    "土曜のみ受け入れ可",
    "新規の受け入れ可",
    "4月から1名受け入れ可",
]
PUBLIC_NOTES = ["駐車場あり", "見学は要予約", "送迎あり（区内）", "医療的ケア児の受け入れ実績あり"]
INTERNAL_NOTES = [
    "窓口は管理者。折り返しは夕方が確実。",
    "受け入れ前に主治医を交えた連携会議を希望している。",
    "看護師の退職で受け入れを縮小する可能性あり（次回確認時に要確認）。",
]


def _random_status(rng: random.Random, weights) -> str:
    return rng.choices(
        [Acceptance.ACCEPTED, Acceptance.CONDITIONAL, Acceptance.REFUSED, Acceptance.UNKNOWN], weights=weights
    )[0]


def describe_providers(providers: list[Provider], *, verifiers: list, today: date) -> None:
    """Fill in the details of the demo's saved providers and give the care providers a matrix."""
    rng = random.Random(RANDOM_SEED)
    procedures = list(MedicalCareProcedure.objects.order_by("position"))
    cells = []
    for number, provider in enumerate(providers, start=1):
        level, ages_from, ages_to, hours, services = PROFILES.get(
            provider.category.code, (None, None, None, DEFAULT_HOURS, "")
        )
        provider.opening_hours = hours
        provider.ages_from, provider.ages_to = ages_from, ages_to
        provider.services = services
        if rng.random() < 0.4:
            provider.url = f"https://www.example.jp/tsunagu-demo/{number:03d}/"
        if rng.random() < 0.3:
            provider.email = f"info{number:03d}@example.jp"
        if level in ("day", "full") and rng.random() < 0.5:
            provider.vacancy_note = rng.choice(VACANCIES)
            provider.vacancy_noted_on = today - timedelta(days=rng.randrange(90))
        if rng.random() < 0.2:
            provider.public_note = rng.choice(PUBLIC_NOTES)
        if level and rng.random() < 0.15:
            provider.internal_note = rng.choice(INTERNAL_NOTES)
        # A few entries were never checked; the others were by one of the coordinators.
        if rng.random() < 0.05:
            provider.verified_on = None
        else:
            provider.verified_by = verifiers[number % len(verifiers)]
        if level is None:
            continue
        heavy_weights, other_weights = CARE_LEVELS[level]
        for procedure in procedures:
            if provider.category.code in ("home-care-clinic", "visiting-nurse") and procedure.code == "ventilator":
                status = _random_status(rng, (7, 3, 0, 0))  # their reason for being in a coordinator's list
            elif procedure.code == "dialysis" and level != "full":
                status = Acceptance.REFUSED
            else:
                status = _random_status(rng, heavy_weights if procedure.code in HEAVY else other_weights)
            note = ""
            if status == Acceptance.CONDITIONAL:
                trained = provider.category.code == "home-help" and procedure.code in ("suction", "tube-feeding")
                note = TRAINED_STAFF if trained else rng.choice(CONDITIONS[level])
            if status != Acceptance.UNKNOWN:
                cells.append(ProviderProcedure(provider=provider, procedure=procedure, status=status, note=note))
    Provider.objects.bulk_update(
        providers,
        [
            "opening_hours",
            "ages_from",
            "ages_to",
            "services",
            "url",
            "email",
            "vacancy_note",
            "vacancy_noted_on",
            "public_note",
            "internal_note",
            "verified_on",
            "verified_by",
        ],
        batch_size=200,
    )
    ProviderProcedure.objects.bulk_create(cells, batch_size=1000)
    # The structured hours, read from each entry's text as an office's own list would be.
    ProviderSchedule.objects.bulk_create(
        [
            ProviderSchedule(
                provider=provider,
                byday=entry.byday,
                opens_at=entry.opens_at,
                closes_at=entry.closes_at,
                position=position,
            )
            for provider in providers
            for position, entry in enumerate(parse_opening_hours(provider.opening_hours), start=1)
        ],
        batch_size=1000,
    )
