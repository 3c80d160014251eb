"""The demo's present: activity dated relative to the day `load_demo` runs, so the office looks at work.

FY2025 Q1–Q3 is the seed report's reproduction (`builders.py`) and stays untouched: nothing made
here is dated inside FY2025 (`FY2025_END` and before). On a day in FY2025 or earlier there is no
present to add, and nothing is made.

What is added, through the services as a user would, with random numbers seeded by the day:
- contact logs on the office's opening days from the start of the fiscal year (sparse) and over
  the last six weeks (busy), by both coordinators, about a handful of families, some for the report;
- follow-ups: a few overdue, several due this week, some next week, some done;
- referrals sent and waiting for an answer (one past its answer date);
- two new families whose child reaches a transition soon (18th birthday in about six weeks;
  elementary school entry next April);
- a network meeting each month.

Run again weeks later (`make run` runs `load_demo` every time), it adds the present again after the
latest log (from the fiscal year's start at the earliest) and closes the demo's own follow-ups and
referrals that the earlier run left long past their date.
"""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction

from accounts.models import Office, User
from coordination.clients.models import Client, ClientStatus, Consent
from coordination.clients.services import GuardianEntry, client_create
from coordination.clients.transitions import birthday
from coordination.events.services import event_create
from coordination.fiscal import FiscalPeriod, fiscal_year_of
from coordination.followups.models import FollowUp
from coordination.followups.services import follow_up_create, follow_up_done
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.logs.services import CounterpartEntry, contact_log_create
from coordination.referrals.models import Referral, SharedItem
from coordination.referrals.services import referral_create, referral_move
from coordination.referrals.states import ReferralState
from directory.models import CounterpartCategory, MedicalCareProcedure, Provider
from directory.selectors import office_districts

from . import seed

FY2025_END = FiscalPeriod(seed.FISCAL_YEAR).end  # 2026-03-31: the seed's year ends here
BUSY_DAYS = 42  # the last six weeks are busy; before that, back to the fiscal year's start, sparse
STALE_DAYS = 14  # a run finds no log this recent: the demo's present is added again


@dataclass(frozen=True)
class Scenario:
    """One kind of contact: activity type, counterpart category, methods, notes, and what follows."""

    activity: str
    counterpart: str
    methods: tuple[str, ...]
    note: str
    summary: str = ""
    follow_up: str = ""


CLIENT_SCENARIOS = [
    Scenario(
        "home-medical-nursing",
        "medical-visiting-nurse",
        ("phone", "mcs"),
        "訪問看護の回数を週3回に増やしたいと母から相談。担当ステーションに空き状況を確認した。",
        "訪問看護の回数についての相談",
        "ステーションの回答を母に伝える",
    ),
    Scenario(
        "childcare",
        "party-parent-mother",
        ("phone", "line"),
        "来年4月の保育園入園について相談。看護師が配置されている園を保育課に確認することにした。",
        "医ケア児の保育園入園に向けた相談",
        "保育課に看護師配置のある園を確認",
    ),
    Scenario(
        "discharge",
        "medical-hospital",
        ("visit-other",),
        "退院前カンファレンスに参加。在宅での吸引と経管栄養の手技、訪問看護の開始日を確認した。",
        "医ケア児の退院前カンファレンス参加",
        "退院後の訪問看護の開始日を確認",
    ),
    Scenario(
        "listening",
        "party-parent-mother",
        ("phone",),
        "夜間の吸引で眠れないと母から。気持ちを聴き、在宅レスパイトの利用を提案した。",
        "医ケア児の母の不安の傾聴",
        "在宅レスパイト事業の申請書類を送る",
    ),
    Scenario(
        "day-service-child-development",
        "welfare-day-service",
        ("phone",),
        "児童発達支援の利用日を週2日から3日に増やせるか、事業所に確認した。",
        "",
        "利用日の調整結果を母に連絡",
    ),
    Scenario(
        "welfare-service",
        "consultation-specialist",
        ("online", "phone"),
        "相談支援専門員とサービス等利用計画の見直しについて打合せ。",
        "相談支援専門員とサービス見直しの打合せ",
        "計画案を確認して返信",
    ),
    Scenario(
        "equipment",
        "party-parent-mother",
        ("visit-home",),
        "家庭訪問。吸引器と人工呼吸器のバッテリー、停電時の電源の確保について確認した。",
        "停電時の電源確保についての相談",
        "停電時の電源確保について防災担当に確認",
    ),
    Scenario(
        "info-sharing-medical",
        "medical-home-doctor",
        ("mcs",),
        "訪問診療の医師と体調の変化（発熱と痰の増加）をMCSで共有した。",
    ),
    Scenario(
        "medical-care",
        "party-parent-mother",
        ("line", "phone"),
        "通所先での注入の手順と時間について母と確認した。",
    ),
    Scenario(
        "service-adjustment",
        "government-staff",
        ("phone",),
        "受給者証の更新手続きについて障害福祉課に確認した。",
        "受給者証更新の手続きの確認",
        "更新申請書を母に届ける",
    ),
]
SCHOOL_SCENARIO = Scenario(
    "school-elementary",
    "education-special-school",
    ("phone", "visit-other"),
    "来年4月の就学について、特別支援学校の見学と就学相談の日程を相談した。",
    "医ケア児の就学に向けた相談",
    "就学相談の日程を母に伝える",
)
ADULT_SCENARIO = Scenario(
    "coordination",
    "consultation-specialist",
    ("phone", "online"),
    "18歳を迎えるため、障害者総合支援法のサービスへの移行と相談支援専門員の交代について相談した。",
    "18歳を迎える医ケア者のサービス移行の相談",
    "成人の相談支援事業所に空きを確認",
)
COMMUNITY_SCENARIOS = [
    Scenario(
        "meeting-attendance",
        "consultation-coordinator",
        ("meeting-other",),
        "",
        "区内医療的ケア児等コーディネーター連絡会",
    ),
    Scenario(
        "community-capacity",
        "consultation-specialist",
        ("online",),
        "",
        "医ケア児の経験が少ない相談支援専門員との事例の振り返り",
    ),
    Scenario("data-work", "other", ("other",), "", "障害福祉課への提出データの集計"),
]
# The organization of a counterpart with no directory entry (as the FY2025 demo names them).
FREE_TEXT = {"consultation-coordinator": "区内医ケア児等コーディネーター", "other": "事業所内"}
DURATIONS = [10, 15, 20, 30, 45, 60]

# The two new families (all fictional): name, kana, guardian, the scenario of their logs.
NEW_CLIENTS = {
    "age_18": ("北村 蒼空", "キタムラ ソラ", "北村 奈緒", ADULT_SCENARIO),
    "school": ("南 結菜", "ミナミ ユナ", "南 千夏", SCHOOL_SCENARIO),
}
FOLLOW_UP_ACTIONS = {s.follow_up for s in [*CLIENT_SCENARIOS, SCHOOL_SCENARIO, ADULT_SCENARIO] if s.follow_up} | {
    "関係機関に確認して折り返し連絡"  # the FY2025 demo's follow-ups (builders.build_logs)
}
REFERRAL_PURPOSE_END = "の利用に向けた相談"  # every demo referral's purpose ends so


@dataclass(frozen=True)
class OfficeProfile:
    """How busy an office of the demo is, and who works there: the present is built to it."""

    coordinators: tuple[str, ...]  # usernames; the first logs the most and sees the new families
    families: tuple[int, ...]  # how many families each coordinator's present logs are about
    follow_ups: tuple[tuple[int, int, int], ...]  # per coordinator: (overdue, due this week, next week)
    busy_counts: tuple[int, ...] = (1, 2, 3)  # logs on an opening day of the last six weeks (one drawn)
    sparse: float = 0.5  # chance of a log on an opening day before the last six weeks
    new_clients: dict = field(default_factory=dict)  # as NEW_CLIENTS
    # The monthly network meeting: name, venue, audience, participants.
    meeting: tuple[str, str, str, int] = ("", "", "", 0)


# The first demo office, 北区 (the seed's).
KITA = OfficeProfile(
    coordinators=("coordinator", "coordinator2"),
    families=(6, 2),
    follow_ups=((3, 4, 2), (1, 2, 1)),
    new_clients=NEW_CLIENTS,
    meeting=("北区医療的ケア児等支援連絡会", "対面・北区役所", "障害福祉課・保育課・保健センター・相談支援事業所", 12),
)


def activity_start(today: date, *, after: date | None = None) -> date | None:
    """The first day the present may be dated: the fiscal year's start (at least six weeks back),
    never in FY2025 and after the day `after`; None when there is no such day up to today."""
    start = FiscalPeriod(fiscal_year_of(today)).start
    start = min(start, today - timedelta(days=BUSY_DAYS))
    start = max(start, FY2025_END + timedelta(days=1))
    if after is not None:
        start = max(start, after + timedelta(days=1))
    return start if start <= today else None


def week_end(today: date) -> date:
    """Sunday of today's week (Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


class DemoToday:
    """Builds the demo's present for `today` in `office` (see the module's docstring)."""

    def __init__(self, office: Office, today: date, *, after: date | None = None, profile: OfficeProfile = KITA):
        self.office = office
        self.today = today
        self.profile = profile
        self.start = activity_start(today, after=after)
        seed_text = f"tsunagu-demo-{today.isoformat()}" if profile is KITA else f"tsunagu-demo-{office.name}-{today}"
        self.rng = random.Random(seed_text)
        self.coordinators = [User.objects.get(username=username, office=office) for username in profile.coordinators]
        self.methods = {m.code: m for m in ContactMethod.objects.all()}
        self.types = {t.code: t for t in ActivityType.objects.all()}
        self.categories = {c.code: c for c in CounterpartCategory.objects.all()}
        self.providers: dict[str, list[Provider]] = {}
        for provider in Provider.objects.filter(is_active=True).select_related("category").order_by("pk"):
            self.providers.setdefault(provider.category.counterpart_category.code, []).append(provider)

    @transaction.atomic
    def build(self) -> list[ContactLog]:
        """Everything for the day; the logs made (none before FY2025 ended)."""
        # Logs end yesterday: one dated today would often be later than the time it is loaded.
        self.days = (
            self.office.calendar().opening_days(self.start, self.today - timedelta(days=1)) if self.start else []
        )
        if not self.days:
            return []
        self.close_stale()
        new_clients = self.build_new_clients()
        logs = self.build_logs(new_clients)
        self.build_follow_ups(logs)
        self.build_referrals()
        self.build_events()
        return logs

    # --- what an earlier run left behind -------------------------------------------------

    def close_stale(self) -> None:
        """The demo's own follow-ups and referrals long past their date are done and answered.

        Dated on their due date or the first day after FY2025, whichever is later; a user's own
        follow-ups (other texts) and referrals are left as they are.
        """
        cutoff = self.today - timedelta(days=STALE_DAYS)
        first_day = FY2025_END + timedelta(days=1)
        stale = FollowUp.objects.for_office(self.office).open().filter(due_on__lt=cutoff, action__in=FOLLOW_UP_ACTIONS)
        for follow_up in stale.select_related("assignee", "contact_log").order_by("pk"):
            done_on = max(follow_up.due_on, first_day)
            if follow_up.contact_log_id:
                done_on = max(done_on, follow_up.contact_log.occurred_on)
            follow_up_done(
                follow_up=follow_up,
                expected_version=follow_up.version,
                user=follow_up.assignee,
                done_on=min(done_on, self.today),
                outcome="対応済み",
            )
        waiting = (
            Referral.objects.for_office(self.office)
            .waiting_for_answer()
            .filter(answer_due_on__lt=cutoff, purpose__endswith=REFERRAL_PURPOSE_END)
            .select_related("coordinator")
            .order_by("pk")
        )
        for referral in waiting:
            last_step = referral.steps.order_by("-on").values_list("on", flat=True).first() or first_day
            day = min(max(referral.answer_due_on, first_day, last_step), self.today)
            referral_move(
                referral=referral,
                expected_version=referral.version,
                user=referral.coordinator,
                target=ReferralState.ACCEPTED,
                on=day,
            )

    # --- new families with a transition coming ------------------------------------------

    def build_new_clients(self) -> list[Client]:
        """A young person turning 18 in about six weeks and a child entering school next April.

        Made once: a later run finds them by name and leaves them as they are.
        """
        today = self.today
        entry_year = today.year + 1 if today.month >= 4 else today.year
        birth_dates = {
            "age_18": birthday(today + timedelta(days=45), -18),
            "school": date(entry_year - 7, 10, 15),  # born October: enters school in April `entry_year`
        }
        procedures = {p.code: p for p in MedicalCareProcedure.objects.all()}
        districts = office_districts(self.office)
        clients = []
        for key, (name, kana, guardian, _) in self.profile.new_clients.items():
            client = Client.objects.for_office(self.office).filter(name=name).first()
            if client is None:
                coordinator = self.coordinators[0]
                chosen = ["tracheostomy", "ventilator", "suction"] if key == "age_18" else ["tube-feeding", "suction"]
                client = client_create(
                    office=self.office,
                    user=coordinator,
                    procedures=[procedures[code] for code in chosen if code in procedures],
                    guardians=[GuardianEntry(name=guardian, relationship="母", phone="090-0000-9901", is_primary=True)],
                    name=name,
                    name_kana=kana,
                    birth_date=birth_dates[key],
                    district=districts[0] if districts else None,
                    has_medical_care=True,
                    status=ClientStatus.ACTIVE,
                    assigned_coordinator=coordinator,
                    consent_obtained_on=self.start,
                    consent_scope="区の障害福祉課・保健センター、主治医、訪問看護ステーション、通所先との情報共有",
                    consent_taken_by=coordinator,
                    notes="新規の相談。"
                    + ("18歳以降の支援の移行を準備中。" if key == "age_18" else "来年4月に就学予定。"),
                )
            clients.append(client)
        return clients

    # --- contact logs ----------------------------------------------------------------------

    def _families(self) -> list[tuple[Client, User]]:
        """Each coordinator's few families (six and two in 北区), each with their coordinator."""
        rng = self.rng
        clients = list(
            Client.objects.for_office(self.office)
            .exclude(status=ClientStatus.CLOSED)
            .filter(has_medical_care=True, birth_date__gt=self.today - timedelta(days=18 * 365))
            .exclude(name__in=[name for name, *_ in self.profile.new_clients.values()])
            .select_related("assigned_coordinator")
            .order_by("pk")
        )
        chosen = []
        for coordinator, count in zip(self.coordinators, self.profile.families):
            theirs = [c for c in clients if c.assigned_coordinator_id == coordinator.pk]
            chosen += rng.sample(theirs, min(count, len(theirs)))
        return [(client, client.assigned_coordinator or self.coordinators[0]) for client in chosen]

    def _log(self, scenario: Scenario, day: date, coordinator: User, client: Client | None) -> ContactLog:
        rng = self.rng
        category = self.categories[scenario.counterpart]
        providers = self.providers.get(scenario.counterpart)
        if providers:
            counterpart = CounterpartEntry(category=category, provider=rng.choice(providers[:6]))
        else:
            counterpart = CounterpartEntry(category=category, organization_name=FREE_TEXT.get(scenario.counterpart, ""))
        in_report = bool(scenario.summary) and rng.random() < 0.6
        return contact_log_create(
            office=self.office,
            coordinator=coordinator,
            occurred_on=day,
            method=self.methods[rng.choice(scenario.methods)],
            activity_types=[self.types[scenario.activity]],
            counterparts=[counterpart],
            started_at=time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])),
            duration_minutes=rng.choice(DURATIONS),
            client=client,
            report_summary=scenario.summary if in_report else "",
            include_in_report=in_report,
            confidential_notes=scenario.note,
        )

    def build_logs(self, new_clients: list[Client]) -> list[ContactLog]:
        """1–3 logs on each opening day of the last six weeks up to yesterday, about every other one before."""
        rng = self.rng
        families = self._families()
        busy_from = self.today - timedelta(days=BUSY_DAYS)
        days = self.days
        logs = []
        for index, day in enumerate(days):
            last = index == len(days) - 1
            count = (
                rng.choice(self.profile.busy_counts) if day >= busy_from else int(rng.random() < self.profile.sparse)
            )
            for number in range(max(count, 1 if last else 0)):
                if last and number == 0 or not families:
                    # The last opening day always has a log of the first coordinator: the home page's latest.
                    scenario, coordinator = rng.choice(CLIENT_SCENARIOS), self.coordinators[0]
                    client = next((c for c, who in families if who == coordinator), None)
                    if client is None and new_clients:
                        client = new_clients[0]
                elif rng.random() < 0.15:
                    scenario, client = rng.choice(COMMUNITY_SCENARIOS), None
                    coordinator = rng.choice(self.coordinators)
                else:
                    client, coordinator = rng.choice(families)
                    scenario = rng.choice(CLIENT_SCENARIOS)
                logs.append(self._log(scenario, day, coordinator, client))
        # The new families' first contacts, within the busy weeks.
        recent = [day for day in days if day >= busy_from]
        for client, (_, _, _, scenario) in zip(new_clients, self.profile.new_clients.values()):
            for day in sorted(rng.sample(recent, min(2, len(recent)))):
                logs.append(self._log(scenario, day, self.coordinators[0], client))
        return logs

    # --- follow-ups ------------------------------------------------------------------------

    def build_follow_ups(self, logs: list[ContactLog]) -> None:
        """Per coordinator: a few overdue, several due this week, some next week; older ones done."""
        rng = self.rng
        today, sunday = self.today, week_end(self.today)
        actions = {s.note: s.follow_up for s in [*CLIENT_SCENARIOS, SCHOOL_SCENARIO, ADULT_SCENARIO]}
        for coordinator, (overdue, this_week, next_week) in zip(self.coordinators, self.profile.follow_ups):
            candidates, seen = [], set()
            # Newest first, one log per action and client, so that the home page's list reads varied.
            for log in sorted(logs, key=lambda log: (log.occurred_on, log.pk), reverse=True):
                action = actions.get(log.confidential_notes)
                if log.coordinator_id == coordinator.pk and action and (action, log.client_id) not in seen:
                    seen.add((action, log.client_id))
                    candidates.insert(0, log)
            # The latest ones are still open; the overdue ones came a few days before; earlier ones are done.
            upcoming = candidates[-(this_week + next_week) :] if candidates else []
            rest = candidates[: len(candidates) - len(upcoming)]
            late = [log for log in rest if log.occurred_on <= today - timedelta(days=3)][-overdue:] if overdue else []
            done = [log for log in rest if log not in late][-6:]
            due_dates = [
                *(_random_day(rng, today, sunday) for _ in range(this_week)),
                *(_random_day(rng, sunday + timedelta(days=1), sunday + timedelta(days=7)) for _ in range(next_week)),
            ]
            for log, due_on in zip(upcoming, sorted(due_dates)):
                self._follow_up(log, actions, due_on=due_on)
            for log in late:
                self._follow_up(
                    log,
                    actions,
                    due_on=_random_day(rng, log.occurred_on + timedelta(days=2), today - timedelta(days=1)),
                )
            for log in done:
                due_on = log.occurred_on + timedelta(days=rng.randint(3, 10))
                follow_up = self._follow_up(log, actions, due_on=due_on)
                follow_up_done(
                    follow_up=follow_up,
                    expected_version=follow_up.version,
                    user=log.coordinator,
                    done_on=min(due_on - timedelta(days=1), today),
                    outcome="母に連絡し、了承を得た。",
                )

    def _follow_up(self, log: ContactLog, actions: dict[str, str], *, due_on: date) -> FollowUp:
        return follow_up_create(
            office=self.office,
            created_by=log.coordinator,
            action=actions[log.confidential_notes],
            due_on=max(due_on, log.occurred_on),
            contact_log=log,
        )

    # --- referrals -------------------------------------------------------------------------

    def build_referrals(self) -> None:
        """Two referrals sent and waiting for an answer: one due next week, one a few days late."""
        rng = self.rng
        today = self.today
        consents = [
            consent
            for consent in Consent.objects.filter(client__office=self.office, client__status=ClientStatus.ACTIVE)
            .in_force_on(self.start)
            .select_related("client", "recorded_by")
            .prefetch_related("categories")
            .order_by("pk")
            if consent.recorded_by.office_id == self.office.pk
            and not consent.client.referrals.exists()  # one referral in progress per family, its own consent
        ]
        plans = [(12, 10), (3, 10)]  # (sent this many days ago, answer due so many days after sending)
        for (days_ago, answer_in), consent in zip(plans, rng.sample(consents, min(len(consents), len(plans)))):
            kinds = [
                c for c in consent.categories.all() if c.code in ("visiting-nurse", "child-development", "short-stay")
            ]
            kinds = kinds or [c for c in consent.categories.all() if Provider.objects.filter(category=c).exists()]
            if not kinds:
                continue
            category = rng.choice(kinds)
            sent_on = max(today - timedelta(days=days_ago), self.start)
            coordinator = consent.client.assigned_coordinator or self.coordinators[0]
            referral = referral_create(
                office=self.office,
                created_by=coordinator,
                client=consent.client,
                provider=rng.choice(
                    list(Provider.objects.filter(category=category, is_active=True).order_by("pk")[:8])
                ),
                purpose=f"{category.name}{REFERRAL_PURPOSE_END}",
                coordinator=coordinator,
                procedures=list(consent.client.procedures.all()),
                shared_items=[SharedItem.IDENTITY, SharedItem.PROCEDURES, SharedItem.GUARDIAN_CONTACT],
                answer_due_on=sent_on + timedelta(days=answer_in),
                on=sent_on,
            )
            referral_move(
                referral=referral,
                expected_version=referral.version,
                user=coordinator,
                target=ReferralState.REQUESTED,
                on=sent_on,
            )

    # --- events ----------------------------------------------------------------------------

    def build_events(self) -> None:
        """The ward's network meeting, on the third Wednesday of each month (when it is in the range)."""
        name, venue, audience, participants = self.profile.meeting
        if not name:
            return
        first = self.start.replace(day=1)
        while first <= self.today:
            day = first + timedelta(days=(2 - first.weekday()) % 7 + 14)
            if self.start <= day <= self.today:
                event_create(
                    office=self.office,
                    user=self.coordinators[0],
                    kind="meeting",
                    role="参加",
                    name=name,
                    held_on=day,
                    started_at=time(14, 0),
                    method_venue=venue,
                    topic="各機関の近況と医療的ケア児の支援の課題",
                    audience=audience,
                    participant_count=participants,
                )
            first = (first + timedelta(days=32)).replace(day=1)


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def demo_today(office: Office, today: date, profile: OfficeProfile = KITA) -> list[ContactLog]:
    """Adds the present when the office has no log in the last two weeks; the logs made (often none).

    The first run after the FY2025 build adds it; a second run on the same day finds the logs it
    made and changes nothing; a run weeks later adds it again after the office's latest log.
    """
    latest = ContactLog.objects.for_office(office).filter(occurred_on__lte=today).order_by("-occurred_on").first()
    if latest is not None and latest.occurred_on > today - timedelta(days=STALE_DAYS):
        return []
    return DemoToday(office, today, after=latest.occurred_on if latest else None, profile=profile).build()
