"""The demo's second and third offices: two other wards' coordinator offices, smaller than 北区's.

So that the installation holds several offices, each seeing only its own data, and the centre's
view (one row per office) has three offices with different figures. Each has its own districts,
a coordinator and a supervisor, a dozen families or fewer, a few meetings, and fewer logs over
FY2025, all made through the services as a user would; its present is added as 北区's is
(demo.today, with the office's `OfficeProfile`), with one new family each. Every person here is fictional.

The seed's office and its FY2025 report are untouched: nothing here is of that office.
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Office, OfficeHours, User
from accounts.roles import ROLE_GROUPS, Role
from coordination.clients.models import ClientStatus
from coordination.clients.services import GuardianEntry, client_create
from coordination.events.services import event_create
from coordination.fiscal import FiscalPeriod
from directory.models import District, MedicalCareProcedure, OfficeDistrict

from .today import ADULT_SCENARIO, CLIENT_SCENARIOS, COMMUNITY_SCENARIOS, SCHOOL_SCENARIO, DemoToday, OfficeProfile


@dataclass(frozen=True)
class OfficePlan:
    name: str
    municipality: str
    districts: tuple[tuple[str, str], ...]  # (code, name) in report order
    weekdays: tuple[int, ...]
    opens_at: time
    closes_at: time
    users: tuple[tuple[str, Role, str, str], ...]  # (username, role, last name, first name)
    clients: tuple[tuple[str, str, str, str], ...]  # (surname, kana, given name, kana)
    log_chance: float  # chance of a log on an opening day of FY2025
    meetings: tuple[tuple[str, date, str], ...]  # FY2025's meetings: (name, held on, topic)
    profile: OfficeProfile


OTHER_OFFICES = [
    OfficePlan(
        name="板橋区医療的ケア児等コーディネーター事業",
        municipality="板橋区",
        districts=(
            ("itabashi-itabashi", "板橋地区"),
            ("itabashi-tokiwadai", "常盤台地区"),
            ("itabashi-shimura", "志村地区"),
        ),
        weekdays=(0, 1, 2, 3, 4),
        opens_at=time(9, 0),
        closes_at=time(17, 0),
        users=(
            ("coordinator-itabashi", Role.COORDINATOR, "小林", "みずき"),
            ("supervisor-itabashi", Role.SUPERVISOR, "石井", "まこと"),
        ),
        clients=(
            ("荒木", "アラキ", "ひなの", "ヒナノ"),
            ("井上", "イノウエ", "そうま", "ソウマ"),
            ("江口", "エグチ", "さくら", "サクラ"),
            ("小野寺", "オノデラ", "ゆうと", "ユウト"),
            ("菊地", "キクチ", "あおい", "アオイ"),
            ("久保", "クボ", "れん", "レン"),
            ("近藤", "コンドウ", "みお", "ミオ"),
            ("佐野", "サノ", "はると", "ハルト"),
            ("島田", "シマダ", "こはる", "コハル"),
            ("須藤", "ストウ", "いつき", "イツキ"),
            ("竹内", "タケウチ", "ゆい", "ユイ"),
            ("辻", "ツジ", "かなた", "カナタ"),
            ("永井", "ナガイ", "めい", "メイ"),
            ("原田", "ハラダ", "そら", "ソラ"),
        ),
        log_chance=0.45,
        meetings=(
            ("板橋区地域自立支援協議会 こども部会", date(2025, 6, 12), "医療的ケア児の受け入れ先の現状"),
            ("板橋区医療的ケア児支援関係機関連絡会", date(2025, 9, 11), "災害時の個別避難計画"),
            ("板橋区地域自立支援協議会 こども部会", date(2025, 12, 11), "学齢期の放課後の居場所"),
            ("板橋区医療的ケア児支援関係機関連絡会", date(2026, 3, 12), "今年度の振り返り"),
        ),
        profile=OfficeProfile(
            coordinators=("coordinator-itabashi",),
            families=(5,),
            follow_ups=((2, 3, 1),),
            busy_counts=(0, 1, 2),
            sparse=0.35,
            new_clients={"school": ("西村 ことね", "ニシムラ コトネ", "西村 香", SCHOOL_SCENARIO)},
            meeting=(
                "板橋区医療的ケア児支援関係機関連絡会",
                "対面・板橋区役所",
                "障がい政策課・保健所・相談支援事業所",
                10,
            ),
        ),
    ),
    OfficePlan(
        name="足立区医療的ケア児等コーディネーター事業",
        municipality="足立区",
        districts=(("adachi-senju", "千住地区"), ("adachi-ayase", "綾瀬地区"), ("adachi-takenotsuka", "竹の塚地区")),
        weekdays=(1, 3),
        opens_at=time(9, 30),
        closes_at=time(16, 30),
        users=(
            ("coordinator-adachi", Role.COORDINATOR, "山口", "しおり"),
            ("supervisor-adachi", Role.SUPERVISOR, "藤井", "けんじ"),
        ),
        clients=(
            ("秋山", "アキヤマ", "ことは", "コトハ"),
            ("遠藤", "エンドウ", "たいち", "タイチ"),
            ("金子", "カネコ", "ほのか", "ホノカ"),
            ("後藤", "ゴトウ", "りく", "リク"),
            ("酒井", "サカイ", "つむぎ", "ツムギ"),
            ("田村", "タムラ", "ゆうま", "ユウマ"),
            ("服部", "ハットリ", "えま", "エマ"),
            ("松本", "マツモト", "かいと", "カイト"),
        ),
        log_chance=0.6,
        meetings=(
            ("足立区障がい福祉推進協議会 医療的ケア児部会", date(2025, 7, 17), "保育・教育の場での医療的ケア"),
            ("足立区障がい福祉推進協議会 医療的ケア児部会", date(2025, 11, 20), "レスパイトの利用状況"),
        ),
        profile=OfficeProfile(
            coordinators=("coordinator-adachi",),
            families=(4,),
            follow_ups=((1, 2, 1),),
            busy_counts=(0, 1, 1),
            sparse=0.4,
            new_clients={"age_18": ("東 はやと", "アズマ ハヤト", "東 美紀", ADULT_SCENARIO)},
            meeting=(
                "足立区医療的ケア児支援連絡会",
                "対面・足立区役所",
                "障がい福祉課・保健センター・訪問看護ステーション",
                8,
            ),
        ),
    ),
]
OTHER_DEMO_USERS = [user for plan in OTHER_OFFICES for user in plan.users]
FY2025 = FiscalPeriod(2025)


def _users(office: Office, plan: OfficePlan, password_hash: str) -> dict[Role, User]:
    users = {}
    for username, role, last_name, first_name in plan.users:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, last_name=last_name, first_name=first_name, office=office)
            user.password = password_hash
            user.save()
            user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
        elif user.office_id is None:
            user.office = office
            user.save(update_fields=["office"])
        users[role] = user
    return users


def _clients(office: Office, plan: OfficePlan, coordinator: User, districts: list[District], rng: random.Random):
    procedures = {p.code: p for p in MedicalCareProcedure.objects.all()}
    common = ["tube-feeding", "suction", "tracheostomy", "ventilator", "oxygen"]
    for number, (surname, surname_kana, given, given_kana) in enumerate(plan.clients, start=1):
        # Mostly children (some school age), one or two young adults.
        age = rng.choice([1, 2, 3, 4, 5, 7, 9, 12, 15]) if number % 6 else rng.choice([19, 23])
        has_care = number % 5 != 0
        chosen = rng.sample(common, rng.randint(1, 3)) if has_care else []
        client_create(
            office=office,
            user=coordinator,
            procedures=[procedures[code] for code in chosen if code in procedures],
            guardians=[
                GuardianEntry(
                    name=f"{surname} {rng.choice(['由紀', '真弓', '久美子', '理恵', '千秋'])}",
                    relationship="母",
                    phone=f"090-0000-{7000 + number:04d}",
                    is_primary=True,
                )
            ],
            name=f"{surname} {given}",
            name_kana=f"{surname_kana} {given_kana}",
            birth_date=date(2025 - age, rng.randint(1, 12), rng.randint(1, 28)),
            district=districts[number % len(districts)] if number % 7 else None,
            municipality_outside="" if number % 7 else "埼玉県",
            has_medical_care=has_care,
            status=ClientStatus.ACTIVE if rng.random() < 0.85 else ClientStatus.WATCHING,
            assigned_coordinator=coordinator,
            consent_obtained_on=FY2025.start + timedelta(days=rng.randrange(60)),
            consent_scope="区の障害福祉の担当課・保健センター、主治医、訪問看護ステーション、通所先との情報共有",
            consent_taken_by=coordinator,
        )


def _fy2025_logs(office: Office, plan: OfficePlan) -> int:
    """Logs on FY2025's opening days, by chance; about one in eight is community work (no client)."""
    maker = DemoToday(office, FY2025.end, profile=plan.profile)
    rng = maker.rng
    coordinator = maker.coordinators[0]
    clients = list(office.clients.filter(has_medical_care=True).order_by("pk"))
    made = 0
    for day in office.calendar().opening_days(FY2025.start, FY2025.end):
        if rng.random() >= plan.log_chance:
            continue
        if rng.random() < 0.12:
            maker._log(rng.choice(COMMUNITY_SCENARIOS), day, coordinator, None)
        else:
            maker._log(rng.choice(CLIENT_SCENARIOS), day, coordinator, rng.choice(clients))
        made += 1
    return made


@transaction.atomic
def build_other_office(plan: OfficePlan, *, password_hash: str) -> Office | None:
    """The office with FY2025 (not its present) unless an office of that name exists."""
    if Office.objects.filter(name=plan.name).exists():
        return None
    rng = random.Random(f"tsunagu-demo-{plan.name}")
    office = Office.objects.create(name=plan.name, municipality=plan.municipality)
    districts = []
    for position, (code, name) in enumerate(plan.districts, start=1):
        district, _ = District.objects.get_or_create(
            code=code, defaults={"name": name, "municipality": plan.municipality}
        )
        OfficeDistrict.objects.create(office=office, district=district, position=position)
        districts.append(district)
    for weekday in plan.weekdays:
        OfficeHours.objects.create(office=office, weekday=weekday, opens_at=plan.opens_at, closes_at=plan.closes_at)
    users = _users(office, plan, password_hash)
    coordinator = users[Role.COORDINATOR]
    _clients(office, plan, coordinator, districts, rng)
    for name, held_on, topic in plan.meetings:
        event_create(
            office=office,
            user=coordinator,
            kind="meeting",
            role="参加",
            name=name,
            held_on=held_on,
            started_at=time(14, 0),
            method_venue=f"対面・{plan.municipality}役所",
            topic=topic,
            audience="区の担当課・相談支援事業所・訪問看護ステーション",
            participant_count=rng.randint(8, 20),
        )
    _fy2025_logs(office, plan)
    return office
