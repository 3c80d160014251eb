"""The demo office's needs register (ニーズ・課題): needs a coordinator found in FY2025's casework.

Made through the needs services (coordination.needs.services), so each need has its history and
dated notes as if typed in. Each need is found in logs of FY2025 of the activity types it is
about, one log per family, so the number of families affected varies (some 1–2, shown as
「3未満」 in the council report, some 3 or more). Texts name no one.

Nothing here changes the 業務報告書: needs are not counted in it.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from accounts.models import Office, User
from coordination.clients.age_bands import AgeBand
from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ContactLog
from coordination.needs.models import Need, NeedCategory, NeedStatus
from coordination.needs.services import need_create, need_move
from directory.models import District


@dataclass(frozen=True)
class Step:
    """A dated note: the status the need is left in, its text, and the meeting for 会議体へ提起."""

    on: date
    status: str
    text: str
    meeting: tuple[str, date] | None = None  # (name, held_on) of one of the office's §6 meetings


@dataclass(frozen=True)
class DemoNeed:
    title: str
    category: str
    description: str
    life_stages: tuple[str, ...]
    districts: tuple[str, ...]
    activity_types: tuple[str, ...]  # the logs it was found in are of these types
    families: int  # how many families' logs (one log each)
    steps: tuple[Step, ...] = ()


S = NeedStatus
DEMO_NEEDS = [
    DemoNeed(
        "人工呼吸器を使う子を受け入れる保育所がない",
        "childcare-education",
        "区内の保育所で人工呼吸器を使う子の受け入れ実績がなく、看護師の配置があっても夜間の呼吸器管理を"
        "理由に断られる。母の復職が決まらないまま育休の期限が近づく家庭が続いている。",
        (AgeBand.PRESCHOOL,),
        ("kita-oji", "kita-akabane"),
        ("childcare",),
        4,
        (
            Step(
                date(2025, 7, 14), S.CONSIDERING, "保育課と受け入れの条件（看護師の配置、主治医の指示書）を整理した。"
            ),
            Step(
                date(2025, 12, 8),
                S.RAISED,
                "自立支援協議会で、呼吸器使用児の保育所受け入れの現状と家庭の声を報告した。",
                ("北区自立支援協議会", date(2025, 12, 8)),
            ),
        ),
    ),
    DemoNeed(
        "災害時（停電時）の人工呼吸器・吸引器の電源確保",
        "disaster",
        "停電が長引いたときの人工呼吸器・吸引器の電源に不安を持つ家庭が多い。区の個別避難計画に"
        "電源の確保先が書かれておらず、近隣の施設に充電を頼める仕組みもない。",
        (AgeBand.PRESCHOOL, AgeBand.ELEMENTARY, AgeBand.AGE_20S),
        ("kita-oji", "kita-akabane", "kita-takinogawa"),
        ("equipment", "home-medical-nursing"),
        5,
        (
            Step(
                date(2025, 5, 2),
                S.RAISED,
                "合同報告会で電力依存の家庭の状況を報告した。",
                ("合同報告会", date(2025, 5, 2)),
            ),
            Step(
                date(2025, 9, 3),
                S.ACTING,
                "防災課と、給電スポットになる区内施設の候補を洗い出すことになった。",
            ),
            Step(date(2026, 1, 21), S.ACTING, "給電スポット2か所の協力が決まり、家庭向けの案内を作成中。"),
        ),
    ),
    DemoNeed(
        "送迎のある放課後等デイサービスが足りない",
        "welfare-services",
        "医療的ケアのある学齢児を受け入れる放課後等デイサービスのうち、送迎のある事業所が少なく、"
        "利用できる日が週1～2日にとどまる。保護者の就労にも影響している。",
        (AgeBand.ELEMENTARY, AgeBand.JUNIOR_HIGH, AgeBand.HIGH_SCHOOL),
        ("kita-akabane",),
        ("day-service-after-school", "day-service-daily-life"),
        3,
        (Step(date(2025, 10, 15), S.CONSIDERING, "区内の事業所に送迎体制と看護師の配置を聞き取ることにした。"),),
    ),
    DemoNeed(
        "在宅レスパイト事業の利用時間が足りない",
        "respite",
        "在宅レスパイト事業の年間利用時間の上限が低く、夜間の吸引で眠れない家庭では年度の途中で使い切ってしまう。",
        (AgeBand.PRESCHOOL, AgeBand.ELEMENTARY),
        ("kita-oji",),
        ("home-respite", "listening"),
        3,
        (
            Step(date(2025, 8, 20), S.CONSIDERING, "他区の利用時間の上限と拡充の経緯を調べた。"),
            Step(
                date(2025, 9, 24),
                S.RAISED,
                "都の支援担当者連絡会で、他区の運用と合わせて利用時間の課題を伝えた。",
                ("東京都医療的ケア児等支援担当者連絡会", date(2025, 9, 24)),
            ),
            Step(
                date(2026, 3, 16),
                S.CONTINUING,
                "来年度の上限の見直しは見送り。利用状況を記録し、次年度も協議会で取り上げる。",
            ),
        ),
    ),
    DemoNeed(
        "18歳以降に医療的ケアのある人が通える生活介護が少ない",
        "welfare-services",
        "特別支援学校の卒業後、看護師が常駐する生活介護の空きが区内にほとんどなく、区外まで通う見込みの人がいる。",
        (AgeBand.HIGH_SCHOOL, AgeBand.UP_TO_19),
        ("kita-takinogawa",),
        ("coordination", "service-adjustment"),
        2,
    ),
    DemoNeed(
        "小児慢性特定疾病の医療費助成の手続きが分かりにくい",
        "systems-procedures",
        "更新の時期や必要な書類が分かりにくく、更新を忘れて助成が途切れかけた家庭があった。外国籍の家庭では特に難しい。",
        (AgeBand.PRESCHOOL, AgeBand.ELEMENTARY),
        ("kita-oji", "kita-akabane"),
        ("government-window", "application"),
        3,
        (
            Step(date(2025, 6, 18), S.ACTING, "保健センターと、更新時期を知らせる案内の改善を話し合った。"),
            Step(
                date(2025, 11, 26),
                S.RESOLVED,
                "更新の2か月前に案内が届くようになり、やさしい日本語の説明資料もできた。",
            ),
        ),
    ),
    DemoNeed(
        "通院に使える移動手段（福祉タクシー・介護タクシー）が少ない",
        "mobility",
        "人工呼吸器や吸引器を載せて乗れるタクシーの予約が取りにくく、区外の病院への通院に困っている。",
        (AgeBand.AGE_30S,),
        (),
        ("welfare-service",),
        1,
    ),
    DemoNeed(
        "医療的ケア児の家族向けの情報が一か所にまとまっていない",
        "information",
        "使える制度やサービス、相談先の情報が課ごとに分かれていて、退院直後の家族が全体を知る手段がない。",
        (AgeBand.PRESCHOOL,),
        ("kita-oji", "kita-akabane", "kita-takinogawa"),
        ("discharge", "peer-information"),
        3,
        (
            Step(date(2025, 7, 2), S.ACTING, "事業のリーフレットに相談先の一覧を載せることにした。"),
            Step(date(2025, 10, 1), S.RESOLVED, "リーフレットを完成させ、病院と関係機関に配布した。"),
        ),
    ),
    DemoNeed(
        "小児を訪問できる訪問看護ステーションが区内に少ない",
        "medical",
        "小児の経験がある看護師のいるステーションが限られ、退院時や転居時に後任のステーションが見つからない。",
        (AgeBand.PRESCHOOL, AgeBand.ELEMENTARY, AgeBand.HIGH_SCHOOL),
        ("kita-oji", "kita-akabane"),
        ("home-medical-nursing",),
        6,
        (
            Step(
                date(2025, 8, 4),
                S.RAISED,
                "相談支援従事者研修の企画会議で、小児の訪問看護の不足を課題として挙げた。",
                ("東京都相談支援従事者研修の企画会議", date(2025, 8, 4)),
            ),
            Step(date(2025, 10, 22), S.ACTING, "小児の経験が少ない訪問看護ステーション向けの研修を開いた。"),
        ),
    ),
]


def _found_in(office: Office, need: DemoNeed, period: FiscalPeriod) -> list[ContactLog]:
    """The first log of each family in the period of one of the need's activity types, `families` of them."""
    logs = (
        ContactLog.objects.for_office(office)
        .in_period(period)
        .filter(client__isnull=False, activity_types__code__in=need.activity_types)
        .order_by("occurred_on", "pk")
        .distinct()
    )
    chosen, clients = [], set()
    for log in logs:
        if log.client_id not in clients:
            clients.add(log.client_id)
            chosen.append(log)
            if len(chosen) == need.families:
                break
    return chosen


def build_needs(office: Office, *, coordinator: User, supervisor: User, period: FiscalPeriod) -> list[Need]:
    """The demo's needs of `office`, found in its logs of `period` (see DEMO_NEEDS); none when it has some."""
    if Need.objects.for_office(office).exists():
        return []
    categories = {c.code: c for c in NeedCategory.objects.all()}
    districts = {d.code: d for d in District.objects.all()}
    today = timezone.localdate()
    needs = []
    for demo in DEMO_NEEDS:
        logs = _found_in(office, demo, period)
        if not logs:
            continue
        need = need_create(
            office=office,
            created_by=coordinator,
            title=demo.title,
            category=categories[demo.category],
            description=demo.description,
            life_stages=demo.life_stages,
            districts=[districts[code] for code in demo.districts if code in districts],
            logs=logs,
            on=logs[0].occurred_on,
        ).need
        for step in demo.steps:
            if step.on > today or step.on < need.status_changed_on:
                continue
            meeting = None
            if step.meeting:
                name, held_on = step.meeting
                meeting = Event.objects.filter(
                    office=office, kind=EventKind.MEETING, name=name, held_on=held_on
                ).first()
            need = need_move(
                need=need,
                expected_version=need.version,
                user=supervisor if step.status in (S.RAISED, S.RESOLVED, S.CONTINUING) else coordinator,
                status=step.status,
                on=step.on,
                text=step.text,
                raised_at=meeting,
            ).need
        needs.append(need)
    return needs
