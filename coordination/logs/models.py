"""相談・支援・活動記録 (contact logs), their counterparts, and the trees of methods and activity types they count under."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Min, Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet, User
from common.encryption import EncryptedTextField
from coordination.clients.models import Client
from directory.models import (
    CategoryNode,
    CounterpartCategory,
    Provider,
)


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

    def first_contact_client_ids(self, start: date, end: date):
        """Ids of the clients whose first log among these (imported ones too, any fiscal year) is
        dated from `start` to `end`: the 新規 of a period. One query (GROUP BY client … HAVING),
        or a subquery when used in `pk__in=`."""
        return (
            self.filter(client__isnull=False)
            .values("client")
            .annotate(first_contact_on=Min("occurred_on"))
            .filter(first_contact_on__range=(start, end))
            .values_list("client", flat=True)
            .order_by()
        )


LEAF = {"children__isnull": True}


# Module-level so that coordination.services can write one history record per saved log,
# after the activity types and counterparts are in place (simple-history's own signals would
# write one for the row and one more for each change of the activity types).
CONTACT_LOG_HISTORY = HistoricalRecords(
    verbose_name="相談・支援・活動記録の変更履歴",
    verbose_name_plural="相談・支援・活動記録の変更履歴",
    m2m_fields=["activity_types"],
)


class SupportKind(models.TextChoices):
    """個別支援 (about a child or family) or 地域支援 (about the local support system)."""

    INDIVIDUAL = "individual", "個別支援"
    COMMUNITY = "community", "地域支援"

    @classmethod
    def default_for(cls, client) -> "SupportKind":
        """The kind a log gets when none is chosen: 個別 with a client (or its id), 地域 without."""
        return cls.INDIVIDUAL if client is not None else cls.COMMUNITY


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
        Client,
        verbose_name="相談対象者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_logs",
        help_text="地域づくりなど対象者のいない活動は空欄",
    )
    support_kind = models.CharField(
        "支援の種類",
        max_length=12,
        choices=SupportKind,
        help_text="対象者のいる記録は個別支援、いない記録は地域支援が既定",
    )
    method = models.ForeignKey(
        ContactMethod,
        verbose_name="方法",
        on_delete=models.PROTECT,
        related_name="contact_logs",
        limit_choices_to=LEAF,
    )
    activity_types = models.ManyToManyField(
        ActivityType, verbose_name="種別", related_name="contact_logs", limit_choices_to=LEAF
    )
    report_summary = models.CharField(
        "報告書用の要約",
        max_length=200,
        blank=True,
        help_text="一行・匿名で。氏名や住所は書かない",
    )
    include_in_report = models.BooleanField("報告書に載せる", default=False)
    confidential_notes = EncryptedTextField("記録（要配慮・報告書には出ない）", blank=True)
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
            # A coordinator's latest logs (the home page): the newest first without reading all of them.
            models.Index(fields=["coordinator", "-occurred_on"], name="coordination_log_coordinator"),
        ]

    def __str__(self):
        return f"{self.occurred_on:%Y-%m-%d} {self.method.label}"

    def save(self, *args, **kwargs):
        # The services choose the kind; a log saved without one (a test, a shell) still gets the default.
        if not self.support_kind:
            self.support_kind = SupportKind.default_for(self.client_id)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.include_in_report and not self.report_summary.strip():
            errors["report_summary"] = "報告書に載せる場合は要約を入力してください。"
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
        CounterpartCategory,
        verbose_name="区分",
        on_delete=models.PROTECT,
        related_name="counterparts",
        limit_choices_to=LEAF,
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="機関・事業所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counterparts",
    )
    organization_name = models.CharField(
        "機関名（ディレクトリにない場合）",
        max_length=200,
        blank=True,
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
