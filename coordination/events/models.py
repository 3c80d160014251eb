"""Outreach, meetings, trainings and other themes (report sections 6–8)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet
from coordination.logs.models import ContactLog


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
    role = models.CharField(
        "関わり方", max_length=50, blank=True, help_text="参加・講師・開催・司会進行と運営サポートなど"
    )
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
        "参加者数の表記",
        max_length=100,
        blank=True,
        help_text="「30名程度」「学生70名 教員4名」など。空欄なら「N名」",
    )
    # When the event is also a counted activity, its contact log carries the counts.
    contact_log = models.OneToOneField(
        ContactLog,
        verbose_name="対応する記録",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event",
    )
    # Optimistic locking: an edit must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
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
