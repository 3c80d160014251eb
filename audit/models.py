"""The access log: one row per sign-in, sign-out, view, download, export or refusal; append-only.

Rows are written once and never changed: `save()` refuses an existing row, `delete()` refuses,
the queryset's `update()` and `delete()` refuse, the admin is read-only, and database triggers
(migration 0002, renewed in 0004) refuse UPDATE and DELETE even from raw SQL. The one change the
triggers let through is the database setting `user` to NULL when a user account is deleted; the
username and role snapshots keep who it was. The database's owner can still disable the
triggers, so each row also carries a hash chained to the previous row's (chain.py): tampering
shows in `manage.py verify_access_log`.
"""

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from .chain import CHAINED_FIELDS, chain_head, row_hash


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access log row."""


REFUSAL = "アクセス記録は追記のみです。変更・削除はできません。"


class Action(models.TextChoices):
    SIGN_IN = "sign_in", "ログイン"
    SIGN_OUT = "sign_out", "ログアウト"
    SIGN_IN_FAILED = "sign_in_failed", "ログイン失敗"
    LOCKED_OUT = "locked_out", "ロックアウト"
    PASSWORD_SET = "password_set", "パスワードの設定"
    PASSWORD_CHANGE = "password_change", "パスワードの変更"
    PASSWORD_REFUSED = "password_refused", "パスワードの設定・変更の失敗"
    VIEW = "view", "閲覧"
    LIST = "list", "一覧の閲覧"
    SEARCH = "search", "検索"
    DOWNLOAD = "download", "ダウンロード"
    EXPORT = "export", "書き出し"
    IMPORT = "import", "取り込み"
    REFUSED = "refused", "拒否されたアクセス"
    READ_AUDIT_LOG = "read_audit_log", "アクセス記録の閲覧"
    CONSENT_OVERRIDE = "consent_override", "同意確認の例外"
    # A provider's one-time link (no account): opened, confirmed (with or without proposed changes).
    PROVIDER_LINK_OPEN = "provider_link_open", "事業所の確認リンクを開いた"
    PROVIDER_LINK_CONFIRM = "provider_link_confirm", "事業所の確認・変更の提案"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    REFUSED = "refused", "拒否"


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(REFUSAL)

    def delete(self):
        raise AppendOnlyError(REFUSAL)

    def bulk_create(self, objs, *args, **kwargs):
        """Appends the rows in list order, chained like `save()` does one."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            previous = chain_head(connections[self.db])
            now = timezone.now()
            for obj in objs:
                previous = obj._chain(previous, now)
            return super().bulk_create(objs, *args, **kwargs)


class AccessEvent(models.Model):
    # Set by save() once the append lock is held (so times rise with ids), not by auto_now_add,
    # which would set it after the row's hash was computed.
    occurred_at = models.DateTimeField("日時", default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="利用者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField("ユーザー名", max_length=150, blank=True, db_index=True)
    role = models.CharField("役割", max_length=30, blank=True)
    action = models.CharField("操作", max_length=30, choices=Action, db_index=True)
    outcome = models.CharField("結果", max_length=10, choices=Outcome, default=Outcome.SUCCESS)
    path = models.CharField("URL", max_length=1000, blank=True)
    url_name = models.CharField("画面名", max_length=200, blank=True)
    object_ids = models.JSONField("対象のID", default=dict, blank=True)
    method = models.CharField("HTTP メソッド", max_length=10, blank=True)
    status_code = models.PositiveSmallIntegerField("ステータスコード", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP アドレス", null=True, blank=True)
    user_agent = models.CharField("ブラウザ（User-Agent）", max_length=300, blank=True)
    # The hash chain (chain.py): the previous row's hash, and this row's over its fields and that.
    previous_hash = models.CharField("前の行のハッシュ", max_length=64, blank=True, editable=False)
    row_hash = models.CharField("ハッシュ", max_length=64, blank=True, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = "アクセス記録"
        verbose_name_plural = "アクセス記録"
        ordering = ["-occurred_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S%z} {self.username or '（不明）'} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(REFUSAL)
        kwargs["force_insert"] = True
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # The lock taken by chain_head() lasts until this transaction (or an enclosing one) ends;
        # no savepoint inside an enclosing one: a failed insert fails that transaction anyway.
        with transaction.atomic(using=using, savepoint=False):
            self._chain(chain_head(connections[using]), timezone.now())
            super().save(*args, **kwargs)

    def _chain(self, previous_hash: str, now) -> str:
        self.occurred_at = now
        self.previous_hash = previous_hash
        self.row_hash = row_hash(previous_hash, {name: getattr(self, name) for name in CHAINED_FIELDS})
        return self.row_hash

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(REFUSAL)
