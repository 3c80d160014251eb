"""Clients, contact logs and events of an office."""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, User
from directory.models import (
    CategoryNode,
    CounterpartCategory,
    District,
    MedicalCareProcedure,
    Provider,
)

from .age_bands import AgeBand, age_band


class OfficeScopedQuerySet(models.QuerySet):
    def for_office(self, office):
        return self.filter(office=office)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "支援中"
    WATCHING = "watching", "見守り"
    CLOSED = "closed", "終結"


# Module-level so that coordination.services can write one history record per saved client,
# after the procedures are in place (as CONTACT_LOG_HISTORY does for a log's activity types).
CLIENT_HISTORY = HistoricalRecords(
    verbose_name="相談対象者の変更履歴", verbose_name_plural="相談対象者の変更履歴", m2m_fields=["procedures"],
)


class Client(models.Model):
    """相談対象者: a child (or adult) the office supports."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="clients")
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    district = models.ForeignKey(
        District, verbose_name="地区", null=True, blank=True, on_delete=models.PROTECT, related_name="clients"
    )
    # A client outside the ward has no district but names where they live; neither → 不明.
    municipality_outside = models.CharField("区外の住所地（区市町村）", max_length=50, blank=True)
    has_medical_care = models.BooleanField("医療的ケアあり", default=False)
    procedures = models.ManyToManyField(
        MedicalCareProcedure, verbose_name="医療的ケアの内容", blank=True, related_name="clients"
    )
    age_band_override = models.CharField(
        "年齢区分の上書き", max_length=20, choices=AgeBand.choices, blank=True,
        help_text="就学猶予など、生年月日から決まる区分と違う場合だけ",
    )
    age_band_override_reason = models.CharField("上書きの理由", max_length=200, blank=True)
    status = models.CharField("状況", max_length=20, choices=ClientStatus, default=ClientStatus.ACTIVE)
    assigned_coordinator = models.ForeignKey(
        User, verbose_name="担当コーディネーター", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_clients",
    )
    consent_obtained_on = models.DateField("情報共有の同意日", null=True, blank=True)
    consent_scope = models.CharField("同意の範囲", max_length=300, blank=True)
    consent_taken_by = models.ForeignKey(
        User, verbose_name="同意を得た職員", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField("メモ（要配慮）", blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # The procedures are tracked with each record: the client page shows what a change did to them.
    history = CLIENT_HISTORY

    objects = OfficeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "相談対象者"
        verbose_name_plural = "相談対象者"
        ordering = ["name_kana", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_band_override="") | ~Q(age_band_override_reason=""),
                name="coordination_client_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(district__isnull=True) | Q(municipality_outside=""),
                name="coordination_client_district_or_outside",
            ),
        ]
        indexes = [
            # Client list: search by フリガナ within an office.
            models.Index(fields=["office", "name_kana"], name="coordination_client_kana"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.age_band_override and not self.age_band_override_reason.strip():
            raise ValidationError({"age_band_override_reason": "年齢区分を上書きする場合は理由を入力してください。"})
        if self.district_id and self.municipality_outside:
            raise ValidationError({"municipality_outside": "区内の地区と区外の住所地は、どちらか一方だけ入力してください。"})

    def age_band_for(self, fiscal_year: int) -> AgeBand:
        """The client's band of report section 1 in a fiscal year (the override wins)."""
        if self.age_band_override:
            return AgeBand(self.age_band_override)
        return age_band(self.birth_date, fiscal_year)


class Guardian(models.Model):
    client = models.ForeignKey(Client, verbose_name="相談対象者", on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField("氏名", max_length=100)
    relationship = models.CharField("続柄", max_length=30)
    phone = models.CharField("電話", max_length=30, blank=True)
    email = models.EmailField("メール", blank=True)
    is_primary = models.BooleanField("主な連絡先", default=False)

    history = HistoricalRecords(
        verbose_name="保護者・家族の連絡先の変更履歴", verbose_name_plural="保護者・家族の連絡先の変更履歴"
    )

    class Meta:
        verbose_name = "保護者・家族の連絡先"
        verbose_name_plural = "保護者・家族の連絡先"
        ordering = ["client", "-is_primary", "id"]

    def __str__(self):
        return f"{self.name}（{self.relationship}）"


class ContactMethod(CategoryNode):
    """相談・支援・活動方法 (report section 4)."""

    class Meta(CategoryNode.Meta):
        verbose_name = "相談・支援・活動方法"
        verbose_name_plural = "相談・支援・活動方法"


class ActivityType(CategoryNode):
    """相談・活動の種別 (report section 5)."""

    class Meta(CategoryNode.Meta):
        verbose_name = "相談・活動の種別"
        verbose_name_plural = "相談・活動の種別"


class ContactLogQuerySet(OfficeScopedQuerySet):
    def between(self, start: date, end: date):
        return self.filter(occurred_on__range=(start, end))

    def in_period(self, period):
        """Logs dated within a FiscalPeriod (or anything with `start` and `end`)."""
        return self.between(period.start, period.end)

    def open_follow_ups(self):
        return self.filter(follow_up_due_on__isnull=False, follow_up_done_on__isnull=True)


LEAF = {"children__isnull": True}

# Module-level so that coordination.services can write one history record per saved log,
# after the activity types and counterparts are in place (simple-history's own signals would
# write one for the row and one more for each change of the activity types).
CONTACT_LOG_HISTORY = HistoricalRecords(
    verbose_name="相談・支援・活動記録の変更履歴", verbose_name_plural="相談・支援・活動記録の変更履歴",
    m2m_fields=["activity_types"],
)


class ContactLog(models.Model):
    """相談・支援・活動記録: one call, visit, meeting or piece of community work."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="contact_logs")
    occurred_on = models.DateField("日付")
    started_at = models.TimeField("開始時刻", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("所要時間（分）", null=True, blank=True)
    coordinator = models.ForeignKey(
        User, verbose_name="コーディネーター", on_delete=models.PROTECT, related_name="contact_logs"
    )
    client = models.ForeignKey(
        Client, verbose_name="相談対象者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="contact_logs", help_text="地域づくりなど対象者のいない活動は空欄",
    )
    method = models.ForeignKey(
        ContactMethod, verbose_name="方法", on_delete=models.PROTECT, related_name="contact_logs",
        limit_choices_to=LEAF,
    )
    activity_types = models.ManyToManyField(
        ActivityType, verbose_name="種別", related_name="contact_logs", limit_choices_to=LEAF
    )
    report_summary = models.CharField(
        "報告書用の要約", max_length=200, blank=True, help_text="一行・匿名で。氏名や住所は書かない",
    )
    include_in_report = models.BooleanField("報告書に載せる", default=False)
    confidential_notes = models.TextField("記録（要配慮・報告書には出ない）", blank=True)
    follow_up_action = models.CharField("次の対応", max_length=200, blank=True)
    follow_up_due_on = models.DateField("対応期限", null=True, blank=True)
    follow_up_done_on = models.DateField("対応済みの日", null=True, blank=True)
    # Optimistic locking: an edit must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # The activity types are tracked with each record: the log page shows what a change did to them.
    history = CONTACT_LOG_HISTORY

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        verbose_name = "相談・支援・活動記録"
        verbose_name_plural = "相談・支援・活動記録"
        ordering = ["-occurred_on", "-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(include_in_report=True, report_summary=""),
                name="coordination_contactlog_included_has_summary",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_due_on__isnull=True) | ~Q(follow_up_action=""),
                name="coordination_contactlog_follow_up_has_action",
            ),
        ]
        indexes = [
            # The quarterly report and the log list filter an office's logs by date. The report's
            # counts by day, method and client read this index alone (it covers their columns).
            models.Index(
                fields=["office", "occurred_on", "method", "client", "started_at"], name="coordination_log_report"
            ),
            # The report's §5 texts: the few logs marked for the report.
            models.Index(
                fields=["office", "occurred_on"], condition=Q(include_in_report=True), name="coordination_log_in_report"
            ),
            # A coordinator's home page: my open follow-ups by due date.
            models.Index(fields=["coordinator", "follow_up_due_on"], name="coordination_log_follow_up"),
        ]

    def __str__(self):
        return f"{self.occurred_on:%Y-%m-%d} {self.method.label}"

    def clean(self):
        errors = {}
        if self.include_in_report and not self.report_summary.strip():
            errors["report_summary"] = "報告書に載せる場合は要約を入力してください。"
        if self.follow_up_due_on and not self.follow_up_action.strip():
            errors["follow_up_action"] = "対応期限を入れる場合は次の対応を入力してください。"
        if self.method_id and self.method.children.exists():
            errors["method"] = "方法は一番下の区分から選んでください。"
        if errors:
            raise ValidationError(errors)


class Counterpart(models.Model):
    """相談者・相手先: one party of a contact log, counted in report section 3."""

    contact_log = models.ForeignKey(
        ContactLog, verbose_name="記録", on_delete=models.CASCADE, related_name="counterparts"
    )
    category = models.ForeignKey(
        CounterpartCategory, verbose_name="区分", on_delete=models.PROTECT, related_name="counterparts",
        limit_choices_to=LEAF,
    )
    provider = models.ForeignKey(
        Provider, verbose_name="機関・事業所", null=True, blank=True, on_delete=models.PROTECT,
        related_name="counterparts",
    )
    organization_name = models.CharField(
        "機関名（ディレクトリにない場合）", max_length=200, blank=True,
        help_text="家族の場合は空欄。個人の氏名は書かない",
    )

    history = HistoricalRecords(verbose_name="相談者・相手先の変更履歴", verbose_name_plural="相談者・相手先の変更履歴")

    class Meta:
        verbose_name = "相談者・相手先"
        verbose_name_plural = "相談者・相手先"
        ordering = ["contact_log", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=True) | Q(organization_name=""),
                name="coordination_counterpart_provider_or_text",
            ),
        ]

    def __str__(self):
        return f"{self.category.label} {self.organization_label}".strip()

    @property
    def organization_label(self) -> str:
        return self.provider.name if self.provider_id else self.organization_name

    def clean(self):
        if self.provider_id and self.organization_name:
            raise ValidationError("機関はディレクトリから選ぶか、名称を入力するか、どちらか一方にしてください。")


class EventKind(models.TextChoices):
    """The lists of report sections 6–8."""

    OUTREACH = "outreach", "周知活動等"
    MEETING = "meeting", "会議"
    TRAINING = "training", "研修"
    OTHER = "other", "その他"


class EventScope(models.TextChoices):
    IN_WARD = "in_ward", "区内"
    OUTSIDE_WARD = "outside_ward", "区外"


class EventQuerySet(OfficeScopedQuerySet):
    def in_period(self, period):
        return self.filter(held_on__range=(period.start, period.end))


class Event(models.Model):
    """Outreach, a meeting, a training or another theme (report sections 6–8), entered once."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("種類", max_length=20, choices=EventKind)
    role = models.CharField("関わり方", max_length=50, blank=True, help_text="参加・講師・開催・司会進行と運営サポートなど")
    scope = models.CharField("区内・区外", max_length=20, choices=EventScope, blank=True)
    name = models.CharField("名称（実施機関・会議名・研修名・テーマ）", max_length=200)
    held_on = models.DateField("実施日")
    started_at = models.TimeField("開始時刻", null=True, blank=True)
    ends_on = models.DateField("終了日（期間がある場合）", null=True, blank=True)
    method_venue = models.CharField("方法・会場", max_length=200, blank=True)
    topic = models.TextField("内容・主な議題・テーマ", blank=True)
    audience = models.CharField("対象", max_length=300, blank=True)
    participant_count = models.PositiveIntegerField("参加者数", null=True, blank=True)
    participant_note = models.CharField(
        "参加者数の表記", max_length=100, blank=True, help_text="「30名程度」「学生70名 教員4名」など。空欄なら「N名」",
    )
    # When the event is also a counted activity, its contact log carries the counts.
    contact_log = models.OneToOneField(
        ContactLog, verbose_name="対応する記録", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="event",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords(
        verbose_name="周知活動・会議・研修などの変更履歴", verbose_name_plural="周知活動・会議・研修などの変更履歴"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "周知活動・会議・研修など"
        verbose_name_plural = "周知活動・会議・研修など"
        ordering = ["held_on", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("held_on")),
                name="coordination_event_period_order",
            ),
        ]
        indexes = [
            # Report sections 6–8: an office's events in a period.
            models.Index(fields=["office", "held_on"], name="coordination_event_date"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.name}"

    @property
    def participants_label(self) -> str:
        """As the report shows it: the note when given, else `N名`."""
        if self.participant_note:
            return self.participant_note
        if self.participant_count is not None:
            return f"{self.participant_count}名"
        return ""

    def clean(self):
        if self.ends_on and self.ends_on < self.held_on:
            raise ValidationError({"ends_on": "終了日は実施日より後にしてください。"})
