"""ニーズ・課題 (the needs register): needs of the local support system found in the office's logs, and their dated notes."""

from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Office, OfficeScopedQuerySet, User
from coordination.clients.age_bands import AgeBand
from coordination.events.models import Event, EventKind
from coordination.logs.models import ContactLog
from directory.models import CodeManager, District


class NeedStatus(models.TextChoices):
    """In the order a need usually goes through; 解決 and 継続課題 end it (継続課題 may be taken up again)."""

    FOUND = "found", "把握"
    CONSIDERING = "considering", "検討中"
    RAISED = "raised", "会議体へ提起"
    ACTING = "acting", "対応中"
    RESOLVED = "resolved", "解決"
    CONTINUING = "continuing", "継続課題"


OPEN_NEED_STATUSES = frozenset({NeedStatus.FOUND, NeedStatus.CONSIDERING, NeedStatus.RAISED, NeedStatus.ACTING})


class NeedCategory(models.Model):
    """A kind of need (医療, 福祉サービス…): a reference list shipped as a fixture; admins may add."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    position = models.PositiveSmallIntegerField("表示順", unique=True)

    objects = CodeManager()

    class Meta:
        verbose_name = "ニーズ・課題の分類"
        verbose_name_plural = "ニーズ・課題の分類"
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class NeedQuerySet(OfficeScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_NEED_STATUSES)


NEED_HISTORY = HistoricalRecords(
    verbose_name="ニーズ・課題の変更履歴",
    verbose_name_plural="ニーズ・課題の変更履歴",
    m2m_fields=["districts", "logs"],
)


class Need(models.Model):
    """A need or issue of the local support system, found in one or more logs of the office."""

    office = models.ForeignKey(Office, verbose_name="事業所", on_delete=models.PROTECT, related_name="needs")
    title = models.CharField("件名", max_length=200)
    description = models.TextField("内容", blank=True)
    category = models.ForeignKey(NeedCategory, verbose_name="分類", on_delete=models.PROTECT, related_name="needs")
    # The age bands of the report (coordination.clients.age_bands), as the life stages concerned.
    life_stages = models.JSONField("関係するライフステージ", default=list, blank=True)
    districts = models.ManyToManyField(District, verbose_name="関係する地区", blank=True, related_name="+")
    # The families affected are the distinct clients of these logs: they grow as the need recurs.
    logs = models.ManyToManyField(ContactLog, verbose_name="把握した記録", blank=True, related_name="needs")
    status = models.CharField("状態", max_length=20, choices=NeedStatus, default=NeedStatus.FOUND)
    status_changed_on = models.DateField("状態が変わった日")
    raised_at = models.ForeignKey(
        Event,
        verbose_name="提起した会議",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs_raised",
        limit_choices_to={"kind": EventKind.MEETING},
    )
    created_by = models.ForeignKey(User, verbose_name="作成した職員", on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: an edit or a move must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = NEED_HISTORY

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = "ニーズ・課題"
        verbose_name_plural = "ニーズ・課題"
        ordering = ["-status_changed_on", "-id"]
        indexes = [
            models.Index(fields=["office", "status", "category"], name="coordination_need_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def life_stage_labels(self) -> list[str]:
        return [label for value, label in AgeBand.choices if value in self.life_stages]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NEED_STATUSES


class NeedNote(models.Model):
    """A dated note on a need, with its status at the time (the need's 経過)."""

    need = models.ForeignKey(Need, verbose_name="ニーズ・課題", on_delete=models.CASCADE, related_name="notes")
    on = models.DateField("日付")
    status = models.CharField("その時の状態", max_length=20, choices=NeedStatus)
    text = models.TextField("内容", blank=True)
    author = models.ForeignKey(User, verbose_name="記入した職員", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    history = HistoricalRecords(
        verbose_name="ニーズ・課題の経過の変更履歴", verbose_name_plural="ニーズ・課題の経過の変更履歴"
    )

    class Meta:
        verbose_name = "ニーズ・課題の経過"
        verbose_name_plural = "ニーズ・課題の経過"
        ordering = ["need", "on", "id"]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.get_status_display()}"
