"""Providers and the reference lists they are classified by."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from simple_history.models import HistoricalRecords

from common.encryption import EncryptedTextField

from .postal import validate_postal_code
from .schedules import WEEKDAY_CODES, days_label, days_span_label, split_byday, time_label
from .search import provider_search_text


class CategoryQuerySet(models.QuerySet):
    def leaves(self):
        """Nodes without children: the rows a report counts under."""
        return self.filter(children__isnull=True)

    def leaf_paths(self) -> list[tuple["CategoryNode", tuple[str, ...]]]:
        """Leaves in report order, each with its label path from the top group (one query)."""
        nodes = list(self.order_by("position"))
        by_id = {node.pk: node for node in nodes}
        parents = {node.parent_id for node in nodes}

        def path(node):
            return (path(by_id[node.parent_id]) if node.parent_id else ()) + (node.label,)

        return [(node, path(node)) for node in nodes if node.pk not in parents]


class CategoryManager(models.Manager.from_queryset(CategoryQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class CategoryNode(models.Model):
    """A node of one of the report's category trees (group, subgroup or leaf).

    `position` is the node's place in a pre-order walk of its tree, i.e. the report's row
    order; leaves are the nodes without children. Fixtures refer to nodes by `code`.
    """

    code = models.SlugField("コード", max_length=64, unique=True)
    label = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位区分",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField("表示順", unique=True)

    objects = CategoryManager()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self):
        return " ▸ ".join(self.path)

    def natural_key(self):
        return (self.code,)

    @property
    def path(self) -> list[str]:
        """Labels from the top group down to this node (walks parents: one query per level)."""
        labels = []
        node = self
        while node is not None:
            labels.append(node.label)
            node = node.parent
        return labels[::-1]


class CounterpartCategory(CategoryNode):
    """相談者・相手先の区分 (report section 3). Lives here because provider categories map to it."""

    class Meta(CategoryNode.Meta):
        verbose_name = "相談者・相手先の区分"
        verbose_name_plural = "相談者・相手先の区分"


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class District(models.Model):
    """A district (地区) of a municipality; an office lists its districts in report order."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("地区名", max_length=50)
    municipality = models.CharField("区市町村", max_length=50)

    objects = CodeManager()

    history = HistoricalRecords(verbose_name="地区の変更履歴", verbose_name_plural="地区の変更履歴")

    class Meta:
        verbose_name = "地区"
        verbose_name_plural = "地区"
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="directory_district_unique_name"),
        ]

    def __str__(self):
        return f"{self.municipality} {self.name}"

    def natural_key(self):
        return (self.code,)


class MedicalCareProcedure(models.Model):
    """One of the 14 items of the MHLW 医療的ケア判定スコア."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    description = models.CharField("内容", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("表示順", unique=True)
    # Used by the disaster-preparedness list: children whose care stops in a power cut.
    uses_powered_device = models.BooleanField("電源を要する機器を使うことが多い", default=False)

    objects = CodeManager()

    class Meta:
        verbose_name = "医療的ケア"
        verbose_name_plural = "医療的ケア"
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class ProviderCategory(models.Model):
    """A kind of provider (訪問看護ステーション, 保育園…) and the report row it counts under."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    counterpart_category = models.ForeignKey(
        CounterpartCategory,
        verbose_name="報告書での区分（3. 相談者および機関数）",
        on_delete=models.PROTECT,
        related_name="provider_categories",
        limit_choices_to={"children__isnull": True},
    )
    position = models.PositiveSmallIntegerField("表示順", unique=True)

    objects = CodeManager()

    class Meta:
        verbose_name = "機関・事業所の種別"
        verbose_name_plural = "機関・事業所の種別"
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


# The fields Provider.search_text is made of.
SEARCH_SOURCE_FIELDS = frozenset({"name", "name_kana", "address", "municipality"})
# Provider.accepts holds bit `procedure id` for each procedure accepted (可 or 条件付き): ids below
# this fit a PositiveBigIntegerField. A procedure with a larger id (never with the 14 reference
# ones) is looked up in the matrix instead.
ACCEPTS_BITS = 63


def acceptance_bit(procedure_id: int) -> int:
    """The bit of Provider.accepts that stands for the procedure (0 if it has none)."""
    return 1 << procedure_id if 0 <= procedure_id < ACCEPTS_BITS else 0


def refresh_accepts(provider_ids: Iterable[int]) -> None:
    """Recompute Provider.accepts of these providers from their acceptance matrix."""
    masks = dict.fromkeys(set(provider_ids), 0)
    ids = list(masks)
    for start in range(0, len(ids), 500):
        cells = ProviderProcedure.objects.filter(provider_id__in=ids[start : start + 500], status__in=ACCEPTING)
        for provider_id, procedure_id in cells.values_list("provider_id", "procedure_id"):
            masks[provider_id] |= acceptance_bit(procedure_id)
    by_mask = defaultdict(list)
    for provider_id, mask in masks.items():
        by_mask[mask].append(provider_id)
    for mask, same in by_mask.items():
        for start in range(0, len(same), 500):
            Provider._base_manager.filter(pk__in=same[start : start + 500]).update(accepts=mask)


def one_year_before(day: date) -> date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class ProviderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def needing_reverification(self, today: date):
        """Never verified, or last verified 12 months ago or more."""
        return self.filter(Q(verified_on__isnull=True) | Q(verified_on__lte=one_year_before(today)))

    def verified_within_a_year(self, today: date):
        return self.filter(verified_on__gt=one_year_before(today))

    def with_reverification_flag(self, today: date):
        """Annotates `needs_reverification` (the 要再確認 flag of the lists)."""
        return self.annotate(
            needs_reverification=models.ExpressionWrapper(
                Q(verified_on__isnull=True) | Q(verified_on__lte=one_year_before(today)),
                output_field=models.BooleanField(),
            )
        )

    def accepting(self, procedures: Iterable["MedicalCareProcedure"]):
        """Providers that take every one of the procedures (可 or 条件付き), in one query.

        `accepts & wanted = wanted` on the provider's own row: Provider.accepts carries one bit
        per accepted procedure (kept by every write of the matrix, see ProviderProcedure). The
        count of a search by procedures alone reads the (is_active, accepts, ages) index rather
        than probing the 1,400,000-cell matrix twice per provider at 100,000 providers
        (docs/performance.md). A procedure without a bit is one EXISTS on the matrix.
        """
        providers = self
        wanted = 0
        for procedure_id in {procedure.pk for procedure in procedures}:
            if bit := acceptance_bit(procedure_id):
                wanted |= bit
                continue
            cell = ProviderProcedure.objects.filter(
                provider=OuterRef("pk"), procedure_id=procedure_id, status__in=ACCEPTING
            )
            providers = providers.filter(Exists(cell))
        if wanted:
            # `>=` means `=` here (accepts & wanted is never more than wanted), but PostgreSQL
            # guesses a third of the rows for it where it guesses 0.5 % for `=` — and with 0.5 %
            # it sorts every match for the first page instead of reading the フリガナ index.
            providers = providers.alias(accepts_wanted=F("accepts").bitand(wanted)).filter(accepts_wanted__gte=wanted)
        return providers

    def serving_age(self, age: int):
        """Providers whose ages served include `age`; an open end (none given) includes every age."""
        return self.filter(Q(ages_from__isnull=True) | Q(ages_from__lte=age)).filter(
            Q(ages_to__isnull=True) | Q(ages_to__gte=age)
        )

    def refresh_search_text(self) -> int:
        """Recompute search_text of rows written without save() (e.g. `update()`); returns the count."""
        providers = list(self.only("pk", *SEARCH_SOURCE_FIELDS))
        for provider in providers:
            provider.set_search_text()
        return self.model._base_manager.bulk_update(providers, ["search_text"], batch_size=500)

    def bulk_create(self, objs, *args, **kwargs):
        # The demo, benchmarks and imports create providers in bulk, which skips save().
        objs = list(objs)
        for provider in objs:
            provider.set_search_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if SEARCH_SOURCE_FIELDS & set(fields):
            for provider in objs:
                provider.set_search_text()
            fields = [*fields, "search_text"] if "search_text" not in fields else fields
        return super().bulk_update(objs, fields, *args, **kwargs)


class VerifiedVia(models.TextChoices):
    STAFF = "staff", "職員が確認"
    PROVIDER = "provider", "事業所が確認"


class Provider(models.Model):
    """An organization families are connected with (HSDS: organization + service + location)."""

    name = models.CharField("名称", max_length=200)
    name_kana = models.CharField("フリガナ", max_length=200, blank=True)
    category = models.ForeignKey(
        ProviderCategory, verbose_name="種別", on_delete=models.PROTECT, related_name="providers"
    )
    district = models.ForeignKey(
        District,
        verbose_name="地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="providers",
    )
    municipality = models.CharField("区市町村", max_length=50, blank=True)
    # Written 114-0002; HSDS requires it of every published address.
    postal_code = models.CharField("郵便番号", max_length=8, blank=True, validators=[validate_postal_code])
    address = models.CharField("住所", max_length=300, blank=True)
    phone = models.CharField("電話", max_length=30, blank=True)
    fax = models.CharField("FAX", max_length=30, blank=True)
    email = models.EmailField("メール", blank=True)
    url = models.URLField("ウェブサイト", blank=True)
    opening_hours = models.CharField("受付・営業時間", max_length=200, blank=True)  # HSDS schedule, as text
    ages_from = models.PositiveSmallIntegerField("対象年齢（から）", null=True, blank=True)  # HSDS eligibility
    ages_to = models.PositiveSmallIntegerField("対象年齢（まで）", null=True, blank=True)
    services = models.TextField("サービス内容", blank=True)  # HSDS service.description
    has_coordinator = models.BooleanField("医療的ケア児等コーディネーター在籍", default=False)
    vacancy_note = models.CharField("空き状況", max_length=200, blank=True)
    vacancy_noted_on = models.DateField("空き状況の確認日", null=True, blank=True)
    public_note = models.TextField("備考", blank=True)
    internal_note = EncryptedTextField("内部メモ（コーディネーターのみ）", blank=True)
    is_active = models.BooleanField("有効", default=True)
    verified_on = models.DateField("最終確認日", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="確認した職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who confirmed the entry on verified_on: the office's staff (今日確認した, an edit) or the
    # provider itself through a one-time link (事業所が確認, directory/links.py).
    verified_via = models.CharField("確認の方法", max_length=10, choices=VerifiedVia, blank=True)
    # Optimistic locking: an edit must carry the version it was read at.
    version = models.PositiveIntegerField("版", default=1)
    # Name, フリガナ, municipality and address folded by directory.search, plus the romaji of the
    # フリガナ: the search box looks here (`search_text__contains`). Kept by save() and bulk_create().
    search_text = models.TextField("検索用テキスト", blank=True, editable=False)
    # The procedures the provider accepts (可 or 条件付き), one bit each (acceptance_bit): the
    # search's procedure filter reads it here instead of in the matrix. Written only by
    # refresh_accepts(), which every write of the matrix calls; save() leaves it alone.
    accepts = models.PositiveBigIntegerField("受け入れる医療的ケア（検索用）", default=0, editable=False)

    objects = ProviderQuerySet.as_manager()
    # Who changed what on the provider page; search_text and accepts are derived from the rest.
    history = HistoricalRecords(
        verbose_name="機関・事業所の変更履歴",
        verbose_name_plural="機関・事業所の変更履歴",
        excluded_fields=["search_text", "accepts"],
    )

    class Meta:
        verbose_name = "機関・事業所"
        verbose_name_plural = "機関・事業所"
        ordering = ["name_kana", "name"]
        # Coordinators' and supervisors' notes on a provider; ward staff and exports for them go without.
        permissions = [("view_internal_note", "内部メモを見る")]
        indexes = [
            # Directory list and the contact-log provider picker filter by category.
            models.Index(fields=["category", "name_kana"], name="directory_provider_cat_kana"),
            # The directory list's default order (フリガナ順): a page is read off the index.
            models.Index(fields=["name_kana", "name"], name="directory_provider_kana"),
            # The directory's area filter and its choices (the distinct municipalities).
            models.Index(fields=["municipality"], name="directory_provider_city"),
            # Counting the directory's results without a word: every active provider, or those
            # accepting the ticked procedures and serving an age, read off this narrow index.
            models.Index(fields=["is_active", "accepts", "ages_from", "ages_to"], name="directory_provider_filters"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ages_from__isnull=True)
                | models.Q(ages_to__isnull=True)
                | models.Q(ages_from__lte=models.F("ages_to")),
                name="directory_provider_ages_in_order",
                violation_error_message="対象年齢は「から」を「まで」以下にしてください。",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or SEARCH_SOURCE_FIELDS & set(update_fields):
            self.set_search_text()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        if update_fields is None and not self._state.adding and not kwargs.get("force_insert"):
            # `accepts` follows the matrix; an instance read before the matrix changed holds an
            # old copy, which an update must not write back.
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields if not field.primary_key and field.name != "accepts"
            ]
        super().save(*args, **kwargs)

    def set_search_text(self) -> None:
        self.search_text = provider_search_text(
            name=self.name, name_kana=self.name_kana, address=self.address, municipality=self.municipality
        )

    @property
    def ages_label(self) -> str:
        """`3～5歳`, `18歳から`, `6歳まで`, or "" when no age is given."""
        if self.ages_from is None and self.ages_to is None:
            return ""
        if self.ages_to is None:
            return f"{self.ages_from}歳から"
        if self.ages_from is None:
            return f"{self.ages_to}歳まで"
        return f"{self.ages_from}～{self.ages_to}歳"

    def needs_reverification_on(self, today: date) -> bool:
        """Never verified, or last verified 12 months ago or more."""
        return self.verified_on is None or self.verified_on <= one_year_before(today)

    @property
    def verified_by_provider(self) -> bool:
        return self.verified_via == VerifiedVia.PROVIDER


class Acceptance(models.TextChoices):
    """Whether a provider takes children with a given medical-care procedure."""

    ACCEPTED = "accepted", "可"
    CONDITIONAL = "conditional", "条件付き"
    REFUSED = "refused", "不可"
    UNKNOWN = "unknown", "未確認"


# The statuses that count as "accepts" in the search and on a client's page.
ACCEPTING = (Acceptance.ACCEPTED, Acceptance.CONDITIONAL)


# A provider's own fields, in the form's order: what the services set, the form and the import
# show and the change history lists (verification and the acceptance matrix are saved beside them).
PROVIDER_FIELDS = (
    "name",
    "name_kana",
    "category",
    "district",
    "postal_code",
    "municipality",
    "address",
    "phone",
    "fax",
    "email",
    "url",
    "opening_hours",
    "ages_from",
    "ages_to",
    "services",
    "has_coordinator",
    "vacancy_note",
    "vacancy_noted_on",
    "public_note",
    "internal_note",
    "is_active",
)


class ProviderProcedureQuerySet(models.QuerySet):
    """Bulk writes of the matrix keep Provider.accepts (save() and delete() do it one cell at a time)."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        refresh_accepts(cell.provider_id for cell in created)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        updated = super().bulk_update(objs, fields, *args, **kwargs)
        if {"status", "provider", "procedure"} & set(fields):
            refresh_accepts(cell.provider_id for cell in objs)
        return updated

    def update(self, **kwargs):
        if not {"status", "provider", "procedure", "provider_id", "procedure_id"} & set(kwargs):
            return super().update(**kwargs)
        before = set(self.values_list("provider_id", flat=True))
        updated = super().update(**kwargs)
        refresh_accepts(before | ({kwargs["provider"].pk} if "provider" in kwargs else set()))
        return updated

    def delete(self):
        providers = set(self.values_list("provider_id", flat=True))
        deleted = super().delete()
        refresh_accepts(providers)
        return deleted


class ProviderProcedure(models.Model):
    """One cell of the acceptance matrix; a procedure without a row is 未確認."""

    provider = models.ForeignKey(
        Provider, verbose_name="機関・事業所", on_delete=models.CASCADE, related_name="acceptances"
    )
    procedure = models.ForeignKey(
        MedicalCareProcedure, verbose_name="医療的ケア", on_delete=models.PROTECT, related_name="acceptances"
    )
    status = models.CharField("受け入れ", max_length=20, choices=Acceptance, default=Acceptance.UNKNOWN)
    note = models.CharField("条件・備考", max_length=200, blank=True)  # e.g. 看護師在籍日のみ

    objects = ProviderProcedureQuerySet.as_manager()

    # Shown with the provider's history; the services write it with bulk_*_with_history.
    history = HistoricalRecords(
        verbose_name="医療的ケアの受け入れの変更履歴", verbose_name_plural="医療的ケアの受け入れの変更履歴"
    )

    class Meta:
        verbose_name = "医療的ケアの受け入れ"
        verbose_name_plural = "医療的ケアの受け入れ"
        ordering = ["provider", "procedure__position"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "procedure"], name="directory_providerprocedure_one_per_pair"),
        ]
        indexes = [
            # The search filter "accepts all the ticked procedures".
            models.Index(fields=["procedure", "status"], name="directory_acceptance_lookup"),
        ]

    def __str__(self):
        return f"{self.provider} {self.procedure}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        refresh_accepts([self.provider_id])

    def delete(self, *args, **kwargs):
        provider_id = self.provider_id
        deleted = super().delete(*args, **kwargs)
        refresh_accepts([provider_id])
        return deleted


def validate_byday(value: str) -> None:
    """MO,TU,WE… : at least one day, each a known code, once."""
    days = split_byday(value)
    if not days:
        raise ValidationError("曜日を選んでください。", code="required")
    if any(day not in WEEKDAY_CODES for day in days) or len(set(days)) != len(days):
        raise ValidationError("曜日は月～日から選んでください。", code="invalid")


class ProviderSchedule(models.Model):
    """One row of a provider's opening hours (HSDS schedule): the days and one span; the free text stays as the note."""

    provider = models.ForeignKey(
        Provider, verbose_name="機関・事業所", on_delete=models.CASCADE, related_name="schedules"
    )
    # HSDS byday form, Monday first: "MO,TU,WE,TH,FR".
    byday = models.CharField(
        "曜日", max_length=20, validators=[validate_byday], error_messages={"blank": "曜日を選んでください。"}
    )
    opens_at = models.TimeField("開始")
    closes_at = models.TimeField("終了")
    position = models.PositiveSmallIntegerField("表示順")

    history = HistoricalRecords(verbose_name="受付・営業時間の変更履歴", verbose_name_plural="受付・営業時間の変更履歴")

    class Meta:
        verbose_name = "受付・営業時間"
        verbose_name_plural = "受付・営業時間"
        ordering = ["provider", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="directory_providerschedule_opens_before_closes",
                violation_error_message="終了時刻は開始時刻より後にしてください。",
            ),
            models.UniqueConstraint(fields=["provider", "position"], name="directory_providerschedule_position"),
        ]

    def __str__(self):
        return f"{self.provider} {self.label}"

    @property
    def weekdays(self) -> tuple[str, ...]:
        return split_byday(self.byday)

    @property
    def days_label(self) -> str:
        return days_label(self.weekdays)

    @property
    def days_span_label(self) -> str:
        """月～金 (the page's short form)."""
        return days_span_label(self.weekdays)

    @property
    def hours_label(self) -> str:
        return f"{time_label(self.opens_at)}～{time_label(self.closes_at)}"

    @property
    def label(self) -> str:
        return f"{self.days_label} {self.hours_label}"


class OfficeDistrict(models.Model):
    """A district an office covers, at its place in the report's §2 (the table is from coordination's days)."""

    office = models.ForeignKey(
        "accounts.Office", verbose_name="事業所", on_delete=models.CASCADE, related_name="district_links"
    )
    district = models.ForeignKey(District, verbose_name="地区", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("報告書での順番")

    history = HistoricalRecords(verbose_name="事業所の地区の変更履歴", verbose_name_plural="事業所の地区の変更履歴")

    class Meta:
        db_table = "coordination_officedistrict"
        verbose_name = "事業所の地区"
        verbose_name_plural = "事業所の地区"
        ordering = ["office", "position"]
        constraints = [
            models.UniqueConstraint(fields=["office", "district"], name="coordination_officedistrict_unique"),
            models.UniqueConstraint(fields=["office", "position"], name="coordination_officedistrict_position"),
        ]

    def __str__(self):
        return f"{self.office} {self.district.name}"


class ProviderLinkQuerySet(models.QuerySet):
    def usable(self, now):
        """Links not used, not ended by a newer one and not expired."""
        return self.filter(used_at__isnull=True, ended_at__isnull=True, expires_at__gt=now)


class ProviderLink(models.Model):
    """A one-time link sent to a provider to check and correct its own public entry (directory/links.py).

    Only the SHA-256 of the link's secret is stored; the link itself is in the e-mail alone.
    """

    provider = models.ForeignKey(Provider, verbose_name="機関・事業所", on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField("リンクのハッシュ", max_length=64, unique=True, editable=False)
    sent_to = models.EmailField("送信先")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送信した職員", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("送信日時")
    expires_at = models.DateTimeField("有効期限")
    opened_at = models.DateTimeField("最初に開いた日時", null=True, blank=True)
    used_at = models.DateTimeField("確認した日時", null=True, blank=True)
    # Set when a newer link for the same provider is sent: the older one stops working.
    ended_at = models.DateTimeField("無効にした日時", null=True, blank=True)

    objects = ProviderLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "事業所の確認リンク"
        verbose_name_plural = "事業所の確認リンク"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.provider} {self.created_at:%Y-%m-%d}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "確認待ち"
    DECIDED = "decided", "反映済み"


class ProviderProposal(models.Model):
    """The changes a provider proposed through its link, decided field by field by the office's staff.

    `changes` maps a key (a field name, or `acceptance:<procedure code>`) to {"base": the value the
    provider saw when it opened the link, "proposed": what it sent}; `decisions` maps the same keys
    to "accepted" or "rejected" once decided.
    """

    provider = models.ForeignKey(
        Provider, verbose_name="機関・事業所", on_delete=models.CASCADE, related_name="proposals"
    )
    link = models.OneToOneField(ProviderLink, verbose_name="リンク", on_delete=models.CASCADE, related_name="proposal")
    base_version = models.PositiveIntegerField("リンクを開いたときの版")
    submitted_at = models.DateTimeField("提案日時")
    changes = models.JSONField("提案された変更", default=dict)
    status = models.CharField("状態", max_length=10, choices=ProposalStatus, default=ProposalStatus.PENDING)
    decisions = models.JSONField("項目ごとの判断", default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="判断した職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("判断した日時", null=True, blank=True)

    class Meta:
        verbose_name = "事業所からの変更の提案"
        verbose_name_plural = "事業所からの変更の提案"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.provider} {self.submitted_at:%Y-%m-%d}"
