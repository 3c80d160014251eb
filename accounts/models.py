"""Offices and the people who sign in to them: the bottom layer every other app builds on.

The tables keep the names they had when these models lived in `coordination` (migration
accounts 0001 moved them without touching the database).
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from .opening_days import OfficeCalendar
from .roles import ROLE_GROUPS, Role


class OfficeScopedQuerySet(models.QuerySet):
    """Rows that belong to an office (clients, logs, events): `Model.objects.for_office(office)`."""

    def for_office(self, office):
        return self.filter(office=office)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "月"
    TUESDAY = 1, "火"
    WEDNESDAY = 2, "水"
    THURSDAY = 3, "木"
    FRIDAY = 4, "金"
    SATURDAY = 5, "土"
    SUNDAY = 6, "日"


class Office(models.Model):
    """A coordinator office (事業所); every user, client, log and event belongs to one."""

    name = models.CharField("事業所名", max_length=200, unique=True)
    municipality = models.CharField("区市町村", max_length=50)
    # The report header's schedule line; blank = written from the opening hours (schedule_label).
    schedule_line = models.CharField(
        "報告書の開所日時の表記",
        max_length=200,
        blank=True,
        help_text="空欄なら開所時間から「月・水・金 9:00～17:00」のように作ります。",
    )
    # Optimistic locking: the name form carries `version`, the opening-hours form `hours_version`.
    version = models.PositiveIntegerField("版", default=1)
    hours_version = models.PositiveIntegerField("開所時間の版", default=1)

    history = HistoricalRecords(verbose_name="事業所の変更履歴", verbose_name_plural="事業所の変更履歴")

    class Meta:
        db_table = "coordination_office"
        verbose_name = "事業所"
        verbose_name_plural = "事業所"
        ordering = ["name"]
        permissions = [("change_office_settings", "事業所の開所時間・カレンダー・地区・名称を設定できる")]

    def __str__(self):
        return self.name

    def calendar(self) -> OfficeCalendar:
        """The office's calendar for opening-day and out-of-hours rules (two queries)."""
        weekly = {h.weekday: (h.opens_at, h.closes_at) for h in self.opening_hours.all()}
        closures, extra_days = set(), {}
        for day in self.calendar_days.all():
            if day.is_open:
                extra_days[day.date] = (day.opens_at, day.closes_at)
            else:
                closures.add(day.date)
        return OfficeCalendar(weekly=weekly, closures=frozenset(closures), extra_days=extra_days)

    def schedule_label(self) -> str:
        """The report header's schedule line: the one the office wrote, else the generated one."""
        return self.schedule_line or self.generated_schedule_label()

    def generated_schedule_label(self) -> str:
        """`月・水・金 9:00～17:00`; days with other hours get their own part."""
        by_hours: dict[tuple, list[str]] = {}
        for h in self.opening_hours.order_by("weekday"):
            by_hours.setdefault((h.opens_at, h.closes_at), []).append(Weekday(h.weekday).label)
        parts = [
            f"{'・'.join(days)} {opens.hour}:{opens.minute:02d}～{closes.hour}:{closes.minute:02d}"
            for (opens, closes), days in by_hours.items()
        ]
        return " / ".join(parts)


class OfficeHours(models.Model):
    """Opening hours on one weekday of the weekly pattern."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField("曜日", choices=Weekday)
    opens_at = models.TimeField("開始")
    closes_at = models.TimeField("終了")

    history = HistoricalRecords(verbose_name="開所時間の変更履歴", verbose_name_plural="開所時間の変更履歴")

    class Meta:
        db_table = "coordination_officehours"
        verbose_name = "開所曜日と時間"
        verbose_name_plural = "開所曜日と時間"
        ordering = ["office", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["office", "weekday"], name="coordination_officehours_unique_day"),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="coordination_officehours_order"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}～{self.closes_at:%H:%M}"


class OfficeCalendarDay(models.Model):
    """A closure (休業日) on a usual opening day, or an extra opening day (臨時開所日)."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField("日付")
    is_open = models.BooleanField("開所する", default=False, help_text="オフ＝休業日、オン＝臨時開所日")
    opens_at = models.TimeField("開始", null=True, blank=True)
    closes_at = models.TimeField("終了", null=True, blank=True)
    reason = models.CharField("理由", max_length=200, blank=True)

    history = HistoricalRecords(
        verbose_name="休業日・臨時開所日の変更履歴", verbose_name_plural="休業日・臨時開所日の変更履歴"
    )

    class Meta:
        db_table = "coordination_officecalendarday"
        verbose_name = "休業日・臨時開所日"
        verbose_name_plural = "休業日・臨時開所日"
        ordering = ["office", "date"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="coordination_officecalendarday_unique"),
            models.CheckConstraint(
                condition=Q(is_open=False)
                | Q(opens_at__isnull=False, closes_at__isnull=False, opens_at__lt=models.F("closes_at")),
                name="coordination_officecalendarday_open_hours",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'臨時開所' if self.is_open else '休業'}"

    def clean(self):
        if self.is_open and not (self.opens_at and self.closes_at):
            raise ValidationError("臨時開所日には開始と終了の時刻を入力してください。")
        if self.is_open and self.opens_at >= self.closes_at:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")


class UserHistoricalRecords(HistoricalRecords):
    """A user's history: changes made in 管理 ▸ 利用者 (and Django admin), not every sign-in.

    A save that touches only the sign-in time or the password hash (each sign-in, setting one's own
    password, a set-up link making the old one unusable) writes no record: the access log has those.
    The services of accounts/user_services.py save the user itself, with a reason, for each change.
    """

    SIGN_IN_ONLY = frozenset({"last_login", "password"})

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= self.SIGN_IN_ONLY:
            return
        super().post_save(instance, created, using=using, **kwargs)


class User(AbstractUser):
    """A person who signs in; belongs to one office. The role comes from the groups."""

    office = models.ForeignKey(
        Office, verbose_name="事業所", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # The version the editor of 管理 ▸ 利用者 read (optimistic locking, common.services.lock_for_edit).
    version = models.PositiveIntegerField("版", default=1)

    # Never the password hash nor the sign-in time (see UserHistoricalRecords).
    history = UserHistoricalRecords(
        excluded_fields=["password", "last_login"],
        verbose_name="利用者アカウントの変更履歴",
        verbose_name_plural="利用者アカウントの変更履歴",
    )

    class Meta(AbstractUser.Meta):
        db_table = "coordination_user"
        verbose_name = "利用者アカウント"
        verbose_name_plural = "利用者アカウント"

    def __str__(self):
        full_name = f"{self.last_name} {self.first_name}".strip()
        return full_name or self.username

    @cached_property
    def role(self) -> Role | None:
        """The user's role (one query the first time it is read on a request)."""
        if self.is_superuser:
            return Role.ADMIN
        names = set(self.groups.values_list("name", flat=True))
        for role, group in ROLE_GROUPS.items():
            if group in names:
                return role
        return None


# What User.__str__ is made of: a row that shows a user by name needs only these (and the id).
USER_NAME_FIELDS = ("username", "first_name", "last_name")


def user_fields_but_name(relation: str) -> list[str]:
    """`relation`'s user fields other than its id and name, for defer() where a row shows only the name."""
    kept = ("id", *USER_NAME_FIELDS)
    return [f"{relation}__{field.name}" for field in User._meta.concrete_fields if field.name not in kept]
