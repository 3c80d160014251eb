"""The report page's 変更履歴 (text edits, finalizations, new drafts) and the logs gone since finalization."""

import re
from datetime import date, time

import pytest
from django.urls import reverse

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.logs.models import ContactLog, ContactMethod
from reporting.models import QuarterlyReport

pytestmark = pytest.mark.django_db
PAGE = reverse("reporting:quarterly")
FY2025_Q1_3 = "fiscal_year=2025&quarters=1-3"
GENERATED = "（記録から作成した文章）"


def section_text(html: str, heading_id: str) -> str:
    """One card's text as a reader sees it (tags dropped)."""
    section = html[html.index(f'aria-labelledby="{heading_id}"') :]
    section = section[: section.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def edit_texts(client, schedule: str, mother: str):
    url = f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}"
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["schedule"] = schedule
    data["text_3_party-parent-mother"] = mother
    assert client.post(url, data).status_code == 302


def finalize(client):
    return client.post(f"{reverse('reporting:finalize')}?{FY2025_Q1_3}", follow=True)


def open_draft(client):
    return client.post(f"{reverse('reporting:open_draft')}?{FY2025_Q1_3}", follow=True)


def page_html(client, query=FY2025_Q1_3) -> str:
    return client.get(f"{PAGE}?{query}").content.decode()


def test_the_report_page_shows_who_edited_finalized_and_reopened_and_when(client, supervisor, coordinator):
    client.force_login(supervisor)
    assert 'aria-labelledby="history-heading"' not in page_html(client)  # nothing done yet
    edit_texts(client, "月・水・金 9:00～17:00（祝日を除く）", "区内の病院、訪問看護ステーション")
    edit_texts(client, "月・水・金 9:00～17:00（祝日を除く）", "区内の病院")
    finalize(client)
    open_draft(client)

    history = section_text(page_html(client), "history-heading")
    assert history.count(str(supervisor)) == 5  # created, two edits, finalized, new draft
    assert re.search(r"変更 \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}", history)
    assert f"開所日・時間の表記 {GENERATED} 月・水・金 9:00～17:00（祝日を除く）" in history
    assert f"3. 相手先や主な内容：当事者 ▸ 親 ▸ 母 {GENERATED} 区内の病院、訪問看護ステーション" in history
    assert "3. 相手先や主な内容：当事者 ▸ 親 ▸ 母 区内の病院、訪問看護ステーション 区内の病院" in history
    assert "状態 下書き 確定済み" in history
    assert "状態 確定済み 下書き" in history
    # Newest first: the new draft heads the list.
    assert history.index("状態 確定済み 下書き") < history.index("状態 下書き 確定済み")

    client.force_login(coordinator)  # coordinators read the report, and its history
    assert "状態 下書き 確定済み" in section_text(page_html(client), "history-heading")


def test_another_office_never_sees_this_offices_history(client, supervisor):
    client.force_login(supervisor)
    edit_texts(client, "月・水・金 9:00～17:00（祝日を除く）", "区内の病院")
    finalize(client)

    other_office = Office.objects.create(name="別の事業所", municipality="港区")
    other = User.objects.create_user("other-supervisor", password="x" * 12, office=other_office, last_name="別所")
    other.groups.set(supervisor.groups.all())
    client.force_login(other)
    html = page_html(client)
    assert 'aria-labelledby="history-heading"' not in html and "（祝日を除く）" not in html
    edit_texts(client, "火・木 10:00～16:00", "")
    history = section_text(page_html(client), "history-heading")
    assert "火・木 10:00～16:00" in history and "別所" in history
    assert "（祝日を除く）" not in history and "区内の病院" not in history and str(supervisor) not in history
    assert "確定済み" not in history
    assert QuarterlyReport.history.filter(office=other_office).count() == 2


def test_logs_deleted_or_moved_out_after_finalization_are_listed_without_personal_data(
    client, supervisor, coordinator, demo_office
):
    child = Client.objects.for_office(demo_office).first()
    moved = ContactLog.objects.create(
        office=demo_office,
        occurred_on=date(2025, 12, 24),
        started_at=time(10, 0),
        coordinator=coordinator,
        client=child,
        method=ContactMethod.objects.get(code="phone"),
    )
    deleted = ContactLog.objects.create(
        office=demo_office,
        occurred_on=date(2025, 11, 5),
        started_at=time(11, 0),
        coordinator=coordinator,
        client=child,
        method=ContactMethod.objects.get(code="fax"),
    )
    client.force_login(supervisor)
    finalize(client)
    assert "確定後に変更された記録はありません。" in page_html(client)

    moved.occurred_on = date(2026, 1, 8)
    moved.save()
    deleted.delete()
    ContactLog.objects.filter(occurred_on__month=6, office=demo_office).first().delete()  # made before history

    changed = section_text(page_html(client), "changed-heading")
    assert "この期間の記録が 3 件 追加・変更・削除されています" in changed
    assert "相談・支援記録（期間外へ日付を変更） 2025年12月24日 → 2026年1月8日 電話" in changed
    assert "相談・支援記録（削除） 2025年11月5日 FAX" in changed
    assert str(coordinator) in changed
    assert child.name not in changed and child.name_kana not in changed


def test_a_log_moved_back_into_the_period_is_listed_once_as_changed(client, supervisor, coordinator, demo_office):
    log = ContactLog.objects.create(
        office=demo_office,
        occurred_on=date(2025, 12, 24),
        coordinator=coordinator,
        method=ContactMethod.objects.get(code="phone"),
    )
    client.force_login(supervisor)
    finalize(client)
    log.occurred_on = date(2026, 1, 8)
    log.save()
    log.occurred_on = date(2025, 12, 25)
    log.save()
    changed = section_text(page_html(client), "changed-heading")
    assert "この期間の記録が 1 件" in changed and "期間外へ日付を変更" not in changed
