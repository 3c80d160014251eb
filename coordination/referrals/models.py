"""つなぎ (referrals): a client taken to a provider or another organization, and each dated step of it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet, User
from common.encryption import EncryptedTextField
from coordination.clients.models import Client, Consent
from coordination.logs.models import ContactLog
from coordination.referrals.states import OPEN_STATES, WAITING_STATES, ReferralState
from directory.models import MedicalCareProcedure, Provider, ProviderCategory


class SharedItem(models.TextChoices):
    """What of the child's record a referral passes on (frozen when it is sent)."""

    IDENTITY = "identity", "氏名・生年月日"
    ADDRESS = "address", "住所地（地区）"
    GUARDIAN_CONTACT = "guardian_contact", "保護者の連絡先"
    PROCEDURES = "procedures", "医療的ケアの内容"
    CONDITION = "condition", "病状・診断名"
    SUPPORT_HISTORY = "support_history", "これまでの支援の経過"
    OTHER = "other", "その他（補足に記入）"


class ReferralQuerySet(OfficeScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def waiting_for_answer(self):
        return self.filter(state__in=WAITING_STATES)

    def answer_overdue(self, today: date):
        return self.waiting_for_answer().filter(answer_due_on__lt=today)

    def consent_withdrawn(self):
        """Open referrals whose consent was withdrawn after they were made: to be looked at."""
        return self.open().filter(consent__withdrawn_on__isnull=False)


REFERRAL_HISTORY = HistoricalRecords(
    verbose_name="つなぎの変更履歴",
    verbose_name_plural="つなぎの変更履歴",
    m2m_fields=["procedures"],
)


class Referral(models.Model):
    """つなぎ: the office connects a client with a provider of the directory or a named organization."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey(Client, verbose_name="相談対象者", on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(
        Provider,
        verbose_name="つなぎ先（ディレクトリ）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    organization_name = models.CharField("つなぎ先の名称（ディレクトリにない場合）", max_length=200, blank=True)
    # The kind of organization decides which consent covers the referral: a provider's own
    # category, or the one chosen for a free-text organization.
    organization_category = models.ForeignKey(
        ProviderCategory, verbose_name="つなぎ先の種別", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("目的", max_length=300)
    procedures = models.ManyToManyField(
        MedicalCareProcedure, verbose_name="関係する医療的ケア", blank=True, related_name="+"
    )
    needs = models.CharField("関係するニーズ・困りごと", max_length=300, blank=True)
    shared_items = models.JSONField("共有する情報", default=list, blank=True)
    shared_note = EncryptedTextField("共有する情報の補足（要配慮）", blank=True)
    # Written once, when the referral is sent: what was passed on, as it read that day.
    shared_snapshot = EncryptedTextField("送付時に共有した情報（要配慮）", blank=True)
    consent = models.ForeignKey(
        Consent,
        verbose_name="根拠となる同意",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    consent_override_reason = models.CharField("同意確認の例外の理由", max_length=300, blank=True)
    consent_override_by = models.ForeignKey(
        User, verbose_name="例外を認めた管理者", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_due_on = models.DateField("回答期限", null=True, blank=True)
    coordinator = models.ForeignKey(
        User, verbose_name="担当コーディネーター", on_delete=models.PROTECT, related_name="referrals"
    )
    state = models.CharField("状態", max_length=20, choices=ReferralState, default=ReferralState.DRAFT)
    state_changed_on = models.DateField("状態が変わった日")
    requested_on = models.DateField("依頼日", null=True, blank=True)
    answered_on = models.DateField("回答日", null=True, blank=True)
    decline_reason = models.CharField("辞退の理由", max_length=300, blank=True)
    created_by = models.ForeignKey(User, verbose_name="作成した職員", on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: an edit or a move must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = REFERRAL_HISTORY

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "つなぎ"
        verbose_name_plural = "つなぎ"
        ordering = ["-state_changed_on", "-id"]
        # A supervisor may let a referral be sent without a covering consent, with a reason.
        permissions = [("override_consent", "同意の確認を例外として認める")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider__isnull=False) & Q(organization_name=""))
                | (Q(provider__isnull=True) & ~Q(organization_name="")),
                name="coordination_referral_provider_or_name",
            ),
            models.CheckConstraint(
                condition=Q(consent_override_by__isnull=True) | ~Q(consent_override_reason=""),
                name="coordination_referral_override_has_reason",
            ),
        ]
        indexes = [
            # The referral list and the home page: an office's referrals by state and answer date.
            models.Index(fields=["office", "state", "answer_due_on"], name="coordination_referral_state"),
        ]

    def __str__(self):
        return f"{self.client} → {self.organization_label}"

    @property
    def organization_label(self) -> str:
        return self.provider.name if self.provider_id else self.organization_name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def consent_withdrawn(self) -> bool:
        """An open referral made under a consent withdrawn since: shown with a warning."""
        return self.is_open and self.consent_id is not None and self.consent.withdrawn_on is not None

    def clean(self):
        if self.provider_id and self.organization_name:
            raise ValidationError(
                {
                    "organization_name": "つなぎ先はディレクトリから選ぶか、名称を入力するか、どちらか一方にしてください。"
                }
            )
        if not self.provider_id and not self.organization_name.strip():
            raise ValidationError({"provider": "つなぎ先をディレクトリから選ぶか、名称を入力してください。"})


class ReferralStep(models.Model):
    """One dated, attributed move of a referral from a state to another (its 経過)."""

    referral = models.ForeignKey(Referral, verbose_name="つなぎ", on_delete=models.CASCADE, related_name="steps")
    source = models.CharField("前の状態", max_length=20, choices=ReferralState, blank=True)
    target = models.CharField("新しい状態", max_length=20, choices=ReferralState)
    on = models.DateField("日付")
    by = models.ForeignKey(User, verbose_name="職員", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("理由・メモ", max_length=300, blank=True)
    # A move that was itself a contact (the request by phone, the answer) points at its log,
    # which carries the report's counts: the step adds nothing to them.
    contact_log = models.ForeignKey(
        ContactLog,
        verbose_name="対応する記録",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_steps",
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "つなぎの経過"
        verbose_name_plural = "つなぎの経過"
        ordering = ["referral", "on", "id"]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.get_target_display()}"
