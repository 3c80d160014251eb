"""The 変更履歴 on the client page (the client, its procedures and guardians) and on the event page."""

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.clients import services as clients_services
from coordination.clients.models import ClientStatus
from coordination.clients.resources import ClientResource
from coordination.clients.services import GuardianEntry
from coordination.events import services as events_services
from coordination.events.models import EventKind
from directory.models import MedicalCareProcedure
from directory.selectors import office_districts
from tabular.history import LATEST
from tabular.imports import KINDS, run_import
from tabular.spreadsheets import read_upload

pytestmark = pytest.mark.django_db


def history_section(client, url: str) -> str:
    """The 変更履歴 card's text as a reader sees it."""
    html = client.get(url).content.decode()
    section = html[html.index('aria-labelledby="history-heading"') :]
    section = section[: section.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


@pytest.fixture
def child(demo_office, coordinator):
    return clients_services.client_create(
        office=demo_office,
        user=coordinator,
        name="履歴 花子",
        name_kana="リレキ ハナコ",
        district=office_districts(demo_office)[0],
        guardians=[GuardianEntry(name="履歴 由美", relationship="母", phone="090-1111-1111")],
    )


def edit_client(child, user, *, guardians, **changes):
    values = {
        "name": child.name,
        "name_kana": child.name_kana,
        "birth_date": child.birth_date,
        "district": child.district,
        "status": child.status,
        "assigned_coordinator": child.assigned_coordinator,
        **changes,
    }
    return clients_services.client_update(client=child, user=user, guardians=guardians, **values)


def test_the_client_page_shows_the_clients_and_guardians_changes_with_labels(
    client, coordinator, supervisor, demo_office, child
):
    mother = child.guardians.get()
    second_district = office_districts(demo_office)[1]
    edit_client(
        child,
        coordinator,
        status=ClientStatus.CLOSED,
        district=second_district,
        assigned_coordinator=coordinator,
        guardians=[
            GuardianEntry(name="履歴 由美", relationship="母", phone="090-2222-2222", pk=mother.pk),
            GuardianEntry(name="履歴 太郎", relationship="父"),
        ],
    )
    edit_client(
        child,
        coordinator,
        guardians=[GuardianEntry(name="履歴 太郎", relationship="父", pk=child.guardians.get(relationship="父").pk)],
    )

    client.force_login(supervisor)
    text = history_section(client, reverse("client_detail", args=[child.pk]))
    assert re.search(rf"変更 \d{{4}}年\d{{1,2}}月\d{{1,2}}日 \d{{1,2}}:\d{{2}} {coordinator}", text)
    assert "状況 支援中 終結" in text
    assert f"地区 {office_districts(demo_office)[0]} {second_district}" in text
    assert f"担当コーディネーター （なし） {coordinator}" in text
    assert "変更 保護者・家族の連絡先：履歴 由美（母）" in text and "電話 090-1111-1111 090-2222-2222" in text
    assert "追加 保護者・家族の連絡先：履歴 太郎（父）" in text and "続柄 （なし） 父" in text
    assert "削除 保護者・家族の連絡先：履歴 由美（母）" in text
    assert text.index("削除 保護者") < text.index("追加 保護者")  # newest first


def test_the_client_page_lists_the_latest_changes_with_a_link_to_all(client, coordinator, child):
    for number in range(LATEST + 5):
        edit_client(child, coordinator, guardians=[], name=f"履歴 花子{number}")
    client.force_login(coordinator)
    url = reverse("client_detail", args=[child.pk])
    page = client.get(url)
    # Created with the mother, the mother removed by the first edit, then the edits of the name.
    assert len(page.context["history"].entries) == LATEST and page.context["history"].total == LATEST + 8
    assert 'href="?history=all#history-heading"' in page.content.decode()
    assert len(client.get(url + "?history=all").context["history"].entries) == LATEST + 8


def test_another_clients_guardians_are_not_in_the_history(client, coordinator, demo_office, child):
    other = clients_services.client_create(
        office=demo_office,
        user=coordinator,
        name="別人 次郎",
        guardians=[GuardianEntry(name="別人 恵子", relationship="母")],
    )
    client.force_login(coordinator)
    assert "別人" not in history_section(client, reverse("client_detail", args=[child.pk]))
    assert "別人 恵子" in history_section(client, reverse("client_detail", args=[other.pk]))


def test_the_event_page_shows_who_changed_what(client, coordinator, supervisor, demo_office):
    event = events_services.event_create(
        office=demo_office,
        user=coordinator,
        kind=EventKind.MEETING,
        name="北区医療的ケア児支援協議会",
        held_on=date(2025, 6, 2),
    )
    events_services.event_update(
        event=event,
        user=coordinator,
        name="北区医療的ケア児等支援協議会",
        held_on=date(2025, 6, 3),
        participant_count=30,
    )
    client.force_login(supervisor)
    text = history_section(client, reverse("event_detail", args=[event.pk]))
    assert re.search(rf"変更 \d{{4}}年\d{{1,2}}月\d{{1,2}}日 \d{{1,2}}:\d{{2}} {coordinator}", text)
    assert "名称（実施機関・会議名・研修名・テーマ） 北区医療的ケア児支援協議会 北区医療的ケア児等支援協議会" in text
    assert "実施日 2025年6月2日 2025年6月3日" in text
    assert "参加者数 （なし） 30" in text
    assert "作成" in text


# --- the client's procedures (医療的ケアの内容) ----------------------------------------------------


def procedure_ids(*codes: str) -> list[str]:
    return [str(pk) for pk in MedicalCareProcedure.objects.filter(code__in=codes).values_list("pk", flat=True)]


def edit_form(child, **overrides) -> dict:
    """What the edit form posts for the child as saved (its one guardian kept), with some changes."""
    mother = child.guardians.get()
    data = {
        "name": child.name,
        "name_kana": child.name_kana,
        "birth_date": "2019/5/15",
        "status": child.status,
        "assigned_coordinator": "",
        "district": str(child.district_id),
        "municipality_outside": "",
        "has_medical_care": "on" if child.has_medical_care else "",
        "procedures": procedure_ids(*CARED),
        "age_band_override": "",
        "age_band_override_reason": "",
        "consent_obtained_on": "",
        "consent_scope": "",
        "consent_taken_by": "",
        "notes": "",
        "version": str(child.version),
        "guardians-TOTAL_FORMS": "1",
        "guardians-INITIAL_FORMS": "1",
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "1000",
        "guardians-0-id": str(mother.pk),
        "guardians-0-client": str(child.pk),
        "guardians-0-name": mother.name,
        "guardians-0-relationship": mother.relationship,
        "guardians-0-phone": mother.phone,
        "guardians-0-email": "",
        **overrides,
    }
    return {key: value for key, value in data.items() if value != ""}


CARED = ("suction", "tube-feeding")


def mother_kept(child) -> list[GuardianEntry]:
    mother = child.guardians.get()
    return [GuardianEntry(name=mother.name, relationship=mother.relationship, phone=mother.phone, pk=mother.pk)]


@pytest.fixture
def cared_child(demo_office, coordinator):
    return clients_services.client_create(
        office=demo_office,
        user=coordinator,
        name="履歴 陽菜",
        name_kana="リレキ ヒナ",
        birth_date=date(2019, 5, 15),
        district=office_districts(demo_office)[0],
        has_medical_care=True,
        procedures=list(MedicalCareProcedure.objects.filter(code__in=CARED)),
        guardians=[GuardianEntry(name="履歴 真理", relationship="母", phone="090-3333-3333")],
    )


def test_ticking_a_procedure_in_the_edit_shows_who_when_and_the_procedures_old_and_new(
    client, coordinator, supervisor, cared_child
):
    client.force_login(coordinator)
    response = client.post(
        reverse("client_update", args=[cared_child.pk]),
        edit_form(cared_child, procedures=procedure_ids(*CARED, "ventilator")),
    )
    assert response.status_code == 302

    client.force_login(supervisor)
    text = history_section(client, reverse("client_detail", args=[cared_child.pk]))
    # Labels in the procedures' display order (人工呼吸器 is the first of the list).
    change = re.search(
        rf"変更 (\d{{4}}年\d{{1,2}}月\d{{1,2}}日 \d{{1,2}}:\d{{2}}) {coordinator} 項目 変更前 変更後 "
        r"医療的ケアの内容 吸引、経管栄養 人工呼吸器、吸引、経管栄養 ",
        text,
    )
    assert change, text
    saved = timezone.localtime(cared_child.history.latest().history_date)
    assert change.group(1) == f"{saved.year}年{saved.month}月{saved.day}日 {saved.hour}:{saved.minute:02d}"
    assert text.index("医療的ケアの内容") < text.index("作成")  # the change is newer than the creation


def test_one_edit_of_the_fields_and_the_procedures_is_one_entry(client, coordinator, cared_child):
    before = cared_child.history.count()
    edit_client(
        cared_child,
        coordinator,
        guardians=mother_kept(cared_child),
        status=ClientStatus.WATCHING,
        has_medical_care=True,
        procedures=list(MedicalCareProcedure.objects.filter(code__in=["oxygen"])),
    )
    assert cared_child.history.count() == before + 1
    client.force_login(coordinator)
    page = client.get(reverse("client_detail", args=[cared_child.pk]))
    newest = page.context["history"].entries[0]
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("医療的ケアの内容", "吸引、経管栄養", "酸素療法"),
        ("状況", "支援中", "見守り"),
    ]


def test_untouched_procedures_are_not_listed_as_a_change(client, coordinator, cared_child):
    client.force_login(coordinator)
    client.post(reverse("client_update", args=[cared_child.pk]), edit_form(cared_child, notes="面談済み"))
    newest = client.get(reverse("client_detail", args=[cared_child.pk])).context["history"].entries[0]
    assert [c.label for c in newest.changes] == ["メモ（要配慮）"]


def test_removing_every_procedure_shows_none(client, coordinator, cared_child):
    edit_client(cared_child, coordinator, guardians=mother_kept(cared_child), has_medical_care=False, procedures=[])
    client.force_login(coordinator)
    newest = client.get(reverse("client_detail", args=[cared_child.pk])).context["history"].entries[0]
    assert ("医療的ケアの内容", "吸引、経管栄養", "（なし）") in [(c.label, c.old, c.new) for c in newest.changes]


def test_an_import_that_changes_the_procedures_is_in_the_history(client, demo_office, coordinator, cared_child):
    values = dict.fromkeys(ClientResource.example_row, "")
    values.update(
        氏名=cared_child.name,
        フリガナ=cared_child.name_kana,
        生年月日="2019/5/15",
        医療的ケア="あり",
        医療的ケアの内容="吸引、導尿",
    )
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(values), list(values.values())])
    sheet = read_upload("clients.csv", buffer.getvalue().encode("utf-8-sig"))
    resource = ClientResource(office=demo_office, user=coordinator, sheet=sheet)
    report = run_import(resource=resource, kind=KINDS["clients"], sheet=sheet, dry_run=False)
    assert [row.action for row in report.rows] == ["update"]

    client.force_login(coordinator)
    newest = client.get(reverse("client_detail", args=[cared_child.pk])).context["history"].entries[0]
    assert newest.who == str(coordinator)
    assert [(c.label, c.old, c.new) for c in newest.changes] == [("医療的ケアの内容", "吸引、経管栄養", "吸引、導尿")]


def test_the_client_page_needs_no_more_queries_with_a_long_history_of_procedures(client, coordinator, cared_child):
    client.force_login(coordinator)
    url = reverse("client_detail", args=[cared_child.pk]) + "?history=all"
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    codes = list(MedicalCareProcedure.objects.values_list("code", flat=True))
    for number in range(30):
        chosen = MedicalCareProcedure.objects.filter(code__in=codes[number % 10 : number % 10 + 3])
        edit_client(
            cared_child, coordinator, guardians=mother_kept(cared_child), has_medical_care=True, procedures=list(chosen)
        )
    with CaptureQueriesContext(connection) as long:
        page = client.get(url)
    assert len(page.context["history"].entries) > 30
    assert len(long) == len(short)
