"""次の対応 (follow-ups): something to do by a date, for a client, a log or a referral, until it is done."""

from datetime import date

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet, User
from coordination.clients.models import Client
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral


class FollowUpQuerySet(OfficeScopedQuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def done(self):
        return self.filter(done_on__isnull=False)

    def overdue(self, today: date):
        return self.open().filter(due_on__lt=today)


class FollowUp(models.Model):
    """次の対応: an action someone of the office owes, by a date, until it is marked done with its outcome."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="follow_ups")
    client = models.ForeignKey(
        Client, verbose_name="相談対象者", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    contact_log = models.ForeignKey(
        ContactLog,
        verbose_name="きっかけの記録",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    referral = models.ForeignKey(
        Referral, verbose_name="つなぎ", null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    action = models.CharField("次の対応", max_length=200)
    due_on = models.DateField("対応期限", null=True, blank=True)
    assignee = models.ForeignKey(User, verbose_name="担当", on_delete=models.PROTECT, related_name="follow_ups")
    done_on = models.DateField("対応済みの日", null=True, blank=True)
    outcome = models.CharField("結果", max_length=300, blank=True)
    created_by = models.ForeignKey(User, verbose_name="作成した職員", on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: closing, reopening, reassigning or moving must carry the version read.
    version = models.PositiveIntegerField("版", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords(verbose_name="次の対応の変更履歴", verbose_name_plural="次の対応の変更履歴")

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "次の対応"
        verbose_name_plural = "次の対応"
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(action=""), name="coordination_followup_has_action"),
        ]
        indexes = [
            # A coordinator's home page: my open follow-ups by due date.
            models.Index(fields=["assignee", "done_on", "due_on"], name="coordination_followup_due"),
        ]

    def __str__(self):
        return self.action

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
