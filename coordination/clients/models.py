"""相談対象者 (clients) and their guardians."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet, User
from common.encryption import EncryptedTextField
from coordination.clients.age_bands import AgeBand, age_band
from directory.models import (
    District,
    MedicalCareProcedure,
    ProviderCategory,
)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "支援中"
    WATCHING = "watching", "見守り"
    CLOSED = "closed", "終結"


# Module-level so that coordination.services can write one history record per saved client,
# after the procedures are in place (as CONTACT_LOG_HISTORY does for a log's activity types).
CLIENT_HISTORY = HistoricalRecords(
    verbose_name="相談対象者の変更履歴",
    verbose_name_plural="相談対象者の変更履歴",
    m2m_fields=["procedures"],
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
        "年齢区分の上書き",
        max_length=20,
        choices=AgeBand.choices,
        blank=True,
        help_text="就学猶予など、生年月日から決まる区分と違う場合だけ",
    )
    age_band_override_reason = models.CharField("上書きの理由", max_length=200, blank=True)
    status = models.CharField("状況", max_length=20, choices=ClientStatus, default=ClientStatus.ACTIVE)
    assigned_coordinator = models.ForeignKey(
        User,
        verbose_name="担当コーディネーター",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_clients",
    )
    consent_obtained_on = models.DateField("情報共有の同意日", null=True, blank=True)
    consent_scope = models.CharField("同意の範囲", max_length=300, blank=True)
    consent_taken_by = models.ForeignKey(
        User, verbose_name="同意を得た職員", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = EncryptedTextField("メモ（要配慮）", blank=True)
    # Optimistic locking: an edit must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
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
            raise ValidationError(
                {"municipality_outside": "区内の地区と区外の住所地は、どちらか一方だけ入力してください。"}
            )

    def age_band_for(self, fiscal_year: int) -> AgeBand:
        """The client's band of report section 1 in a fiscal year (the override wins)."""
        if self.age_band_override:
            return AgeBand(self.age_band_override)
        return age_band(self.birth_date, fiscal_year)


# The client's own fields, in the form's order: what the services set, the import reads and the
# change history shows (procedures and guardians are saved beside them).
CLIENT_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "district",
    "municipality_outside",
    "has_medical_care",
    "age_band_override",
    "age_band_override_reason",
    "status",
    "assigned_coordinator",
    "consent_obtained_on",
    "consent_scope",
    "consent_taken_by",
    "notes",
)


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


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "書面"
    ORAL = "oral", "口頭"


class ConsentQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Consents that apply on `day`: given on or before it, not expired, not yet withdrawn.

        The day of expiry is still covered; the day of withdrawal is not (it takes effect at once).
        """
        return self.filter(given_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        )

    def covering(self, *, category, day):
        """Consents in force on `day` that allow sharing with an organization of `category`."""
        return self.in_force_on(day).filter(categories=category)


CONSENT_HISTORY = HistoricalRecords(
    verbose_name="情報共有の同意の変更履歴",
    verbose_name_plural="情報共有の同意の変更履歴",
    m2m_fields=["categories"],
)


class Consent(models.Model):
    """情報共有の同意: which kinds of organization a family agreed may receive the child's information, and when.

    A referral can be sent only under a consent in force on the day it is sent that names the
    receiving organization's kind (coordination.referrals.services).
    """

    client = models.ForeignKey(Client, verbose_name="相談対象者", on_delete=models.CASCADE, related_name="consents")
    given_on = models.DateField("同意日")
    expires_on = models.DateField("有効期限（この日まで有効）", null=True, blank=True)
    categories = models.ManyToManyField(ProviderCategory, verbose_name="共有してよい機関の種別", related_name="+")
    given_by = models.CharField("同意した方", max_length=100, help_text="「母」「本人と父」など")
    method = models.CharField("同意の方法", max_length=20, choices=ConsentMethod, default=ConsentMethod.WRITTEN)
    scope_note = models.CharField("共有する情報の範囲・条件", max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, verbose_name="記録した職員", on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField("撤回日", null=True, blank=True)
    withdrawal_note = models.CharField("撤回の内容", max_length=300, blank=True)
    version = models.PositiveIntegerField("版", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = CONSENT_HISTORY

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "情報共有の同意"
        verbose_name_plural = "情報共有の同意"
        ordering = ["client", "-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("given_on")),
                name="coordination_consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="coordination_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.given_on:%Y-%m-%d} {self.given_by}"

    def clean(self):
        errors = {}
        if self.given_on and self.expires_on and self.expires_on < self.given_on:
            errors["expires_on"] = "有効期限は同意日より後の日にしてください。"
        if self.given_on and self.withdrawn_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = "撤回日は同意日より後の日にしてください。"
        if errors:
            raise ValidationError(errors)

    def is_in_force_on(self, day) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )
