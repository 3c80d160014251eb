"""A report's life after it is computed: the supervisor's edited texts and its finalized versions."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Office
from coordination.fiscal import FiscalPeriod


class QuarterlyReport(models.Model):
    """One office's report for one period: the draft's edited texts and its finalized versions."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="quarterly_reports", verbose_name="事業所"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    first_quarter = models.PositiveSmallIntegerField("最初の四半期")
    last_quarter = models.PositiveSmallIntegerField("最後の四半期")
    # Edited free texts; an empty schedule or a missing entry means "as generated from the data".
    schedule = models.CharField("開所日時の表記", max_length=200, blank=True)
    texts = models.JSONField("編集した主な内容", default=dict, blank=True)  # {"3": {leaf code: text}, "5": {…}}
    # False while the latest finalized version stands; True while a new draft is being prepared.
    draft_open = models.BooleanField("下書き中", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新者",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # The report page's 変更履歴: text edits, finalizations and new drafts (reporting.history).
    history = HistoricalRecords(verbose_name="業務報告書の変更履歴", verbose_name_plural="業務報告書の変更履歴")

    class Meta:
        verbose_name = verbose_name_plural = "業務報告書"
        permissions = [
            ("finalize_quarterlyreport", "業務報告書を確定できる"),
            # センター職員: every office's counts and finalized reports (the centre page), no personal data.
            ("view_centre", "すべての事業所の集計と確定した業務報告書を見られる"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "fiscal_year", "first_quarter", "last_quarter"],
                name="reporting_quarterlyreport_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    first_quarter__gte=1, last_quarter__lte=4, first_quarter__lte=models.F("last_quarter")
                ),
                name="reporting_quarterlyreport_quarter_range",
            ),
        ]

    def __str__(self):
        return f"{self.office} {self.period.label}"

    @property
    def period(self) -> FiscalPeriod:
        return FiscalPeriod(self.fiscal_year, self.first_quarter, self.last_quarter)

    @property
    def edit_token(self) -> str:
        """The draft's version as an editor read it, for the texts form's optimistic lock: any save
        (texts, finalizing, a new draft) moves updated_at, so a form read before it is stale."""
        return self.updated_at.isoformat() if self.updated_at else ""


class ReportVersion(models.Model):
    """A finalized report: its data and every format's file, frozen byte for byte."""

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.PROTECT, related_name="versions", verbose_name="業務報告書"
    )
    number = models.PositiveSmallIntegerField("版")
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="確定した人"
    )
    finalized_at = models.DateTimeField("確定日時")
    data = models.JSONField("内容")
    html = models.BinaryField("HTMLファイル")
    xlsx = models.BinaryField("Excelファイル")
    pdf = models.BinaryField("PDFファイル")
    json = models.BinaryField("JSONファイル")

    class Meta:
        verbose_name = verbose_name_plural = "確定した業務報告書"
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reporting_reportversion_one_number_per_report"),
        ]

    def __str__(self):
        return f"{self.report} 第{self.number}版"

    def file(self, identifier: str) -> bytes:
        return bytes(getattr(self, identifier))


class ReportFile(models.Model):
    """A report file made by the background worker (reporting/tasks.py), kept under the data it was made from.

    `key` is a hash of everything the file is made of (the report's data, the prior period's when the
    file compares, the format, its options and the renderer's code: reporting.files.file_key), so an
    unchanged draft finds its file again and a changed one never does: a cache that cannot be stale.
    A cache, not a record: no change history; only the latest file of each report, format and options
    is kept (reporting.files.prune). A finalized version's own files (ReportVersion) are filled from
    rows with `version` set.
    """

    class State(models.TextChoices):
        PENDING = "pending", "作成中"
        READY = "ready", "作成済み"
        FAILED = "failed", "失敗"

    key = models.CharField("内容のハッシュ", max_length=64, unique=True)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", verbose_name="事業所")
    kind = models.CharField("報告書の種類", max_length=20)
    fiscal_year = models.PositiveSmallIntegerField("年度")
    first_quarter = models.PositiveSmallIntegerField("最初の四半期")
    last_quarter = models.PositiveSmallIntegerField("最後の四半期")
    format = models.CharField("形式", max_length=10)
    compare = models.BooleanField("前年同期つき", default=False)
    charts = models.BooleanField("グラフつき", default=False)
    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="確定した版"
    )
    # What the worker renders: {"report": report_to_dict(…), "previous": … or None, "made_at": ISO or None}.
    source = models.JSONField("元のデータ")
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    content = models.BinaryField("ファイル", null=True, blank=True)
    error = models.TextField("失敗の内容", blank=True)
    requested_at = models.DateTimeField("依頼日時", auto_now_add=True)
    finished_at = models.DateTimeField("作成日時", null=True, blank=True)
    render_seconds = models.FloatField("作成にかかった秒数", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "報告書のファイル（作成済みの控え）"
        indexes = [
            models.Index(
                fields=["office", "kind", "fiscal_year", "first_quarter", "last_quarter", "format"],
                name="reporting_reportfile_slot",
            ),
        ]

    def __str__(self):
        return f"{self.office} {self.kind} {self.fiscal_year}年度 {self.format} ({self.get_state_display()})"
