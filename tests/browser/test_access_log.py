"""The access log in the browser: a supervisor sees on a client's page who opened it (a coordinator,
earlier in the test), follows the link to the office's access log filtered by the client, and the log
of 80 rows keeps one line a row."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Office, User
from accounts.roles import ROLE_GROUPS, Role
from audit.models import AccessEvent, Action, Outcome
from coordination.clients.models import Client
from demo.builders import DEMO_PASSWORD
from tests.coordination.client_factories import make_client

from .conftest import in_worker

pytestmark = pytest.mark.browser

CHILD, KANA = "見守 なぎさ", "ミマモリ ナギサ"
READER = "browser-log-reader"
OFFICE = "北区医療的ケア児等コーディネーター事業"


def sign_in(page, demo_site, username: str):
    page.context.clear_cookies()
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="ログイン")).to_have_count(0)


@pytest.fixture
def child(django_db_blocker):
    """A child of the demo office (its access log rows stay: the log is append-only)."""

    def delete():
        with django_db_blocker.unblock():
            pks = list(Client.objects.filter(name=CHILD).values_list("pk", flat=True))
            Client.objects.filter(pk__in=pks).delete()
            Client.history.filter(id__in=pks).delete()

    def make():
        delete()
        with django_db_blocker.unblock():
            return make_client(Office.objects.get(name=OFFICE), CHILD, KANA)

    yield in_worker(make)
    in_worker(delete)


def test_a_supervisor_sees_who_opened_a_childs_record(page, demo_site, screenshot, child):
    sign_in(page, demo_site, "coordinator")
    page.goto(f"{demo_site}/clients/{child.pk}/")
    expect(page.get_by_role("heading", name=CHILD)).to_be_visible()
    expect(page.get_by_role("heading", name="この方の記録を見た人")).to_have_count(0)

    def viewed_at():
        event = AccessEvent.objects.filter(url_name="client_detail", object_ids__pk=child.pk).latest("pk")
        return timezone.localtime(event.occurred_at)

    at = in_worker(viewed_at)
    shown_at = f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"

    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/clients/{child.pk}/")
    section = page.get_by_role("region", name="この方の記録を見た人")
    row = section.get_by_role("row").filter(has_text="青木 ひかり")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(shown_at)
    expect(row).to_contain_text("閲覧")
    expect(row).to_contain_text("相談対象者のページ")
    section.scroll_into_view_if_needed()
    screenshot("client-readers")

    section.get_by_role("link", name="この方のアクセス記録をすべて見る").click()
    expect(page.get_by_role("heading", name="アクセス記録", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="相談対象者")).to_have_value(re.compile(rf"^{re.escape(CHILD)}"))
    expect(page.locator("input[type=hidden][name=client]")).to_have_value(str(child.pk))
    table = page.locator("table.access-table")
    expect(table.get_by_role("row").filter(has_text="青木 ひかり")).to_contain_text(shown_at)
    expect(table.get_by_role("link", name=CHILD).first).to_be_visible()


@pytest.fixture
def busy_reader(django_db_blocker):
    """A coordinator of the demo office with 80 rows of all kinds (the user goes at the end; the rows stay)."""

    def delete():
        with django_db_blocker.unblock():
            User.objects.filter(username=READER).delete()

    def make():
        delete()
        with django_db_blocker.unblock():
            office = Office.objects.get(name=OFFICE)
            user = User.objects.create_user(
                READER, password=DEMO_PASSWORD, office=office, last_name="記録", first_name="多子"
            )
            user.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.COORDINATOR]))
            clients = list(Client.objects.for_office(office).order_by("pk")[:10])
            kinds = [
                {"action": Action.VIEW, "url_name": "client_detail", "path": "/clients/{pk}/"},
                {"action": Action.SEARCH, "url_name": "client_list", "path": "/clients/?q=%E5%B1%B1"},
                {"action": Action.EXPORT, "url_name": "log_export", "path": "/logs/export/csv/?client={pk}"},
                {
                    "action": Action.REFUSED,
                    "outcome": Outcome.REFUSED,
                    "status_code": 403,
                    "url_name": "reporting:quarterly",
                    "path": "/reports/quarterly/",
                },
                {"action": Action.SIGN_IN, "url_name": "", "path": ""},
            ]
            rows = []
            for number in range(80):
                kind = dict(kinds[number % len(kinds)])
                pk = clients[number % len(clients)].pk
                kind["path"] = kind["path"].format(pk=pk)
                ids = {"pk": pk} if kind["url_name"] == "client_detail" else {}
                if kind["action"] == Action.EXPORT:
                    ids = {"file_format": "csv", "rows": 12}
                rows.append(AccessEvent(user=user, username=READER, role="コーディネーター", object_ids=ids, **kind))
            AccessEvent.objects.bulk_create(rows)
            return user

    yield in_worker(make)
    in_worker(delete)


def test_eighty_rows_keep_one_line_each(page, demo_site, screenshot, busy_reader):
    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/access-log/?person={busy_reader.pk}")
    rows = page.locator("table.access-table tbody tr")
    expect(rows).to_have_count(80)
    heights = rows.evaluate_all("rows => rows.map(row => row.getBoundingClientRect().height)")
    line = page.locator("table.access-table tbody td").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).lineHeight)"
    )
    # One line a row (a badge adds its padding), never a word broken over lines.
    assert max(heights) < 2 * line + 12, (max(heights), line)
    refused = page.locator("tr.access-row--refused")
    expect(refused).to_have_count(16)
    expect(refused.first).to_contain_text("拒否（403）")
    print(f"access log, 80 rows: page height {page.evaluate('document.documentElement.scrollHeight')} px")
    screenshot("access-log", for_docs=True)
