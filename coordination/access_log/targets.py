"""What an access log row was about, in words: the screen, and the client or record it showed.

The access log (audit, a leaf) records URL names and object ids only; this module knows which
URL names show which kind of record and turns a page of rows into readable labels with links,
in one query per kind of record on the page (at most five), whatever the number of rows.
A record of another office, or one deleted since, is named by its kind and number, without a link
and without the name: the viewer may not open it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from audit.models import AccessEvent, Action
from audit.selectors import about_condition
from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral

# URL names of the pages that show one record, by the kind of record their `pk` is (see audit/policy.py).
PAGES: dict[str, frozenset[str]] = {
    "client": frozenset({"client_detail", "client_update", "consent_create", "consent_withdraw"}),
    "log": frozenset({"log_detail", "log_update"}),
    "event": frozenset({"event_detail", "event_update"}),
    "referral": frozenset({"referral_detail", "referral_update", "referral_move", "referral_override"}),
    "follow_up": frozenset({"follow_up_update"}),
}
KIND_OF_PAGE = {name: kind for kind, names in PAGES.items() for name in names}
# Forms opened from a client (`?client=`), and exports of a list filtered by one.
FROM_A_CLIENT = frozenset({"referral_create", "follow_up_create", "log_export", "referral_export", "follow_up_export"})

# The screens, in Japanese, by URL name; anything else is その他の画面 (the URL shows on hover).
SCREENS = {
    "client_detail": "相談対象者のページ",
    "client_update": "相談対象者の編集",
    "consent_create": "同意の登録",
    "consent_withdraw": "同意の撤回",
    "log_detail": "記録",
    "log_update": "記録の編集",
    "event_detail": "周知活動・会議・研修",
    "event_update": "周知活動・会議・研修の編集",
    "referral_detail": "つなぎ",
    "referral_update": "つなぎの編集",
    "referral_move": "つなぎの状態の変更",
    "referral_override": "同意確認の例外",
    "follow_up_update": "次の対応の編集",
    "referral_create": "つなぎの登録",
    "follow_up_create": "次の対応の登録",
    "client_list": "相談対象者の一覧",
    "client_power_list": "電源の一覧",
    "log_list": "記録の一覧",
    "event_list": "周知活動・会議・研修の一覧",
    "referral_list": "つなぎの一覧",
    "follow_up_list": "次の対応の一覧",
    "client_lookup": "相談対象者の検索（入力中の候補）",
    "provider_lookup": "機関の検索（入力中の候補）",
    "home": "ホーム",
    "reporting:quarterly": "業務報告書",
    "reporting:edit_texts": "業務報告書の文章の編集",
    "reporting:finalize": "業務報告書の確定",
    "reporting:open_draft": "業務報告書の確定の解除",
    "reporting:download": "業務報告書",
    "log_export": "記録の一覧",
    "referral_export": "つなぎの一覧",
    "follow_up_export": "次の対応の一覧",
    "imports:template": "取り込み用のひな形",
    "imports:preview": "取り込みの確認",
    "imports:start": "取り込み",
    "imports:confirm": "取り込みの確定",
    "imports:cancel": "取り込みの取り消し",
    "directory:provider_export": "機関の一覧",
    "directory:provider_hsds_export": "機関の一覧（HSDS）",
    "directory:provider_link_open": "事業所の確認リンク",
    "directory:provider_link_page": "事業所の確認リンク（掲載内容の確認）",
    "audit:event_list": "アクセス記録（技術情報）",
    "access_log": "アクセス記録",
    "access_log_export": "アクセス記録",
    "admin:audit_accessevent_changelist": "管理サイトのアクセス記録",
    "admin:audit_accessevent_change": "管理サイトのアクセス記録",
    "admin:autocomplete": "管理サイトの検索",
    "login": "ログイン",
    "logout": "ログアウト",
    "mfa_setup": "2段階認証の登録",
    "mfa_verify": "2段階認証の確認コード",
    "account_setup": "パスワードの設定",
    "password_change": "パスワードの変更",
}

# Refused attempts: shown with a mark (and words), not by colour alone.
REFUSED_ACTIONS = frozenset({Action.REFUSED, Action.SIGN_IN_FAILED, Action.LOCKED_OUT, Action.PASSWORD_REFUSED})


@dataclass(frozen=True)
class Target:
    """What a row was about: its words, the page to open it on (when the viewer may), the full text."""

    text: str
    url: str = ""
    kind: str = ""

    def __str__(self):
        return self.text


# The largest id a database column holds: a longer number typed into a URL names no record.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """A record id from text or a number as recorded (a URL may hold anything); None if it is none."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def client_of_row(event: AccessEvent) -> int | None:
    """The client a form or export named in its query string (`?client=12`), if any."""
    if event.url_name not in FROM_A_CLIENT:
        return None
    values = parse_qs(urlsplit(event.path).query).get("client", [])
    return as_id(values[0]) if values else None


def _pk(event: AccessEvent) -> int | None:
    return as_id(event.object_ids.get("pk")) if isinstance(event.object_ids, dict) else None


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class TargetLabels:
    """Labels for a page (or an export's chunk) of rows: `load(rows)` first, then `target(row)`."""

    def __init__(self, *, office):
        # The viewer's office: only its records are named and linked (an admin without one: none).
        self.office = office
        self.records: dict[str, dict[int, object]] = defaultdict(dict)

    def load(self, events: Iterable[AccessEvent]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            kind, pk = KIND_OF_PAGE.get(event.url_name), _pk(event)
            if kind and pk is not None:
                wanted[kind].add(pk)
            client = client_of_row(event)
            if client is not None:
                wanted["client"].add(client)
        if self.office is None:
            return
        queries = {
            "client": Client.objects.all(),
            "log": ContactLog.objects.select_related("client"),
            "event": Event.objects.all(),
            "referral": Referral.objects.select_related("client", "provider"),
            "follow_up": FollowUp.objects.select_related("client"),
        }
        for kind, pks in wanted.items():
            pks -= set(self.records[kind])
            if pks:
                found = queries[kind].filter(office=self.office, pk__in=pks)
                self.records[kind].update({record.pk: record for record in found})

    def screen(self, event: AccessEvent) -> str:
        return SCREENS.get(event.url_name, "その他の画面" if event.url_name else "")

    def target(self, event: AccessEvent) -> Target | None:
        """The client or record concerned; for an export its rows; None when it concerned none."""
        kind, pk = KIND_OF_PAGE.get(event.url_name), _pk(event)
        if kind and pk is not None:
            return self._label(kind, pk)
        client = client_of_row(event)
        if client is not None:
            return self._label("client", client)
        return None

    def _label(self, kind: str, pk: int) -> Target:
        record = self.records[kind].get(pk)
        if record is None:
            return Target(f"{NUMBERED[kind]}（No.{pk}・ほかの事業所か削除済み）", kind=kind)
        if kind == "client":
            return Target(record.name, reverse("client_detail", args=[pk]), kind)
        if kind == "log":
            about = f"・{record.client.name}" if record.client_id else ""
            return Target(f"記録 {_date(record.occurred_on)}{about}", reverse("log_detail", args=[pk]))
        if kind == "event":
            return Target(f"{record.name}（{_date(record.held_on)}）", reverse("event_detail", args=[pk]))
        if kind == "referral":
            return Target(
                f"つなぎ {record.client.name} → {record.organization_label}", reverse("referral_detail", args=[pk])
            )
        about = f"・{record.client.name}" if record.client_id else ""
        url = reverse("client_detail", args=[record.client_id]) if record.client_id else ""
        return Target(f"次の対応{about}", url)


NUMBERED = {
    "client": "相談対象者",
    "log": "記録",
    "event": "周知活動・会議・研修",
    "referral": "つなぎ",
    "follow_up": "次の対応",
}


def client_condition(client: Client):
    """A Q over access log rows: the client's page and forms, its logs', referrals' and follow-ups'
    pages, forms and exports opened from it (four queries for the ids)."""
    pages = [
        (PAGES["client"], [client.pk]),
        (PAGES["log"], ContactLog.objects.filter(client=client).values_list("pk", flat=True)),
        (PAGES["referral"], Referral.objects.filter(client=client).values_list("pk", flat=True)),
        (PAGES["follow_up"], FollowUp.objects.filter(client=client).values_list("pk", flat=True)),
    ]
    return about_condition(pages, created_from=(FROM_A_CLIENT, "client", client.pk))
